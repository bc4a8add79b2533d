//! PostgreSQL's purge: each hour walked in the order of its index (checkpoint, time), each batch
//! starting where the last ended, so no batch walks again what an earlier one purged. The order
//! of the rows in the table matters less here than on SQLite: a page goes to the write-ahead
//! log whole once per checkpoint of the log, whichever batch touches it first (the row order
//! was tried and measured no better, docs/BENCHMARKS.md).
//!
//! A batch finds its rows by their address (`ctid`), which the walk read from the index entry,
//! not again through the primary key (a quarter of a batch's time). A row another transaction
//! updated meanwhile has moved, and its batch leaves it and comes back short; from that batch's
//! start the hour is walked on by id, as a late record's batches are, which finds the row where
//! it now is.

use sqlx::PgPool;

use super::{Purged, LATE, PURGE, PURGE_BATCH};
use crate::db::retry;
use crate::StoreError;

/// Purges, in one transaction, the passages `rows` names (the condition's binds, then the
/// batch's `LIMIT`), and counts them; answers their (checkpoint, observed at).
async fn purge_batch(
    pool: &PgPool,
    rows: &str,
    binds: &[i64],
    purged: &mut Purged,
) -> Result<Vec<(i64, i64)>, StoreError> {
    let sql = format!(
        "{PURGE}{rows} AND sealed IS NOT NULL RETURNING persons, checkpoint_id, observed_at"
    );
    let sql = sql.as_str();
    let rows: Vec<(i64, i64, i64)> = retry(|| async move {
        // A batch's commit does not wait for its write-ahead log to reach the disk: a crash
        // may lose the last batches, which the next run purges again, since the run's mark,
        // committed after them and waiting for the disk, is lost with them.
        let mut tx = pool.begin().await?;
        sqlx::query("SET LOCAL synchronous_commit = off")
            .execute(&mut *tx)
            .await?;
        let mut q = sqlx::query_as(sql);
        for b in binds {
            q = q.bind(*b);
        }
        let rows = q.bind(PURGE_BATCH as i64).fetch_all(&mut *tx).await?;
        tx.commit().await?;
        Ok(rows)
    })
    .await?;
    let persons: Vec<i64> = rows.iter().map(|r| r.0).collect();
    purged.count(&persons);
    Ok(rows.into_iter().map(|r| (r.1, r.2)).collect())
}

/// Purges the passages recorded since the last run (`binds[0]`) but observed before where it
/// walked to (`binds[1]`).
pub(super) async fn purge_late(
    pool: &PgPool,
    binds: [i64; 2],
    purged: &mut Purged,
) -> Result<(), StoreError> {
    let late = format!("id IN (SELECT id FROM passages WHERE {LATE} LIMIT $3)");
    while purge_batch(pool, &late, &binds, purged).await?.len() == PURGE_BATCH {}
    Ok(())
}

/// The next batch of an hour's walk (`$1`), from (checkpoint `$2`, observed at `$3`) on, observed
/// before `$4`, at most `$5` passages.
const HOUR_BATCH: &str = "FROM passages WHERE observed_at / 3600000 = $1 \
     AND (checkpoint_id, observed_at) >= ($2, $3) AND observed_at < $4 \
     AND sealed IS NOT NULL ORDER BY checkpoint_id, observed_at LIMIT $5";

/// Purges the passages observed in `hour` before `before_ms`.
pub(super) async fn purge_hour(
    pool: &PgPool,
    hour: i64,
    before_ms: i64,
    purged: &mut Purged,
) -> Result<(), StoreError> {
    let by_address = format!("ctid = ANY(ARRAY(SELECT ctid {HOUR_BATCH}))");
    let by_id = format!("id IN (SELECT id {HOUR_BATCH})");
    let mut on_by_id = false;
    let mut from = (i64::MIN, i64::MIN);
    loop {
        let rows = if on_by_id { &by_id } else { &by_address };
        let done = purge_batch(pool, rows, &[hour, from.0, from.1, before_ms], purged).await?;
        if done.len() < PURGE_BATCH {
            if on_by_id {
                return Ok(());
            }
            // The hour's end, or a row that moved: the rest by id, from this batch's start.
            on_by_id = true;
            continue;
        }
        from = done.into_iter().max().unwrap_or(from);
    }
}
