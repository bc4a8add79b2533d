//! Freight passes over HTTP: a commander issues a pass (numbered by its jurisdiction) and
//! revokes it; the pass's page carries its signed code as a QR code to print; a lane, a lot's
//! gate or the command checks a scanned code (its signature with the hub's key, so a station
//! checks it with no link; its validity; its revocation, which stations copy from the hub; the
//! vehicle; whether the checkpoint is on its route).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use cordon_domain::access::freight::{PassCheck, PassIssue};
use cordon_domain::checkpoint::CheckpointCode;
use cordon_domain::freight::pass::{FreightPass, PassClaims, PassNumber, PassRequest};
use cordon_domain::plate::Plate;
use cordon_domain::time::now_ms;
use cordon_store::freight::PassQuery;
use serde::{Deserialize, Serialize};

use super::lot_api::noted;
use crate::audit::AuditNote;
use crate::auth::Grant;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery};
use crate::state::AppState;

/// A pass with its code: what its page prints.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PassView {
    #[serde(flatten)]
    pub pass: FreightPass,
    /// The signed code (`FP1.…`) its QR code carries.
    pub code: String,
    pub qr_svg: String,
}

pub(super) fn view(app: &AppState, pass: FreightPass) -> ApiResult<PassView> {
    let code = pass.claims.sign(&app.store.keyring().declaration_key());
    let qr_svg = crate::declaration::api::qr_svg(&code)?;
    Ok(PassView { pass, code, qr_svg })
}

