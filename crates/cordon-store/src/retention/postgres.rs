//! PostgreSQL's purge: a passage's personal data lies in `passage_personal`, one partition a day
//! (migration 43), so a day wholly before the cutoff is dropped whole: a moment's lock and a few
//! pages of the catalogue written, where emptying its million rows one by one wrote every page
//! of them to the write-ahead log, and the lanes' commits waited behind it (docs/BENCHMARKS.md,
//! eighth and ninth parts). What the cutoff leaves of the day it falls in (the retention job
//! purges whole days, [`crate::retention_cutoff`], so only a purge asked for with another
//! cutoff) is deleted row by row, in the order of the table's key, [`BATCH`] a statement.
//!
//! It all runs on a connection of its own, opened with the pool's options but never in the
//! pool: its commits do not wait for the write-ahead log to reach the disk
//! (`synchronous_commit = off`, set once for its session). A crash may lose the last batches;
//! the next run purges them again. No lane's write ever runs on it: it closes when the run ends.

use std::time::Duration;

use sqlx::{Connection, PgConnection, PgPool};
use uuid::Uuid;

use super::Purged;
use crate::days::DAY_MS;
use crate::db::{after_contention, is_retryable};
use crate::StoreError;

/// Passages deleted per statement, each its own transaction. A batch's delete writes its pages
/// to the write-ahead log, and every lane's commit waits for the log up to its own record.
/// Measured, a lane's p99 during a purge: in `psql`, 11-39 ms with 1,000 a batch and 6-10 ms
/// with 250 (docs/BENCHMARKS.md, eighth part).
const BATCH: i64 = 250;

/// How long the drop of a day waits for the lock on the whole table before it lets the lanes
/// (queued behind it) through and tries again; and how often it tries.
const LOCK_WAIT: &str = "50ms";
const LOCK_ATTEMPTS: u32 = 40;
const LOCK_PAUSE: Duration = Duration::from_millis(100);

/// The day partitions wholly before `$1`, oldest first: named by their date (migration 43's
/// `cordon_personal_partition`), the day they hold runs to the next midnight in UTC+8.
const DAYS_BEFORE: &str = "SELECT c.relname::TEXT FROM pg_inherits i \
     JOIN pg_class c ON c.oid = i.inhrelid \
     WHERE i.inhparent = 'passage_personal'::regclass \
     AND ((to_date(right(c.relname, 8), 'YYYYMMDD') - DATE '1970-01-01') + 1)::BIGINT \
         * 86400000 - 28800000 <= $1 \
     ORDER BY c.relname";

/// The next batch before the cutoff (`$1`), after (observed at `$2`, id `$3`), at most `$4`.
const ROWS_BEFORE: &str = "DELETE FROM passage_personal WHERE (observed_at, id) IN \
     (SELECT observed_at, id FROM passage_personal WHERE observed_at < $1 \
     AND (observed_at, id) > ($2, $3) ORDER BY observed_at, id LIMIT $4) \
     RETURNING observed_at, id, persons";

/// Purges the personal data of the passages observed before `before_ms`.
pub(super) async fn purge(pool: &PgPool, before_ms: i64) -> Result<Purged, StoreError> {
    let mut conn = PgConnection::connect_with(&pool.connect_options()).await?;
    let purged = async {
        sqlx::query("SET synchronous_commit = off")
            .execute(&mut conn)
            .await?;
        let mut purged = Purged::default();
        let days: Vec<String> = sqlx::query_scalar(DAYS_BEFORE)
            .bind(before_ms)
            .fetch_all(&mut conn)
            .await?;
        for day in days {
            drop_day(&mut conn, &day, &mut purged).await?;
        }
        rows_before(&mut conn, before_ms, &mut purged).await?;
        Ok::<_, StoreError>(purged)
    }
    .await;
    let _ = conn.close().await;
    purged
}

/// Drops a day's partition, counting what it held first. Late records of the day wait for the
/// count; the drop itself locks the whole table, so it waits at most [`LOCK_WAIT`] for the
/// readers before it (the lanes' writes queue behind it meanwhile), then lets them through and
/// tries again.
async fn drop_day(
    conn: &mut PgConnection,
    partition: &str,
    purged: &mut Purged,
) -> Result<(), StoreError> {
    // The name comes from the catalogue, made by `cordon_personal_partition`: quoted all the same.
    let name = format!("\"{}\"", partition.replace('"', "\"\""));
    let mut attempt = 0;
    loop {
        attempt += 1;
        let mut tx = conn.begin().await?;
        let done = async {
            sqlx::query(&format!("SET LOCAL lock_timeout = '{LOCK_WAIT}'"))
                .execute(&mut *tx)
                .await?;
            sqlx::query(&format!("LOCK TABLE {name} IN SHARE MODE"))
                .execute(&mut *tx)
                .await?;
            let (passages, persons): (i64, i64) = sqlx::query_as(&format!(
                "SELECT COUNT(*), COALESCE(SUM(persons), 0)::BIGINT FROM {name}"
            ))
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query(&format!("DROP TABLE {name}"))
                .execute(&mut *tx)
                .await?;
            Ok::<_, sqlx::Error>((passages, persons))
        }
        .await;
        match done {
            Ok((passages, persons)) => {
                tx.commit().await?;
                purged.passages += passages.max(0) as u64;
                purged.persons += persons.max(0) as u64;
                return Ok(());
            }
            Err(e) if is_lock_timeout(&e) && attempt < LOCK_ATTEMPTS => {
                tx.rollback().await?;
                tokio::time::sleep(LOCK_PAUSE).await;
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// Deletes what the cutoff leaves of the day it falls in: every day before was dropped (a late
/// record of one of them, recorded after its drop, is in a partition the writer made again,
/// which the next run drops).
async fn rows_before(
    conn: &mut PgConnection,
    before_ms: i64,
    purged: &mut Purged,
) -> Result<(), StoreError> {
    let mut from = (before_ms - DAY_MS - 1, Uuid::nil());
    loop {
        let mut n = 0;
        let rows: Vec<(i64, Uuid, i64)> = loop {
            n += 1;
            let q = sqlx::query_as(ROWS_BEFORE)
                .bind(before_ms)
                .bind(from.0)
                .bind(from.1)
                .bind(BATCH);
            match q.fetch_all(&mut *conn).await {
                Err(e) if is_retryable(&e) => after_contention(n).await?,
                rows => break rows?,
            }
        };
        let persons: Vec<i64> = rows.iter().map(|r| r.2).collect();
        purged.count(&persons);
        if rows.len() < BATCH as usize {
            return Ok(());
        }
        from = rows.iter().map(|r| (r.0, r.1)).max().unwrap_or(from);
    }
}

/// A lock not had within `lock_timeout`.
fn is_lock_timeout(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.code().as_deref() == Some("55P03"))
}
