//! The SQL of [`RetentionStore`], written once for both backends ([`crate::db`]).

use async_trait::async_trait;

use super::{Purged, RetentionStore};
use crate::db::{on_pool, retry, Pool};
use crate::hours::HOUR_MS;
use crate::store::SqlStore;
use crate::StoreError;

/// How far before a run's start its marks say everything recorded was seen: a registration's
/// recording time is taken before its transaction commits.
const RECORDING_LAG_MS: i64 = 5 * 60_000;

/// Passages purged per statement (each its own transaction, so that the lanes' writes get
/// through between them).
const PURGE_BATCH: i64 = 2_000;

/// Empties the personal data of the passages a `SELECT id ...` names (its binds, then its
/// `LIMIT`), answering each one's persons and hour of observation.
const PURGE: &str = "UPDATE passages SET sealed = NULL, occupants = '', plate = NULL, \
     facts = NULL, occupant_keys = NULL WHERE id IN (";
const PURGED: &str = ") RETURNING persons, observed_at / 3600000";

impl SqlStore {
    /// Purges one batch of what `pick` selects, in one statement, and counts it; answers the
    /// batch's (persons, hour) rows.
    async fn purge_batch(
        &self,
        pick: &str,
        binds: &[i64],
        purged: &mut Purged,
    ) -> Result<Vec<(i64, i64)>, StoreError> {
        let sql = format!("{PURGE}{pick}{PURGED}");
        let sql = sql.as_str();
        let rows: Vec<(i64, i64)> = retry(|| async move {
            Ok(on_pool!(&self.db.write, |p| {
                let mut q = sqlx::query_as(sql);
                for b in binds {
                    q = q.bind(*b);
                }
                q.bind(PURGE_BATCH).fetch_all(p).await?
            }))
        })
        .await?;
        purged.passages += rows.len() as u64;
        purged.persons += rows.iter().map(|r| r.0.max(0) as u64).sum::<u64>();
        Ok(rows)
    }
}

#[async_trait]
impl RetentionStore for SqlStore {
    async fn storage_bytes(&self) -> Result<Vec<(String, i64)>, StoreError> {
        let rows: Vec<(String, i64)> = match &self.db.read {
            Pool::Sqlite(p) => {
                sqlx::query_as(
                    "SELECT name, CAST(SUM(pgsize) AS INTEGER) FROM dbstat GROUP BY name \
                     ORDER BY 2 DESC",
                )
                .fetch_all(p)
                .await?
            }
            Pool::Postgres(p) => {
                sqlx::query_as(
                    "SELECT c.relname::TEXT, pg_relation_size(c.oid) FROM pg_class c \
                     JOIN pg_namespace n ON n.oid = c.relnamespace \
                     WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'i', 't') \
                     ORDER BY 2 DESC",
                )
                .fetch_all(p)
                .await?
            }
        };
        Ok(rows)
    }

    async fn purge_personal_data(&self, before_ms: i64) -> Result<Purged, StoreError> {
        let started = cordon_domain::time::now_ms();
        let db = &self.db;
        let marks = "SELECT purged_before, recorded_through FROM retention_marks WHERE id = 1";
        let marks: Option<(i64, i64)> = on_pool!(&db.write, |p| sqlx::query_as(marks)
            .fetch_optional(p)
            .await?);
        let mut purged = Purged::default();
        // Everything observed before `walked_to` and recorded before the last run was purged by
        // it (a cutoff that moved back, with a longer retention, is taken as it is now).
        let walked_to = match marks {
            Some((purged_before, recorded_through)) => {
                let walked_to = purged_before.min(before_ms);
                let late = "SELECT id FROM passages WHERE recorded_at >= $1 \
                     AND observed_at < $2 AND sealed IS NOT NULL LIMIT $3";
                loop {
                    let rows = self
                        .purge_batch(late, &[recorded_through, walked_to], &mut purged)
                        .await?;
                    if (rows.len() as i64) < PURGE_BATCH {
                        break;
                    }
                }
                Some(walked_to)
            }
            None => None,
        };
        let last_hour = before_ms.saturating_sub(1) / HOUR_MS;
        let first: Option<i64> = match walked_to {
            Some(ms) => Some(ms / HOUR_MS),
            None => {
                let sql = "SELECT observed_at / 3600000 FROM passages \
                     ORDER BY observed_at / 3600000 LIMIT 1";
                on_pool!(&db.write, |p| sqlx::query_scalar(sql)
                    .fetch_optional(p)
                    .await?)
            }
        };
        let batch = "SELECT id FROM passages \
             WHERE observed_at / 3600000 >= $1 AND observed_at / 3600000 <= $2 \
             AND observed_at < $3 AND sealed IS NOT NULL \
             ORDER BY observed_at / 3600000 LIMIT $4";
        let mut hour = first.unwrap_or(i64::MAX);
        while hour <= last_hour {
            let rows = self
                .purge_batch(batch, &[hour, last_hour, before_ms], &mut purged)
                .await?;
            if (rows.len() as i64) < PURGE_BATCH {
                break;
            }
            // The batch took the oldest hours first: none before its last is left.
            hour = rows.iter().map(|r| r.1).max().unwrap_or(hour);
        }
        let mark = "INSERT INTO retention_marks (id, purged_before, recorded_through) \
             VALUES (1, $1, $2) ON CONFLICT (id) DO UPDATE SET \
             purged_before = excluded.purged_before, \
             recorded_through = excluded.recorded_through";
        on_pool!(&db.write, |p| {
            sqlx::query(mark)
                .bind(before_ms)
                .bind(started - RECORDING_LAG_MS)
                .execute(p)
                .await?;
        });
        if let (true, Pool::Sqlite(p)) = (purged.passages > 0, &db.write) {
            // Old page images in the write-ahead log go too.
            sqlx::raw_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(p)
                .await?;
        }
        Ok(purged)
    }
}
