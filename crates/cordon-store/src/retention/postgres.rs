//! PostgreSQL's purge: a passage's personal data lies in `passage_personal`, one partition a day
//! (migration 43), so a day wholly before the cutoff is detached and dropped whole: a few pages
//! of the catalogue written, where emptying its million rows one by one wrote every page of them
//! to the write-ahead log, and the lanes' commits waited behind it (docs/BENCHMARKS.md, eighth
//! and ninth parts). What the cutoff leaves of the day it falls in (the retention job
//! purges whole days, [`crate::retention_cutoff`], so only a purge asked for with another
//! cutoff) is deleted row by row, in the order of the table's key, [`BATCH`] a statement.
//!
//! It all runs on a connection of its own, opened with the pool's options but never in the
//! pool: its commits do not wait for the write-ahead log to reach the disk
//! (`synchronous_commit = off`, set once for its session). A crash may lose the last batches;
//! the next run purges them again. No lane's write ever runs on it: it closes when the run ends.

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

/// The day tables to drop, oldest first: the partitions wholly before `$1`, and any a run
/// stopped by a crash left detached or detaching. Named by their date (migration 43's
/// `cordon_personal_partition`), the day they hold runs to the next midnight in UTC+8. Each
/// with its day (since 1970-01-01, as `personal_days` counts them), whether it is still
/// attached and whether its detaching is pending.
const DAYS_BEFORE: &str = "SELECT c.relname::TEXT, \
     (to_date(right(c.relname, 8), 'YYYYMMDD') - DATE '1970-01-01')::BIGINT, c.relispartition, \
     COALESCE(i.inhdetachpending, FALSE) FROM pg_class c \
     JOIN pg_namespace n ON n.oid = c.relnamespace \
     LEFT JOIN pg_inherits i ON i.inhrelid = c.oid \
     WHERE n.nspname = current_schema() AND c.relkind = 'r' \
     AND c.relname ~ '^passage_personal_[0-9]{8}$' \
     AND (NOT c.relispartition OR COALESCE(i.inhdetachpending, FALSE) \
          OR ((to_date(right(c.relname, 8), 'YYYYMMDD') - DATE '1970-01-01') + 1)::BIGINT \
             * 86400000 - 28800000 <= $1) \
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
        let days: Vec<(String, i64, bool, bool)> = sqlx::query_as(DAYS_BEFORE)
            .bind(before_ms)
            .fetch_all(&mut conn)
            .await?;
        for (table, day, attached, pending) in days {
            drop_day(&mut conn, (&table, day), attached, pending, &mut purged).await?;
        }
        rows_before(&mut conn, before_ms, &mut purged).await?;
        Ok::<_, StoreError>(purged)
    }
    .await;
    let _ = conn.close().await;
    purged
}

/// Drops a day's partition, with its figures. It is detached first without locking the table
/// against the lanes (`CONCURRENTLY`: the detach waits for the reads that may still see it, no
/// one waits for the detach), then dropped on its own: a late record of that day arriving
/// meanwhile finds no partition, and the writer makes it again, for the next run. A run stopped
/// between the two leaves the table detached (or its detach pending), and the next run finishes
/// it. What the day held is taken from `personal_days` (migration 44) in the drop's
/// transaction: counting the table read all of it from the disk, a province's 240 MB a day,
/// and the lanes waited for the processor meanwhile (docs/BENCHMARKS.md, twelfth part). A day
/// without figures there (a partition made ahead and never written) is counted, as before.
async fn drop_day(
    conn: &mut PgConnection,
    (table, day): (&str, i64),
    attached: bool,
    pending: bool,
    purged: &mut Purged,
) -> Result<(), StoreError> {
    // The name comes from the catalogue, made by `cordon_personal_partition`: quoted all the same.
    let name = format!("\"{}\"", table.replace('"', "\"\""));
    if pending {
        let sql = format!("ALTER TABLE passage_personal DETACH PARTITION {name} FINALIZE");
        sqlx::query(&sql).execute(&mut *conn).await?;
    } else if attached {
        let sql = format!("ALTER TABLE passage_personal DETACH PARTITION {name} CONCURRENTLY");
        sqlx::query(&sql).execute(&mut *conn).await?;
    }
    let mut tx = conn.begin().await?;
    let kept: Option<(i64, i64)> =
        sqlx::query_as("DELETE FROM personal_days WHERE day = $1 RETURNING passages, persons")
            .bind(day)
            .fetch_optional(&mut *tx)
            .await?;
    let (passages, persons) = match kept {
        Some(figures) => figures,
        None => {
            sqlx::query_as(&format!(
                "SELECT COUNT(*), COALESCE(SUM(persons), 0)::BIGINT FROM {name}"
            ))
            .fetch_one(&mut *tx)
            .await?
        }
    };
    sqlx::query(&format!("DROP TABLE {name}"))
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    purged.passages += passages.max(0) as u64;
    purged.persons += persons.max(0) as u64;
    Ok(())
}

/// Deletes what the cutoff leaves of the day it falls in: every day before was dropped (a late
/// record of one of them, recorded after its drop, is in a partition the writer made again,
/// which the next run drops).
async fn rows_before(
    conn: &mut PgConnection,
    before_ms: i64,
    purged: &mut Purged,
) -> Result<(), StoreError> {
    // Nothing is left before the start of the cutoff's day, less than a day before it.
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
