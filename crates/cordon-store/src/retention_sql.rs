//! The retention purge ([`crate::Store::purge_personal_data`]), written once for both backends
//! like [`crate::sql`]. A run walks the hour-first index from where the last run stopped (its
//! marks, migration 12), oldest hour first, in small transactions that let the lanes' writes
//! through; passages recorded since the last run but observed before its cutoff (a paper record
//! entered late, a station's old backlog) are found through the recording-time index. Without
//! the marks every run would walk again every hour already purged, a year of them an hour after
//! a year of service.

/// How far before a run's start its marks say everything recorded was seen: a registration's
/// recording time is taken before its transaction commits.
pub(crate) const RECORDING_LAG_MS: i64 = 5 * 60_000;

/// Passages purged per transaction.
pub(crate) const PURGE_BATCH: i64 = 500;

macro_rules! retention_sql {
    ($store:ident, $db:ty) => {
        mod retention_impl {
            use sqlx::Row as _;
            use uuid::Uuid;

            use super::$store;
            use crate::retention_sql::{PURGE_BATCH, RECORDING_LAG_MS};
            use crate::{Store as _, StoreError};

            type DbRow = <$db as sqlx::Database>::Row;

            impl $store {
                /// Purges the personal data of passages observed before `before_ms`.
                pub(crate) async fn purge(&self, before_ms: i64) -> Result<crate::Purged, StoreError> {
                    let started = cordon_domain::time::now_ms();
                    let pool = &self.core.write;
                    let marks: Option<(i64, i64)> = sqlx::query(
                        "SELECT purged_before, recorded_through FROM retention_marks WHERE id = 1",
                    )
                    .fetch_optional(pool)
                    .await?
                    .map(|r| Ok::<_, sqlx::Error>((r.try_get(0)?, r.try_get(1)?)))
                    .transpose()?;
                    let mut purged = crate::Purged::default();
                    // Everything observed before `walked_to` and recorded before the last run
                    // was purged by it (a cutoff that moved back, with a longer retention, is
                    // taken as it is now).
                    let walked_to = match marks {
                        Some((purged_before, recorded_through)) => {
                            let walked_to = purged_before.min(before_ms);
                            loop {
                                let rows = sqlx::query(
                                    "SELECT id, persons FROM passages WHERE recorded_at >= $1 \
                                     AND observed_at < $2 AND sealed IS NOT NULL LIMIT $3",
                                )
                                .bind(recorded_through)
                                .bind(walked_to)
                                .bind(PURGE_BATCH)
                                .fetch_all(pool)
                                .await?;
                                self.purge_rows(&rows, &mut purged).await?;
                                if (rows.len() as i64) < PURGE_BATCH {
                                    break;
                                }
                            }
                            Some(walked_to)
                        }
                        None => None,
                    };
                    let last_hour = before_ms.saturating_sub(1) / crate::hours::HOUR_MS;
                    let first: Option<i64> = match walked_to {
                        Some(ms) => Some(ms / crate::hours::HOUR_MS),
                        None => sqlx::query(
                            "SELECT observed_at / 3600000 FROM passages ORDER BY observed_at / 3600000 LIMIT 1",
                        )
                        .fetch_optional(pool)
                        .await?
                        .map(|r| r.try_get(0))
                        .transpose()?,
                    };
                    let mut hour = first.unwrap_or(i64::MAX);
                    while hour <= last_hour {
                        let rows = sqlx::query(
                            "SELECT id, persons, observed_at / 3600000 FROM passages \
                             WHERE observed_at / 3600000 >= $1 AND observed_at / 3600000 <= $2 \
                             AND observed_at < $3 AND sealed IS NOT NULL \
                             ORDER BY observed_at / 3600000 LIMIT $4",
                        )
                        .bind(hour)
                        .bind(last_hour)
                        .bind(before_ms)
                        .bind(PURGE_BATCH)
                        .fetch_all(pool)
                        .await?;
                        let Some(last) = rows.last() else { break };
                        hour = last.try_get(2)?;
                        self.purge_rows(&rows, &mut purged).await?;
                    }
                    sqlx::query(
                        "INSERT INTO retention_marks (id, purged_before, recorded_through) \
                         VALUES (1, $1, $2) ON CONFLICT (id) DO UPDATE SET \
                         purged_before = excluded.purged_before, \
                         recorded_through = excluded.recorded_through",
                    )
                    .bind(before_ms)
                    .bind(started - RECORDING_LAG_MS)
                    .execute(pool)
                    .await?;
                    if purged.passages > 0 && self.backend() == "sqlite" {
                        // Old page images in the write-ahead log go too.
                        sqlx::raw_sql("PRAGMA wal_checkpoint(TRUNCATE)").execute(pool).await?;
                    }
                    Ok(purged)
                }

                /// Purges `rows` (id, persons) in one transaction and counts them.
                async fn purge_rows(
                    &self,
                    rows: &[DbRow],
                    purged: &mut crate::Purged,
                ) -> Result<(), StoreError> {
                    if rows.is_empty() {
                        return Ok(());
                    }
                    let mut tx = self.core.write.begin().await?;
                    for r in rows {
                        let id: Uuid = r.try_get(0)?;
                        let persons: i64 = r.try_get(1)?;
                        purged.persons += persons.max(0) as u64;
                        sqlx::query(
                            "UPDATE passages SET sealed = NULL, occupants = '', plate = NULL, \
                             facts = NULL, occupant_keys = NULL WHERE id = $1",
                        )
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                    }
                    tx.commit().await?;
                    purged.passages += rows.len() as u64;
                    Ok(())
                }
            }
        }
    };
}

pub(crate) use retention_sql;
