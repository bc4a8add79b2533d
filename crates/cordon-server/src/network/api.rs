//! The checkpoint network: jurisdictions and checkpoints, their creation and updates, and bulk
//! opening and closing with a reason kept in each checkpoint's history. Every signed-in account
//! reads the network; commanders change it within their scope, and each change is attributed to
//! the account that made it.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use cordon_domain::access::network::NetworkChange;
use cordon_domain::checkpoint::{
    parse_name, parse_reason, Checkpoint, CheckpointCode, CheckpointKind, CheckpointStatus,
    DefenceLine, Jurisdiction, Location, StatusEvent, MAX_LANES,
};
use cordon_domain::division::DivisionCode;
use cordon_domain::FieldError;
use cordon_store::{
    CheckpointFilter, CheckpointPatch, NewCheckpoint, NewJurisdiction, StatusChange,
};
use serde::{Deserialize, Serialize};

use super::AppState;
use crate::auth::{Caller, Grant};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery};

/// Most checkpoints one bulk status change may name.
pub const MAX_BULK: usize = 2_000;

fn at<T>(r: Result<T, FieldError>, field: &str) -> Result<T, ApiError> {
    r.map_err(|e| ApiError::Invalid(e.under(field)))
}

fn division_param(code: &str) -> ApiResult<DivisionCode> {
    DivisionCode::parse(code)
        .map_err(|_| ApiError::NotFound(format!("jurisdiction {code} not found")))
}

/// A checkpoint code from a path; one that does not parse is a checkpoint that does not exist.
pub(crate) fn checkpoint_param(code: &str) -> ApiResult<CheckpointCode> {
    CheckpointCode::parse(code)
        .map_err(|_| ApiError::NotFound(format!("checkpoint {code} not found")))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JurisdictionRequest {
    #[schema(value_type = cordon_domain::division::DivisionCode)]
    pub code: String,
    #[schema(value_type = crate::texts_schema::NameText)]
    pub name: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RenameRequest {
    #[schema(value_type = crate::texts_schema::NameText)]
    pub name: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct JurisdictionList {
    pub jurisdictions: Vec<Jurisdiction>,
}

#[utoipa::path(get, path = "/api/v1/jurisdictions", tag = "network",
    responses((status = 200, body = JurisdictionList)))]
pub async fn list_jurisdictions(
    State(app): State<AppState>,
    _caller: Caller,
) -> ApiResult<Json<JurisdictionList>> {
    Ok(Json(JurisdictionList {
        jurisdictions: app.store.list_jurisdictions().await?,
    }))
}

#[utoipa::path(post, path = "/api/v1/jurisdictions", tag = "network", request_body = JurisdictionRequest,
    responses((status = 201, body = Jurisdiction), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_jurisdiction(
    State(app): State<AppState>,
    change: Grant<NetworkChange>,
    ApiJson(req): ApiJson<JurisdictionRequest>,
) -> ApiResult<(StatusCode, Json<Jurisdiction>)> {
    let code = at(DivisionCode::parse(&req.code), "code")?;
    let name = parse_name(&req.name)?;
    if !change.grant.scope().covers_division(code) {
        return Err(ApiError::Forbidden);
    }
    let j = app
        .store
        .create_jurisdiction(NewJurisdiction { code, name })
        .await?;
    Ok((StatusCode::CREATED, Json(j)))
}

#[utoipa::path(get, path = "/api/v1/jurisdictions/{code}", tag = "network",
    params(("code" = cordon_domain::division::DivisionCode, Path, description = "division code")),
    responses((status = 200, body = Jurisdiction), (status = 404, body = ErrorBody)))]
pub async fn get_jurisdiction(
    State(app): State<AppState>,
    _caller: Caller,
    Path(code): Path<String>,
) -> ApiResult<Json<Jurisdiction>> {
    Ok(Json(
        app.store.get_jurisdiction(division_param(&code)?).await?,
    ))
}

