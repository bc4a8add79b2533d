//! Directives through edge stations: `GET /api/v1/sync/directives` answers a station the
//! directives to its checkpoint (polled with the clock: unchanged costs no query; those in
//! effect count as delivered), `POST /api/v1/sync/directives` takes its officers' openings and
//! acknowledgements, each recorded once however often the station sends it.

use axum::extract::State;
use axum::{Extension, Json};
use cordon_domain::access::station::StationSync;
use cordon_domain::command::relay::{ReceiptAnswer, ReceiptBatch, StationDirective, MAX_RECEIPTS};
use serde::{Deserialize, Serialize};

use crate::audit::AuditNote;
use crate::auth::Grant;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery};
use crate::state::AppState;

/// How far back a station is sent directives: what its lanes could still need.
pub const KEPT_MS: i64 = 14 * 86_400_000;

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SyncParams {
    /// The clock of the station's last answer.
    pub known: Option<i64>,
    /// Seconds to wait for a change (0 to 25; default 0): a long poll.
    #[param(minimum = 0, maximum = 25)]
    pub wait: Option<u32>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StationFeed {
    pub clock: i64,
    pub unchanged: bool,
    /// The directives to the station's checkpoint of the last 14 days, as they stand (empty
    /// when `unchanged`).
    pub directives: Vec<StationDirective>,
    /// The checkpoint's reports of the last 14 days as the hub holds them (taken, answered).
    pub reports: Vec<cordon_domain::command::report::Report>,
    /// The checkpoint's shifts from a day back to two ahead, volunteers masked (empty when
    /// `unchanged`).
    pub shifts: Vec<cordon_domain::command::roster::Shift>,
}

/// The span of a checkpoint's roster a station keeps: a day back, two ahead.
pub const SHIFTS_BACK_MS: i64 = 86_400_000;
pub const SHIFTS_AHEAD_MS: i64 = 2 * 86_400_000;

#[utoipa::path(get, path = "/api/v1/sync/directives", tag = "stations", params(SyncParams),
    responses((status = 200, body = StationFeed), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn feed(
    State(app): State<AppState>,
    station: Grant<StationSync>,
    ApiQuery(p): ApiQuery<SyncParams>,
) -> ApiResult<Json<StationFeed>> {
    let wait = super::lane_api::wait_of(p.wait)?;
    let clock = app
        .directives
        .wait(app.store.as_ref(), p.known, wait)
        .await?;
    if p.known == Some(clock) {
        return Ok(Json(StationFeed {
            clock,
            unchanged: true,
            directives: Vec::new(),
            reports: Vec::new(),
            shifts: Vec::new(),
        }));
    }
    let now = cordon_domain::time::now_ms();
    let directives = app
        .store
        .station_directives(&station.grant, now - KEPT_MS, now)
        .await?;
    let reports = app
        .store
        .station_reports(&station.grant, now - KEPT_MS)
        .await?;
    let shifts = app
        .store
        .station_shifts(
            &station.grant,
            now - SHIFTS_BACK_MS,
            now + SHIFTS_AHEAD_MS,
            now,
        )
        .await?;
    Ok(Json(StationFeed {
        clock,
        unchanged: false,
        directives,
        reports,
        shifts,
    }))
}

#[utoipa::path(post, path = "/api/v1/sync/directives", tag = "stations", request_body = ReceiptBatch,
    responses((status = 200, body = ReceiptAnswer), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn receipts(
    State(app): State<AppState>,
    station: Grant<StationSync>,
    ApiJson(batch): ApiJson<ReceiptBatch>,
) -> ApiResult<(Extension<AuditNote>, Json<ReceiptAnswer>)> {
    if batch.records.len() > MAX_RECEIPTS {
        return Err(ApiError::invalid(
            "too_many",
            "records",
            format!("a batch holds at most {MAX_RECEIPTS} receipts"),
        ));
    }
    for (i, r) in batch.records.iter().enumerate() {
        r.check()
            .map_err(|e| ApiError::Invalid(e.under(&format!("records[{i}]"))))?;
    }
    let answer = app
        .store
        .apply_directive_receipts(
            &station.grant,
            &batch.records,
            cordon_domain::time::now_ms(),
        )
        .await?;
    if answer.applied > 0 {
        app.directives.reread(app.store.as_ref()).await?;
    }
    let note = AuditNote::read(
        format!(
            "{} directive receipts from {} ({} new)",
            batch.records.len(),
            station.grant.checkpoint(),
            answer.applied
        ),
        0,
    );
    Ok((Extension(note), Json(answer)))
}
