//! The retention purge: personal data of passages before the cutoff removed, their counts and
//! decisions kept; an hour's thousands of passages purged whole and once, lanes registering
//! meanwhile; on PostgreSQL a day's partition dropped whole and what a cutoff leaves of its day
//! deleted row by row.

use cordon_domain::access::{Principal, Role, Scope, Username};
use cordon_domain::identity::{DocumentType, IdentityDocument};
use cordon_store::Period;
use uuid::Uuid;

use super::support::*;

fn all() -> Period {
    Period {
        from_ms: 0,
        to_ms: i64::MAX,
    }
}

fn tracer() -> cordon_domain::access::trace::TrajectoryRead {
    Principal {
        account: 0,
        username: Username::parse("tracer").unwrap(),
        role: Role::Tracer,
        scope: Scope::parse("130000").unwrap(),
    }
    .may_read_trajectories()
    .unwrap()
}

/// How many occupants a passage reads with (none once purged).
async fn occupants(store: &dyn cordon_store::Store, id: Uuid) -> usize {
    store
        .get_passage(&reads(), id)
        .await
        .unwrap()
        .occupants
        .len()
}

/// The retention purge removes the personal data of old passages and keeps the counts.
pub async fn retention_purges_personal_data(store: std::sync::Arc<dyn cordon_store::Store>) {
    network(store.as_ref()).await;
    let old = Uuid::now_v7();
    let recent = Uuid::now_v7();
    store
        .record_passages(vec![
            new(draft(old, "CP-130100-0001", 0, "冀R97531", &[60, 61])),
            new(draft(recent, "CP-130100-0001", 120, "冀A12345", &[62])),
        ])
        .await
        .unwrap();
    let cutoff = (t0() + chrono::Duration::minutes(60)).timestamp_millis();
    let purged = store.purge_personal_data(cutoff).await.unwrap();
    assert_eq!((purged.passages, purged.persons), (1, 2));
    assert_eq!(
        store.purge_personal_data(cutoff).await.unwrap(),
        cordon_store::Purged::default(),
        "a second run finds nothing left"
    );
    // A record of an old passage entered after the run (hours before where the run stopped)
    // is found by the next run; a longer retention since then keeps what it now covers.
    let late = Uuid::now_v7();
    let kept_late = Uuid::now_v7();
    store
        .record_passages(vec![
            new(draft(late, "CP-130100-0001", -180, "冀R97533", &[63])),
            new(draft(
                kept_late,
                "CP-130100-0001",
                30,
                "冀R97535",
                &[64, 65],
            )),
        ])
        .await
        .unwrap();
    let shorter = (t0() - chrono::Duration::minutes(120)).timestamp_millis();
    let purged = store.purge_personal_data(shorter).await.unwrap();
    assert_eq!((purged.passages, purged.persons), (1, 1), "the late record");
    assert_eq!(occupants(&*store, late).await, 0);
    assert_eq!(occupants(&*store, kept_late).await, 2);
    let purged = store.purge_personal_data(cutoff).await.unwrap();
    assert_eq!(
        (purged.passages, purged.persons),
        (1, 2),
        "back to the first cutoff"
    );
    let p = store.get_passage(&reads(), old).await.unwrap();
    assert!(p.occupants.is_empty());
    assert_eq!(p.vehicle.as_ref().map(|v| v.plate.as_str()), None);
    assert_eq!(p.decision.outcome.as_str(), "pass", "the decision stays");
    let kept = store.get_passage(&reads(), recent).await.unwrap();
    assert_eq!(kept.occupants.len(), 1);
    // The dashboard's counts survive the purge: the four vehicles and their six persons.
    let hours = (t0() - chrono::Duration::hours(4)).timestamp_millis() / 3_600_000;
    let summary = store
        .counted_summary(&reads(), hours, hours + 8)
        .await
        .unwrap();
    assert_eq!(
        summary
            .hours
            .iter()
            .fold((0, 0), |(n, p), h| (n + h.passages, p + h.persons)),
        (4, 6)
    );
    // The trace index reads only what keeps its personal data, with its occupants' keys.
    let rows = all_trace_rows(&*store).await;
    assert_eq!(rows.iter().map(|r| r.id).collect::<Vec<_>>(), vec![recent]);
    let doc = IdentityDocument::parse(DocumentType::ResidentId, &resident_id(62)).unwrap();
    assert_eq!(rows[0].occupants[0].0, store.keyring().person(&doc)[..32]);
    assert_eq!(rows[0].plate.as_deref(), Some("冀A12345"));
    // The live index reads positions of everything recorded, then whole rows only for what it
    // lacks: by id, purged rows still left out.
    let start = cordon_store::trace::TraceCursor::since(i64::MIN);
    let positions = store.trace_positions(start, 100).await.unwrap();
    let mut both = vec![old, recent, late, kept_late];
    both.sort();
    let mut seen: Vec<Uuid> = positions.iter().map(|p| p.id).collect();
    seen.sort();
    assert_eq!(seen, both, "positions of every passage, purged or not");
    assert!(positions
        .windows(2)
        .all(|w| (w[0].recorded_ms, w[0].id) < (w[1].recorded_ms, w[1].id)));
    assert_eq!(
        store.trace_positions(positions[0], 100).await.unwrap(),
        positions[1..],
        "positions after a cursor"
    );
    assert_eq!(
        store.trace_rows_by_id(&[old, recent]).await.unwrap(),
        rows,
        "by id, as trace_rows reads them"
    );
    assert!(store.trace_rows_by_id(&[]).await.unwrap().is_empty());
    // A trajectory leaves out what was purged, even if asked for it by id.
    let trail = store
        .trajectory(&tracer(), &[(old, None), (recent, None)])
        .await
        .unwrap();
    assert_eq!(
        trail.iter().map(|p| p.passage).collect::<Vec<_>>(),
        vec![recent]
    );
    let counts = store
        .hourly_counts(&reads(), &code("CP-130100-0001"), all())
        .await
        .unwrap();
    assert_eq!(
        (
            counts.iter().map(|c| c.passages).sum::<i64>(),
            counts.iter().map(|c| c.persons).sum::<i64>()
        ),
        (4, 6),
        "counts keep what was purged"
    );
}

