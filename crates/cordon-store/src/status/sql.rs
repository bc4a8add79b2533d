//! The SQL of [`StatusStore`], written once for both backends ([`crate::db`]). A decision reads
//! and writes in one transaction opened with [`BeginWrite::begin_write`], so that no other
//! writer slips between its check and its change.

use async_trait::async_trait;
use cordon_domain::access::status::{StatusDecision, StatusRead, StatusRequest};
use cordon_domain::identity::{DocumentType, MaskedDocument};
use cordon_domain::status::{
    ChangeState, Evidence, EvidenceKind, PersonStatus, StatusChange, StatusInForce,
};

use super::{NewStatusChange, StatusChangeRecord, StatusQuery, StatusStore};
use crate::db::{on_pool, retry, BeginWrite};
use crate::passage::rows::china_time;
use crate::store::SqlStore;
use crate::StoreError;

const COLUMNS: &str = "id, document_type, masked_number, status, reason, evidence_kind, \
    evidence_ref, until_ms, requested_name, requested_at, state, decided_name, decided_at, \
    decision_note, doc_key";

/// A row of [`COLUMNS`].
type ChangeRow = (
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<i64>,
    String,
    i64,
    String,
    Option<String>,
    Option<i64>,
    Option<String>,
    String,
);

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(what.to_owned())
}

fn change(r: ChangeRow) -> Result<StatusChangeRecord, StoreError> {
    let (id, kind, number, status, reason, evidence, reference, until, requested_by) =
        (r.0, r.1, r.2, r.3, r.4, r.5, r.6, r.7, r.8);
    Ok(StatusChangeRecord {
        change: StatusChange {
            id,
            document: MaskedDocument {
                kind: DocumentType::parse(&kind)
                    .map_err(|_| corrupt("status change document type"))?,
                number,
            },
            status: PersonStatus::parse(&status).map_err(|_| corrupt("status change status"))?,
            reason,
            evidence: Evidence {
                kind: EvidenceKind::parse(&evidence)
                    .map_err(|_| corrupt("status change evidence"))?,
                reference,
            },
            until: until.map(china_time).transpose()?,
            requested_by,
            requested_at: china_time(r.9)?,
            state: ChangeState::parse(&r.10).map_err(|_| corrupt("status change state"))?,
            decided_by: r.11,
            decided_at: r.12.map(china_time).transpose()?,
            decision_note: r.13,
        },
        subject: r.14,
    })
}

/// Why a decision found nothing to decide: the change's state and requester, if it exists.
fn refusal(id: i64, found: Option<(String, i64)>) -> StoreError {
    match found {
        None => StoreError::not_found(format!("status change {id}")),
        Some((state, _)) if state != ChangeState::Pending.as_str() => StoreError::invalid(
            "already_decided",
            "",
            format!("status change {id} has already been decided"),
        ),
        Some(_) => StoreError::invalid(
            "second_account_required",
            "",
            "a status change is decided by an account other than the one that requested it",
        ),
    }
}

#[async_trait]
impl StatusStore for SqlStore {
    async fn request_status_change(
        &self,
        grant: &StatusRequest,
        c: NewStatusChange,
    ) -> Result<StatusChangeRecord, StoreError> {
        let sql = format!(
            "INSERT INTO status_changes (doc_key, document_type, masked_number, sealed, status, \
             reason, evidence_kind, evidence_ref, until_ms, requested_by, requested_name, \
             requested_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
             RETURNING {COLUMNS}"
        );
        let now = cordon_domain::time::now_ms();
        let row: ChangeRow = on_pool!(&self.db.write, |p| sqlx::query_as(&sql)
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
            .bind(now)
            .fetch_one(p)
            .await?);
        change(row)
    }

