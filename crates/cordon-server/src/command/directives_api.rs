//! The commanders' directive routes: issue to a target in their jurisdiction, list, the board
//! of one (its recipients in the reader's jurisdiction), revise, remind, cancel, and the
//! stations overdue in the reader's jurisdiction. Directives hold no personal data; every change
//! is audited with what it did.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use cordon_domain::access::command::{DirectiveIssue, DirectiveRead};
use cordon_domain::command::directive::{
    text, CancelRequest, Directive, DirectiveRequest, DirectiveUpdate, Recipient, MAX_REPLY,
};
use cordon_store::command::{DirectiveQuery, Overdue};
use serde::{Deserialize, Serialize};

use crate::audit::AuditNote;
use crate::auth::Grant;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery};
use crate::state::AppState;

fn now() -> i64 {
    cordon_domain::time::now_ms()
}

pub(super) fn id_of(id: &str) -> ApiResult<i64> {
    id.parse()
        .map_err(|_| ApiError::NotFound(format!("directive {id} not found")))
}

fn noted(what: String) -> Extension<AuditNote> {
    Extension(AuditNote::read(what, 0))
}

#[utoipa::path(post, path = "/api/v1/directives", tag = "directives", request_body = DirectiveRequest,
    responses((status = 201, body = Directive, description = "issued: on every recipient's lane at its next poll"),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody, description = "a field, a target beyond the account's jurisdiction (scope_mismatch), or one with no open checkpoint (empty_scope)")))]
pub async fn issue(
    State(app): State<AppState>,
    grant: Grant<DirectiveIssue>,
    ApiJson(req): ApiJson<DirectiveRequest>,
) -> ApiResult<(StatusCode, Extension<AuditNote>, Json<Directive>)> {
    app.hub_only("directives")?;
    let now = now();
    let draft = req.parse(now)?;
    let d = app.store.issue_directive(&grant.grant, draft, now).await?;
    app.directives.reread(app.store.as_ref()).await?;
    let note = noted(format!(
        "directive {} ({}) to {} checkpoints",
        d.id,
        d.priority.as_str(),
        d.counts.recipients
    ));
    Ok((StatusCode::CREATED, note, Json(d)))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// Cancelled directives too.
    pub cancelled: Option<bool>,
    /// Continue with directives older than this id.
    pub before: Option<i64>,
    /// At most this many (1 to 500, default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DirectivePage {
    /// Newest first, each counted over its recipients in the reader's jurisdiction.
    pub directives: Vec<Directive>,
    /// The id to pass as `before` for the next page, when there may be more.
    pub next: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/directives", tag = "directives", params(ListParams),
    responses((status = 200, body = DirectivePage), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(app): State<AppState>,
    grant: Grant<DirectiveRead>,
    ApiQuery(p): ApiQuery<ListParams>,
) -> ApiResult<Json<DirectivePage>> {
    let limit = i64::from(p.limit.unwrap_or(50));
    if !(1..=500).contains(&limit) {
        return Err(ApiError::invalid(
            "out_of_range",
            "limit",
            "limit is 1 to 500",
        ));
    }
    let q = DirectiveQuery {
        cancelled: p.cancelled.unwrap_or(false),
        before_id: p.before,
        limit,
    };
    let directives = app.store.list_directives(&grant.grant, &q, now()).await?;
    let next = (directives.len() as i64 == limit)
        .then(|| directives.last().map(|d| d.id))
        .flatten();
    Ok(Json(DirectivePage { directives, next }))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DirectiveBoard {
    pub directive: Directive,
    /// The recipients in the reader's jurisdiction, by checkpoint code.
    pub recipients: Vec<Recipient>,
}

#[utoipa::path(get, path = "/api/v1/directives/{id}", tag = "directives",
    params(("id" = i64, Path, description = "the directive")),
    responses((status = 200, body = DirectiveBoard), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "no such directive, or none of its recipients in the reader's jurisdiction")))]
