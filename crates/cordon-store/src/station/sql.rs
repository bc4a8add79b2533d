//! The SQL of [`StationStore`], written once for both backends ([`crate::db`]), but for the
//! outbox, which only a station's SQLite file has (read by rowid).

use async_trait::async_trait;
use cordon_domain::access::station::StationSync;
use cordon_domain::passage::Passage;
use sqlx::QueryBuilder;
use uuid::Uuid;

use super::{StationSeries, StationStore, Uplink};
use crate::db::{on_pool, retry, BeginWrite, Pool, CHUNK};
use crate::passage::rows::{PassageRow, PASSAGE_SELECT};
use crate::passage::PassageStore;
use crate::store::SqlStore;
use crate::StoreError;

/// A station's outbox on SQLite: its passages after a number, by rowid.
fn outbox_sql() -> String {
    format!("{PASSAGE_SELECT} WHERE p.rowid > $1 ORDER BY p.rowid LIMIT $2")
}

/// The rowids of the same rows, in the same order.
const OUTBOX_NUMBERS: &str =
    "SELECT p.rowid FROM passages p WHERE p.rowid > $1 ORDER BY p.rowid LIMIT $2";

#[async_trait]
impl StationStore for SqlStore {
    async fn station_high_water(&self, grant: &StationSync) -> Result<i64, StoreError> {
        let sql = "SELECT high_water FROM station_series WHERE account_id = $1";
        let found: Option<i64> = on_pool!(&self.db.read, |p| sqlx::query_scalar(sql)
            .bind(grant.account())
            .fetch_optional(p)
            .await?);
        Ok(found.unwrap_or(0))
    }

    async fn station_records(
        &self,
        grant: &StationSync,
        from: i64,
        to: i64,
    ) -> Result<Vec<(i64, Uuid)>, StoreError> {
        let sql = "SELECT seq, passage FROM station_records \
             WHERE account_id = $1 AND seq BETWEEN $2 AND $3 ORDER BY seq";
        Ok(on_pool!(&self.db.read, |p| sqlx::query_as(sql)
            .bind(grant.account())
            .bind(from)
            .bind(to)
            .fetch_all(p)
            .await?))
    }

    async fn advance_station(
        &self,
        grant: &StationSync,
        records: &[(i64, Uuid)],
        at_ms: i64,
    ) -> Result<i64, StoreError> {
        let series = "INSERT INTO station_series (account_id, checkpoint_id, high_water, \
             last_sync_at) SELECT $1, id, $2, $3 FROM checkpoints WHERE code = $4 \
             ON CONFLICT (account_id) DO UPDATE SET \
             high_water = CASE WHEN station_series.high_water > excluded.high_water \
               THEN station_series.high_water ELSE excluded.high_water END, \
             last_sync_at = excluded.last_sync_at \
             RETURNING high_water";
        let top = records.iter().map(|r| r.0).max().unwrap_or(0);
        retry(|| async move {
            on_pool!(&self.db.write, |p| {
                let mut tx = p.begin_write().await?;
                for chunk in records.chunks(CHUNK) {
                    let mut q = QueryBuilder::new(
                        "INSERT INTO station_records (account_id, seq, passage) ",
                    );
                    q.push_values(chunk, |mut b, (seq, id)| {
                        b.push_bind(grant.account()).push_bind(*seq).push_bind(*id);
                    });
                    q.push(" ON CONFLICT (account_id, seq) DO NOTHING");
                    q.build().execute(&mut *tx).await?;
                }
                let high: Option<i64> = sqlx::query_scalar(series)
                    .bind(grant.account())
                    .bind(top)
                    .bind(at_ms)
                    .bind(grant.checkpoint().as_str())
                    .fetch_optional(&mut *tx)
                    .await?;
                let high = high.ok_or_else(|| StoreError::not_found("checkpoint"))?;
                tx.commit().await?;
                Ok(high)
            })
        })
        .await
    }

    async fn station_series(&self) -> Result<Vec<StationSeries>, StoreError> {
        let sql = "SELECT a.username, c.code, s.high_water, s.last_sync_at, \
             COALESCE((SELECT MAX(p.observed_at) FROM station_records r \
               JOIN passage_core p ON p.id = r.passage \
               WHERE r.account_id = s.account_id AND r.seq = s.high_water), 0) \
             FROM station_series s JOIN accounts a ON a.id = s.account_id \
             JOIN checkpoints c ON c.id = s.checkpoint_id ORDER BY c.code, a.username";
        let rows: Vec<(String, String, i64, i64, i64)> =
            on_pool!(&self.db.read, |p| sqlx::query_as(sql).fetch_all(p).await?);
        Ok(rows
            .into_iter()
            .map(
                |(account, checkpoint, high_water, last_sync_ms, newest_observed_ms)| {
                    StationSeries {
                        account,
                        checkpoint,
                        high_water,
                        last_sync_ms,
                        newest_observed_ms,
                    }
                },
            )
            .collect())
    }

    async fn outbox(&self, after: i64, limit: i64) -> Result<Vec<(i64, Passage)>, StoreError> {
        let Pool::Sqlite(pool) = &self.db.read else {
            return Err(StoreError::Config(
                "an edge station runs on the embedded database".into(),
            ));
        };
        // The numbers and the rows are read in one transaction, so that they match.
        let mut tx = pool.begin().await?;
        let numbers: Vec<i64> = sqlx::query_scalar(OUTBOX_NUMBERS)
            .bind(after)
            .bind(limit)
            .fetch_all(&mut *tx)
            .await?;
        let found: Vec<PassageRow> = sqlx::query_as(&outbox_sql())
            .bind(after)
            .bind(limit)
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        if numbers.len() != found.len() {
            return Err(StoreError::Corrupt("outbox rows and numbers differ".into()));
        }
        let mut passages = self.assemble(found).await?;
        // Corrections travel with the correcting record.
        let ids: Vec<Uuid> = passages.iter().map(|p| p.id).collect();
        let links = self.corrections(&ids).await?;
        for p in &mut passages {
            p.supersedes = links.iter().find(|(later, _)| *later == p.id).map(|l| l.1);
        }
        Ok(numbers.into_iter().zip(passages).collect())
    }

    async fn uplink(&self) -> Result<Uplink, StoreError> {
        let sql = "SELECT (SELECT acknowledged FROM uplink WHERE id = 1), \
             (SELECT at FROM uplink WHERE id = 1)";
        let (acknowledged, at_ms): (Option<i64>, Option<i64>) =
            on_pool!(&self.db.read, |p| sqlx::query_as(sql).fetch_one(p).await?);
        let newest: i64 = match &self.db.read {
            Pool::Sqlite(p) => {
                sqlx::query_scalar("SELECT COALESCE(MAX(rowid), 0) FROM passages")
                    .fetch_one(p)
                    .await?
            }
            Pool::Postgres(_) => 0,
        };
        Ok(Uplink {
            acknowledged: acknowledged.unwrap_or(0),
            at_ms: at_ms.unwrap_or(0),
            newest,
        })
    }

    async fn acknowledge_uplink(&self, acknowledged: i64, at_ms: i64) -> Result<(), StoreError> {
        let sql = "INSERT INTO uplink (id, acknowledged, at) VALUES (1, $1, $2) \
             ON CONFLICT (id) DO UPDATE SET acknowledged = excluded.acknowledged, \
             at = excluded.at";
        on_pool!(&self.db.write, |p| {
            sqlx::query(sql)
                .bind(acknowledged)
                .bind(at_ms)
                .execute(p)
                .await?;
        });
        Ok(())
    }
}
