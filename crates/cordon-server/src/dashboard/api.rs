//! `GET /api/v1/dashboard`: the command dashboard's figures for the caller's scope (no personal
//! data: counts only). An officer gets their own checkpoints' last hours: the station's view.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use cordon_domain::access::passage::PassageRead;
use serde::Deserialize;

use super::AppState;
use crate::auth::Grant;
use crate::dashboard::figures::{Dashboard, MAX_HOURS};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiQuery;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DashboardParams {
    /// Whole hours back from now, the current hour included (1 to 72; 24 if absent).
    #[param(minimum = 1, maximum = 72)]
    pub hours: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/dashboard", tag = "dashboard", params(DashboardParams),
    responses((status = 200, body = Dashboard), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 429, body = ErrorBody, description = "the hub is computing other dashboards; retry after the seconds in Retry-After")))]
pub async fn dashboard(
    State(app): State<AppState>,
    reader: Grant<PassageRead>,
    ApiQuery(p): ApiQuery<DashboardParams>,
) -> ApiResult<Response> {
    let hours = p.hours.unwrap_or(24);
    if !(1..=MAX_HOURS).contains(&hours) {
        return Err(ApiError::invalid(
            "out_of_range",
            "hours",
            format!("the dashboard covers 1 to {MAX_HOURS} hours"),
        ));
    }
    let d = app
        .dashboard
        .get(app.store.as_ref(), &reader.grant, hours)
        .await?;
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        d.json.clone(),
    )
        .into_response())
}
