//! What the lanes and the dashboard keep, on both backends: pre-declarations (recorded, found,
//! revoked once, listed while in force), corrections (each passage read shows its links; the
//! superseded record is not counted), and the network's summary per checkpoint, hour and
//! outcome, within a scope.

use std::sync::Arc;

use cordon_domain::access::{Principal, Role, Scope, Username};
use cordon_store::declaration::{DeclarationRecord, Revocation};
use cordon_store::{Store, StoreError};
use uuid::Uuid;

use super::support::*;

fn commander(scope: &str) -> Principal {
    Principal {
        account: 1,
        username: Username::parse("commander").unwrap(),
        role: Role::Commander,
        scope: Scope::parse(scope).unwrap(),
    }
}

fn declaration(issued_at_ms: i64, hours: i64) -> DeclarationRecord {
    DeclarationRecord {
        id: Uuid::now_v7(),
        issued_at_ms,
        expires_at_ms: issued_at_ms + hours * 3_600_000,
        plate_key: Some("a1b2".into()),
        persons: 2,
        revoked: None,
    }
}

pub async fn declarations_are_kept_and_revoked_once(store: Arc<dyn Store>) {
    let now = cordon_domain::time::now_ms();
    let grant = commander("130100").may_revoke_declarations().unwrap();
    let live = declaration(now, 48);
    let expired = declaration(now - 72 * 3_600_000, 48);
    for d in [&live, &expired] {
        store.record_declaration(d).await.unwrap();
    }
    assert_eq!(
        store.declaration(live.id).await.unwrap().as_ref(),
        Some(&live)
    );
    assert_eq!(store.declaration(Uuid::now_v7()).await.unwrap(), None);
    // The same id twice is refused: a declaration is recorded once.
    assert!(store.record_declaration(&live).await.is_err());

    let first = Revocation {
        at_ms: now,
        by: "commander".into(),
        reason: "信息有误".into(),
    };
    let revoked = store
        .revoke_declaration(&grant, live.id, first.clone())
        .await
        .unwrap();
    assert_eq!(revoked.revoked.as_ref(), Some(&first));
    let again = store
        .revoke_declaration(
            &grant,
            live.id,
            Revocation {
                at_ms: now + 1,
                by: "other".into(),
                reason: "again".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(again.revoked, Some(first), "the first revocation stands");
    store
        .revoke_declaration(&grant, expired.id, again.revoked.clone().unwrap())
        .await
        .unwrap();
    assert!(matches!(
        store
            .revoke_declaration(&grant, Uuid::now_v7(), again.revoked.clone().unwrap())
            .await,
        Err(StoreError::NotFound { .. })
    ));
    // Stations need the revoked ones still in force, not the expired.
    let listed = store.revoked_declarations(now).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, live.id);
}

pub async fn the_summary_counts_per_checkpoint_hour_and_outcome(store: Arc<dyn Store>) {
    network(&*store).await;
    for (cp, minute, people) in [
        ("CP-130100-0001", 0, &[1, 2][..]),
        ("CP-130100-0001", 10, &[3][..]),
        ("CP-130100-0001", 70, &[4][..]),
        ("CP-130600-0001", 5, &[5, 6, 7][..]),
    ] {
        store
            .record_passages(vec![new(draft(
                Uuid::now_v7(),
                cp,
                minute,
                "冀A12345",
                people,
            ))])
            .await
            .unwrap();
    }
    let from = t0().timestamp_millis();
    let to = from + 24 * 3_600_000;
    let rows = store.network_summary(&reads(), from, to).await.unwrap();
    let of = |cp: &str, hour: i64| {
        rows.iter()
            .find(|r| r.checkpoint == cp && r.hour_ms == from + hour * 3_600_000)
            .unwrap_or_else(|| panic!("{cp} hour {hour}: {rows:?}"))
    };
    let first = of("CP-130100-0001", 0);
    assert_eq!((first.passages, first.persons), (2, 3));
    assert_eq!(first.outcome, "pass");
    assert_eq!(of("CP-130100-0001", 1).passages, 1);
    assert_eq!(of("CP-130600-0001", 0).persons, 3);
    // Entered a long time after they were observed: not handled at the lane.
    assert!(rows.iter().all(|r| r.handled == 0 && r.handling_ms == 0));
    assert_eq!(rows.len(), 3);
    // A city commander's summary holds the city's checkpoints only.
    let city = commander("130100").may_read_passages(0).unwrap();
    let rows = store.network_summary(&city, from, to).await.unwrap();
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r.checkpoint.starts_with("CP-130100")));
    // A station's officer, bound to a list of checkpoints, sees theirs.
    let officer = Principal {
        account: 2,
        username: Username::parse("officer").unwrap(),
        role: Role::Officer,
        scope: Scope::parse("CP-130600-0001,CP-130100-0009").unwrap(),
    };
    let own = officer.may_read_passages(from + 12 * 3_600_000).unwrap();
    let rows = store.network_summary(&own, from, to).await.unwrap();
    assert_eq!(
        rows.iter()
            .map(|r| (r.checkpoint.as_str(), r.passages, r.persons))
            .collect::<Vec<_>>(),
        vec![("CP-130600-0001", 1, 3)]
    );
    // The period bounds the observation time.
    let rows = store
        .network_summary(&reads(), from + 3_600_000, to)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
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
