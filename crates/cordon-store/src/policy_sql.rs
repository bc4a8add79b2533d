//! The SQL of [`crate::policy_store::PolicyStore`], written once for both backends like
//! [`crate::sql`]. The replay scan is the backend's own `replay_impl`.

macro_rules! policy_sql {
    ($store:ident, $db:ty) => {
        mod policy_impl {
            use async_trait::async_trait;
            use cordon_domain::checkpoint::{CheckpointCode, DefenceLine};
            use cordon_domain::division::DivisionCode;
            use cordon_domain::policy::record::{
                PolicyVersion, Publication, PublicationAction,
            };
            use cordon_domain::risk::{RiskArea, RiskLevel};
            use sqlx::Row as _;
            use tokio::sync::mpsc;

            use super::$store;
            use crate::policy_store::{
                CheckpointKey, NewPolicyVersion, NewPublication, NewRiskArea, PolicyStore,
                ReplayRow,
            };
            use crate::rows::china_time;
            use crate::{Period, StoreError};

            type DbRow = <$db as sqlx::Database>::Row;

            const VERSION_COLUMNS: &str =
                "version, name, digest, note, created_by, created_at, source";
            const PUBLICATION_COLUMNS: &str =
                "seq, version, effective_at, action, reason, actor, at";
            const RISK_COLUMNS: &str =
                "id, division, area, level, valid_from, valid_to, source, actor, recorded_at";

            fn corrupt(what: &str) -> StoreError {
                StoreError::Corrupt(what.to_owned())
            }

            fn version_row(r: &DbRow) -> Result<PolicyVersion, StoreError> {
                Ok(PolicyVersion {
                    version: r.try_get(0)?,
                    name: r.try_get(1)?,
                    digest: r.try_get(2)?,
                    note: r.try_get(3)?,
                    created_by: r.try_get(4)?,
                    created_at: china_time(r.try_get(5)?)?,
                    source: r.try_get(6)?,
                })
            }

            fn publication_row(r: &DbRow) -> Result<Publication, StoreError> {
                let action: String = r.try_get(3)?;
                Ok(Publication {
                    seq: r.try_get(0)?,
                    version: r.try_get(1)?,
                    effective_at: china_time(r.try_get(2)?)?,
                    action: PublicationAction::parse(&action)
                        .map_err(|_| corrupt("publication action"))?,
                    reason: r.try_get(4)?,
                    actor: r.try_get(5)?,
                    at: china_time(r.try_get(6)?)?,
                })
            }

            fn risk_row(r: &DbRow) -> Result<RiskArea, StoreError> {
                let division: i64 = r.try_get(1)?;
                let level: String = r.try_get(3)?;
                Ok(RiskArea {
                    id: r.try_get(0)?,
                    division: u32::try_from(division)
                        .ok()
                        .and_then(DivisionCode::from_value)
                        .ok_or_else(|| corrupt("risk area division"))?,
                    area: r.try_get(2)?,
                    level: RiskLevel::parse(&level).map_err(|_| corrupt("risk level"))?,
                    valid_from_ms: r.try_get(4)?,
                    valid_to_ms: r.try_get(5)?,
                    source: r.try_get(6)?,
                    actor: r.try_get(7)?,
                    recorded_at_ms: r.try_get(8)?,
                })
            }

            /// Marks in `cordon_migrations` that passages stored before facts were kept have them.
            const BACKFILL_MARK: i64 = 1_001;

            impl $store {
                /// Computes the facts of passages stored before migration 2, once.
                pub(crate) async fn backfill_facts(&self) -> Result<u64, StoreError> {
                    if self.core.data_migration_done(BACKFILL_MARK).await? {
                        return Ok(0);
                    }
                    let mut total = 0u64;
                    loop {
                        let rows = sqlx::query(&format!(
                            "{} WHERE p.facts IS NULL LIMIT 2000",
                            crate::sql::PASSAGE_SELECT
                        ))
                        .fetch_all(&self.core.read)
                        .await?;
                        if rows.is_empty() {
                            break;
                        }
                        let parsed = rows
                            .iter()
                            .map(super::passage_row)
                            .collect::<Result<Vec<_>, _>>()?;
                        let passages = crate::rows::assemble(parsed, &self.keyring)?;
                        let mut tx = self.core.write.begin().await?;
                        for p in &passages {
                            let facts = cordon_domain::policy::facts::encode_parts(
                                p.direction,
                                p.vehicle.as_ref(),
                                &p.occupants,
                                &[],
                            );
                            sqlx::query("UPDATE passages SET facts = $1 WHERE id = $2")
                                .bind(facts)
                                .bind(p.id)
                                .execute(&mut *tx)
                                .await?;
                        }
                        tx.commit().await?;
                        total += passages.len() as u64;
                    }
                    self.core.mark_data_migration(BACKFILL_MARK, "backfill_passage_facts").await?;
                    if total > 0 {
                        tracing::info!(passages = total, "computed the facts of earlier passages");
                    }
                    Ok(total)
                }
            }

            #[async_trait]
            impl PolicyStore for $store {
                async fn create_policy_version(
                    &self,
                    v: NewPolicyVersion,
                ) -> Result<PolicyVersion, StoreError> {
                    let row = sqlx::query(&format!(
                        "INSERT INTO policy_versions (name, source, digest, note, created_by, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6) RETURNING {VERSION_COLUMNS}"
                    ))
                    .bind(&v.name)
                    .bind(&v.source)
                    .bind(&v.digest)
                    .bind(&v.note)
                    .bind(&v.actor)
                    .bind(cordon_domain::time::now_ms())
                    .fetch_one(&self.core.write)
                    .await?;
                    version_row(&row)
                }

                async fn list_policy_versions(&self) -> Result<Vec<PolicyVersion>, StoreError> {
                    sqlx::query(&format!(
                        "SELECT {VERSION_COLUMNS} FROM policy_versions ORDER BY version"
                    ))
                    .fetch_all(&self.core.read)
                    .await?
                    .iter()
                    .map(version_row)
                    .collect()
                }

                async fn get_policy_version(
                    &self,
                    version: i64,
                ) -> Result<PolicyVersion, StoreError> {
                    let row = sqlx::query(&format!(
                        "SELECT {VERSION_COLUMNS} FROM policy_versions WHERE version = $1"
                    ))
                    .bind(version)
                    .fetch_optional(&self.core.read)
                    .await?
                    .ok_or_else(|| StoreError::not_found(format!("policy version {version}")))?;
                    version_row(&row)
                }

                async fn publish_policy(
                    &self,
                    p: NewPublication,
                ) -> Result<Publication, StoreError> {
                    let mut tx = self.core.write.begin().await?;
                    let exists = sqlx::query("SELECT 1 FROM policy_versions WHERE version = $1")
                        .bind(p.version)
                        .fetch_optional(&mut *tx)
                        .await?;
                    if exists.is_none() {
                        return Err(StoreError::not_found(format!("policy version {}", p.version)));
                    }
                    let row = sqlx::query(&format!(
                        "INSERT INTO policy_publications (version, effective_at, action, reason, actor, at) \
                         VALUES ($1, $2, $3, $4, $5, $6) RETURNING {PUBLICATION_COLUMNS}"
                    ))
                    .bind(p.version)
                    .bind(p.effective_ms)
                    .bind(p.action.as_str())
                    .bind(&p.reason)
                    .bind(&p.actor)
                    .bind(cordon_domain::time::now_ms())
                    .fetch_one(&mut *tx)
                    .await?;
                    let out = publication_row(&row)?;
                    tx.commit().await?;
                    Ok(out)
                }

                async fn list_publications(&self) -> Result<Vec<Publication>, StoreError> {
                    sqlx::query(&format!(
                        "SELECT {PUBLICATION_COLUMNS} FROM policy_publications ORDER BY seq"
                    ))
                    .fetch_all(&self.core.read)
                    .await?
                    .iter()
                    .map(publication_row)
                    .collect()
                }

                async fn add_risk_areas(
                    &self,
                    list: Vec<NewRiskArea>,
                    source: &str,
                    actor: &str,
                ) -> Result<Vec<RiskArea>, StoreError> {
                    let now = cordon_domain::time::now_ms();
                    let mut tx = self.core.write.begin().await?;
                    let mut out = Vec::with_capacity(list.len());
                    for a in &list {
                        let division = i64::from(a.division.value());
                        // An open or overlapping interval of the same area ends where this begins.
                        sqlx::query(
                            "UPDATE risk_areas SET valid_to = $1, ended_by = $2, end_reason = $3 \
                             WHERE division = $4 AND area = $5 AND valid_from < $1 \
                             AND (valid_to IS NULL OR valid_to > $1)",
                        )
                        .bind(a.valid_from_ms)
                        .bind(actor)
                        .bind("superseded")
                        .bind(division)
                        .bind(&a.area)
                        .execute(&mut *tx)
                        .await?;
                        let row = sqlx::query(&format!(
                            "INSERT INTO risk_areas (division, area, level, valid_from, valid_to, source, actor, recorded_at) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {RISK_COLUMNS}"
                        ))
                        .bind(division)
                        .bind(&a.area)
                        .bind(a.level.as_str())
                        .bind(a.valid_from_ms)
                        .bind(a.valid_to_ms)
                        .bind(source)
                        .bind(actor)
                        .bind(now)
                        .fetch_one(&mut *tx)
                        .await?;
                        out.push(risk_row(&row)?);
                    }
                    tx.commit().await?;
                    Ok(out)
                }

                async fn end_risk_area(
                    &self,
                    id: i64,
                    at_ms: i64,
                    actor: &str,
                    reason: &str,
                ) -> Result<RiskArea, StoreError> {
                    let mut tx = self.core.write.begin().await?;
                    let row = sqlx::query(&format!("SELECT {RISK_COLUMNS} FROM risk_areas WHERE id = $1"))
                        .bind(id)
                        .fetch_optional(&mut *tx)
                        .await?
                        .ok_or_else(|| StoreError::not_found(format!("risk area {id}")))?;
                    let area = risk_row(&row)?;
                    let inside = area.valid_from_ms < at_ms
                        && area.valid_to_ms.is_none_or(|to| at_ms < to);
                    if !inside {
                        return Err(StoreError::invalid(
                            "outside_interval",
                            "at",
                            "the end must fall after the area's start and before any end it already has",
                        ));
                    }
                    let row = sqlx::query(&format!(
                        "UPDATE risk_areas SET valid_to = $1, ended_by = $2, end_reason = $3 \
                         WHERE id = $4 RETURNING {RISK_COLUMNS}"
                    ))
                    .bind(at_ms)
                    .bind(actor)
                    .bind(reason)
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await?;
                    let out = risk_row(&row)?;
                    tx.commit().await?;
                    Ok(out)
                }

                async fn list_risk_areas(&self) -> Result<Vec<RiskArea>, StoreError> {
                    sqlx::query(&format!(
                        "SELECT {RISK_COLUMNS} FROM risk_areas ORDER BY division, area, valid_from, id"
                    ))
                    .fetch_all(&self.core.read)
                    .await?
                    .iter()
                    .map(risk_row)
                    .collect()
                }

                async fn checkpoint_keys(&self) -> Result<Vec<CheckpointKey>, StoreError> {
                    let rows = sqlx::query("SELECT id, code, defence_line FROM checkpoints")
                        .fetch_all(&self.core.read)
                        .await?;
                    rows.iter()
                        .map(|r| {
                            let code: String = r.try_get(1)?;
                            let line: String = r.try_get(2)?;
                            Ok(CheckpointKey {
                                id: r.try_get(0)?,
                                code: CheckpointCode::parse(&code)
                                    .map_err(|_| corrupt("checkpoint code"))?,
                                defence_line: DefenceLine::parse(&line)
                                    .map_err(|_| corrupt("defence line"))?,
                            })
                        })
                        .collect()
                }

                async fn replay_passages(
                    &self,
                    period: Period,
                    to: mpsc::Sender<Vec<ReplayRow>>,
                ) -> Result<u64, StoreError> {
                    self.replay_impl(period, to).await
                }
            }
        }
    };
}
pub(crate) use policy_sql;
