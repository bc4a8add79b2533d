//! Video patrols over HTTP, for commanders of a jurisdiction: the checkpoints' camera channels
//! (added, taken out of use; the stream's address is kept for the video client and never
//! fetched), patrol plans, rounds (started, each channel observed once, finished) with the
//! count of rounds and findings, and a finding turned into a directive to its checkpoint.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use cordon_domain::access::command::{DirectiveIssue, PatrolRun};
use cordon_domain::checkpoint::CheckpointCode;
use cordon_domain::command::directive::{Directive, DirectiveRequest, Priority, TargetRequest};
use cordon_domain::command::patrol::{
    Channel, ChannelRequest, ObservationRequest, Plan, PlanRequest, Round, Sight,
};
use cordon_domain::command::report::{ReportCategory, ReportDraft};
use cordon_domain::time::now_ms;
use serde::{Deserialize, Serialize};

use crate::audit::AuditNote;
use crate::auth::Grant;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery};
use crate::state::AppState;

fn id_of(what: &str, id: &str) -> ApiResult<i64> {
    id.parse()
        .map_err(|_| ApiError::NotFound(format!("{what} {id} not found")))
}

fn noted(what: String) -> Extension<AuditNote> {
    Extension(AuditNote::read(what, 0))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ChannelParams {
    /// One checkpoint's channels only.
    pub checkpoint: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ChannelList {
    /// Those in use first, by checkpoint.
    pub channels: Vec<Channel>,
}

#[utoipa::path(get, path = "/api/v1/video-channels", tag = "patrols", params(ChannelParams),
    responses((status = 200, body = ChannelList), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn channels(
    State(app): State<AppState>,
    grant: Grant<PatrolRun>,
    ApiQuery(p): ApiQuery<ChannelParams>,
) -> ApiResult<Json<ChannelList>> {
    let code = p
        .checkpoint
        .as_deref()
        .map(|c| CheckpointCode::parse(c).map_err(|e| ApiError::Invalid(e.under("checkpoint"))))
        .transpose()?;
    Ok(Json(ChannelList {
        channels: app.store.list_channels(&grant.grant, code.as_ref()).await?,
    }))
}

#[utoipa::path(post, path = "/api/v1/video-channels", tag = "patrols", request_body = ChannelRequest,
    responses((status = 201, body = Channel), (status = 403, body = ErrorBody, description = "a checkpoint beyond the jurisdiction"),
        (status = 422, body = ErrorBody)))]
pub async fn add_channel(
    State(app): State<AppState>,
    grant: Grant<PatrolRun>,
    ApiJson(req): ApiJson<ChannelRequest>,
) -> ApiResult<(StatusCode, Extension<AuditNote>, Json<Channel>)> {
    app.hub_only("video channels")?;
    let draft = req.parse()?;
    let c = app
        .store
        .add_channel(&grant.grant, &draft, now_ms())
        .await?;
    let note = noted(format!("channel {} at {}", c.id, c.checkpoint));
    Ok((StatusCode::CREATED, note, Json(c)))
}

#[utoipa::path(post, path = "/api/v1/video-channels/{id}/retire", tag = "patrols",
    params(("id" = String, Path, description = "the channel")),
    responses((status = 200, body = Channel), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn retire_channel(
    State(app): State<AppState>,
    grant: Grant<PatrolRun>,
    Path(id): Path<String>,
) -> ApiResult<(Extension<AuditNote>, Json<Channel>)> {
    app.hub_only("video channels")?;
    let id = id_of("channel", &id)?;
    let c = app.store.retire_channel(&grant.grant, id, now_ms()).await?;
    Ok((noted(format!("channel {id} retired")), Json(c)))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PlanList {
    pub plans: Vec<Plan>,
}

#[utoipa::path(get, path = "/api/v1/patrol-plans", tag = "patrols",
    responses((status = 200, body = PlanList), (status = 403, body = ErrorBody)))]
pub async fn plans(
    State(app): State<AppState>,
    grant: Grant<PatrolRun>,
) -> ApiResult<Json<PlanList>> {
    Ok(Json(PlanList {
        plans: app.store.list_plans(&grant.grant).await?,
    }))
}

#[utoipa::path(post, path = "/api/v1/patrol-plans", tag = "patrols", request_body = PlanRequest,
    responses((status = 201, body = Plan), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "unknown_channel: not a channel in use in the jurisdiction")))]
