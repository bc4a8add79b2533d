//! The SQL of [`RetentionStore`], written once for both backends ([`crate::db`]) but for the
//! purge's statements: [`super::sqlite`] and [`super::postgres`] walk the rows each its way.

use async_trait::async_trait;

use super::{postgres, sqlite, Purged, RetentionStore, LATE};
use crate::db::{on_pool, Pool};
use crate::hours::HOUR_MS;
use crate::store::SqlStore;
use crate::StoreError;

/// How far before a run's start its marks say everything recorded was seen: a registration's
/// recording time is taken before its transaction commits.
const RECORDING_LAG_MS: i64 = 5 * 60_000;

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
                    // A table with its TOAST table and maps (`pg_table_size`), each index apart.
                    "SELECT c.relname::TEXT, CASE c.relkind WHEN 'r' THEN pg_table_size(c.oid) \
                     ELSE pg_relation_size(c.oid) END FROM pg_class c \
                     JOIN pg_namespace n ON n.oid = c.relnamespace \
                     WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'i') \
                     ORDER BY 2 DESC",
                )
                .fetch_all(p)
                .await?
            }
        };
        Ok(rows)
    }

    async fn refresh_statistics(&self) -> Result<(), StoreError> {
        if let Pool::Postgres(p) = &self.db.write {
            sqlx::query("ANALYZE").execute(p).await?;
        }
        Ok(())
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
                let binds = [recorded_through, walked_to];
                match &db.write {
                    Pool::Sqlite(p) => {
                        sqlite::purge_where(p, &self.writer, LATE, binds, &mut purged).await?
                    }
                    Pool::Postgres(p) => postgres::purge_late(p, binds, &mut purged).await?,
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
        // Hour by hour, oldest first.
        for hour in first.unwrap_or(i64::MAX)..=last_hour {
            match &db.write {
                Pool::Sqlite(p) => {
                    let hour_rows = "observed_at / 3600000 = $1 AND observed_at < $2";
                    let binds = [hour, before_ms];
                    sqlite::purge_where(p, &self.writer, hour_rows, binds, &mut purged).await?
                }
                Pool::Postgres(p) => postgres::purge_hour(p, hour, before_ms, &mut purged).await?,
            }
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