/// Records `n` passages of one person each in the first two hours after `t0`, with the
/// checkpoints and the hours interleaved as lanes record them, dozens seen at the same
/// millisecond at the same checkpoint; answers them.
pub(super) async fn record_busy_hours(
    store: &dyn cordon_store::Store,
    n: u32,
) -> Vec<cordon_store::NewPassage> {
    let passages: Vec<cordon_store::NewPassage> = (0..n)
        .map(|i| {
            let checkpoint = ["CP-130100-0001", "CP-130100-0002"][(i / 2 % 2) as usize];
            new(draft(
                Uuid::now_v7(),
                checkpoint,
                i64::from(i % 2 * 60 + i / 4 % 50),
                "冀A12345",
                &[i + 500],
            ))
        })
        .collect();
    for chunk in passages.chunks(500) {
        store.record_passages(chunk.to_vec()).await.unwrap();
    }
    passages
}

/// Two busy hours: each more passages than one batch of the purge takes, recorded with the
/// checkpoints and the hours interleaved as lanes record them, dozens seen at the same
/// millisecond at the same checkpoint; every one is purged, once.
pub async fn a_busy_hour_is_purged_whole(store: std::sync::Arc<dyn cordon_store::Store>) {
    network(&*store).await;
    let n = 2_300u32;
    let passages = record_busy_hours(&*store, n).await;
    let cutoff = (t0() + chrono::Duration::hours(2)).timestamp_millis();
    let purged = store.purge_personal_data(cutoff).await.unwrap();
    assert_eq!(
        (purged.passages, purged.persons),
        (u64::from(n), u64::from(n))
    );
    let again = store.purge_personal_data(cutoff).await.unwrap();
    assert_eq!(again.passages, 0);
    for p in passages.iter().step_by(97) {
        let read = store.get_passage(&reads(), p.draft.id).await.unwrap();
        assert!(read.occupants.is_empty());
    }
    let rows = all_trace_rows(&*store).await;
    assert!(rows.is_empty());
}

