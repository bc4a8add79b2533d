//! Person-status changes: a tracer or commander requests one (a case, a close contact, or `none`
//! to clear) with a reason and an evidence reference; another commander approves or rejects it.
//! An approval changes the decision at every lane at once on this process and within
//! [`crate::policy::decide::REFRESH`] on the others. Every request, decision and list is audited with the
//! person's keyed hash; the identity number is taken in bodies only and answered masked.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use cordon_domain::access::status::{StatusDecision, StatusRead, StatusRequest};
use cordon_domain::identity::{DocumentType, IdentityDocument};
use cordon_domain::registration::DocumentRequest;
use cordon_domain::status::{parse_note, ChangeState, StatusChange, StatusChangeRequest};
use cordon_store::status::{NewStatusChange, StatusChangeRecord, StatusQuery};
use serde::{Deserialize, Serialize};

use super::AppState;
use crate::audit::AuditNote;
use crate::auth::Grant;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery};

#[utoipa::path(post, path = "/api/v1/status-changes", tag = "statuses", request_body = StatusChangeRequest,
    responses((status = 201, body = StatusChange, description = "recorded as pending; it takes effect when another commander approves it"),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn request(
    State(app): State<AppState>,
    grant: Grant<StatusRequest>,
    ApiJson(req): ApiJson<StatusChangeRequest>,
) -> ApiResult<(StatusCode, Extension<AuditNote>, Json<StatusChange>)> {
    let draft = req.parse(cordon_domain::time::now_ms())?;
    let change = NewStatusChange::new(draft, app.store.keyring());
    let r = app
        .store
        .request_status_change(&grant.grant, change)
        .await?;
    Ok((StatusCode::CREATED, Extension(note(&r, 1)), Json(r.change)))
}

/// The audit note of a change: which one, to what, on what evidence, and whom.
fn note(r: &StatusChangeRecord, persons: usize) -> AuditNote {
    let c = &r.change;
    let mut note = AuditNote::read(
        format!("status change {} to {}", c.id, c.status.as_str()),
        persons,
    )
    .subjects(vec![r.subject.clone()]);
    note.purpose = format!("{}: {}", c.evidence.kind.as_str(), c.evidence.reference);
    note
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    /// Optional on approval (at most 500 characters).
    #[serde(default)]
    #[schema(value_type = Option<crate::texts_schema::NoteText>)]
    pub note: Option<String>,
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectRequest {
    /// Why the change is refused (1 to 500 characters).
    #[schema(value_type = crate::texts_schema::RequiredNoteText)]
    pub note: String,
}

async fn decide(
    app: &AppState,
    grant: &StatusDecision,
    id: &str,
    approve: bool,
    note_text: Option<&str>,
) -> ApiResult<(Extension<AuditNote>, Json<StatusChange>)> {
    let id: i64 = id
        .parse()
        .map_err(|_| ApiError::NotFound(format!("status change {id} not found")))?;
    let text = parse_note(note_text, !approve)?;
    let r = app
        .store
        .decide_status_change(grant, id, approve, &text)
        .await?;
    if approve {
        app.lanes.reload_or_log(app.store.as_ref()).await;
    }
    Ok((Extension(note(&r, 1)), Json(r.change)))
}

#[utoipa::path(post, path = "/api/v1/status-changes/{id}/approve", tag = "statuses", request_body = DecisionRequest,
    params(("id" = i64, Path, description = "the change")),
    responses((status = 200, body = StatusChange, description = "approved: the person's status is changed at every lane"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "already decided, or requested by this same account"),
        (status = 422, body = ErrorBody)))]
pub async fn approve(
    State(app): State<AppState>,
    grant: Grant<StatusDecision>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<DecisionRequest>,
) -> ApiResult<(Extension<AuditNote>, Json<StatusChange>)> {
    decide(&app, &grant.grant, &id, true, body.note.as_deref()).await
}

#[utoipa::path(post, path = "/api/v1/status-changes/{id}/reject", tag = "statuses", request_body = RejectRequest,
    params(("id" = i64, Path, description = "the change")),
    responses((status = 200, body = StatusChange, description = "rejected: nothing changes"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "already decided, or requested by this same account"),
        (status = 422, body = ErrorBody)))]