pub async fn make_plan(
    State(app): State<AppState>,
    grant: Grant<PatrolRun>,
    ApiJson(req): ApiJson<PlanRequest>,
) -> ApiResult<(StatusCode, Extension<AuditNote>, Json<Plan>)> {
    app.hub_only("patrols")?;
    let (name, channels) = req.parse()?;
    let p = app
        .store
        .make_plan(&grant.grant, &name, &channels, now_ms())
        .await?;
    let note = noted(format!(
        "patrol plan {} ({} channels)",
        p.id,
        p.channels.len()
    ));
    Ok((StatusCode::CREATED, note, Json(p)))
}

#[utoipa::path(post, path = "/api/v1/patrol-plans/{id}/rounds", tag = "patrols",
    params(("id" = String, Path, description = "the plan")),
    responses((status = 201, body = Round, description = "started"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn start_round(
    State(app): State<AppState>,
    grant: Grant<PatrolRun>,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, Extension<AuditNote>, Json<Round>)> {
    app.hub_only("patrols")?;
    let id = id_of("patrol plan", &id)?;
    let r = app.store.start_round(&grant.grant, id, now_ms()).await?;
    let note = noted(format!("patrol round {} of plan {id}", r.id));
    Ok((StatusCode::CREATED, note, Json(r)))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RoundParams {
    /// Rounds started in the last this many days (1 to 31, default 7).
    #[param(minimum = 1, maximum = 31)]
    pub days: Option<u32>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RoundList {
    pub rounds: Vec<Round>,
    /// Over the rounds listed.
    pub observed: i64,
    pub findings: i64,
}

#[utoipa::path(get, path = "/api/v1/patrol-rounds", tag = "patrols", params(RoundParams),
    responses((status = 200, body = RoundList), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn rounds(
    State(app): State<AppState>,
    grant: Grant<PatrolRun>,
    ApiQuery(p): ApiQuery<RoundParams>,
) -> ApiResult<Json<RoundList>> {
    let days = p.days.unwrap_or(7);
    if !(1..=31).contains(&days) {
        return Err(ApiError::invalid("out_of_range", "days", "days is 1 to 31"));
    }
    let since = now_ms() - i64::from(days) * 86_400_000;
    let rounds = app.store.list_rounds(&grant.grant, since).await?;
    Ok(Json(RoundList {
        observed: rounds.iter().map(|r| r.seen).sum(),
        findings: rounds.iter().map(|r| r.findings).sum(),
        rounds,
    }))
}

#[utoipa::path(get, path = "/api/v1/patrol-rounds/{id}", tag = "patrols",
    params(("id" = String, Path, description = "the round")),
    responses((status = 200, body = Round), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn round(
    State(app): State<AppState>,
    grant: Grant<PatrolRun>,
    Path(id): Path<String>,
) -> ApiResult<Json<Round>> {
    let id = id_of("patrol round", &id)?;
    Ok(Json(app.store.patrol_round(&grant.grant, id).await?))
}

#[utoipa::path(post, path = "/api/v1/patrol-rounds/{id}/observations", tag = "patrols", request_body = ObservationRequest,
    params(("id" = String, Path, description = "the round")),
    responses((status = 200, body = Round), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "round_finished, already_observed"), (status = 422, body = ErrorBody)))]
pub async fn observe(
    State(app): State<AppState>,
    grant: Grant<PatrolRun>,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<ObservationRequest>,
) -> ApiResult<(Extension<AuditNote>, Json<Round>)> {
    app.hub_only("patrols")?;
    let id = id_of("patrol round", &id)?;
    let (channel, sight, note) = req.parse()?;
    let r = app
        .store
        .observe(&grant.grant, id, channel, sight, note.as_deref(), now_ms())
        .await?;
    Ok((
        noted(format!("round {id}: channel {channel} {}", sight.as_str())),
        Json(r),
    ))
}

#[utoipa::path(post, path = "/api/v1/patrol-rounds/{id}/finish", tag = "patrols",
    params(("id" = String, Path, description = "the round")),
    responses((status = 200, body = Round), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn finish(
    State(app): State<AppState>,
    grant: Grant<PatrolRun>,
    Path(id): Path<String>,
) -> ApiResult<(Extension<AuditNote>, Json<Round>)> {
    app.hub_only("patrols")?;
    let id = id_of("patrol round", &id)?;
    let r = app.store.finish_round(&grant.grant, id, now_ms()).await?;
    Ok((noted(format!("patrol round {id} finished")), Json(r)))
}

/// A finding as a directive: what the board and the lane show (defaults from the finding).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FindingDirective {
    /// Default: `视频巡查发现问题：<channel>`.
    #[serde(default)]
    pub title: Option<String>,
    /// Default: the finding's note.
    #[serde(default)]
    pub text: Option<String>,
    /// Default: urgent.
    #[serde(default)]
    pub priority: Option<Priority>,
}

#[utoipa::path(post, path = "/api/v1/patrol-rounds/{id}/findings/{channel}/directive", tag = "patrols", request_body = FindingDirective,
    params(("id" = String, Path, description = "the round"), ("channel" = String, Path, description = "the channel of the finding")),
    responses((status = 201, body = Directive, description = "issued to the channel's checkpoint"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody, description = "no finding on this channel in this round"),
        (status = 409, body = ErrorBody, description = "already_turned: the finding has its directive"), (status = 422, body = ErrorBody)))]
pub async fn finding_directive(
    State(app): State<AppState>,
    grant: Grant<PatrolRun>,
    issue: Grant<DirectiveIssue>,
    Path((id, channel)): Path<(String, String)>,
    ApiJson(req): ApiJson<FindingDirective>,
) -> ApiResult<(StatusCode, Extension<AuditNote>, Json<Directive>)> {
    app.hub_only("patrols")?;
    let id = id_of("patrol round", &id)?;
    let channel = id_of("channel", &channel)?;
    let stop = app.store.finding(&grant.grant, id, channel).await?;
    if stop.directive.is_some() {
        return Err(ApiError::Conflict(cordon_domain::FieldError::new(
            "already_turned",
            "channel",
            "this finding was turned into a directive already",
        )));
    }
    let seen = match stop.sight {
        Some(Sight::NoSignal) => "无图像 / no picture".to_owned(),
        _ => stop.note.clone().unwrap_or_default(),
    };
    let request = DirectiveRequest {
        title: req.title.unwrap_or_else(|| {
            format!(
                "视频巡查发现问题：{} {}",
                stop.channel.checkpoint_name, stop.channel.name
            )
            .chars()
            .take(100)
            .collect()
        }),
        text: req.text.unwrap_or(seen),
        priority: req.priority.unwrap_or(Priority::Urgent),
        target: TargetRequest {
            checkpoints: vec![stop.channel.checkpoint.to_string()],
            ..TargetRequest::default()
        },
        effective_at: None,
        ack_deadline: None,
    };
    let now = now_ms();
    let draft = request.parse(now)?;
    let d = app.store.issue_directive(&issue.grant, draft, now).await?;
    app.store
        .link_directive(&grant.grant, id, channel, d.id)
        .await?;
    app.directives.reread(app.store.as_ref()).await?;
    let note = noted(format!(
        "directive {} from round {id}, channel {channel}",
        d.id
    ));
    Ok((StatusCode::CREATED, note, Json(d)))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FindingReport {
    /// The report, in the command's inbox at the channel's checkpoint.
    pub report: uuid::Uuid,
}

#[utoipa::path(post, path = "/api/v1/patrol-rounds/{id}/findings/{channel}/report", tag = "patrols",
    params(("id" = String, Path, description = "the round"), ("channel" = String, Path, description = "the channel of the finding")),
    responses((status = 201, body = FindingReport, description = "filed in the command's inbox: an incident, urgent, the finding's note as its text"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody, description = "no finding on this channel in this round"),
        (status = 409, body = ErrorBody, description = "already_turned: the finding has its report")))]
