//! The dashboard's summary on both backends: passages per checkpoint, hour and outcome, within a
//! scope, a superseded record not counted.

use std::sync::Arc;

use cordon_domain::access::passage::PassageRead;
use cordon_domain::access::{Principal, Role, Scope, Username};
use cordon_store::dashboard::Summary;
use cordon_store::Store;
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

    // The counts the writer kept answer the same, per checkpoint and outcome and per hour,
    // in each scope; the last hour's vehicles are counted from the passages.
    for grant in [reads(), city.clone()] {
        counts_agree(&*store, &grant, from, to).await;
    }
    let summary = store
        .counted_summary(&city, from / 3_600_000, to / 3_600_000)
        .await
        .unwrap();
    assert_eq!(
        summary
            .hours
            .iter()
            .map(|h| (h.hour_ms - from, h.passages, h.persons))
            .collect::<Vec<_>>(),
        vec![(0, 2, 3), (3_600_000, 1, 1)]
    );
    assert_eq!(store.passages_between(&reads(), from, to).await.unwrap(), 4);
    assert_eq!(
        store
            .passages_between(&reads(), from + 5 * 60_000, from + 70 * 60_000)
            .await
            .unwrap(),
        2,
        "minutes 5 and 10, not 70"
    );
    assert_eq!(store.passages_between(&city, from, to).await.unwrap(), 3);
    assert_eq!(store.passages_between(&own, from, to).await.unwrap(), 1);

    // A correction takes its superseded passage out of the counts once, however often it is
    // sent and however many passages correct it.
    let (wrong, fix, again) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    for (id, minute) in [(wrong, 20), (fix, 21), (again, 22)] {
        store
            .record_passages(vec![new(draft(
                id,
                "CP-130100-0001",
                minute,
                "冀A12345",
                &[8],
            ))])
            .await
            .unwrap();
    }
    store.record_corrections(&[(fix, wrong)]).await.unwrap();
    store.record_corrections(&[(fix, wrong)]).await.unwrap();
    store.record_corrections(&[(again, wrong)]).await.unwrap();
    counts_agree(&*store, &reads(), from, to).await;
    assert_eq!(store.passages_between(&reads(), from, to).await.unwrap(), 6);
}

/// The writer's counts over the whole hours of `[from, to)` equal the passages' summary.
pub async fn counts_agree(store: &dyn Store, grant: &PassageRead, from: i64, to: i64) {
    let rows = store.network_summary(grant, from, to).await.unwrap();
    let read = Summary::of_rows(&rows);
    let kept = store
        .counted_summary(grant, from / 3_600_000, (to - 1) / 3_600_000)
        .await
        .unwrap();
    assert_eq!(kept, read, "the writer's counts against the passages");
}

/// The revision of past hours' counts (migration 42) moves with every change to an hour that
/// has ended, in the writer's transaction or the correction's, and stays for a vehicle of the
/// current hour: a hub's kept sums of settled hours are read again exactly when they changed.
pub async fn the_counts_revision_moves_with_past_hours(store: Arc<dyn Store>) {
    network(&*store).await;
    let revision = || async { store.counts_revision().await.unwrap() };
    let start = revision().await;
    // A lane's vehicle of this hour.
    let mut now = draft(Uuid::now_v7(), "CP-130100-0001", 0, "冀A12345", &[1]);
    now.observed_at = chrono::Utc::now().fixed_offset();
    let hour = |t: i64| t.div_euclid(3_600_000);
    let observed = now.observed_at.timestamp_millis();
    store.record_passages(vec![new(now)]).await.unwrap();
    if hour(observed) == hour(chrono::Utc::now().timestamp_millis()) {
        assert_eq!(revision().await, start, "this hour's vehicle");
    }
    // A paper record of an hour long past, then its correction.
    let (wrong, fix) = (Uuid::now_v7(), Uuid::now_v7());
    for id in [wrong, fix] {
        let late = new(draft(id, "CP-130100-0001", 30, "冀A12345", &[2]));
        store.record_passages(vec![late]).await.unwrap();
    }
    let after_late = revision().await;
    assert_eq!(after_late, start + 2, "two late records");
    store.record_corrections(&[(fix, wrong)]).await.unwrap();
    assert_eq!(revision().await, after_late + 1, "a correction");
    // Sent again, it takes nothing more out and moves nothing.
    store.record_corrections(&[(fix, wrong)]).await.unwrap();
    assert_eq!(revision().await, after_late + 1, "a correction sent again");
}

conformance!(
    the_summary_counts_per_checkpoint_hour_and_outcome,
    the_counts_revision_moves_with_past_hours
);

/// On PostgreSQL the counts can be read by the hour (migration 41), and the statistics the
/// planner needs to choose that are gathered on demand (a server with autovacuum off has none):
/// before, the planner takes the checkpoints table for empty; after, it knows its rows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_statistics_are_gathered_on_demand() {
    let Some(admin) = postgres_url() else { return };
    let url = fresh_postgres_url(&admin).await;
    let store = cordon_store::open(&url, &cordon_store::StoreOptions::default(), key())
        .await
        .unwrap();
    network(&*store).await;
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    let known = "SELECT c.reltuples::BIGINT, s.last_analyze IS NOT NULL FROM pg_class c \
         JOIN pg_stat_user_tables s ON s.relid = c.oid WHERE c.relname = $1";
    let (rows, analyzed): (i64, bool) = sqlx::query_as(known)
        .bind("checkpoints")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(!analyzed && rows < 1, "{rows} {analyzed}");
    store.refresh_statistics().await.unwrap();
    let (checkpoints,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM checkpoints")
        .fetch_one(&pool)
        .await
        .unwrap();
    for table in ["checkpoints", "passage_counts", "passage_core"] {
        let (rows, analyzed): (i64, bool) = sqlx::query_as(known)
            .bind(table)
            .fetch_one(&pool)
            .await
            .unwrap();
        assert!(analyzed, "{table} analyzed");
        if table == "checkpoints" {
            assert_eq!(rows, checkpoints);
        }
    }
    let (index,): (String,) =
        sqlx::query_as("SELECT indexdef FROM pg_indexes WHERE indexname = 'passage_counts_hour'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(index.contains("(hour, checkpoint_id)"), "{index}");
    pool.close().await;
}
