//! Duty rosters over HTTP: who is on duty now across the account's scope (stations with nobody
//! on duty first), a checkpoint's roster over some days, planning, replanning and dropping a
//! shift (a commander in scope or the station's lead), the hand-over note a shift leaves the
//! next, a shift's volunteers in the clear for a stated purpose (audited), and the naming of a
//! station's leads.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use chrono::{Duration, NaiveDate};
use cordon_domain::access::command::{RosterKeep, RosterRead};
use cordon_domain::checkpoint::CheckpointCode;
use cordon_domain::command::roster::{
    DutyNow, HandoverRequest, LeadsRequest, Roster, Shift, ShiftRequest, StationOfficer,
    VolunteerShown,
};
use cordon_domain::time::{china, now_ms, today_china};
use serde::{Deserialize, Serialize};

use crate::audit::AuditNote;
use crate::auth::Grant;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery};
use crate::passage::api::RevealRequest;
use crate::state::AppState;

fn code_of(code: &str) -> ApiResult<CheckpointCode> {
    CheckpointCode::parse(code).map_err(|_| ApiError::NotFound(format!("checkpoint {code}")))
}

fn id_of(id: &str) -> ApiResult<i64> {
    id.parse()
        .map_err(|_| ApiError::NotFound(format!("shift {id} not found")))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DutyBoard {
    /// Open checkpoints with nobody on duty.
    pub uncovered: usize,
    /// Checkpoints with a shift on duty.
    pub covered: usize,
    /// Uncovered first, then by code.
    pub checkpoints: Vec<DutyNow>,
}

#[utoipa::path(get, path = "/api/v1/duty", tag = "rosters",
    responses((status = 200, body = DutyBoard), (status = 403, body = ErrorBody)))]
pub async fn duty(
    State(app): State<AppState>,
    grant: Grant<RosterRead>,
) -> ApiResult<Json<DutyBoard>> {
    let checkpoints = app.store.duty_now(&grant.grant, now_ms()).await?;
    Ok(Json(DutyBoard {
        uncovered: checkpoints.iter().filter(|c| c.uncovered).count(),
        covered: checkpoints.iter().filter(|c| c.on_duty.is_some()).count(),
        checkpoints,
    }))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RosterParams {
    /// The first day shown (China time; default yesterday).
    pub from: Option<NaiveDate>,
    /// How many days (1 to 31, default 7).
    #[param(minimum = 1, maximum = 31)]
    pub days: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/checkpoints/{code}/roster", tag = "rosters", params(RosterParams,
        ("code" = String, Path, description = "the checkpoint")),
    responses((status = 200, body = Roster), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn roster(
    State(app): State<AppState>,
    grant: Grant<RosterRead>,
    Path(code): Path<String>,
    ApiQuery(p): ApiQuery<RosterParams>,
) -> ApiResult<(Extension<AuditNote>, Json<Roster>)> {
    let code = code_of(&code)?;
    let days = p.days.unwrap_or(7);
    if !(1..=31).contains(&days) {
        return Err(ApiError::invalid("out_of_range", "days", "days is 1 to 31"));
    }
    let from = p.from.unwrap_or_else(|| today_china() - Duration::days(1));
    let start = from
        .and_hms_opt(0, 0, 0)
        .and_then(|t| t.and_local_timezone(china()).single())
        .ok_or_else(|| ApiError::invalid("out_of_range", "from", "not a day we can show"))?
        .timestamp_millis();
    let end = start + i64::from(days) * 86_400_000;
    let r = app
        .store
        .roster(&grant.grant, &code, start, end, now_ms())
        .await?;
    Ok((
        Extension(AuditNote::read(format!("roster of {code}"), 0)),
        Json(r),
    ))
}

#[utoipa::path(post, path = "/api/v1/checkpoints/{code}/shifts", tag = "rosters", request_body = ShiftRequest,
    params(("code" = String, Path, description = "the checkpoint")),
    responses((status = 201, body = Shift, description = "planned"),
        (status = 403, body = ErrorBody, description = "neither a commander of the checkpoint nor its station's lead"),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "shift_overlap, officer_on_duty"),
        (status = 422, body = ErrorBody)))]
pub async fn plan(
    State(app): State<AppState>,
    grant: Grant<RosterKeep>,
    Path(code): Path<String>,
    ApiJson(req): ApiJson<ShiftRequest>,
) -> ApiResult<(StatusCode, Extension<AuditNote>, Json<Shift>)> {
    app.hub_only("rosters")?;
    let code = code_of(&code)?;
    let now = now_ms();
    let draft = req.parse(now)?;
    let s = app
        .store
        .plan_shift(&grant.grant, &code, &draft, now)
        .await?;
    let note = AuditNote::read(format!("shift {} at {code}", s.id), 0);
    Ok((StatusCode::CREATED, Extension(note), Json(s)))
}

