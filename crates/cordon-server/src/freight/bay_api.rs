//! The drivers' side of a bay's QR code, with no account: which lot and bay it is, the bay's
//! requests of the day, and a request for food, water or medical help (rate-limited per
//! address like the pre-declarations; asking again while one is open answers the open one).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use cordon_domain::freight::bay::{BayRequest, BayToken, NeedRequest};
use cordon_domain::time::now_ms;
use cordon_store::freight::LotPublic;
use serde::Serialize;

use crate::audit::AuditNote;
use crate::auth::ClientAddress;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiJson;
use crate::state::AppState;

fn token_of(t: &str) -> ApiResult<BayToken> {
    BayToken::parse(t).ok_or_else(|| ApiError::NotFound("bay not found".into()))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BayView {
    pub lot: LotPublic,
    pub bay: u32,
    /// The bay's requests of the last day, latest first.
    pub requests: Vec<BayRequest>,
}

#[utoipa::path(get, path = "/api/v1/bays/{token}", security(()), tag = "lots",
    params(("token" = String, Path, description = "the bay's token from its QR code")),
    responses((status = 200, body = BayView), (status = 404, body = ErrorBody, description = "not a bay's token"),
        (status = 429, body = ErrorBody)))]
pub async fn bay(
    State(app): State<AppState>,
    address: ClientAddress,
    Path(token): Path<String>,
) -> ApiResult<Json<BayView>> {
    let now = now_ms();
    app.declarations
        .take(address.0, now)
        .map_err(ApiError::RateLimited)?;
    let t = token_of(&token)?;
    let lot = app.store.bay_lot(&t).await?;
    let requests = app.store.bay_requests(&t, now).await?;
    Ok(Json(BayView {
        lot,
        bay: t.bay,
        requests,
    }))
}

#[utoipa::path(post, path = "/api/v1/bays/{token}/requests", security(()), tag = "lots",
    request_body = NeedRequest,
    params(("token" = String, Path, description = "the bay's token from its QR code")),
    responses((status = 201, body = BayRequest, description = "asked (or the same need's open request)"),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 413, body = ErrorBody),
        (status = 415, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 429, body = ErrorBody, description = "rate_limited: too many requests from this address (header retry-after)")))]
pub async fn ask(
    State(app): State<AppState>,
    address: ClientAddress,
    Path(token): Path<String>,
    ApiJson(req): ApiJson<NeedRequest>,
) -> ApiResult<(StatusCode, Extension<AuditNote>, Json<BayRequest>)> {
    let now = now_ms();
    app.declarations
        .take(address.0, now)
        .map_err(ApiError::RateLimited)?;
    app.hub_only("holding lots")?;
    let t = token_of(&token)?;
    let r = app.store.ask(&t, req.need, now).await?;
    app.lots.moved();
    let note = AuditNote {
        action: Some("lot.request"),
        ..AuditNote::read(
            format!("lot {} bay {} {}", t.lot, t.bay, req.need.as_str()),
            0,
        )
    };
    Ok((StatusCode::CREATED, Extension(note), Json(r)))
}
