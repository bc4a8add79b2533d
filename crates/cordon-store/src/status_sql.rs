//! The SQL of [`crate::status_store::StatusStore`], written once for both backends like
//! [`crate::sql`]. `$begin` opens a decision's transaction (`BEGIN IMMEDIATE` on SQLite, so
//! that the read and the write of one decision cannot be split by another writer).

macro_rules! status_sql {
    ($store:ident, $db:ty, begin: $begin:expr) => {
        mod status_impl {
            use async_trait::async_trait;
            use cordon_domain::access::{StatusDecision, StatusRead, StatusRequest};
            use cordon_domain::identity::{DocumentType, MaskedDocument};
            use cordon_domain::status::{
                ChangeState, Evidence, EvidenceKind, PersonStatus, StatusChange, StatusInForce,
            };
            use sqlx::Row as _;

            use super::$store;
            use crate::rows::china_time;
            use crate::status_store::{
                NewStatusChange, StatusChangeRecord, StatusQuery, StatusStore,
            };
            use crate::StoreError;

            type DbRow = <$db as sqlx::Database>::Row;

            const COLUMNS: &str = "id, document_type, masked_number, status, reason, \
                evidence_kind, evidence_ref, until_ms, requested_name, requested_at, state, \
                decided_name, decided_at, decision_note, doc_key";

            fn corrupt(what: &str) -> StoreError {
                StoreError::Corrupt(what.to_owned())
            }

            fn change_row(r: &DbRow) -> Result<StatusChangeRecord, StoreError> {
                let kind: String = r.try_get(1)?;
                let status: String = r.try_get(3)?;
                let evidence: String = r.try_get(5)?;
                let state: String = r.try_get(10)?;
                let until: Option<i64> = r.try_get(7)?;
                let decided_at: Option<i64> = r.try_get(12)?;
                Ok(StatusChangeRecord {
                    change: StatusChange {
                        id: r.try_get(0)?,
                        document: MaskedDocument {
                            kind: DocumentType::parse(&kind)
                                .map_err(|_| corrupt("status change document type"))?,
                            number: r.try_get(2)?,
                        },
                        status: PersonStatus::parse(&status)
                            .map_err(|_| corrupt("status change status"))?,
                        reason: r.try_get(4)?,
                        evidence: Evidence {
                            kind: EvidenceKind::parse(&evidence)
                                .map_err(|_| corrupt("status change evidence"))?,
                            reference: r.try_get(6)?,
                        },
                        until: until.map(china_time).transpose()?,
                        requested_by: r.try_get(8)?,
                        requested_at: china_time(r.try_get(9)?)?,
                        state: ChangeState::parse(&state)
                            .map_err(|_| corrupt("status change state"))?,
                        decided_by: r.try_get(11)?,
                        decided_at: decided_at.map(china_time).transpose()?,
                        decision_note: r.try_get(13)?,
                    },
                    subject: r.try_get(14)?,
                })
            }

            #[async_trait]
            impl StatusStore for $store {
                async fn request_status_change(
                    &self,
                    grant: &StatusRequest,
                    c: NewStatusChange,
                ) -> Result<StatusChangeRecord, StoreError> {
                    let row = sqlx::query(&format!(
                        "INSERT INTO status_changes (doc_key, document_type, masked_number, \
                         sealed, status, reason, evidence_kind, evidence_ref, until_ms, \
                         requested_by, requested_name, requested_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
                         RETURNING {COLUMNS}"
                    ))
                    .bind(&c.doc_key)
                    .bind(c.document_type.as_str())
                    .bind(&c.masked_number)
                    .bind(&c.sealed)
                    .bind(c.status.as_str())
                    .bind(&c.reason)
                    .bind(c.evidence.kind.as_str())
                    .bind(&c.evidence.reference)
                    .bind(c.until_ms)
                    .bind(grant.account())
                    .bind(grant.username().as_str())
                    .bind(cordon_domain::time::now_ms())
                    .fetch_one(&self.core.write)
                    .await?;
                    change_row(&row)
                }

                async fn decide_status_change(
                    &self,
                    grant: &StatusDecision,
                    id: i64,
                    approve: bool,
                    note: &str,
                ) -> Result<StatusChangeRecord, StoreError> {
                    let now = cordon_domain::time::now_ms();
                    let state = if approve {
                        ChangeState::Approved
                    } else {
                        ChangeState::Rejected
                    };
                    let mut tx = self.core.write.begin_with($begin).await?;
                    let row = sqlx::query(&format!(
                        "UPDATE status_changes SET state = $2, decided_by = $3, \
                         decided_name = $4, decided_at = $5, decision_note = $6 \
                         WHERE id = $1 AND state = 'pending' AND requested_by <> $3 \
                         RETURNING {COLUMNS}"
                    ))
                    .bind(id)
                    .bind(state.as_str())
                    .bind(grant.account())
                    .bind(grant.username().as_str())
                    .bind(now)
                    .bind(note)
                    .fetch_optional(&mut *tx)
                    .await?;
                    let Some(row) = row else {
                        let why = sqlx::query(
                            "SELECT state, requested_by FROM status_changes WHERE id = $1",
                        )
                        .bind(id)
                        .fetch_optional(&mut *tx)
                        .await?;
                        return Err(match why {
                            None => StoreError::not_found(format!("status change {id}")),
                            Some(r) if r.try_get::<String, _>(0)? != "pending" => {
                                StoreError::invalid(
                                    "already_decided",
                                    "",
                                    format!("status change {id} has already been decided"),
                                )
                            }
                            Some(_) => StoreError::invalid(
                                "second_account_required",
                                "",
                                "a status change is decided by an account other than the one that requested it",
                            ),
                        });
                    };
                    let record = change_row(&row)?;
                    if approve {
                        let c = &record.change;
                        sqlx::query(
                            "INSERT INTO person_status (doc_key, status, since_ms, until_ms, change_id) \
                             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (doc_key) DO UPDATE SET \
                             status = excluded.status, since_ms = excluded.since_ms, \
                             until_ms = excluded.until_ms, change_id = excluded.change_id",
                        )
                        .bind(&record.subject)
                        .bind(c.status.as_str())
                        .bind(now)
                        .bind(c.until.map(|t| t.timestamp_millis()))
                        .bind(c.id)
                        .execute(&mut *tx)
                        .await?;
                    }
                    tx.commit().await?;
                    Ok(record)
                }

                async fn list_status_changes(
                    &self,
                    _grant: &StatusRead,
                    q: &StatusQuery,
                ) -> Result<Vec<StatusChangeRecord>, StoreError> {
                    sqlx::query(&format!(
                        "SELECT {COLUMNS} FROM status_changes \
                         WHERE ($1 IS NULL OR state = $1) AND ($2 IS NULL OR doc_key = $2) \
                         AND ($3 IS NULL OR id < $3) ORDER BY id DESC LIMIT $4"
                    ))
                    .bind(q.state.map(|s| s.as_str()))
                    .bind(q.subject.as_deref())
                    .bind(q.before_id)
                    .bind(q.limit)
                    .fetch_all(&self.core.read)
                    .await?
                    .iter()
                    .map(change_row)
                    .collect()
                }

                async fn status_version(&self) -> Result<i64, StoreError> {
                    let n: i64 = sqlx::query_scalar(
                        "SELECT count(*) FROM status_changes WHERE state <> 'pending'",
                    )
                    .fetch_one(&self.core.read)
                    .await?;
                    Ok(n)
                }

                async fn statuses_in_force(
                    &self,
                ) -> Result<Vec<(String, StatusInForce)>, StoreError> {
                    let now = cordon_domain::time::now_ms();
                    sqlx::query(
                        "SELECT doc_key, status, since_ms, until_ms FROM person_status \
                         WHERE status <> 'none' AND (until_ms IS NULL OR until_ms > $1)",
                    )
                    .bind(now)
                    .fetch_all(&self.core.read)
                    .await?
                    .iter()
                    .map(|r| {
                        let status: String = r.try_get(1)?;
                        Ok((
                            r.try_get(0)?,
                            StatusInForce {
                                status: PersonStatus::parse(&status)
                                    .map_err(|_| corrupt("person status"))?,
                                since_ms: r.try_get(2)?,
                                until_ms: r.try_get(3)?,
                            },
                        ))
                    })
                    .collect()
                }
            }
        }
    };
}

pub(crate) use status_sql;