pub async fn reject(
    State(app): State<AppState>,
    grant: Grant<StatusDecision>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RejectRequest>,
) -> ApiResult<(Extension<AuditNote>, Json<StatusChange>)> {
    decide(&app, &grant.grant, &id, false, Some(&body.note)).await
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// `pending`, `approved` or `rejected`.
    #[param(value_type = Option<cordon_domain::status::ChangeState>)]
    pub state: Option<String>,
    /// Continue with changes older than this id.
    pub before: Option<i64>,
    /// At most this many (1 to 500, default 100).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StatusChangePage {
    /// Newest first.
    pub changes: Vec<StatusChange>,
    /// The id to pass as `before` for the next page, when there may be more.
    pub next: Option<i64>,
}

fn page(
    records: Vec<StatusChangeRecord>,
    limit: i64,
) -> (Extension<AuditNote>, Json<StatusChangePage>) {
    let next = (records.len() as i64 == limit)
        .then(|| records.last().map(|r| r.change.id))
        .flatten();
    let subjects: Vec<String> = records.iter().map(|r| r.subject.clone()).collect();
    let note = AuditNote::read("status changes", records.len()).subjects(subjects);
    let changes = records.into_iter().map(|r| r.change).collect();
    (Extension(note), Json(StatusChangePage { changes, next }))
}

/// A page's size: 1 to 500, 100 if absent.
fn limit(n: Option<u32>) -> ApiResult<i64> {
    match n.unwrap_or(100) {
        n @ 1..=500 => Ok(i64::from(n)),
        _ => Err(ApiError::invalid(
            "out_of_range",
            "limit",
            "limit runs from 1 to 500",
        )),
    }
}

fn state(s: Option<&str>) -> ApiResult<Option<ChangeState>> {
    s.map(|s| ChangeState::parse(s).map_err(|e| ApiError::Invalid(e.under("state"))))
        .transpose()
}

#[utoipa::path(get, path = "/api/v1/status-changes", tag = "statuses", params(ListParams),
    responses((status = 200, body = StatusChangePage, description = "persons masked; audited as a read of each person listed"),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(app): State<AppState>,
    grant: Grant<StatusRead>,
    ApiQuery(p): ApiQuery<ListParams>,
) -> ApiResult<(Extension<AuditNote>, Json<StatusChangePage>)> {
    let limit = limit(p.limit)?;
    let records = app
        .store
        .list_status_changes(
            &grant.grant,
            &StatusQuery {
                state: state(p.state.as_deref())?,
                subject: None,
                before_id: p.before,
                limit,
            },
        )
        .await?;
    Ok(page(records, limit))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonChangesRequest {
    pub document: DocumentRequest,
    #[serde(default)]
    #[schema(value_type = Option<cordon_domain::status::ChangeState>)]
    pub state: Option<String>,
    #[serde(default)]
    pub before: Option<i64>,
    /// At most this many (1 to 500, default 100).
    #[serde(default)]
    #[schema(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

#[utoipa::path(post, path = "/api/v1/status-changes/person", tag = "statuses", request_body = PersonChangesRequest,
    responses((status = 200, body = StatusChangePage, description = "one person's changes, newest first (the first approved one is the status in force)"),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn of_person(
    State(app): State<AppState>,
    grant: Grant<StatusRead>,
    ApiJson(req): ApiJson<PersonChangesRequest>,
) -> ApiResult<(Extension<AuditNote>, Json<StatusChangePage>)> {
    let kind = DocumentType::parse(&req.document.kind)
        .map_err(|e| ApiError::Invalid(e.under("document.type")))?;
    let document = IdentityDocument::parse(kind, &req.document.number)
        .map_err(|e| ApiError::Invalid(e.under("document")))?;
    let limit = limit(req.limit)?;
    let subject = app.store.keyring().person(&document);
    let records = app
        .store
        .list_status_changes(
            &grant.grant,
            &StatusQuery {
                state: state(req.state.as_deref())?,
                subject: Some(subject.clone()),
                before_id: req.before,
                limit,
            },
        )
        .await?;
    let (Extension(mut note), body) = page(records, limit);
    // The person asked about is named even when nothing was found.
    note.subjects = vec![subject];
    Ok((Extension(note), body))
}