pub async fn finding_report(
    State(app): State<AppState>,
    grant: Grant<PatrolRun>,
    Path((id, channel)): Path<(String, String)>,
) -> ApiResult<(StatusCode, Extension<AuditNote>, Json<FindingReport>)> {
    app.hub_only("patrols")?;
    let id = id_of("patrol round", &id)?;
    let channel = id_of("channel", &channel)?;
    let stop = app.store.finding(&grant.grant, id, channel).await?;
    let text = match (&stop.sight, &stop.note) {
        (_, Some(note)) => format!("视频巡查（{}）：{note}", stop.channel.name),
        _ => format!("视频巡查（{}）：无图像 / no picture", stop.channel.name),
    };
    let draft = ReportDraft {
        id: uuid::Uuid::now_v7(),
        checkpoint: stop.channel.checkpoint.clone(),
        category: ReportCategory::Incident,
        urgency: Priority::Urgent,
        text: text
            .chars()
            .take(cordon_domain::command::report::MAX_REPORT)
            .collect(),
    };
    app.store
        .finding_report(&grant.grant, id, channel, &draft, now_ms())
        .await?;
    app.directives.reread(app.store.as_ref()).await?;
    let note = noted(format!(
        "report {} from round {id}, channel {channel}",
        draft.id
    ));
    Ok((
        StatusCode::CREATED,
        note,
        Json(FindingReport { report: draft.id }),
    ))
}