pub async fn board(
    State(app): State<AppState>,
    grant: Grant<DirectiveRead>,
    Path(id): Path<String>,
) -> ApiResult<Json<DirectiveBoard>> {
    let (directive, recipients) = app
        .store
        .directive_board(&grant.grant, id_of(&id)?, now())
        .await?;
    Ok(Json(DirectiveBoard {
        directive,
        recipients,
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct OverdueParams {
    /// At most this many (1 to 2,000, default 500).
    #[param(minimum = 1, maximum = 2000)]
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OverduePage {
    /// Soonest deadline first.
    pub overdue: Vec<Overdue>,
}

#[utoipa::path(get, path = "/api/v1/directives/overdue", tag = "directives", params(OverdueParams),
    responses((status = 200, body = OverduePage, description = "the stations in the reader's jurisdiction past a deadline: escalated to the commanders above them"),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn overdue(
    State(app): State<AppState>,
    grant: Grant<DirectiveRead>,
    ApiQuery(p): ApiQuery<OverdueParams>,
) -> ApiResult<Json<OverduePage>> {
    let limit = i64::from(p.limit.unwrap_or(500));
    if !(1..=2_000).contains(&limit) {
        return Err(ApiError::invalid(
            "out_of_range",
            "limit",
            "limit is 1 to 2000",
        ));
    }
    let overdue = app
        .store
        .overdue_recipients(&grant.grant, limit, now())
        .await?;
    Ok(Json(OverduePage { overdue }))
}

#[utoipa::path(post, path = "/api/v1/directives/{id}/revise", tag = "directives", request_body = DirectiveUpdate,
    params(("id" = i64, Path, description = "the directive")),
    responses((status = 200, body = Directive, description = "a new revision, which every station reads and acknowledges again"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "directive_cancelled"), (status = 422, body = ErrorBody)))]
pub async fn revise(
    State(app): State<AppState>,
    grant: Grant<DirectiveIssue>,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<DirectiveUpdate>,
) -> ApiResult<(Extension<AuditNote>, Json<Directive>)> {
    app.hub_only("directives")?;
    let id = id_of(&id)?;
    let now = now();
    let revision = req.parse(now)?;
    let d = app
        .store
        .update_directive(&grant.grant, id, revision, now)
        .await?;
    app.directives.reread(app.store.as_ref()).await?;
    Ok((
        noted(format!("directive {id} revision {}", d.revision)),
        Json(d),
    ))
}

#[utoipa::path(post, path = "/api/v1/directives/{id}/cancel", tag = "directives", request_body = CancelRequest,
    params(("id" = i64, Path, description = "the directive")),
    responses((status = 200, body = Directive, description = "cancelled: off every lane"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "directive_cancelled"), (status = 422, body = ErrorBody)))]
pub async fn cancel(
    State(app): State<AppState>,
    grant: Grant<DirectiveIssue>,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<CancelRequest>,
) -> ApiResult<(Extension<AuditNote>, Json<Directive>)> {
    app.hub_only("directives")?;
    let id = id_of(&id)?;
    let reason = text(&req.reason, "reason", MAX_REPLY, false)?;
    let d = app
        .store
        .cancel_directive(&grant.grant, id, &reason, now())
        .await?;
    app.directives.reread(app.store.as_ref()).await?;
    Ok((noted(format!("directive {id} cancelled")), Json(d)))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Reminded {
    /// The stations reminded: those that had not acknowledged the current revision.
    pub reminded: i64,
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RemindRequest {}

#[utoipa::path(post, path = "/api/v1/directives/{id}/remind", tag = "directives", request_body = RemindRequest,
    params(("id" = i64, Path, description = "the directive")),
    responses((status = 200, body = Reminded, description = "the stations not yet acknowledged see the reminder on their lanes"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "directive_cancelled"), (status = 422, body = ErrorBody)))]
pub async fn remind(
    State(app): State<AppState>,
    grant: Grant<DirectiveIssue>,
    Path(id): Path<String>,
    ApiJson(_): ApiJson<RemindRequest>,
) -> ApiResult<(Extension<AuditNote>, Json<Reminded>)> {
    app.hub_only("directives")?;
    let id = id_of(&id)?;
    let reminded = app.store.remind_directive(&grant.grant, id, now()).await?;
    app.directives.reread(app.store.as_ref()).await?;
    Ok((
        noted(format!("directive {id}: {reminded} stations reminded")),
        Json(Reminded { reminded }),
    ))
}