#[utoipa::path(patch, path = "/api/v1/jurisdictions/{code}", tag = "network", request_body = RenameRequest,
    params(("code" = cordon_domain::division::DivisionCode, Path, description = "division code")),
    responses((status = 200, body = Jurisdiction), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn rename_jurisdiction(
    State(app): State<AppState>,
    change: Grant<NetworkChange>,
    Path(code): Path<String>,
    ApiJson(req): ApiJson<RenameRequest>,
) -> ApiResult<Json<Jurisdiction>> {
    let code = division_param(&code)?;
    let name = parse_name(&req.name)?;
    if !change.grant.scope().covers_division(code) {
        return Err(ApiError::Forbidden);
    }
    Ok(Json(app.store.rename_jurisdiction(code, name).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LocationRequest {
    /// Degrees north, within China (3 to 54).
    #[schema(minimum = 3.0, maximum = 54.0)]
    pub lat: f64,
    /// Degrees east, within China (73 to 136).
    #[schema(minimum = 73.0, maximum = 136.0)]
    pub lon: f64,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckpointRequest {
    #[schema(value_type = cordon_domain::checkpoint::CheckpointCode)]
    pub code: String,
    #[schema(value_type = crate::texts_schema::NameText)]
    pub name: String,
    /// The county or city the checkpoint belongs to.
    #[schema(value_type = cordon_domain::division::DivisionCode)]
    pub jurisdiction: String,
    #[schema(value_type = cordon_domain::checkpoint::CheckpointKind)]
    pub kind: String,
    #[schema(value_type = cordon_domain::checkpoint::DefenceLine)]
    pub defence_line: String,
    pub location: LocationRequest,
    #[schema(minimum = 1, maximum = 64)]
    pub lanes: u16,
    #[serde(default)]
    #[schema(maximum = 65535)]
    pub cameras: u16,
    /// `open` (default) or `closed`.
    #[serde(default)]
    #[schema(value_type = Option<cordon_domain::checkpoint::CheckpointStatus>)]
    pub status: Option<String>,
}

fn lanes(n: u16, field: &str) -> ApiResult<u16> {
    if n == 0 || n > MAX_LANES {
        return Err(ApiError::invalid(
            "out_of_range",
            field,
            format!("a checkpoint has 1 to {MAX_LANES} lanes"),
        ));
    }
    Ok(n)
}

fn location(l: &LocationRequest) -> ApiResult<Location> {
    at(Location::parse(l.lat, l.lon), "location")
}

#[utoipa::path(post, path = "/api/v1/checkpoints", tag = "network", request_body = CheckpointRequest,
    responses((status = 201, body = Checkpoint), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_checkpoint(
    State(app): State<AppState>,
    change: Grant<NetworkChange>,
    ApiJson(req): ApiJson<CheckpointRequest>,
) -> ApiResult<(StatusCode, Json<Checkpoint>)> {
    let c = NewCheckpoint {
        code: at(CheckpointCode::parse(&req.code), "code")?,
        name: parse_name(&req.name)?,
        jurisdiction: at(DivisionCode::parse(&req.jurisdiction), "jurisdiction")?,
        kind: at(CheckpointKind::parse(&req.kind), "kind")?,
        defence_line: at(DefenceLine::parse(&req.defence_line), "defence_line")?,
        location: location(&req.location)?,
        lanes: lanes(req.lanes, "lanes")?,
        cameras: req.cameras,
        status: match req.status.as_deref() {
            None => CheckpointStatus::Open,
            Some(s) => at(CheckpointStatus::parse(s), "status")?,
        },
    };
    if !change.grant.scope().covers_division(c.jurisdiction) {
        return Err(ApiError::Forbidden);
    }
    let created = app.store.create_checkpoint(c, change.caller.name()).await?;
    reload_lanes(&app).await;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Refuses a change to checkpoints outside the account's scope: 403 whether or not they exist.
async fn in_scope(
    app: &AppState,
    change: &NetworkChange,
    codes: &[CheckpointCode],
) -> ApiResult<()> {
    let scope = change.scope();
    let known: std::collections::HashMap<CheckpointCode, DivisionCode> = app
        .store
        .list_checkpoints(&CheckpointFilter::default())
        .await?
        .into_iter()
        .map(|c| (c.code, c.jurisdiction))
        .collect();
    for code in codes {
        let covered = match known.get(code) {
            Some(j) => scope.covers(code, *j),
            None => scope.covers_division(code.division()),
        };
        if !covered {
            return Err(ApiError::Forbidden);
        }
    }
    Ok(())
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CheckpointListParams {
    /// Only checkpoints within this province, city or county code.
    #[param(value_type = Option<cordon_domain::division::DivisionCode>)]
    pub within: Option<String>,
    #[param(value_type = Option<cordon_domain::checkpoint::CheckpointStatus>)]
    pub status: Option<String>,
    #[param(value_type = Option<cordon_domain::checkpoint::DefenceLine>)]
    pub defence_line: Option<String>,
    #[param(value_type = Option<cordon_domain::checkpoint::CheckpointKind>)]
    pub kind: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CheckpointList {
    pub checkpoints: Vec<Checkpoint>,
}

#[utoipa::path(get, path = "/api/v1/checkpoints", tag = "network", params(CheckpointListParams),
    responses((status = 200, body = CheckpointList), (status = 422, body = ErrorBody)))]
pub async fn list_checkpoints(
    State(app): State<AppState>,
    _caller: Caller,
    ApiQuery(p): ApiQuery<CheckpointListParams>,
) -> ApiResult<Json<CheckpointList>> {
    let filter = CheckpointFilter {
        within: p
            .within
            .as_deref()
            .map(|w| at(DivisionCode::parse(w), "within"))
            .transpose()?,
        status: p
            .status
            .as_deref()
            .map(|s| at(CheckpointStatus::parse(s), "status"))
            .transpose()?,
        defence_line: p
            .defence_line
            .as_deref()
            .map(|s| at(DefenceLine::parse(s), "defence_line"))
            .transpose()?,
        kind: p
            .kind
            .as_deref()
            .map(|s| at(CheckpointKind::parse(s), "kind"))
            .transpose()?,
    };
    Ok(Json(CheckpointList {
        checkpoints: app.store.list_checkpoints(&filter).await?,
    }))
}

#[utoipa::path(get, path = "/api/v1/checkpoints/{code}", tag = "network",
    params(("code" = cordon_domain::checkpoint::CheckpointCode, Path, description = "checkpoint code")),
    responses((status = 200, body = Checkpoint), (status = 404, body = ErrorBody)))]
pub async fn get_checkpoint(
    State(app): State<AppState>,
    _caller: Caller,
    Path(code): Path<String>,
) -> ApiResult<Json<Checkpoint>> {
    Ok(Json(
        app.store.get_checkpoint(&checkpoint_param(&code)?).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckpointUpdate {
    #[schema(value_type = Option<crate::texts_schema::NameText>)]
    pub name: Option<String>,
    #[schema(value_type = Option<cordon_domain::checkpoint::CheckpointKind>)]
    pub kind: Option<String>,
    #[schema(value_type = Option<cordon_domain::checkpoint::DefenceLine>)]
    pub defence_line: Option<String>,
    pub location: Option<LocationRequest>,
    #[schema(minimum = 1, maximum = 64)]
    pub lanes: Option<u16>,
    #[schema(maximum = 65535)]
    pub cameras: Option<u16>,
}

#[utoipa::path(patch, path = "/api/v1/checkpoints/{code}", tag = "network", request_body = CheckpointUpdate,
    params(("code" = cordon_domain::checkpoint::CheckpointCode, Path, description = "checkpoint code")),
    responses((status = 200, body = Checkpoint), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_checkpoint(
    State(app): State<AppState>,
    change: Grant<NetworkChange>,
    Path(code): Path<String>,
    ApiJson(req): ApiJson<CheckpointUpdate>,
) -> ApiResult<Json<Checkpoint>> {
    let code = checkpoint_param(&code)?;
    in_scope(&app, &change.grant, std::slice::from_ref(&code)).await?;
    let patch = CheckpointPatch {
        name: req.name.as_deref().map(parse_name).transpose()?,
        kind: req
            .kind
            .as_deref()
            .map(|k| at(CheckpointKind::parse(k), "kind"))
            .transpose()?,
        defence_line: req
            .defence_line
            .as_deref()
            .map(|l| at(DefenceLine::parse(l), "defence_line"))
            .transpose()?,
        location: req.location.as_ref().map(location).transpose()?,
        lanes: req.lanes.map(|n| lanes(n, "lanes")).transpose()?,
        cameras: req.cameras,
    };
    let updated = app.store.update_checkpoint(&code, patch).await?;
    reload_lanes(&app).await;
    Ok(Json(updated))
}

/// A checkpoint's defence line is a fact the policies look at: reload what the lanes apply.
async fn reload_lanes(app: &AppState) {
    app.lanes.reload_or_log(app.store.as_ref()).await;
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusRequest {
    /// The checkpoints to open or close (1 to 2,000): all of them change, or none.
    #[schema(value_type = Vec<cordon_domain::checkpoint::CheckpointCode>, min_items = 1, max_items = 2000)]
    pub codes: Vec<String>,
    /// `open` or `closed`.
    #[schema(value_type = cordon_domain::checkpoint::CheckpointStatus)]
    pub status: String,
    #[schema(value_type = crate::texts_schema::ReasonText)]
    pub reason: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StatusResponse {
    /// Checkpoints whose status changed.
    #[schema(value_type = Vec<String>)]
    pub changed: Vec<CheckpointCode>,
    /// Checkpoints that already had that status.
    #[schema(value_type = Vec<String>)]
    pub unchanged: Vec<CheckpointCode>,
}

#[utoipa::path(post, path = "/api/v1/checkpoints/status", tag = "network", request_body = StatusRequest,
    responses((status = 200, body = StatusResponse), (status = 422, body = ErrorBody)))]
pub async fn set_status(
    State(app): State<AppState>,
    change: Grant<NetworkChange>,
    ApiJson(req): ApiJson<StatusRequest>,
) -> ApiResult<Json<StatusResponse>> {
    if req.codes.is_empty() || req.codes.len() > MAX_BULK {
        return Err(ApiError::invalid(
            "out_of_range",
            "codes",
            format!("name 1 to {MAX_BULK} checkpoints"),
        ));
    }
    let codes = req
        .codes
        .iter()
        .enumerate()
        .map(|(i, c)| at(CheckpointCode::parse(c), &format!("codes[{i}]")))
        .collect::<Result<Vec<_>, _>>()?;
    in_scope(&app, &change.grant, &codes).await?;
    let status_change = StatusChange {
        codes,
        status: at(CheckpointStatus::parse(&req.status), "status")?,
        reason: parse_reason(&req.reason)?,
        actor: change.caller.name().to_owned(),
    };
    let summary = app.store.set_checkpoint_status(status_change).await?;
    metrics::counter!("cordon_checkpoint_status_changes_total")
        .increment(summary.changed.len() as u64);
    Ok(Json(StatusResponse {
        changed: summary.changed,
        unchanged: summary.unchanged,
    }))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HistoryResponse {
    pub events: Vec<StatusEvent>,
}

#[utoipa::path(get, path = "/api/v1/checkpoints/{code}/history", tag = "network",
    params(("code" = cordon_domain::checkpoint::CheckpointCode, Path, description = "checkpoint code")),
    responses((status = 200, body = HistoryResponse), (status = 404, body = ErrorBody)))]
pub async fn history(
    State(app): State<AppState>,
    _caller: Caller,
    Path(code): Path<String>,
) -> ApiResult<Json<HistoryResponse>> {
    Ok(Json(HistoryResponse {
        events: app
            .store
            .checkpoint_history(&checkpoint_param(&code)?)
            .await?,
    }))
}