/// Lanes go on registering while a purge runs (on SQLite its slices are written by the
/// registration writer, between the lanes' groups): registrations are answered while the purge
/// is under way, each is kept whole, and every passage before the cutoff is purged, once.
pub async fn lanes_register_during_a_purge(store: std::sync::Arc<dyn cordon_store::Store>) {
    network(&*store).await;
    let n = 5_000u32;
    record_busy_hours(&*store, n).await;
    let cutoff = (t0() + chrono::Duration::hours(2)).timestamp_millis();
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let lanes = {
        let (store, done) = (store.clone(), done.clone());
        tokio::spawn(async move {
            let mut answered = Vec::new();
            for i in 0..400u32 {
                if done.load(std::sync::atomic::Ordering::SeqCst) && i >= 20 {
                    break;
                }
                let p = new(draft(
                    Uuid::now_v7(),
                    "CP-130100-0001",
                    180 + i64::from(i % 50),
                    "冀B54321",
                    &[i + 9_000],
                ));
                let id = p.draft.id;
                store.record_passages(vec![p]).await.unwrap();
                answered.push((id, std::time::Instant::now()));
            }
            answered
        })
    };
    let started = std::time::Instant::now();
    let purged = store.purge_personal_data(cutoff).await.unwrap();
    let ended = std::time::Instant::now();
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    let answered = lanes.await.unwrap();
    assert_eq!(
        (purged.passages, purged.persons),
        (u64::from(n), u64::from(n))
    );
    assert!(
        answered.iter().any(|(_, at)| *at > started && *at < ended),
        "no registration was answered while the purge ran"
    );
    for (id, _) in &answered {
        let read = store.get_passage(&reads(), *id).await.unwrap();
        assert_eq!(read.occupants.len(), 1, "a registration kept whole");
    }
    assert_eq!(store.purge_personal_data(cutoff).await.unwrap().passages, 0);
}

conformance!(
    retention_purges_personal_data,
    a_busy_hour_is_purged_whole,
    lanes_register_during_a_purge
);

/// On PostgreSQL what the cutoff leaves of its day is deleted row by row. Purged while another
/// connection keeps updating the hour's rows, every passage is purged once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_purges_the_rows_updated_meanwhile() {
    let Some(admin) = postgres_url() else { return };
    let url = fresh_postgres_url(&admin).await;
    let store = open_store(&url).await;
    network(&*store).await;
    let n = 3_000u32;
    let passages: Vec<cordon_store::NewPassage> = (0..n)
        .map(|i| {
            let checkpoint = ["CP-130100-0001", "CP-130100-0002"][(i % 2) as usize];
            let minute = i64::from(i / 2 % 60);
            new(draft(Uuid::now_v7(), checkpoint, minute, "冀A12345", &[i]))
        })
        .collect();
    for chunk in passages.chunks(500) {
        store.record_passages(chunk.to_vec()).await.unwrap();
    }
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    // One row a statement, as a correction locks its superseded passage: the purge's batches
    // wait for it, it waits for none of them.
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    let (stop, moved) = (
        std::sync::Arc::new(AtomicBool::new(false)),
        std::sync::Arc::new(AtomicU64::new(0)),
    );
    let mover = {
        let (pool, stop, moved) = (pool.clone(), stop.clone(), moved.clone());
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let n = sqlx::query(
                    "UPDATE passages SET persons = persons WHERE id = (SELECT id FROM passages \
                     WHERE sealed IS NOT NULL ORDER BY random() LIMIT 1)",
                )
                .execute(&pool)
                .await
                .unwrap()
                .rows_affected();
                moved.fetch_add(n, Ordering::Relaxed);
            }
        })
    };
    while moved.load(Ordering::Relaxed) == 0 {
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    }
    let cutoff = (t0() + chrono::Duration::hours(1)).timestamp_millis();
    let purged = store.purge_personal_data(cutoff).await.unwrap();
    stop.store(true, Ordering::Relaxed);
    mover.await.unwrap();
    let moved = moved.load(Ordering::Relaxed);
    assert_eq!(purged.passages, u64::from(n), "{moved} updated meanwhile");
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM passages WHERE sealed IS NOT NULL")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(left, 0);
    pool.close().await;
}

