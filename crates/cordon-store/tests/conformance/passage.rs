//! Reads of the registry on both backends: pages by checkpoint along the keyset, across day
//! windows, hourly counts and trajectories, and the corrections each passage read shows.

use std::sync::Arc;

use cordon_domain::passage::Role;
use cordon_store::{Cursor, NewPassage, PassageQuery, Period, Store};
use uuid::Uuid;

use super::support::*;

/// Every page of a checkpoint's passages in `period`, following each page's cursor through its
/// text form as a client would.
async fn every_page(
    store: &dyn Store,
    checkpoint: &str,
    period: Period,
    limit: u32,
) -> Vec<Vec<cordon_domain::passage::Passage>> {
    let mut after: Option<Cursor> = None;
    let mut pages = Vec::new();
    loop {
        let page = store
            .passages_at_checkpoint(
                &reads(),
                &PassageQuery {
                    checkpoint: code(checkpoint),
                    period,
                    after,
                    limit,
                },
            )
            .await
            .unwrap();
        pages.push(page.passages);
        match page.next {
            Some(c) => after = Some(Cursor::decode(&c.encode()).unwrap()),
            None => return pages,
        }
    }
}

pub async fn pages_follow_the_keyset(store: Arc<dyn Store>) {
    network(&*store).await;
    let batch: Vec<NewPassage> = (0..25)
        .map(|i| {
            new(draft(
                Uuid::now_v7(),
                "CP-130100-0001",
                i / 2,
                "冀A12345",
                &[i as u32 + 100],
            ))
        })
        .collect();
    store.record_passages(batch).await.unwrap();
    let seen: Vec<_> = every_page(&*store, "CP-130100-0001", all_time(), 10)
        .await
        .into_iter()
        .flatten()
        .map(|p| (p.observed_at, p.id))
        .collect();
    assert_eq!(seen.len(), 25);
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted, seen);
    let none = store
        .passages_at_checkpoint(
            &reads(),
            &PassageQuery {
                checkpoint: code("CP-130100-0002"),
                period: all_time(),
                after: None,
                limit: 10,
            },
        )
        .await
        .unwrap();
    assert!(none.passages.is_empty() && none.next.is_none());
}

/// Lists and counts walk the hour-first index a day of hours at a time: passages two and a half
/// hours apart over three days, another checkpoint's in between, pages that cross the days.
pub async fn pages_and_counts_span_days(store: Arc<dyn Store>) {
    network(&*store).await;
    let mut batch = Vec::new();
    for i in 0..30 {
        for (cp, minute) in [("CP-130100-0001", i * 150), ("CP-130100-0002", i * 150 + 5)] {
            batch.push(new(draft(
                Uuid::now_v7(),
                cp,
                minute,
                "冀A12345",
                &[i as u32 + 200],
            )));
        }
    }
    store.record_passages(batch).await.unwrap();
    let start = t0().timestamp_millis();
    let hour = 3_600_000;
    // From the start of the second hour to the end of the seventieth.
    let period = Period {
        from_ms: start + hour,
        to_ms: start + 70 * hour,
    };
    let expected: Vec<i64> = (0..30)
        .map(|i| start + i * 150 * 60_000)
        .filter(|t| *t >= period.from_ms && *t < period.to_ms)
        .collect();
    let pages = every_page(&*store, "CP-130100-0001", period, 4).await;
    assert!(pages.iter().all(|page| page.len() <= 4));
    let seen: Vec<i64> = pages
        .iter()
        .flatten()
        .inspect(|p| assert_eq!(p.checkpoint.as_str(), "CP-130100-0001"))
        .map(|p| p.observed_at.timestamp_millis())
        .collect();
    assert_eq!(seen, expected);
    let counts = store
        .hourly_counts(&reads(), &code("CP-130100-0001"), period)
        .await
        .unwrap();
    let hours: Vec<i64> = counts.iter().map(|c| c.hour_ms).collect();
    let expected_hours: Vec<i64> = expected.iter().map(|t| t - t.rem_euclid(hour)).collect();
    assert_eq!(hours, expected_hours);
    assert!(counts.iter().all(|c| (c.passages, c.persons) == (1, 1)));
    // An empty or reversed period finds nothing.
    for period in [
        Period {
            from_ms: start,
            to_ms: start,
        },
        Period {
            from_ms: start + hour,
            to_ms: start,
        },
    ] {
        let page = store
            .passages_at_checkpoint(
                &reads(),
                &PassageQuery {
                    checkpoint: code("CP-130100-0001"),
                    period,
                    after: None,
                    limit: 4,
                },
            )
            .await
            .unwrap();
        assert!(page.passages.is_empty() && page.next.is_none());
        let none = store
            .hourly_counts(&reads(), &code("CP-130100-0001"), period)
            .await
            .unwrap();
        assert!(none.is_empty());
    }
}