    async fn decide_status_change(
        &self,
        grant: &StatusDecision,
        id: i64,
        approve: bool,
        note: &str,
    ) -> Result<StatusChangeRecord, StoreError> {
        let state = if approve {
            ChangeState::Approved
        } else {
            ChangeState::Rejected
        };
        let decide = format!(
            "UPDATE status_changes SET state = $2, decided_by = $3, decided_name = $4, \
             decided_at = $5, decision_note = $6 \
             WHERE id = $1 AND state = 'pending' AND requested_by <> $3 RETURNING {COLUMNS}"
        );
        let why = "SELECT state, requested_by FROM status_changes WHERE id = $1";
        let set = "INSERT INTO person_status (doc_key, status, since_ms, until_ms, change_id) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (doc_key) DO UPDATE SET \
             status = excluded.status, since_ms = excluded.since_ms, \
             until_ms = excluded.until_ms, change_id = excluded.change_id";
        let decide = &decide;
        retry(|| async move {
            let now = cordon_domain::time::now_ms();
            on_pool!(&self.db.write, |p| {
                let mut tx = p.begin_write().await?;
                let row: Option<ChangeRow> = sqlx::query_as(decide)
                    .bind(id)
                    .bind(state.as_str())
                    .bind(grant.account())
                    .bind(grant.username().as_str())
                    .bind(now)
                    .bind(note)
                    .fetch_optional(&mut *tx)
                    .await?;
                let Some(row) = row else {
                    let found = sqlx::query_as(why)
                        .bind(id)
                        .fetch_optional(&mut *tx)
                        .await?;
                    return Err(refusal(id, found));
                };
                let record = change(row)?;
                if approve {
                    let c = &record.change;
                    sqlx::query(set)
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
            })
        })
        .await
    }

    async fn list_status_changes(
        &self,
        _grant: &StatusRead,
        q: &StatusQuery,
    ) -> Result<Vec<StatusChangeRecord>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM status_changes \
             WHERE ($1 IS NULL OR state = $1) AND ($2 IS NULL OR doc_key = $2) \
             AND ($3 IS NULL OR id < $3) ORDER BY id DESC LIMIT $4"
        );
        let rows: Vec<ChangeRow> = on_pool!(&self.db.read, |p| sqlx::query_as(&sql)
            .bind(q.state.map(|s| s.as_str()))
            .bind(q.subject.as_deref())
            .bind(q.before_id)
            .bind(q.limit)
            .fetch_all(p)
            .await?);
        rows.into_iter().map(change).collect()
    }

    async fn status_version(&self) -> Result<i64, StoreError> {
        let sql = "SELECT count(*) FROM status_changes WHERE state <> 'pending'";
        Ok(on_pool!(&self.db.read, |p| sqlx::query_scalar(sql)
            .fetch_one(p)
            .await?))
    }

    async fn statuses_in_force(&self) -> Result<Vec<(String, StatusInForce)>, StoreError> {
        let sql = "SELECT doc_key, status, since_ms, until_ms FROM person_status \
             WHERE status <> 'none' AND (until_ms IS NULL OR until_ms > $1)";
        let now = cordon_domain::time::now_ms();
        let rows: Vec<(String, String, i64, Option<i64>)> =
            on_pool!(&self.db.read, |p| sqlx::query_as(sql)
                .bind(now)
                .fetch_all(p)
                .await?);
        rows.into_iter()
            .map(|(key, status, since_ms, until_ms)| {
                let status = PersonStatus::parse(&status).map_err(|_| corrupt("person status"))?;
                Ok((
                    key,
                    StatusInForce {
                        status,
                        since_ms,
                        until_ms,
                    },
                ))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(state: &str) -> ChangeRow {
        (
            7,
            "resident_id".into(),
            "1101**********002X".into(),
            "close_contact".into(),
            "同车".into(),
            "trace".into(),
            "T-1".into(),
            None,
            "tracer".into(),
            1_651_536_000_000,
            state.into(),
            None,
            None,
            None,
            "abc".into(),
        )
    }

    #[test]
    fn rows_become_changes_and_bad_values_are_corrupt() {
        let r = change(row("pending")).unwrap();
        assert_eq!(r.change.id, 7);
        assert_eq!(r.change.state, ChangeState::Pending);
        assert_eq!(r.subject, "abc");
        assert_eq!(r.change.requested_at.timestamp_millis(), 1_651_536_000_000);
        assert!(matches!(change(row("lost")), Err(StoreError::Corrupt(_))));
    }

    #[test]
    fn refusals_say_why() {
        let code = |e: StoreError| match e {
            StoreError::Invalid(f) => f.code,
            StoreError::NotFound { .. } => "not_found".into(),
            other => panic!("{other:?}"),
        };
        assert_eq!(code(refusal(1, None)), "not_found");
        assert_eq!(
            code(refusal(1, Some(("approved".into(), 2)))),
            "already_decided"
        );
        assert_eq!(
            code(refusal(1, Some(("pending".into(), 2)))),
            "second_account_required"
        );
    }
}