/// On PostgreSQL a day wholly before the cutoff is dropped whole, its partition gone, the
/// passages still read without their personal data. A record of that day entered afterwards
/// is written (the writer makes the day's partition again), and the next run purges it, also
/// when a run stopped after detaching it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_drops_a_purged_day_whole() {
    let Some(admin) = postgres_url() else { return };
    let url = fresh_postgres_url(&admin).await;
    let store = open_store(&url).await;
    network(&*store).await;
    // 2022-05-03 08:00 and 2022-05-04 08:00 in UTC+8.
    let (old, kept) = (Uuid::now_v7(), Uuid::now_v7());
    store
        .record_passages(vec![
            new(draft(old, "CP-130100-0001", 0, "冀R97531", &[70, 71])),
            new(draft(kept, "CP-130100-0001", 24 * 60, "冀A12345", &[72])),
        ])
        .await
        .unwrap();
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    let exists = |day: &'static str| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, bool>("SELECT to_regclass($1) IS NOT NULL")
                .bind(format!("passage_personal_{day}"))
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    assert!(exists("20220503").await && exists("20220504").await);
    let midnight = (t0() + chrono::Duration::hours(16)).timestamp_millis();
    let purged = store.purge_personal_data(midnight).await.unwrap();
    assert_eq!((purged.passages, purged.persons), (1, 2));
    assert!(!exists("20220503").await, "the day's partition is dropped");
    assert!(exists("20220504").await);
    let p = store.get_passage(&reads(), old).await.unwrap();
    assert!(p.occupants.is_empty() && p.vehicle.is_none());
    assert_eq!(p.decision.outcome.as_str(), "pass", "the decision stays");
    assert_eq!(occupants(&*store, kept).await, 1);

    // A late record of the dropped day: written whole, then purged by the next run.
    let late = Uuid::now_v7();
    store
        .record_passages(vec![new(draft(
            late,
            "CP-130100-0001",
            60,
            "冀R97533",
            &[73],
        ))])
        .await
        .unwrap();
    assert_eq!(occupants(&*store, late).await, 1);
    // As a run stopped by a crash between the detach and the drop leaves it: the next run
    // drops it.
    sqlx::query("ALTER TABLE passage_personal DETACH PARTITION passage_personal_20220503")
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(
        occupants(&*store, late).await,
        0,
        "a detached day is read by no one"
    );
    let purged = store.purge_personal_data(midnight).await.unwrap();
    assert_eq!((purged.passages, purged.persons), (1, 1));
    assert!(!exists("20220503").await, "the detached table is dropped");
    assert_eq!(occupants(&*store, late).await, 0);
    assert_eq!(occupants(&*store, kept).await, 1);
    pool.close().await;
}

