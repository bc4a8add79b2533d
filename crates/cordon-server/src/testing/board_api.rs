//! A campaign's board over HTTP (`GET /api/v1/testing/campaigns/{id}/board`): its tubes by
//! stage, the tubes sealed too long ago and not received at a lab, the labs' hourly throughput
//! on its tubes and the time from sampling to result, and the positives.

use axum::extract::{Path, State};
use axum::Json;
use cordon_domain::access::testing::TestingRead;
use cordon_store::testing::board::CampaignBoard;
use serde::Deserialize;

use super::paths::id;
use crate::auth::Grant;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiQuery;
use crate::state::AppState;

/// Hours after sealing a tube not received is flagged, unless asked otherwise.
pub const LATE_AFTER_HOURS: u32 = 4;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct BoardParams {
    /// Hours after sealing a tube not yet received is late: 1 to 72, default 4.
    #[param(minimum = 1, maximum = 72)]
    pub late_after_hours: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/testing/campaigns/{id}/board", tag = "testing",
    params(("id" = i64, Path, description = "the campaign"), BoardParams),
    responses((status = 200, body = CampaignBoard), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "hours out of range")))]
pub async fn board(
    State(app): State<AppState>,
    read: Grant<TestingRead>,
    Path(campaign): Path<String>,
    ApiQuery(q): ApiQuery<BoardParams>,
) -> ApiResult<Json<CampaignBoard>> {
    let campaign = id(&campaign, "campaign")?;
    let hours = q.late_after_hours.unwrap_or(LATE_AFTER_HOURS);
    if !(1..=72).contains(&hours) {
        return Err(ApiError::invalid(
            "out_of_range",
            "late_after_hours",
            "a tube is late after 1 to 72 hours",
        ));
    }
    let b = app
        .store
        .campaign_board(&read.grant, campaign, hours, cordon_domain::time::now_ms())
        .await?;
    Ok(Json(b))
}
