//! Migration 43 on a PostgreSQL database as the previous release left it (a passage's personal
//! data in its row of `passages`): converted at the next start, in one transaction, day by day
//! (a start that fails on a day leaves it as it was). Every passage reads back as it did (a
//! purged one without personal data, as before), the trace rows are the same, each day's
//! personal data lies in its day's partition, and `passage_core` keeps no personal column and
//! was rewritten once (data migration 1043).

use cordon_store::StoreOptions;
use uuid::Uuid;

use super::support::*;

/// The shape migration 42 left: the view's columns back in the table, under its name (and
/// migration 44's figures of the days gone with the days).
const PREVIOUS_RELEASE: &str = "
    DROP VIEW passages;
    DROP FUNCTION passages_update();
    ALTER TABLE passage_core ADD COLUMN plate TEXT, ADD COLUMN occupants TEXT NOT NULL DEFAULT '',
        ADD COLUMN facts BYTEA, ADD COLUMN sealed BYTEA, ADD COLUMN occupant_keys BYTEA;
    UPDATE passage_core c SET plate = p.plate, facts = p.facts, sealed = p.sealed,
        occupant_keys = p.occupant_keys
        FROM passage_personal p WHERE p.observed_at = c.observed_at AND p.id = c.id;
    DROP TABLE passage_personal;
    DROP TABLE personal_days;
    DROP FUNCTION cordon_personal_days();
    DROP FUNCTION cordon_personal_partition(BIGINT);
    ALTER TABLE passage_core RENAME TO passages;
    ALTER TABLE passages SET (fillfactor = 75);
    DELETE FROM cordon_migrations WHERE version IN (43, 44, 1043);";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_previous_release_postgres_database_keeps_personal_data_by_day() {
    let Some(admin) = postgres_url() else { return };
    let url = fresh_postgres_url(&admin).await;
    let options = StoreOptions::default();
    let open = || cordon_store::open(&url, &options, key());
    let store = open().await.unwrap();
    network(&*store).await;
    // Every 45 minutes from 2022-05-03 08:00 (UTC+8) into the 5th; the first hours purged.
    let written: Vec<_> = (0..60u32)
        .map(|i| {
            let minute = i64::from(i) * 45;
            new(draft(
                Uuid::now_v7(),
                "CP-130100-0001",
                minute,
                "冀A12345",
                &[200 + i],
            ))
        })
        .collect();
    store.record_passages(written.clone()).await.unwrap();
    let cutoff = (t0() + chrono::Duration::hours(2)).timestamp_millis();
    assert_eq!(store.purge_personal_data(cutoff).await.unwrap().passages, 3);
    let before = read_back(&*store, &written).await;
    assert_eq!(before.1.len(), 57);
    drop(store);

    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    sqlx::raw_sql(PREVIOUS_RELEASE)
        .execute(&pool)
        .await
        .unwrap();
    // A stop during the move leaves the database as the previous release left it: the 4th's
    // partition taken by a table of another shape, its rows cannot move after the 3rd's have.
    let blocker = "CREATE TABLE passage_personal_20220504 (x INT)";
    sqlx::raw_sql(blocker).execute(&pool).await.unwrap();
    let refused = open()
        .await
        .err()
        .expect("the 4th's rows have no partition");
    assert!(refused.to_string().contains("partition"), "{refused}");
    let left: (Option<String>, Option<String>, i64) = sqlx::query_as(
        "SELECT to_regclass('passage_personal')::TEXT, \
         (SELECT relkind::TEXT FROM pg_class WHERE relname = 'passages'), \
         (SELECT COUNT(*) FROM passages WHERE sealed IS NOT NULL)",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(left, (None, Some("r".into()), 57), "as it was");
    sqlx::raw_sql("DROP TABLE passage_personal_20220504")
        .execute(&pool)
        .await
        .unwrap();
    let store = open().await.unwrap();
    assert_eq!(read_back(&*store, &written).await, before);
    let days: Vec<String> = sqlx::query_scalar(
        "SELECT c.relname::TEXT FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid \
         WHERE i.inhparent = 'passage_personal'::regclass ORDER BY 1",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        days,
        [
            "passage_personal_20220503",
            "passage_personal_20220504",
            "passage_personal_20220505"
        ]
    );
    let personal_columns: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM pg_attribute WHERE attrelid = 'passage_core'::regclass \
         AND NOT attisdropped AND attname IN ('plate', 'occupants', 'facts', 'sealed', \
         'occupant_keys')",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(personal_columns, 0);
    let marks: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM cordon_migrations WHERE version IN (43, 1043)")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(marks, 2);
    // The purge goes on by days: the 3rd dropped whole.
    let midnight = (t0() + chrono::Duration::hours(16)).timestamp_millis();
    let purged = store.purge_personal_data(midnight).await.unwrap();
    assert_eq!(purged.passages, 22 - 3, "the rest of the 3rd");
    pool.close().await;
}