/// On PostgreSQL `personal_days` holds what each day's partition holds (migration 44, also on a
/// database the last release wrote), through inserts, a purge of part of a day, an update of a
/// passage's persons and a late record; the purge that drops a day answers its figures from
/// there, without reading the day, and lets them go with it; a day without figures is counted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_keeps_each_days_figures() {
    let Some(admin) = postgres_url() else { return };
    let url = fresh_postgres_url(&admin).await;
    let store = open_store(&url).await;
    network(&*store).await;
    // From 2022-05-03 08:00 (UTC+8) every 50 minutes into the 6th, 1 to 3 persons each.
    let passages: Vec<_> = (0..80u32)
        .map(|i| {
            let persons: Vec<u32> = (0..=i % 3).map(|k| 300 + 3 * i + k).collect();
            let minute = i64::from(i) * 50;
            new(draft(
                Uuid::now_v7(),
                "CP-130100-0001",
                minute,
                "冀A12345",
                &persons,
            ))
        })
        .collect();
    store.record_passages(passages.clone()).await.unwrap();
    drop(store);
    // Written by the last release, before migration 44: the figures made from the days.
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    sqlx::raw_sql(
        "DROP TRIGGER personal_days_added ON passage_personal; \
         DROP TRIGGER personal_days_updated ON passage_personal; \
         DROP TRIGGER personal_days_removed ON passage_personal; \
         DROP FUNCTION cordon_personal_days(); DROP TABLE personal_days; \
         DELETE FROM cordon_migrations WHERE version = 44",
    )
    .execute(&pool)
    .await
    .unwrap();
    let store = open_store(&url).await;
    let figures = || {
        let pool = pool.clone();
        async move {
            let kept: Vec<(i64, i64, i64)> =
                sqlx::query_as("SELECT day, passages, persons FROM personal_days ORDER BY day")
                    .fetch_all(&pool)
                    .await
                    .unwrap();
            let held: Vec<(i64, i64, i64)> = sqlx::query_as(
                "SELECT (observed_at + 28800000) / 86400000, COUNT(*), SUM(persons)::BIGINT \
                 FROM passage_personal GROUP BY 1 ORDER BY 1",
            )
            .fetch_all(&pool)
            .await
            .unwrap();
            assert_eq!(kept, held, "personal_days holds what the days hold");
            kept
        }
    };
    assert_eq!(figures().await.len(), 4);
    // Part of the 3rd purged row by row; one passage's persons changed through the view.
    let two_hours = (t0() + chrono::Duration::hours(2)).timestamp_millis();
    assert_eq!(
        store.purge_personal_data(two_hours).await.unwrap().passages,
        3
    );
    sqlx::query("UPDATE passages SET persons = persons + 4 WHERE id = $1")
        .bind(passages[10].draft.id)
        .execute(&pool)
        .await
        .unwrap();
    let before = figures().await;
    let third = before[0];
    // The 3rd dropped whole: its figures answered from `personal_days`, set apart here so
    // that a count of the day would answer otherwise.
    sqlx::query("UPDATE personal_days SET passages = passages + 1000 WHERE day = $1")
        .bind(third.0)
        .execute(&pool)
        .await
        .unwrap();
    let midnight = (t0() + chrono::Duration::hours(16)).timestamp_millis();
    let purged = store.purge_personal_data(midnight).await.unwrap();
    assert_eq!(
        (purged.passages, purged.persons),
        (third.1 as u64 + 1000, third.2 as u64)
    );
    assert_eq!(figures().await, before[1..], "the 3rd's figures go with it");
    // A late record of the 3rd: its partition and its figures made again, and dropped again.
    store
        .record_passages(vec![new(draft(
            Uuid::now_v7(),
            "CP-130100-0001",
            30,
            "冀R97533",
            &[900, 901],
        ))])
        .await
        .unwrap();
    assert_eq!(figures().await[0], (third.0, 1, 2));
    assert_eq!(
        store.purge_personal_data(midnight).await.unwrap(),
        cordon_store::Purged {
            passages: 1,
            persons: 2
        }
    );
    // A day whose figures are missing (as no trigger kept them) is counted.
    let next_midnight = midnight + 86_400_000;
    sqlx::query("DELETE FROM personal_days WHERE day = $1")
        .bind(before[1].0)
        .execute(&pool)
        .await
        .unwrap();
    let purged = store.purge_personal_data(next_midnight).await.unwrap();
    assert_eq!(
        (purged.passages, purged.persons),
        (before[1].1 as u64, before[1].2 as u64)
    );
    assert_eq!(figures().await, before[2..]);
    pool.close().await;
}
