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

use sqlx::{Connection, PgConnection, PgPool};

use super::{Purged, LATE, PURGE};
use crate::db::{after_contention, is_retryable};
use crate::StoreError;

/// Passages purged per statement, each its own transaction. A batch's update writes its pages
/// to the write-ahead log (whole, the first time a page is touched after a checkpoint of the
/// log), and every lane's commit waits for the log up to its own record. Measured, a lane's p99
/// during a purge: in `psql`, 11-39 ms with 1,000 a batch and 6-10 ms with 250; through the
/// hub, 39-87 ms against 14-26 ms in three runs of four, the purge as fast (docs/BENCHMARKS.md,
/// eighth part).
const BATCH: usize = 250;

/// A run's purge on a connection of its own, opened with the pool's options but never in the
/// pool: its commits do not wait for the write-ahead log to reach the disk
/// (`synchronous_commit = off` for the session, so a batch is one statement and one round
/// trip, where a transaction setting it for itself took four). A crash may lose the last
/// batches, which the next run purges again, since the run's mark, committed after them on the
/// pool and waiting for the disk, is lost with them. No lane's write ever runs on this
/// connection: it closes when the run ends or is dropped.
pub(super) struct Purger {
    conn: PgConnection,
}

impl Purger {
    pub(super) async fn new(pool: &PgPool) -> Result<Purger, StoreError> {
        let mut conn = PgConnection::connect_with(&pool.connect_options()).await?;
        sqlx::query("SET synchronous_commit = off")
            .execute(&mut conn)
            .await?;
        Ok(Purger { conn })
    }

    /// Purges, in one statement, the passages `rows` names (the condition's binds, then the
    /// batch's `LIMIT`), and counts them; answers their (checkpoint, observed at).
    async fn batch(
        &mut self,
        rows: &str,
        binds: &[i64],
        purged: &mut Purged,
    ) -> Result<Vec<(i64, i64)>, StoreError> {
        let sql = format!(
            "{PURGE}{rows} AND sealed IS NOT NULL RETURNING persons, checkpoint_id, observed_at"
        );
        let mut n = 0;
        let rows: Vec<(i64, i64, i64)> = loop {
            n += 1;
            let mut q = sqlx::query_as(&sql);
            for b in binds {
                q = q.bind(*b);
            }
            match q.bind(BATCH as i64).fetch_all(&mut self.conn).await {
                Err(e) if is_retryable(&e) => after_contention(n).await?,
                rows => break rows?,
            }
        };
        let persons: Vec<i64> = rows.iter().map(|r| r.0).collect();
        purged.count(&persons);
        Ok(rows.into_iter().map(|r| (r.1, r.2)).collect())
    }

    /// Purges the passages recorded since the last run (`binds[0]`) but observed before where
    /// it walked to (`binds[1]`).
    pub(super) async fn late(
        &mut self,
        binds: [i64; 2],
        purged: &mut Purged,
    ) -> Result<(), StoreError> {
        let late = format!("id IN (SELECT id FROM passages WHERE {LATE} LIMIT $3)");
        while self.batch(&late, &binds, purged).await?.len() == BATCH {}
        Ok(())
    }

    /// Purges the passages observed in `hour` before `before_ms`.
    pub(super) async fn hour(
        &mut self,
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
            let done = self
                .batch(rows, &[hour, from.0, from.1, before_ms], purged)
                .await?;
            if done.len() < BATCH {
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

    /// Closes the connection.
    pub(super) async fn close(self) {
        let _ = self.conn.close().await;
    }
}

/// The next batch of an hour's walk (`$1`), from (checkpoint `$2`, observed at `$3`) on, observed
/// before `$4`, at most `$5` passages.
const HOUR_BATCH: &str = "FROM passages WHERE observed_at / 3600000 = $1 \
     AND (checkpoint_id, observed_at) >= ($2, $3) AND observed_at < $4 \
     AND sealed IS NOT NULL ORDER BY checkpoint_id, observed_at LIMIT $5";
