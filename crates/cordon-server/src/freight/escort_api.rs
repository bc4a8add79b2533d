//! Escorts over HTTP: a commander assigns one from a checkpoint of the jurisdiction (its kind,
//! destination, planned route and arrival, vehicles, officers); the escorting officers (those of
//! the checkpoint it leaves from) and the commanders record it under way, handed over at the
//! destination (who received it) and done; only a commander cancels one, with the reason.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use cordon_domain::access::freight::{EscortAssign, EscortWork};
use cordon_domain::freight::escort::{Escort, EscortRequest, EscortStepKind, EscortStepRequest};
use cordon_domain::time::now_ms;
use serde::Serialize;

use super::lot_api::{id_of, noted};
use crate::audit::AuditNote;
use crate::auth::Grant;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiJson;
use crate::state::AppState;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EscortList {
    /// Those not over first (under way, then by planned arrival), then those over this week.
    pub escorts: Vec<Escort>,
}

#[utoipa::path(get, path = "/api/v1/escorts", tag = "escorts",
    responses((status = 200, body = EscortList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn escorts(
    State(app): State<AppState>,
    grant: Grant<EscortWork>,
) -> ApiResult<(Extension<AuditNote>, Json<EscortList>)> {
    let escorts = app.store.escorts(&grant.grant, now_ms()).await?;
    let note = Extension(AuditNote::read("escorts", escorts.len()));
    Ok((note, Json(EscortList { escorts })))
}

#[utoipa::path(post, path = "/api/v1/escorts", tag = "escorts", request_body = EscortRequest,
    responses((status = 201, body = Escort), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "a field's mistake; unknown_checkpoint, checkpoint_out_of_scope")))]
pub async fn assign(
    State(app): State<AppState>,
    grant: Grant<EscortAssign>,
    ApiJson(req): ApiJson<EscortRequest>,
) -> ApiResult<(StatusCode, Extension<AuditNote>, Json<Escort>)> {
    app.hub_only("escorts")?;
    let draft = req.parse(now_ms())?;
    let escort = app
        .store
        .assign_escort(&grant.grant, &draft, now_ms())
        .await?;
    let note = noted(format!("escort {} assigned", escort.id));
    Ok((StatusCode::CREATED, note, Json(escort)))
}

#[utoipa::path(get, path = "/api/v1/escorts/{id}", tag = "escorts",
    params(("id" = i64, Path, description = "the escort")),
    responses((status = 200, body = Escort), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn escort(
    State(app): State<AppState>,
    grant: Grant<EscortWork>,
    Path(id): Path<String>,
) -> ApiResult<(Extension<AuditNote>, Json<Escort>)> {
    let id = id_of("escort", &id)?;
    let escort = app.store.escort(&grant.grant, id, now_ms()).await?;
    Ok((noted(format!("escort {id}")), Json(escort)))
}

#[utoipa::path(post, path = "/api/v1/escorts/{id}/steps", tag = "escorts", request_body = EscortStepRequest,
    params(("id" = i64, Path, description = "the escort")),
    responses((status = 200, body = Escort), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody, description = "cancelling is a commander's"), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "escort_out_of_order, escort_closed"),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn step(
    State(app): State<AppState>,
    grant: Grant<EscortWork>,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<EscortStepRequest>,
) -> ApiResult<(Extension<AuditNote>, Json<Escort>)> {
    app.hub_only("escorts")?;
    let id = id_of("escort", &id)?;
    let step = req.parse()?;
    if step.step == EscortStepKind::Cancel && grant.caller.principal.may_assign_escorts().is_err() {
        return Err(ApiError::Forbidden);
    }
    let escort = app
        .store
        .step_escort(&grant.grant, id, &step, now_ms())
        .await?;
    let note = noted(format!("escort {id}: {}", step.step.as_str()));
    Ok((note, Json(escort)))
}
