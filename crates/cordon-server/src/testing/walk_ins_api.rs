//! A campaign's walk-ins over HTTP (`GET /api/v1/testing/campaigns/{id}/walk-ins`): the persons
//! sampled at its sites whom its roster does not list, masked, newest first, for the commander
//! who counts them on the campaign page. Audited as a read of that many persons.

use axum::extract::{Path, State};
use axum::{Extension, Json};
use cordon_domain::access::testing::TestingRead;
use cordon_store::testing::WalkIn;
use serde::{Deserialize, Serialize};

use super::paths::id;
use crate::audit::AuditNote;
use crate::auth::Grant;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiQuery;
use crate::state::AppState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct WalkInParams {
    /// 1 to 1000, default 200.
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WalkInList {
    pub persons: Vec<WalkIn>,
}

#[utoipa::path(get, path = "/api/v1/testing/campaigns/{id}/walk-ins", tag = "testing",
    params(("id" = i64, Path, description = "the campaign"), WalkInParams),
    responses((status = 200, body = WalkInList), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn walk_ins(
    State(app): State<AppState>,
    read: Grant<TestingRead>,
    Path(campaign): Path<String>,
    ApiQuery(q): ApiQuery<WalkInParams>,
) -> ApiResult<(Extension<AuditNote>, Json<WalkInList>)> {
    let campaign = id(&campaign, "campaign")?;
    let limit = q.limit.unwrap_or(200);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::invalid(
            "out_of_range",
            "limit",
            "limit is 1 to 1000",
        ));
    }
    let persons = app.store.walk_ins(&read.grant, campaign, limit).await?;
    let note = AuditNote::read(format!("campaign {campaign} walk-ins"), persons.len());
    Ok((Extension(note), Json(WalkInList { persons })))
}
