//! The lab's door over HTTP: labs (commanders register them; everyone in testing reads them),
//! assay versions (lab accounts make them, never change them), and sealed tubes received at a
//! lab by scanning their barcodes.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use cordon_domain::access::testing::{CampaignManage, LabWork, TestingRead};
use cordon_domain::testing::lab::{AssayRequest, LabRequest};
use cordon_domain::testing::Barcode;
use cordon_store::testing::lab::{AssayVersion, Lab, Received};
use serde::{Deserialize, Serialize};

use super::paths::{conflict, id};
use crate::auth::Grant;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::ApiJson;
use crate::state::AppState;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LabList {
    pub labs: Vec<Lab>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AssayList {
    /// Newest first.
    pub assays: Vec<AssayVersion>,
}

/// A tube, or a box of tubes, scanned at the lab's door.
#[derive(Debug, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceiveRequest {
    #[schema(example = "HB2022050300017")]
    pub barcode: String,
}

#[utoipa::path(post, path = "/api/v1/testing/labs", tag = "testing", request_body = LabRequest,
    responses((status = 201, body = Lab),
        (status = 409, body = ErrorBody, description = "a lab of this name is registered"),
        (status = 422, body = ErrorBody, description = "every problem under `problems`; an area outside the jurisdiction")))]
pub async fn create_lab(
    State(app): State<AppState>,
    manage: Grant<CampaignManage>,
    ApiJson(req): ApiJson<LabRequest>,
) -> ApiResult<(StatusCode, Json<Lab>)> {
    app.hub_only("labs")?;
    let (name, area) = req.parse()?;
    let lab = app.store.create_lab(&manage.grant, &name, area).await?;
    Ok((StatusCode::CREATED, Json(lab)))
}

#[utoipa::path(get, path = "/api/v1/testing/labs", tag = "testing",
    responses((status = 200, body = LabList)))]
pub async fn labs(
    State(app): State<AppState>,
    read: Grant<TestingRead>,
) -> ApiResult<Json<LabList>> {
    Ok(Json(LabList {
        labs: app.store.list_labs(&read.grant).await?,
    }))
}

#[utoipa::path(post, path = "/api/v1/testing/assays", tag = "testing", request_body = AssayRequest,
    responses((status = 201, body = AssayVersion),
        (status = 422, body = ErrorBody, description = "every problem under `problems`")))]
pub async fn create_assay(
    State(app): State<AppState>,
    work: Grant<LabWork>,
    ApiJson(req): ApiJson<AssayRequest>,
) -> ApiResult<(StatusCode, Json<AssayVersion>)> {
    app.hub_only("assays")?;
    let assay = req.parse()?;
    let made = app
        .store
        .create_assay(&work.grant, &assay, cordon_domain::time::now_ms())
        .await?;
    Ok((StatusCode::CREATED, Json(made)))
}

#[utoipa::path(get, path = "/api/v1/testing/assays", tag = "testing",
    responses((status = 200, body = AssayList)))]
pub async fn assays(
    State(app): State<AppState>,
    _read: Grant<TestingRead>,
) -> ApiResult<Json<AssayList>> {
    Ok(Json(AssayList {
        assays: app.store.list_assays().await?,
    }))
}

#[utoipa::path(post, path = "/api/v1/testing/labs/{id}/received", tag = "testing",
    params(("id" = i64, Path, description = "the lab")), request_body = ReceiveRequest,
    responses((status = 201, body = Received, description = "received now"),
        (status = 200, body = Received, description = "received here before: nothing written"),
        (status = 404, body = ErrorBody, description = "no such lab or tube for this account"),
        (status = 409, body = ErrorBody, description = "the tube is still open, or it (or a tube of the box) was received at another lab"),
        (status = 422, body = ErrorBody)))]
pub async fn receive(
    State(app): State<AppState>,
    work: Grant<LabWork>,
    Path(lab): Path<String>,
    ApiJson(req): ApiJson<ReceiveRequest>,
) -> ApiResult<(StatusCode, Json<Received>)> {
    app.hub_only("the lab")?;
    let lab = id(&lab, "lab")?;
    let code = Barcode::parse(&req.barcode)?;
    let r = app
        .store
        .receive_tube(&work.grant, lab, &code, cordon_domain::time::now_ms())
        .await
        .map_err(conflict)?;
    let status = if r.already {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(r)))
}
