//! The SQL of [`RetentionStore`], written once for both backends ([`crate::db`]) but for the
//! purge's statements: [`super::sqlite`] and [`super::postgres`] walk the rows each its way.

use async_trait::async_trait;

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
        // Everything observed before `walked_to` and recorded before the last run was purged by
        // it (a cutoff that moved back, with a longer retention, is taken as it is now); the
        // passages recorded since but observed before it are purged first.
        let late = marks.map(|(purged_before, recorded_through)| {
            [recorded_through, purged_before.min(before_ms)]
        });
        let first: Option<i64> = match late {
            Some([_, walked_to]) => Some(walked_to / HOUR_MS),
            None => {
                let sql = "SELECT observed_at / 3600000 FROM passages \
                     ORDER BY observed_at / 3600000 LIMIT 1";
                on_pool!(&db.write, |p| sqlx::query_scalar(sql)
                    .fetch_optional(p)
                    .await?)
            }
        };
        // Hour by hour, oldest first.
        let hours = first.unwrap_or(i64::MAX)..=before_ms.saturating_sub(1) / HOUR_MS;
        let mut walker = match &db.write {
            Pool::Sqlite(p) => Walker::Sqlite(p),
            Pool::Postgres(p) => Walker::Postgres(postgres::Purger::new(p).await?),
        };
        let mut purged = Purged::default();
        let walked = async {
            if let Some(binds) = late {
                walker
                    .purge(&self.writer, Rows::Late { binds }, &mut purged)
                    .await?;
            }
            for hour in hours {
                let rows = Rows::Hour { hour, before_ms };
                walker.purge(&self.writer, rows, &mut purged).await?;
            }
            Ok::<_, StoreError>(())
        }
        .await;
        if let Walker::Postgres(purger) = walker {
            purger.close().await;
        }
        walked?;
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

/// What walks the purge's rows: SQLite's registration writer, fed from the pool, or
/// PostgreSQL's purge on a connection of its own.
enum Walker<'a> {
    Sqlite(&'a sqlx::SqlitePool),
    Postgres(postgres::Purger),
}

impl Walker<'_> {
    /// Purges the passages `rows` names.
    async fn purge(
        &mut self,
        writer: &PassageWriter,
        rows: Rows,
        purged: &mut Purged,
    ) -> Result<(), StoreError> {
        match (self, rows) {
            (Walker::Sqlite(p), Rows::Late { binds }) => {
                sqlite::purge_where(p, writer, LATE, binds, purged).await
            }
            (Walker::Sqlite(p), Rows::Hour { hour, before_ms }) => {
                sqlite::purge_where(p, writer, HOUR, [hour, before_ms], purged).await
            }
            (Walker::Postgres(pg), Rows::Late { binds }) => pg.late(binds, purged).await,
            (Walker::Postgres(pg), Rows::Hour { hour, before_ms }) => {
                pg.hour(hour, before_ms, purged).await
            }
        }
    }
}

/// The passages a step of the walk purges.
enum Rows {
    /// Recorded since the last run (`binds[0]`) but observed before where it walked to
    /// (`binds[1]`): [`LATE`].
    Late { binds: [i64; 2] },
    /// Observed in `hour` before `before_ms`.
    Hour { hour: i64, before_ms: i64 },
}

/// An hour's passages (`$1`) observed before the cutoff (`$2`).
const HOUR: &str = "observed_at / 3600000 = $1 AND observed_at < $2";
