//! The SQL of [`RetentionStore`], written once for both backends ([`crate::db`]) but for the
//! purge's statements: [`super::sqlite`] and [`super::postgres`] walk the rows each its way.

use async_trait::async_trait;

use super::low_priority::LowPriority;
use super::{postgres, sqlite, Purged, RetentionStore, LATE};
use crate::db::{on_pool, Pool};
use crate::hours::HOUR_MS;
use crate::passage::writer::PassageWriter;
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
                    // A table with its TOAST table and maps (`pg_table_size`), each index apart;
                    // a partition's under its partitioned table's name, and its indexes' under
                    // the partitioned index's.
                    "SELECT COALESCE(r.relname, c.relname)::TEXT, SUM(CASE c.relkind \
                     WHEN 'r' THEN pg_table_size(c.oid) ELSE pg_relation_size(c.oid) END)::BIGINT \
                     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                     LEFT JOIN pg_class r ON r.oid = pg_partition_root(c.oid) \
                     WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'i') \
                     GROUP BY 1 ORDER BY 2 DESC",
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
        let purged = match &db.write {
            Pool::Sqlite(_) => {
                let file = self.direct_reads().map(|r| r.path().to_owned());
                let file =
                    file.ok_or_else(|| StoreError::Config("SQLite without a file".into()))?;
                let aside = LowPriority::start(&file)?;
                walk_sqlite(&aside, &self.writer, marks, before_ms).await?
            }
            Pool::Postgres(p) => postgres::purge(p, before_ms).await?,
        };
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
            sqlite::empty_log(p).await?;
        }
        Ok(purged)
    }
}

/// SQLite's walk, from the last run's marks (`purged_before`, `recorded_through`): everything
/// observed before where it walked to and recorded before it was purged by it (a cutoff that
/// moved back, with a longer retention, is taken as it is now); the passages recorded since but
/// observed before it are purged first, then the hours from there on, oldest first.
async fn walk_sqlite(
    aside: &LowPriority,
    writer: &PassageWriter,
    marks: Option<(i64, i64)>,
    before_ms: i64,
) -> Result<Purged, StoreError> {
    let mut purged = Purged::default();
    let first: Option<i64> = match marks {
        Some((purged_before, recorded_through)) => {
            let walked_to = purged_before.min(before_ms);
            let binds = [recorded_through, walked_to];
            sqlite::purge_where(aside, writer, LATE, binds, &mut purged).await?;
            Some(walked_to / HOUR_MS)
        }
        None => {
            let sql = "SELECT observed_at / 3600000 FROM passages \
                 ORDER BY observed_at / 3600000 LIMIT 1";
            aside
                .run(move |conn| {
                    use rusqlite::OptionalExtension;
                    Ok(conn.query_row(sql, [], |r| r.get(0)).optional()?)
                })
                .await?
        }
    };
    for hour in first.unwrap_or(i64::MAX)..=before_ms.saturating_sub(1) / HOUR_MS {
        sqlite::purge_where(aside, writer, HOUR, [hour, before_ms], &mut purged).await?;
    }
    Ok(purged)
}

/// An hour's passages (`?1`) observed before the cutoff (`?2`).
const HOUR: &str = "observed_at / 3600000 = ?1 AND observed_at < ?2";
