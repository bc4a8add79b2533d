//! Freight alerts over HTTP: the jurisdiction's open alerts (and the week's closed ones), each
//! closed once with what was done.

use axum::extract::{Path, State};
use axum::{Extension, Json};
use cordon_domain::access::freight::LotWork;
use cordon_domain::freight::alert::{CloseAlertRequest, FreightAlert};
use cordon_domain::time::now_ms;
use serde::Serialize;

use super::lot_api::{id_of, noted};
use crate::audit::AuditNote;
use crate::auth::Grant;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::ApiJson;
use crate::state::AppState;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AlertList {
    /// The open first, latest first.
    pub alerts: Vec<FreightAlert>,
}

#[utoipa::path(get, path = "/api/v1/freight-alerts", tag = "lots",
    responses((status = 200, body = AlertList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn alerts(
    State(app): State<AppState>,
    grant: Grant<LotWork>,
) -> ApiResult<(Extension<AuditNote>, Json<AlertList>)> {
    let alerts = app.store.freight_alerts(&grant.grant, now_ms()).await?;
    let note = Extension(AuditNote::read("freight alerts".to_owned(), alerts.len()));
    Ok((note, Json(AlertList { alerts })))
}

#[utoipa::path(post, path = "/api/v1/freight-alerts/{id}/close", tag = "lots", request_body = CloseAlertRequest,
    params(("id" = String, Path, description = "the alert")),
    responses((status = 200, body = FreightAlert), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "alert_closed"),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn close(
    State(app): State<AppState>,
    grant: Grant<LotWork>,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<CloseAlertRequest>,
) -> ApiResult<(Extension<AuditNote>, Json<FreightAlert>)> {
    let id = id_of("alert", &id)?;
    let note = req.parse()?;
    let a = app
        .store
        .close_alert(&grant.grant, id, &note, now_ms())
        .await?;
    Ok((noted(format!("freight alert {id} closed")), Json(a)))
}
