//! The lane's directive routes: a checkpoint's directives (polled with the clock the lane last
//! saw: "unchanged" costs no query), opening one, and a named officer's acknowledgement with an
//! optional reply. Answered to officers at their own checkpoints.

use axum::extract::{Path, State};
use axum::{Extension, Json};
use cordon_domain::access::command::DirectiveAck;
use cordon_domain::checkpoint::CheckpointCode;
use cordon_domain::command::directive::{reply, AckRequest, LaneDirective, ReadRequest};
use serde::{Deserialize, Serialize};

use super::directives_api::id_of;
use crate::audit::AuditNote;
use crate::auth::Grant;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery};
use crate::state::AppState;

fn checkpoint(code: &str, field: &str) -> ApiResult<CheckpointCode> {
    CheckpointCode::parse(code).map_err(|e| ApiError::Invalid(e.under(field)))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct LaneParams {
    /// The clock of the lane's last answer: when nothing changed since, the answer says so and
    /// holds no list.
    pub known: Option<i64>,
    /// Seconds to wait for a change before answering "unchanged" (0 to 25; default 0): a long
    /// poll, answered as soon as the clock moves.
    #[param(minimum = 0, maximum = 25)]
    pub wait: Option<u32>,
}

/// The wait a poll asked for, checked.
pub(super) fn wait_of(wait: Option<u32>) -> ApiResult<std::time::Duration> {
    let w = wait.unwrap_or(0);
    if w > super::feed::MAX_WAIT_S {
        return Err(ApiError::invalid(
            "out_of_range",
            "wait",
            "a poll waits 0 to 25 seconds",
        ));
    }
    Ok(std::time::Duration::from_secs(u64::from(w)))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LaneFeed {
    /// Pass as `known` on the next poll.
    pub clock: i64,
    /// Nothing changed since `known`: keep what the lane shows.
    pub unchanged: bool,
    /// Most urgent first; the acknowledged ones of the last day after the rest. Empty when
    /// `unchanged`.
    pub directives: Vec<LaneDirective>,
    /// The checkpoint's reports to the command of the last 3 days, newest first, with their
    /// answers. Empty when `unchanged`.
    pub reports: Vec<cordon_domain::command::report::Report>,
}

/// How far back a lane is shown its checkpoint's reports.
pub const REPORTS_MS: i64 = 3 * 86_400_000;

#[utoipa::path(get, path = "/api/v1/checkpoints/{code}/directives", tag = "directives", params(("code" = String, Path, description = "the checkpoint"), LaneParams),
    responses((status = 200, body = LaneFeed, description = "each directive shown counts as delivered"),
        (status = 403, body = ErrorBody, description = "not this officer's checkpoint"), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn at_checkpoint(
    State(app): State<AppState>,
    grant: Grant<DirectiveAck>,
    Path(code): Path<String>,
    ApiQuery(p): ApiQuery<LaneParams>,
) -> ApiResult<Json<LaneFeed>> {
    let code = checkpoint(&code, "code")?;
    if !grant.grant.works_at(&code) {
        return Err(ApiError::Forbidden);
    }
    let wait = wait_of(p.wait)?;
    let clock = app
        .directives
        .wait(app.store.as_ref(), p.known, wait)
        .await?;
    if p.known == Some(clock) {
        return Ok(Json(LaneFeed {
            clock,
            unchanged: true,
            directives: Vec::new(),
            reports: Vec::new(),
        }));
    }
    let now = cordon_domain::time::now_ms();
    let directives = app.store.lane_directives(&grant.grant, &code, now).await?;
    let reports = app
        .store
        .lane_reports(&grant.grant, &code, now - REPORTS_MS)
        .await?;
    Ok(Json(LaneFeed {
        clock,
        unchanged: false,
        directives,
        reports,
    }))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Opened {
    pub id: i64,
    pub revision: i32,
}

#[utoipa::path(post, path = "/api/v1/directives/{id}/read", tag = "directives", request_body = ReadRequest,
    params(("id" = i64, Path, description = "the directive")),
    responses((status = 200, body = Opened, description = "noted as read at the checkpoint (the first opening counts)"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody, description = "not a directive to this checkpoint"),
        (status = 409, body = ErrorBody, description = "directive_cancelled, or directive_updated: a newer revision to show"),
        (status = 422, body = ErrorBody)))]
pub async fn read(
    State(app): State<AppState>,
    grant: Grant<DirectiveAck>,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<ReadRequest>,
) -> ApiResult<(Extension<AuditNote>, Json<Opened>)> {
    let id = id_of(&id)?;
    let code = checkpoint(&req.checkpoint, "checkpoint")?;
    app.store
        .read_directive(
            &grant.grant,
            id,
            &code,
            req.revision,
            cordon_domain::time::now_ms(),
        )
        .await?;
    Ok((
        Extension(AuditNote::read(
            format!("directive {id} revision {} at {code}", req.revision),
            0,
        )),
        Json(Opened {
            id,
            revision: req.revision,
        }),
    ))
}

#[utoipa::path(post, path = "/api/v1/directives/{id}/acknowledge", tag = "directives", request_body = AckRequest,
    params(("id" = i64, Path, description = "the directive")),
    responses((status = 200, body = LaneDirective, description = "acknowledged by this officer (the same acknowledgement again answers the first)"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody, description = "not a directive to this checkpoint"),
        (status = 409, body = ErrorBody, description = "directive_cancelled, or directive_updated: read the new revision first"),
        (status = 422, body = ErrorBody)))]
pub async fn acknowledge(
    State(app): State<AppState>,
    grant: Grant<DirectiveAck>,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<AckRequest>,
) -> ApiResult<(Extension<AuditNote>, Json<LaneDirective>)> {
    let id = id_of(&id)?;
    let code = checkpoint(&req.checkpoint, "checkpoint")?;
    let reply = reply(req.reply.as_deref())?;
    let d = app
        .store
        .acknowledge_directive(
            &grant.grant,
            id,
            &code,
            req.revision,
            reply,
            cordon_domain::time::now_ms(),
        )
        .await?;
    app.directives.reread(app.store.as_ref()).await?;
    Ok((
        Extension(AuditNote::read(
            format!(
                "directive {id} revision {} acknowledged at {code}",
                d.revision
            ),
            0,
        )),
        Json(d),
    ))
}
