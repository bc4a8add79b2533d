//! The audit trail for auditors: entries by user, action, subject and time; the keyed hash of a
//! person or plate to search by (so the identity number never goes in a URL or the trail); and
//! a walk of the hash chain. Nobody can change the trail through Cordon: there is no route that
//! writes to it, and the tables refuse updates and deletes.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use chrono::{DateTime, FixedOffset};
use cordon_domain::access::audit::AuditRead;
use cordon_domain::audit::AuditRecord;
use cordon_domain::identity::{DocumentType, IdentityDocument};
use cordon_domain::plate::Plate;
use cordon_domain::registration::DocumentRequest;
use cordon_store::audit::{verify_audit, AuditQuery, Verification};
use serde::{Deserialize, Serialize};

use crate::auth::sessions::Auth;
use crate::auth::Grant;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery};

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditParams {
    pub actor: Option<String>,
    pub action: Option<String>,
    /// A keyed hash from `POST /api/v1/audit/subject`.
    pub subject: Option<String>,
    pub from: Option<DateTime<FixedOffset>>,
    pub to: Option<DateTime<FixedOffset>>,
    /// Continue after this sequence number.
    pub after: Option<i64>,
    /// At most this many entries (1 to 1000, default 200).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct AuditPage {
    pub entries: Vec<AuditRecord>,
    /// The sequence number to pass as `after` for the next page, when there may be more.
    pub next: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditParams),
    responses((status = 200, body = AuditPage), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(auth): State<Arc<Auth>>,
    _auditor: Grant<AuditRead>,
    ApiQuery(p): ApiQuery<AuditParams>,
) -> ApiResult<Json<AuditPage>> {
    if let Some(s) = &p.subject {
        if s.len() != 64 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(ApiError::invalid(
                "invalid_subject",
                "subject",
                "a subject is the 64-hex-digit keyed hash from POST /api/v1/audit/subject",
            ));
        }
    }
    let limit = match p.limit.unwrap_or(200) {
        n @ 1..=1_000 => n,
        _ => {
            return Err(ApiError::invalid(
                "out_of_range",
                "limit",
                "limit runs from 1 to 1000",
            ))
        }
    };
    let entries = auth
        .store
        .query_audit(&AuditQuery {
            actor: p.actor,
            action: p.action,
            subject: p.subject.map(|s| s.to_ascii_lowercase()),
            from_ms: p.from.map(|t| t.timestamp_millis()),
            to_ms: p.to.map(|t| t.timestamp_millis()),
            after_seq: p.after,
            limit,
        })
        .await?;
    let next = (entries.len() as u32 == limit)
        .then(|| entries.last().map(|e| e.seq))
        .flatten();
    Ok(Json(AuditPage { entries, next }))
}

/// A person (`document`) or a vehicle (`plate`): exactly one.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubjectRequest {
    pub document: Option<DocumentRequest>,
    pub plate: Option<String>,
}

impl utoipa::PartialSchema for SubjectRequest {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        crate::texts_schema::person_or_plate()
    }
}

impl utoipa::ToSchema for SubjectRequest {
    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        crate::texts_schema::person_or_plate_schemas(schemas);
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SubjectAnswer {
    pub subject: String,
}

#[utoipa::path(post, path = "/api/v1/audit/subject", tag = "audit", request_body = SubjectRequest,
    responses((status = 200, body = SubjectAnswer), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn subject(
    State(auth): State<Arc<Auth>>,
    _auditor: Grant<AuditRead>,
    ApiJson(req): ApiJson<SubjectRequest>,
) -> ApiResult<Json<SubjectAnswer>> {
    let subject = match (req.document, req.plate) {
        (Some(d), None) => {
            let kind = DocumentType::parse(&d.kind).map_err(|e| e.under("document.type"))?;
            let doc = IdentityDocument::parse(kind, &d.number).map_err(|e| e.under("document"))?;
            auth.keyring.person(&doc)
        }
        (None, Some(p)) => auth
            .keyring
            .plate(&Plate::parse(&p).map_err(|e| e.under("plate"))?),
        _ => {
            return Err(ApiError::invalid(
                "one_subject",
                "",
                "give either a document or a plate",
            ))
        }
    };
    Ok(Json(SubjectAnswer { subject }))
}

#[utoipa::path(get, path = "/api/v1/audit/verify", tag = "audit",
    responses((status = 200, body = Verification), (status = 403, body = ErrorBody)))]
pub async fn verify(
    State(auth): State<Arc<Auth>>,
    _auditor: Grant<AuditRead>,
) -> ApiResult<Json<Verification>> {
    Ok(Json(verify_audit(auth.store.as_ref()).await?))
}
