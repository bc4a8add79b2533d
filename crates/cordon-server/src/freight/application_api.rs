//! Carriers' applications for freight passes over HTTP. A carrier applies with no account
//! (rate-limited per address like the pre-declarations) and follows the application by the
//! reference it is given, which shows the pass's code to print once approved; the command of
//! the origin's or the destination's jurisdiction lists them, approves one (the pass is issued as the
//! commander's, checked again at that moment) or refuses it with the reason.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use cordon_domain::access::freight::PassIssue;
use cordon_domain::freight::application::{
    ApplicationShown, ApplicationState, PassApplicationRequest, RefuseRequest,
};
use cordon_domain::time::now_ms;
use serde::Serialize;

use super::lot_api::{id_of, noted};
use super::pass_api::{view, PassView};
use crate::audit::AuditNote;
use crate::auth::{ClientAddress, Grant};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiJson;
use crate::state::AppState;

/// An application as its carrier follows it: with the pass once approved.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ApplicationView {
    #[serde(flatten)]
    pub application: ApplicationShown,
    /// The reference to follow it by (`/passes/apply/{reference}`): on the answer to the
    /// application only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// The pass issued on it, with its code to print.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass: Option<PassView>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ApplicationList {
    pub applications: Vec<ApplicationShown>,
}

/// A reference as a path carries it: 32 hex digits, or not found.
fn reference(s: &str) -> ApiResult<&str> {
    if cordon_domain::freight::application::is_reference(s) {
        Ok(s)
    } else {
        Err(ApiError::NotFound("application not found".into()))
    }
}

#[utoipa::path(post, path = "/api/v1/freight-pass-applications", security(()), tag = "passes",
    request_body = PassApplicationRequest,
    responses((status = 201, body = ApplicationView, description = "kept, pending; `reference` follows it"),
        (status = 400, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody),
        (status = 422, body = ErrorBody),
        (status = 429, body = ErrorBody, description = "rate_limited: too many requests from this address (header retry-after)")))]
pub async fn apply(
    State(app): State<AppState>,
    address: ClientAddress,
    ApiJson(req): ApiJson<PassApplicationRequest>,
) -> ApiResult<(StatusCode, Extension<AuditNote>, Json<ApplicationView>)> {
    let now = now_ms();
    app.declarations
        .take(address.0, now)
        .map_err(ApiError::RateLimited)?;
    app.hub_only("freight passes")?;
    let checked = req.parse(now)?;
    let (token, application) = app.store.apply_for_pass(&req, &checked, now).await?;
    let note = AuditNote {
        action: Some("pass.apply"),
        ..AuditNote::read(format!("pass application {}", application.id), 0)
    };
    let answer = ApplicationView {
        application,
        reference: Some(token),
        pass: None,
    };
    Ok((StatusCode::CREATED, Extension(note), Json(answer)))
}

#[utoipa::path(get, path = "/api/v1/freight-pass-applications/{reference}", security(()), tag = "passes",
    params(("reference" = String, Path, description = "the reference the application was answered with")),
    responses((status = 200, body = ApplicationView), (status = 404, body = ErrorBody),
        (status = 429, body = ErrorBody)))]
pub async fn followed(
    State(app): State<AppState>,
    address: ClientAddress,
    Path(token): Path<String>,
) -> ApiResult<Json<ApplicationView>> {
    app.declarations
        .take(address.0, now_ms())
        .map_err(ApiError::RateLimited)?;
    let token = reference(&token)?;
    let application = app.store.application_by_token(token).await?;
    let pass = match application.state {
        ApplicationState::Approved => app.store.application_pass(token).await?,
        _ => None,
    };
    let pass = pass.map(|p| view(&app, p)).transpose()?;
    Ok(Json(ApplicationView {
        application,
        reference: None,
        pass,
    }))
}

#[utoipa::path(get, path = "/api/v1/freight-pass-applications", tag = "passes",
    responses((status = 200, body = ApplicationList, description = "the pending ones oldest first, then those decided in the last week"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn applications(
    State(app): State<AppState>,
    grant: Grant<PassIssue>,
) -> ApiResult<(Extension<AuditNote>, Json<ApplicationList>)> {
    let applications = app.store.pass_applications(&grant.grant, now_ms()).await?;
    let note = Extension(AuditNote::read("pass applications", applications.len()));
    Ok((note, Json(ApplicationList { applications })))
}

#[utoipa::path(post, path = "/api/v1/freight-pass-applications/{id}/approve", tag = "passes",
    params(("id" = String, Path, description = "the application")),
    responses((status = 201, body = PassView, description = "the pass issued on it"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "application_decided"),
        (status = 422, body = ErrorBody, description = "the pass asked for no longer holds (expired meanwhile, a checkpoint gone)")))]
pub async fn approve(
    State(app): State<AppState>,
    grant: Grant<PassIssue>,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, Extension<AuditNote>, Json<PassView>)> {
    app.hub_only("freight passes")?;
    let id = id_of("application", &id)?;
    let req = app.store.application_request(&grant.grant, id).await?;
    let now = now_ms();
    let checked = req.parse(now)?;
    let pass = app
        .store
        .approve_application(&grant.grant, id, &checked.draft, now)
        .await?;
    app.routes.reload();
    let note = noted(format!(
        "pass application {id} approved: freight pass {}",
        pass.claims.number
    ));
    Ok((StatusCode::CREATED, note, Json(view(&app, pass)?)))
}

#[utoipa::path(post, path = "/api/v1/freight-pass-applications/{id}/refuse", tag = "passes",
    request_body = RefuseRequest,
    params(("id" = String, Path, description = "the application")),
    responses((status = 200, body = ApplicationShown), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "application_decided"),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn refuse(
    State(app): State<AppState>,
    grant: Grant<PassIssue>,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<RefuseRequest>,
) -> ApiResult<(Extension<AuditNote>, Json<ApplicationShown>)> {
    app.hub_only("freight passes")?;
    let id = id_of("application", &id)?;
    let reason = req.parse()?;
    let a = app
        .store
        .refuse_application(&grant.grant, id, &reason, now_ms())
        .await?;
    Ok((noted(format!("pass application {id} refused")), Json(a)))
}
