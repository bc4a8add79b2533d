//! Custody over HTTP, for samplers: a box opened at a site by scanning its barcode, the site's
//! sealed tubes packed in it by scanning theirs, and the box handed over to a named courier or
//! driver. The lab receives the box with one scan at its door ([`super::lab_api::receive`]).

use axum::extract::{Path, State};
use axum::Json;
use cordon_domain::access::testing::Sample;
use cordon_domain::testing::Barcode;
use cordon_store::testing::lab::BoxView;
use serde::{Deserialize, Serialize};

use super::paths::conflict;
use crate::auth::Grant;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiJson;
use crate::state::AppState;

/// A box opened at a site.
#[derive(Debug, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BoxRequest {
    pub site: i64,
    #[schema(example = "BOX20220503001")]
    pub barcode: String,
}

/// A sealed tube packed in a box.
#[derive(Debug, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PackRequest {
    #[schema(example = "HB2022050300017")]
    pub tube: String,
}

/// A box handed over.
#[derive(Debug, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HandOverRequest {
    /// Who takes it: a courier's or driver's name (and plate), 1 to 64 characters.
    #[schema(example = "李师傅 冀A12345", max_length = 64)]
    pub to: String,
}

fn box_code(s: &str) -> ApiResult<Barcode> {
    Barcode::parse(s).map_err(|_| ApiError::NotFound(format!("box {s} not found")))
}

#[utoipa::path(post, path = "/api/v1/testing/boxes", tag = "testing", request_body = BoxRequest,
    responses((status = 200, body = BoxView, description = "opened, or taken up again"),
        (status = 404, body = ErrorBody, description = "no such site in the sampler's campaigns"),
        (status = 409, body = ErrorBody, description = "the barcode is a tube's, or a box's of another site"),
        (status = 422, body = ErrorBody)))]
pub async fn open_box(
    State(app): State<AppState>,
    sample: Grant<Sample>,
    ApiJson(req): ApiJson<BoxRequest>,
) -> ApiResult<Json<BoxView>> {
    app.hub_only("sampling")?;
    let code = Barcode::parse(&req.barcode)?;
    let b = app
        .store
        .open_box(
            &sample.grant,
            req.site,
            &code,
            cordon_domain::time::now_ms(),
        )
        .await
        .map_err(conflict)?;
    Ok(Json(b))
}

#[utoipa::path(post, path = "/api/v1/testing/boxes/{barcode}/tubes", tag = "testing",
    params(("barcode" = String, Path, description = "the box's barcode")), request_body = PackRequest,
    responses((status = 200, body = BoxView, description = "packed (or packed before: nothing written)"),
        (status = 404, body = ErrorBody, description = "no such box or tube"),
        (status = 409, body = ErrorBody, description = "the tube is open, of another site, in another box or received; the box handed over"),
        (status = 422, body = ErrorBody)))]
pub async fn pack(
    State(app): State<AppState>,
    sample: Grant<Sample>,
    Path(barcode): Path<String>,
    ApiJson(req): ApiJson<PackRequest>,
) -> ApiResult<Json<BoxView>> {
    app.hub_only("sampling")?;
    let code = box_code(&barcode)?;
    let tube = Barcode::parse(&req.tube).map_err(|e| e.under("tube"))?;
    let b = app
        .store
        .pack_tube(&sample.grant, &code, &tube)
        .await
        .map_err(conflict)?;
    Ok(Json(b))
}

#[utoipa::path(post, path = "/api/v1/testing/boxes/{barcode}/handover", tag = "testing",
    params(("barcode" = String, Path, description = "the box's barcode")), request_body = HandOverRequest,
    responses((status = 200, body = BoxView, description = "handed over (or before: nothing written)"),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "the box is empty"),
        (status = 422, body = ErrorBody)))]
pub async fn hand_over(
    State(app): State<AppState>,
    sample: Grant<Sample>,
    Path(barcode): Path<String>,
    ApiJson(req): ApiJson<HandOverRequest>,
) -> ApiResult<Json<BoxView>> {
    app.hub_only("sampling")?;
    let code = box_code(&barcode)?;
    let to = req.to.trim();
    if to.is_empty() || to.chars().count() > 64 || to.chars().any(char::is_control) {
        return Err(ApiError::invalid(
            "invalid_name",
            "to",
            "who takes the box: 1 to 64 characters",
        ));
    }
    let b = app
        .store
        .hand_over_box(&sample.grant, &code, to, cordon_domain::time::now_ms())
        .await
        .map_err(conflict)?;
    Ok(Json(b))
}
