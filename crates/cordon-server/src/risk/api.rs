//! The risk-area register: list (as of an instant, or the whole history), declare areas, end
//! one, and import a CSV or Excel list. Every change reloads the lanes of this process at once.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use chrono::{DateTime, FixedOffset};
use cordon_domain::checkpoint::parse_reason;
use cordon_domain::division::DivisionCode;
use cordon_domain::policy::PolicyProblem;
use cordon_domain::risk::{parse_area_name, RiskArea, RiskLevel};
use cordon_store::risk::NewRiskArea;
use serde::{Deserialize, Serialize};

use super::AppState;
use crate::auth::{Caller, Grant};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery};
use crate::risk::import::parse_table;
use cordon_domain::access::policy::PolicyChange;

/// Largest import file.
pub const IMPORT_LIMIT: usize = 8 * 1024 * 1024;
/// Most areas one declaration may carry.
pub const MAX_DECLARE: usize = 2_000;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RiskQuery {
    /// Only the areas in force at this instant (RFC 3339); without it, the whole history.
    pub at: Option<DateTime<FixedOffset>>,
    /// Only areas within this division.
    #[param(value_type = Option<cordon_domain::division::DivisionCode>)]
    pub within: Option<String>,
    #[param(value_type = Option<cordon_domain::risk::RiskLevel>)]
    pub level: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RiskAreaList {
    pub areas: Vec<RiskArea>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskAreaRequest {
    #[schema(value_type = cordon_domain::division::DivisionCode)]
    pub division: String,
    /// The area within the division (a town, a compound), empty for the whole division.
    #[serde(default)]
    #[schema(max_length = 100)]
    pub area: String,
    #[schema(value_type = cordon_domain::risk::RiskLevel)]
    pub level: String,
    pub valid_from: DateTime<FixedOffset>,
    #[serde(default)]
    pub valid_to: Option<DateTime<FixedOffset>>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclareRequest {
    pub areas: Vec<RiskAreaRequest>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndRequest {
    /// When the level ends (RFC 3339); default now.
    #[serde(default)]
    pub at: Option<DateTime<FixedOffset>>,
    #[schema(value_type = crate::texts_schema::ReasonText)]
    pub reason: String,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ImportParams {
    /// Import the rows that parse and report the others (default: a bad row stops the import).
    #[serde(default)]
    pub skip_bad_rows: bool,
    /// The file's name, recorded as the source.
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    pub rows: usize,
    pub imported: usize,
    /// Rows skipped, each with its line and field.
    pub skipped: Vec<PolicyProblem>,
}

#[utoipa::path(get, path = "/api/v1/risk-areas", tag = "policies", params(RiskQuery),
    responses((status = 200, body = RiskAreaList), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(app): State<AppState>,
    _caller: Caller,
    ApiQuery(q): ApiQuery<RiskQuery>,
) -> ApiResult<Json<RiskAreaList>> {
    let within = q
        .within
        .as_deref()
        .map(|w| DivisionCode::parse(w).map_err(|e| e.under("within")))
        .transpose()?;
    let level = q
        .level
        .as_deref()
        .map(|l| RiskLevel::parse(l).map_err(|e| e.under("level")))
        .transpose()?;
    let at = q.at.map(|t| t.timestamp_millis());
    let areas = app
        .store
        .list_risk_areas()
        .await?
        .into_iter()
        .filter(|a| within.is_none_or(|w| w.contains(a.division)))
        .filter(|a| level.is_none_or(|l| a.level == l))
        .filter(|a| {
            at.is_none_or(|t| a.valid_from_ms <= t && a.valid_to_ms.is_none_or(|to| t < to))
        })
        .collect();
    Ok(Json(RiskAreaList { areas }))
}

fn parse_area(r: &RiskAreaRequest) -> Result<NewRiskArea, cordon_domain::FieldError> {
    let division = DivisionCode::parse(&r.division).map_err(|e| e.under("division"))?;
    let area = parse_area_name(&r.area).map_err(|e| e.under("area"))?;
    let level = RiskLevel::parse(&r.level).map_err(|e| e.under("level"))?;
    if let Some(to) = r.valid_to {
        if to <= r.valid_from {
            return Err(cordon_domain::FieldError::new(
                "invalid_period",
                "valid_to",
                "valid_to must be later than valid_from",
            ));
        }
    }
    Ok(NewRiskArea {
        division,
        area,
        level,
        valid_from_ms: r.valid_from.timestamp_millis(),
        valid_to_ms: r.valid_to.map(|t| t.timestamp_millis()),
    })
}

#[utoipa::path(post, path = "/api/v1/risk-areas", tag = "policies", request_body = DeclareRequest,
    responses((status = 201, body = RiskAreaList, description = "declared; an open interval of the same area ends where a new one begins"),
        (status = 422, body = ErrorBody)))]
pub async fn declare(
    State(app): State<AppState>,
    change: Grant<PolicyChange>,
    ApiJson(req): ApiJson<DeclareRequest>,
) -> ApiResult<(StatusCode, Json<RiskAreaList>)> {
    app.hub_only("risk areas")?;
    if req.areas.is_empty() || req.areas.len() > MAX_DECLARE {
        return Err(ApiError::invalid(
            "out_of_range",
            "areas",
            format!("a declaration has 1 to {MAX_DECLARE} areas"),
        ));
    }
    let list = req
        .areas
        .iter()
        .enumerate()
        .map(|(i, a)| parse_area(a).map_err(|e| e.under(&format!("areas[{i}]"))))
        .collect::<Result<Vec<_>, _>>()?;
    let areas = app
        .store
        .add_risk_areas(list, "api", change.caller.name())
        .await?;
    app.lanes.reload_or_log(app.store.as_ref()).await;
    Ok((StatusCode::CREATED, Json(RiskAreaList { areas })))
}

#[utoipa::path(post, path = "/api/v1/risk-areas/{id}/end", tag = "policies", request_body = EndRequest,
    params(("id" = i64, Path, description = "risk area id")),
    responses((status = 200, body = RiskArea), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn end(
    State(app): State<AppState>,
    change: Grant<PolicyChange>,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<EndRequest>,
) -> ApiResult<Json<RiskArea>> {
    app.hub_only("risk areas")?;
    let id: i64 = id
        .parse()
        .map_err(|_| ApiError::NotFound(format!("risk area {id} not found")))?;
    let reason = parse_reason(&req.reason).map_err(|e| e.under("reason"))?;
    let at = req
        .at
        .map(|t| t.timestamp_millis())
        .unwrap_or_else(cordon_domain::time::now_ms);
    let area = app
        .store
        .end_risk_area(id, at, change.caller.name(), &reason)
        .await?;
    app.lanes.reload_or_log(app.store.as_ref()).await;
    Ok(Json(area))
}

#[utoipa::path(post, path = "/api/v1/risk-areas/import", tag = "policies", params(ImportParams),
    request_body(description = "a CSV file (UTF-8) or an Excel workbook", content(
        (String = "text/csv"),
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
    responses((status = 201, body = ImportReport),
        (status = 415, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "rows that do not parse, each with its line; nothing was imported")))]
pub async fn import(
    State(app): State<AppState>,
    change: Grant<PolicyChange>,
    ApiQuery(params): ApiQuery<ImportParams>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<ImportReport>)> {
    app.hub_only("risk areas")?;
    let kind = crate::table::kind(&headers).ok_or(ApiError::UnsupportedMediaType)?;
    let mut parsed = parse_table(kind, &body);
    crate::localized::problems_for(&headers, &mut parsed.problems);
    let fatal = parsed
        .problems
        .iter()
        .any(|p| p.line.is_none_or(|l| l == 1));
    if !parsed.problems.is_empty() && (fatal || !params.skip_bad_rows) {
        return Err(ApiError::Problems("invalid_import", parsed.problems));
    }
    if parsed.areas.is_empty() {
        return Err(ApiError::invalid(
            "empty",
            "",
            "the file has no rows to import",
        ));
    }
    let name: String = params
        .name
        .as_deref()
        .unwrap_or("upload")
        .chars()
        .filter(|c| !c.is_control())
        .take(100)
        .collect();
    let imported = parsed.areas.len();
    app.store
        .add_risk_areas(
            parsed.areas,
            &format!("import:{name}"),
            change.caller.name(),
        )
        .await?;
    app.lanes.reload_or_log(app.store.as_ref()).await;
    Ok((
        StatusCode::CREATED,
        Json(ImportReport {
            rows: parsed.rows,
            imported,
            skipped: parsed.problems,
        }),
    ))
}