pub async fn hourly_counts_and_trajectories(store: Arc<dyn Store>) {
    network(&*store).await;
    // Person 1 drives through three checkpoints; person 2 rides along once.
    let stops = [
        ("CP-130100-0001", 0, &[1, 2][..]),
        ("CP-130600-0001", 90, &[1][..]),
        ("CP-130100-0002", 200, &[1][..]),
    ];
    let mut ids = Vec::new();
    for (cp, minute, people) in stops {
        let id = Uuid::now_v7();
        ids.push(id);
        store
            .record_passages(vec![new(draft(id, cp, minute, "冀A12345", people))])
            .await
            .unwrap();
    }
    store
        .record_passages(vec![new(draft(
            Uuid::now_v7(),
            "CP-130100-0001",
            30,
            "冀B00001",
            &[9, 8],
        ))])
        .await
        .unwrap();
    let counts = store
        .hourly_counts(&reads(), &code("CP-130100-0001"), all_time())
        .await
        .unwrap();
    assert_eq!(counts.len(), 1);
    assert_eq!((counts[0].passages, counts[0].persons), (2, 4));
    assert_eq!(counts[0].hour_ms, t0().timestamp_millis());

    // The trace index names the passages (see cordon-trace); the store reads them in time order,
    // with the role it was given, leaving out ids it does not hold.
    let trail = store
        .trajectory(
            &traces(),
            &[
                (ids[2], Some(Role::Driver)),
                (Uuid::now_v7(), Some(Role::Driver)),
                (ids[0], Some(Role::Passenger)),
                (ids[1], None),
            ],
        )
        .await
        .unwrap();
    let codes: Vec<&str> = trail.iter().map(|p| p.checkpoint.as_str()).collect();
    assert_eq!(
        codes,
        ["CP-130100-0001", "CP-130600-0001", "CP-130100-0002"]
    );
    let roles: Vec<Option<Role>> = trail.iter().map(|p| p.role).collect();
    assert_eq!(roles, [Some(Role::Passenger), None, Some(Role::Driver)]);
    assert_eq!(
        trail[0].plate.as_ref().map(|p| p.as_str()),
        Some("冀A12345")
    );
    assert!(trail
        .windows(2)
        .all(|w| w[0].observed_at <= w[1].observed_at));
    assert!(store.trajectory(&traces(), &[]).await.unwrap().is_empty());
}

pub async fn a_passage_read_shows_its_corrections(store: Arc<dyn Store>) {
    network(&*store).await;
    let (first, second, other) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    let mut fix = draft(second, "CP-130100-0001", 5, "冀A12345", &[1, 2]);
    fix.supersedes = Some(first);
    store
        .record_passages(vec![
            new(draft(first, "CP-130100-0001", 0, "冀A12346", &[1])),
            new(fix),
            new(draft(other, "CP-130100-0001", 9, "冀A12347", &[3])),
        ])
        .await
        .unwrap();
    let hour = |counts: Vec<cordon_store::HourlyCount>| {
        counts
            .iter()
            .map(|c| (c.passages, c.persons))
            .collect::<Vec<_>>()
    };
    let cp = code("CP-130100-0001");
    let counts = store
        .hourly_counts(&reads(), &cp, all_time())
        .await
        .unwrap();
    assert_eq!(hour(counts), vec![(3, 4)], "before the correction");
    store.record_corrections(&[(second, first)]).await.unwrap();
    // Noted once: a retry of the same link changes nothing.
    store.record_corrections(&[(second, first)]).await.unwrap();

    let old = store.get_passage(&reads(), first).await.unwrap();
    assert_eq!((old.supersedes, old.superseded_by), (None, Some(second)));
    let fixed = store.get_passage(&reads(), second).await.unwrap();
    assert_eq!((fixed.supersedes, fixed.superseded_by), (Some(first), None));
    let plain = store.get_passage(&reads(), other).await.unwrap();
    assert_eq!((plain.supersedes, plain.superseded_by), (None, None));
    // Read with its shift (none planned), the same links.
    for p in [&old, &fixed, &plain] {
        let (read, shift) = store.get_passage_on_duty(&reads(), p.id).await.unwrap();
        assert_eq!((&read, shift), (p, None));
    }
    // Out of the reader's scope, or unknown: not found, as the plain read.
    let elsewhere = who(
        "elsewhere",
        cordon_domain::access::Role::Commander,
        "130600",
    )
    .may_read_passages(0)
    .unwrap();
    for (grant, id) in [(&elsewhere, first), (&reads(), Uuid::now_v7())] {
        assert_eq!(
            code_of(store.get_passage_on_duty(grant, id).await),
            "not_found"
        );
    }
    // Counted once: the superseded record is left out of hourly counts and the summary.
    let counts = store
        .hourly_counts(&reads(), &cp, all_time())
        .await
        .unwrap();
    assert_eq!(hour(counts), vec![(2, 3)]);
    let from = t0().timestamp_millis();
    let summary = store
        .network_summary(&reads(), from, from + 3_600_000)
        .await
        .unwrap();
    assert_eq!(
        summary
            .iter()
            .map(|r| (r.passages, r.persons))
            .collect::<Vec<_>>(),
        vec![(2, 3)]
    );
    super::dashboard::counts_agree(&*store, &reads(), from, from + 3_600_000).await;
    assert_eq!(
        store.corrections(&[first, other]).await.unwrap(),
        vec![(second, first)]
    );
    // What the trace index withdraws: the superseded passage, where and when it was observed.
    assert_eq!(store.count_corrections().await.unwrap(), 1);
    let checkpoint = store
        .trace_checkpoints()
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.code.as_str() == "CP-130100-0001")
        .unwrap();
    assert_eq!(
        store.superseded_passages().await.unwrap(),
        vec![cordon_store::trace::Superseded {
            id: first,
            checkpoint_id: checkpoint.id,
            observed_ms: t0().timestamp_millis(),
        }]
    );
}

conformance!(
    pages_follow_the_keyset,
    pages_and_counts_span_days,
    hourly_counts_and_trajectories,
    a_passage_read_shows_its_corrections,
);
