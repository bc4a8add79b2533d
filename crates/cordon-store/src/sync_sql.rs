//! The SQL of [`crate::sync_store::SyncStore`], written once for both backends like
//! [`crate::sql`]; `$outbox` is the statement that reads a station's outbox (SQLite: by rowid),
//! or `None` on PostgreSQL, where stations do not run.

macro_rules! sync_sql {
    ($store:ident, $db:ty, outbox: $outbox:expr) => {
        mod sync_impl {
            use async_trait::async_trait;
            use cordon_domain::access::StationSync;
            use cordon_domain::passage::Passage;
            use sqlx::{QueryBuilder, Row as _};
            use uuid::Uuid;

            use super::$store;
            use crate::sync_store::{StationSeries, SyncStore, Uplink};
            use crate::StoreError;

            #[async_trait]
            impl SyncStore for $store {
                async fn station_high_water(&self, grant: &StationSync) -> Result<i64, StoreError> {
                    let row = sqlx::query("SELECT high_water FROM station_series WHERE account_id = $1")
                        .bind(grant.account())
                        .fetch_optional(&self.core.read)
                        .await?;
                    Ok(match row {
                        Some(r) => r.try_get(0)?,
                        None => 0,
                    })
                }

                async fn station_records(
                    &self,
                    grant: &StationSync,
                    from: i64,
                    to: i64,
                ) -> Result<Vec<(i64, Uuid)>, StoreError> {
                    sqlx::query(
                        "SELECT seq, passage FROM station_records \
                         WHERE account_id = $1 AND seq BETWEEN $2 AND $3 ORDER BY seq",
                    )
                    .bind(grant.account())
                    .bind(from)
                    .bind(to)
                    .fetch_all(&self.core.read)
                    .await?
                    .iter()
                    .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
                    .collect()
                }

                async fn advance_station(
                    &self,
                    grant: &StationSync,
                    records: &[(i64, Uuid)],
                    at_ms: i64,
                ) -> Result<i64, StoreError> {
                    let mut tx = self.core.write.begin().await?;
                    for chunk in records.chunks(crate::sql::CHUNK) {
                        let mut q = QueryBuilder::<$db>::new(
                            "INSERT INTO station_records (account_id, seq, passage) ",
                        );
                        q.push_values(chunk, |mut b, (seq, id)| {
                            b.push_bind(grant.account()).push_bind(*seq).push_bind(*id);
                        });
                        q.push(" ON CONFLICT (account_id, seq) DO NOTHING");
                        q.build().execute(&mut *tx).await?;
                    }
                    let top = records.iter().map(|r| r.0).max().unwrap_or(0);
                    let row = sqlx::query(
                        "INSERT INTO station_series (account_id, checkpoint_id, high_water, last_sync_at) \
                         SELECT $1, id, $2, $3 FROM checkpoints WHERE code = $4 \
                         ON CONFLICT (account_id) DO UPDATE SET \
                         high_water = CASE WHEN station_series.high_water > excluded.high_water \
                           THEN station_series.high_water ELSE excluded.high_water END, \
                         last_sync_at = excluded.last_sync_at \
                         RETURNING high_water",
                    )
                    .bind(grant.account())
                    .bind(top)
                    .bind(at_ms)
                    .bind(grant.checkpoint().as_str())
                    .fetch_optional(&mut *tx)
                    .await?
                    .ok_or_else(|| StoreError::not_found("checkpoint"))?;
                    let high: i64 = row.try_get(0)?;
                    tx.commit().await?;
                    Ok(high)
                }

                async fn station_series(&self) -> Result<Vec<StationSeries>, StoreError> {
                    sqlx::query(
                        "SELECT a.username, c.code, s.high_water, s.last_sync_at, \
                         COALESCE((SELECT MAX(p.observed_at) FROM station_records r \
                           JOIN passages p ON p.id = r.passage \
                           WHERE r.account_id = s.account_id AND r.seq = s.high_water), 0) \
                         FROM station_series s JOIN accounts a ON a.id = s.account_id \
                         JOIN checkpoints c ON c.id = s.checkpoint_id ORDER BY c.code, a.username",
                    )
                    .fetch_all(&self.core.read)
                    .await?
                    .iter()
                    .map(|r| {
                        Ok(StationSeries {
                            account: r.try_get(0)?,
                            checkpoint: r.try_get(1)?,
                            high_water: r.try_get(2)?,
                            last_sync_ms: r.try_get(3)?,
                            newest_observed_ms: r.try_get(4)?,
                        })
                    })
                    .collect()
                }

                async fn outbox(
                    &self,
                    after: i64,
                    limit: i64,
                ) -> Result<Vec<(i64, Passage)>, StoreError> {
                    let Some(sql): Option<&str> = $outbox else {
                        return Err(StoreError::Config(
                            "an edge station runs on the embedded database".into(),
                        ));
                    };
                    let rows = sqlx::query(sql)
                        .bind(after)
                        .bind(limit)
                        .fetch_all(&self.core.read)
                        .await?;
                    let mut seqs = Vec::with_capacity(rows.len());
                    let mut passages = Vec::with_capacity(rows.len());
                    for r in &rows {
                        seqs.push(r.try_get::<i64, _>(16)?);
                        passages.push(super::passage_row(r)?);
                    }
                    let mut passages = crate::rows::assemble(passages, &self.keyring)?;
                    // Corrections travel with the correcting record.
                    let ids: Vec<Uuid> = passages.iter().map(|p| p.id).collect();
                    let links = crate::StationStore::corrections(self, &ids).await?;
                    for p in &mut passages {
                        p.supersedes = links.iter().find(|(later, _)| *later == p.id).map(|l| l.1);
                    }
                    Ok(seqs.into_iter().zip(passages).collect())
                }

                async fn uplink(&self) -> Result<Uplink, StoreError> {
                    let row = sqlx::query(
                        "SELECT (SELECT acknowledged FROM uplink WHERE id = 1), \
                         (SELECT at FROM uplink WHERE id = 1)",
                    )
                    .fetch_one(&self.core.read)
                    .await?;
                    let newest = match $outbox {
                        Some(_) => sqlx::query("SELECT COALESCE(MAX(rowid), 0) FROM passages")
                            .fetch_one(&self.core.read)
                            .await?
                            .try_get(0)?,
                        None => 0,
                    };
                    Ok(Uplink {
                        acknowledged: row.try_get::<Option<i64>, _>(0)?.unwrap_or(0),
                        at_ms: row.try_get::<Option<i64>, _>(1)?.unwrap_or(0),
                        newest,
                    })
                }

                async fn acknowledge_uplink(
                    &self,
                    acknowledged: i64,
                    at_ms: i64,
                ) -> Result<(), StoreError> {
                    sqlx::query(
                        "INSERT INTO uplink (id, acknowledged, at) VALUES (1, $1, $2) \
                         ON CONFLICT (id) DO UPDATE SET acknowledged = excluded.acknowledged, at = excluded.at",
                    )
                    .bind(acknowledged)
                    .bind(at_ms)
                    .execute(&self.core.write)
                    .await?;
                    Ok(())
                }
            }
        }
    };
}

pub(crate) use sync_sql;

/// A station's outbox on SQLite: its passages after a number, by rowid (the series' number is
/// the 17th column).
pub(crate) const OUTBOX_SQLITE: &str = "SELECT p.id, c.code, p.lane, p.direction, p.observed_at, \
     p.observed_offset, p.recorded_at, p.plate, p.plate_color, p.vehicle_class, p.origin, \
     p.destination, p.decision, p.occupants, p.freight_pass, p.sealed, p.rowid \
     FROM passages p JOIN checkpoints c ON c.id = p.checkpoint_id \
     WHERE p.rowid > $1 ORDER BY p.rowid LIMIT $2";