#[utoipa::path(put, path = "/api/v1/shifts/{id}", tag = "rosters", request_body = ShiftRequest,
    params(("id" = String, Path, description = "the shift")),
    responses((status = 200, body = Shift), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "shift_overlap, officer_on_duty, shift_started, shift_ended"),
        (status = 422, body = ErrorBody)))]
pub async fn replan(
    State(app): State<AppState>,
    grant: Grant<RosterKeep>,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<ShiftRequest>,
) -> ApiResult<(Extension<AuditNote>, Json<Shift>)> {
    app.hub_only("rosters")?;
    let id = id_of(&id)?;
    let now = now_ms();
    let draft = req.parse(now)?;
    let s = app
        .store
        .replan_shift(&grant.grant, id, &draft, now)
        .await?;
    Ok((
        Extension(AuditNote::read(format!("shift {id} replanned"), 0)),
        Json(s),
    ))
}

#[utoipa::path(delete, path = "/api/v1/shifts/{id}", tag = "rosters",
    params(("id" = String, Path, description = "the shift")),
    responses((status = 204, description = "removed"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "shift_started")))]
pub async fn remove(
    State(app): State<AppState>,
    grant: Grant<RosterKeep>,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, Extension<AuditNote>)> {
    app.hub_only("rosters")?;
    let id = id_of(&id)?;
    app.store.drop_shift(&grant.grant, id, now_ms()).await?;
    app.directives.reread(app.store.as_ref()).await?;
    Ok((
        StatusCode::NO_CONTENT,
        Extension(AuditNote::read(format!("shift {id} removed"), 0)),
    ))
}

#[utoipa::path(post, path = "/api/v1/shifts/{id}/handover", tag = "rosters", request_body = HandoverRequest,
    params(("id" = String, Path, description = "the shift")),
    responses((status = 200, body = Shift, description = "the note the next shift reads"),
        (status = 403, body = ErrorBody, description = "not on the shift, not its station's lead, not a commander"),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn handover(
    State(app): State<AppState>,
    grant: Grant<RosterRead>,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<HandoverRequest>,
) -> ApiResult<(Extension<AuditNote>, Json<Shift>)> {
    app.hub_only("rosters")?;
    let id = id_of(&id)?;
    let text = req.parse()?;
    let s = app
        .store
        .hand_over(&grant.grant, id, &text, now_ms())
        .await?;
    Ok((
        Extension(AuditNote::read(format!("shift {id} handed over"), 0)),
        Json(s),
    ))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RevealedVolunteers {
    pub shift: i64,
    /// In the clear; empty once the retention purge has passed.
    pub volunteers: Vec<VolunteerShown>,
}

#[utoipa::path(post, path = "/api/v1/shifts/{id}/volunteers", tag = "rosters", request_body = RevealRequest,
    params(("id" = String, Path, description = "the shift")),
    responses((status = 200, body = RevealedVolunteers, description = "in the clear; audited with the purpose"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn volunteers(
    State(app): State<AppState>,
    grant: Grant<RosterKeep>,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<RevealRequest>,
) -> ApiResult<(Extension<AuditNote>, Json<RevealedVolunteers>)> {
    let purpose = cordon_domain::checkpoint::parse_reason(&req.purpose).map_err(|e| {
        ApiError::Invalid(cordon_domain::FieldError {
            field: "purpose".into(),
            ..e
        })
    })?;
    let id = id_of(&id)?;
    let (_, clear) = app.store.reveal_volunteers(&grant.grant, id).await?;
    let mut note = AuditNote::read(format!("volunteers of shift {id}"), clear.len());
    note.action = Some("reveal");
    note.purpose = purpose;
    Ok((
        Extension(note),
        Json(RevealedVolunteers {
            shift: id,
            volunteers: clear,
        }),
    ))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StationLeads {
    pub checkpoint: CheckpointCode,
    /// The checkpoint's officers, its leads flagged.
    pub officers: Vec<StationOfficer>,
}

#[utoipa::path(put, path = "/api/v1/checkpoints/{code}/leads", tag = "rosters", request_body = LeadsRequest,
    params(("code" = String, Path, description = "the checkpoint")),
    responses((status = 200, body = StationLeads), (status = 403, body = ErrorBody, description = "commanders in scope only"),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn leads(
    State(app): State<AppState>,
    grant: Grant<RosterKeep>,
    Path(code): Path<String>,
    ApiJson(req): ApiJson<LeadsRequest>,
) -> ApiResult<(Extension<AuditNote>, Json<StationLeads>)> {
    if !grant.grant.is_commander() {
        return Err(ApiError::Forbidden);
    }
    app.hub_only("rosters")?;
    let code = code_of(&code)?;
    let leads = req.parse()?;
    let officers = app
        .store
        .name_leads(&grant.grant, &code, &leads, now_ms())
        .await?;
    let names: Vec<&str> = leads.iter().map(|l| l.as_str()).collect();
    Ok((
        Extension(AuditNote::read(
            format!("leads of {code}: {}", names.join(",")),
            0,
        )),
        Json(StationLeads {
            checkpoint: code,
            officers,
        }),
    ))
}
