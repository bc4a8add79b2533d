//! The SQL of [`crate::station_store::StationStore`], written once for both backends like
//! [`crate::sql`].

macro_rules! station_sql {
    ($store:ident, $db:ty) => {
        mod station_impl {
            use async_trait::async_trait;
            use cordon_domain::access::{DeclarationRevoke, PassageRead};
            use sqlx::{QueryBuilder, Row as _};
            use uuid::Uuid;

            use super::$store;
            use crate::station_store::{
                DeclarationRecord, Revocation, StationStore, SummaryRow, LANE_HANDLING_MAX_MS,
            };
            use crate::StoreError;

            type DbRow = <$db as sqlx::Database>::Row;

            const COLUMNS: &str = "id, issued_at, expires_at, plate_key, persons, revoked_at, \
                revoked_by, revoke_reason";

            fn declaration_row(r: &DbRow) -> Result<DeclarationRecord, StoreError> {
                let revoked_at: Option<i64> = r.try_get(5)?;
                Ok(DeclarationRecord {
                    id: r.try_get(0)?,
                    issued_at_ms: r.try_get(1)?,
                    expires_at_ms: r.try_get(2)?,
                    plate_key: r.try_get(3)?,
                    persons: r.try_get(4)?,
                    revoked: match revoked_at {
                        None => None,
                        Some(at_ms) => Some(Revocation {
                            at_ms,
                            by: r.try_get::<Option<String>, _>(6)?.unwrap_or_default(),
                            reason: r.try_get::<Option<String>, _>(7)?.unwrap_or_default(),
                        }),
                    },
                })
            }

            #[async_trait]
            impl StationStore for $store {
                async fn record_declaration(
                    &self,
                    d: &DeclarationRecord,
                ) -> Result<(), StoreError> {
                    let r = d.revoked.as_ref();
                    sqlx::query(
                        "INSERT INTO declarations (id, issued_at, expires_at, plate_key, persons, \
                         revoked_at, revoked_by, revoke_reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    )
                    .bind(d.id)
                    .bind(d.issued_at_ms)
                    .bind(d.expires_at_ms)
                    .bind(&d.plate_key)
                    .bind(d.persons)
                    .bind(r.map(|r| r.at_ms))
                    .bind(r.map(|r| r.by.clone()))
                    .bind(r.map(|r| r.reason.clone()))
                    .execute(&self.core.write)
                    .await?;
                    Ok(())
                }

                async fn declaration(
                    &self,
                    id: Uuid,
                ) -> Result<Option<DeclarationRecord>, StoreError> {
                    sqlx::query(&format!("SELECT {COLUMNS} FROM declarations WHERE id = $1"))
                        .bind(id)
                        .fetch_optional(&self.core.read)
                        .await?
                        .as_ref()
                        .map(declaration_row)
                        .transpose()
                }

                async fn revoke_declaration(
                    &self,
                    _grant: &DeclarationRevoke,
                    id: Uuid,
                    revocation: Revocation,
                ) -> Result<DeclarationRecord, StoreError> {
                    let row = sqlx::query(&format!(
                        "UPDATE declarations SET revoked_at = COALESCE(revoked_at, $2), \
                         revoked_by = COALESCE(revoked_by, $3), \
                         revoke_reason = COALESCE(revoke_reason, $4) WHERE id = $1 \
                         RETURNING {COLUMNS}"
                    ))
                    .bind(id)
                    .bind(revocation.at_ms)
                    .bind(&revocation.by)
                    .bind(&revocation.reason)
                    .fetch_optional(&self.core.write)
                    .await?;
                    match row {
                        Some(r) => declaration_row(&r),
                        None => Err(StoreError::NotFound { what: "declaration".into() }),
                    }
                }

                async fn revoked_declarations(
                    &self,
                    now_ms: i64,
                ) -> Result<Vec<DeclarationRecord>, StoreError> {
                    sqlx::query(&format!(
                        "SELECT {COLUMNS} FROM declarations \
                         WHERE revoked_at IS NOT NULL AND expires_at > $1 ORDER BY revoked_at, id"
                    ))
                    .bind(now_ms)
                    .fetch_all(&self.core.read)
                    .await?
                    .iter()
                    .map(declaration_row)
                    .collect()
                }

                async fn record_corrections(&self, links: &[(Uuid, Uuid)]) -> Result<(), StoreError> {
                    for chunk in links.chunks(crate::sql::CHUNK) {
                        let mut q = QueryBuilder::<$db>::new("INSERT INTO corrections (passage, supersedes) ");
                        q.push_values(chunk, |mut b, (passage, earlier)| {
                            b.push_bind(*passage).push_bind(*earlier);
                        });
                        q.push(" ON CONFLICT (passage) DO NOTHING");
                        q.build().execute(&self.core.write).await?;
                    }
                    Ok(())
                }

                async fn corrections(&self, ids: &[Uuid]) -> Result<Vec<(Uuid, Uuid)>, StoreError> {
                    let mut out = Vec::new();
                    for chunk in ids.chunks(crate::sql::CHUNK / 2) {
                        let mut q = QueryBuilder::<$db>::new(
                            "SELECT passage, supersedes FROM corrections WHERE passage IN (",
                        );
                        let mut list = q.separated(", ");
                        for id in chunk {
                            list.push_bind(*id);
                        }
                        q.push(") OR supersedes IN (");
                        let mut list = q.separated(", ");
                        for id in chunk {
                            list.push_bind(*id);
                        }
                        q.push(")");
                        for r in q.build().fetch_all(&self.core.read).await? {
                            out.push((r.try_get(0)?, r.try_get(1)?));
                        }
                    }
                    Ok(out)
                }

                async fn passage_checkpoint(&self, id: Uuid) -> Result<Option<String>, StoreError> {
                    Ok(sqlx::query(
                        "SELECT c.code FROM passages p JOIN checkpoints c ON c.id = p.checkpoint_id WHERE p.id = $1",
                    )
                    .bind(id)
                    .fetch_optional(&self.core.read)
                    .await?
                    .map(|r| r.try_get(0))
                    .transpose()?)
                }

                async fn network_summary(
                    &self,
                    grant: &PassageRead,
                    from_ms: i64,
                    to_ms: i64,
                ) -> Result<Vec<SummaryRow>, StoreError> {
                    let from_ms = from_ms.max(grant.since_ms());
                    // Grouped by the checkpoint's number first, and named after: grouping by
                    // its code joined per passage took 2 to 10 times as long (docs/BENCHMARKS.md).
                    // A passage a correction superseded is not counted: the vehicle passed once.
                    let mut q = QueryBuilder::<$db>::new(
                        "SELECT c.code, g.h, g.o, g.n, g.persons, g.handled, g.handling FROM (\
                         SELECT p.checkpoint_id AS cid, p.observed_at / 3600000 AS h, \
                         p.outcome AS o, COUNT(*) AS n, CAST(SUM(p.persons) AS BIGINT) AS persons, \
                         CAST(SUM(CASE WHEN p.recorded_at - p.observed_at BETWEEN 0 AND ",
                    );
                    q.push_bind(LANE_HANDLING_MAX_MS)
                        .push(" THEN 1 ELSE 0 END) AS BIGINT) AS handled, ")
                        .push("CAST(SUM(CASE WHEN p.recorded_at - p.observed_at BETWEEN 0 AND ")
                        .push_bind(LANE_HANDLING_MAX_MS)
                        .push(
                            " THEN p.recorded_at - p.observed_at ELSE 0 END) AS BIGINT) AS handling \
                             FROM passages p WHERE p.recorded_at >= ",
                        )
                        .push_bind(from_ms)
                        .push(" AND p.observed_at >= ")
                        .push_bind(from_ms)
                        .push(" AND p.observed_at < ")
                        .push_bind(to_ms)
                        .push(
                            " AND NOT EXISTS (SELECT 1 FROM corrections k WHERE k.supersedes = p.id) \
                             AND p.checkpoint_id IN (SELECT c.id FROM checkpoints c WHERE 1 = 1",
                        );
                    super::push_scope(&mut q, grant.scope());
                    q.push(
                        ") GROUP BY 1, 2, 3) g JOIN checkpoints c ON c.id = g.cid ORDER BY 1, 2, 3",
                    );
                    q.build()
                        .fetch_all(&self.core.read)
                        .await?
                        .iter()
                        .map(|r| {
                            Ok(SummaryRow {
                                checkpoint: r.try_get(0)?,
                                hour_ms: r.try_get::<i64, _>(1)? * 3_600_000,
                                outcome: r.try_get(2)?,
                                passages: r.try_get(3)?,
                                persons: r.try_get(4)?,
                                handled: r.try_get(5)?,
                                handling_ms: r.try_get(6)?,
                            })
                        })
                        .collect()
                }
            }
        }
    };
}

pub(crate) use station_sql;