/// A pass's number from a path: its form (12 digits, a division code first), then an issuer
/// this network knows.
async fn number_of(app: &AppState, s: &str) -> ApiResult<PassNumber> {
    let n = PassNumber::parse(s).map_err(|e| ApiError::Invalid(e.under("number")))?;
    if app.store.get_jurisdiction(n.issuer()).await.is_err() {
        return Err(ApiError::invalid(
            "unknown_issuer",
            "number",
            format!(
                "{} is not a division of this network: the pass was not issued here",
                n.issuer()
            ),
        ));
    }
    Ok(n)
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PassParams {
    /// One vehicle's passes (its plate or its tractor's).
    pub plate: Option<String>,
    /// Only those still valid and not revoked.
    pub active: Option<bool>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PassList {
    /// The latest issued first.
    pub passes: Vec<FreightPass>,
}

#[utoipa::path(get, path = "/api/v1/freight-passes", tag = "passes", params(PassParams),
    responses((status = 200, body = PassList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn passes(
    State(app): State<AppState>,
    grant: Grant<PassIssue>,
    ApiQuery(p): ApiQuery<PassParams>,
) -> ApiResult<(Extension<AuditNote>, Json<PassList>)> {
    let plate = p
        .plate
        .as_deref()
        .map(|s| Plate::parse(s).map_err(|e| ApiError::Invalid(e.under("plate"))))
        .transpose()?;
    let query = PassQuery {
        plate: plate.map(|p| p.as_str().to_owned()),
        active_at_ms: p.active.unwrap_or(false).then(now_ms),
    };
    let passes = app.store.list_passes(&grant.grant, &query).await?;
    let note = Extension(AuditNote::read("freight passes", passes.len()));
    Ok((note, Json(PassList { passes })))
}

#[utoipa::path(post, path = "/api/v1/freight-passes", tag = "passes", request_body = PassRequest,
    responses((status = 201, body = PassView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn issue(
    State(app): State<AppState>,
    grant: Grant<PassIssue>,
    ApiJson(req): ApiJson<PassRequest>,
) -> ApiResult<(StatusCode, Extension<AuditNote>, Json<PassView>)> {
    app.hub_only("freight passes")?;
    let draft = req.parse(now_ms())?;
    let pass = app.store.issue_pass(&grant.grant, &draft, now_ms()).await?;
    app.routes.reload();
    let note = noted(format!("freight pass {} issued", pass.claims.number));
    Ok((StatusCode::CREATED, note, Json(view(&app, pass)?)))
}

#[utoipa::path(get, path = "/api/v1/freight-passes/{number}", tag = "passes",
    params(("number" = String, Path, description = "the pass's 12 digits")),
    responses((status = 200, body = PassView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody, description = "invalid_pass_number, unknown_issuer")))]
pub async fn pass(
    State(app): State<AppState>,
    grant: Grant<PassIssue>,
    Path(number): Path<String>,
) -> ApiResult<(Extension<AuditNote>, Json<PassView>)> {
    let number = number_of(&app, &number).await?;
    let pass = app.store.freight_pass(&grant.grant, &number).await?;
    Ok((
        noted(format!("freight pass {number}")),
        Json(view(&app, pass)?),
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokePass {
    /// Why, 1 to 500 characters.
    pub reason: String,
}

#[utoipa::path(post, path = "/api/v1/freight-passes/{number}/revoke", tag = "passes", request_body = RevokePass,
    params(("number" = String, Path, description = "the pass's 12 digits")),
    responses((status = 200, body = FreightPass), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "pass_revoked"),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn revoke(
    State(app): State<AppState>,
    grant: Grant<PassIssue>,
    Path(number): Path<String>,
    ApiJson(req): ApiJson<RevokePass>,
) -> ApiResult<(Extension<AuditNote>, Json<FreightPass>)> {
    app.hub_only("freight passes")?;
    let number = number_of(&app, &number).await?;
    let reason = cordon_domain::command::directive::text(&req.reason, "reason", 500, true)?;
    let pass = app
        .store
        .revoke_pass(&grant.grant, &number, &reason, now_ms())
        .await?;
    app.routes.reload();
    Ok((noted(format!("freight pass {number} revoked")), Json(pass)))
}

/// A pass's code as scanned, with the vehicle and the checkpoint it is shown at.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PassScan {
    /// The text the scanner read (`FP1.…`).
    pub token: String,
    /// The vehicle's plate, when the lane has it: it must be the pass's (or its tractor's).
    #[serde(default)]
    pub plate: Option<String>,
    /// The checkpoint: whether it is on the pass's route.
    #[serde(default)]
    pub checkpoint: Option<String>,
}

/// A genuine pass in force for this vehicle.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PassChecked {
    pub pass: PassClaims,
    /// The checkpoint is on the route (true when the route names none, or none was given).
    pub on_route: bool,
}

#[utoipa::path(post, path = "/api/v1/freight-passes/verify", tag = "passes", request_body = PassScan,
    responses((status = 200, body = PassChecked, description = "genuine, in force, not revoked and this vehicle's"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "pass_malformed, pass_forged, pass_expired, pass_not_yet_valid, pass_revoked, pass_other_vehicle")))]
pub async fn verify(
    State(app): State<AppState>,
    _grant: Grant<PassCheck>,
    ApiJson(req): ApiJson<PassScan>,
) -> ApiResult<(Extension<AuditNote>, Json<PassChecked>)> {
    let claims = PassClaims::verify(&req.token, &app.verifying_key(), now_ms())
        .map_err(|e| ApiError::invalid(e.code(), "token", e.message()))?;
    if let Some(r) = app.store.pass_revocation(&claims.number).await? {
        return Err(ApiError::invalid(
            "pass_revoked",
            "token",
            format!("this pass was revoked: {}", r.reason),
        ));
    }
    if let Some(p) = req.plate.as_deref().filter(|p| !p.trim().is_empty()) {
        let plate = Plate::parse(p).map_err(|e| ApiError::Invalid(e.under("plate")))?;
        if !claims.covers_plate(plate.as_str()) {
            return Err(ApiError::invalid(
                "pass_other_vehicle",
                "plate",
                format!("this pass is for {}, not {}", claims.plate, plate.as_str()),
            ));
        }
    }
    let on_route = match req.checkpoint.as_deref() {
        Some(c) => claims.on_route(
            &CheckpointCode::parse(c).map_err(|e| ApiError::Invalid(e.under("checkpoint")))?,
        ),
        None => true,
    };
    let note = noted(format!("freight pass {} checked", claims.number));
    Ok((
        note,
        Json(PassChecked {
            pass: claims,
            on_route,
        }),
    ))
}
