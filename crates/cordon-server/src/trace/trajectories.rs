//! Trajectories of a person or a vehicle in time order. The subject travels in the POST body:
//! identity numbers and plates never appear in URLs, so never in access logs. An unknown
//! subject gets an empty list, never an error that would reveal who is on record.
//!
//! The live trace index finds the subject's passages (the store keeps no on-disk person or
//! plate index: see docs/DECISIONS.md); the store then reads those passages by id, checking the
//! scope again. Until the index has loaded after a start, these answer `503 trace_index_loading`.

use axum::extract::State;
use axum::{Extension, Json};
use chrono::{DateTime, Duration, FixedOffset};
use cordon_domain::access::trace::TrajectoryRead;
use cordon_domain::identity::{DocumentType, IdentityDocument};
use cordon_domain::passage::TrajectoryPoint;
use cordon_domain::plate::Plate;
use cordon_domain::registration::DocumentRequest;
use cordon_store::Period;
use cordon_trace::{trajectory, Subject};
use serde::{Deserialize, Serialize};

use super::AppState;
use crate::audit::AuditNote;
use crate::auth::Grant;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiJson;
use crate::period::PeriodParams;

/// Default span of a trajectory query: the last 14 days.
const DEFAULT_DAYS: i64 = 14;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonTrajectoryRequest {
    pub document: DocumentRequest,
    pub from: Option<DateTime<FixedOffset>>,
    pub to: Option<DateTime<FixedOffset>>,
    /// Why (a case number, a request): kept in the audit trail.
    pub purpose: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VehicleTrajectoryRequest {
    #[schema(example = "冀A12345")]
    pub plate: String,
    pub from: Option<DateTime<FixedOffset>>,
    pub to: Option<DateTime<FixedOffset>>,
    /// Why (a case number, a request): kept in the audit trail.
    pub purpose: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TrajectoryResponse {
    pub points: Vec<TrajectoryPoint>,
}

/// A stated purpose: up to 500 characters, kept in the audit trail.
fn purpose(p: Option<String>) -> ApiResult<String> {
    match p {
        None => Ok(String::new()),
        Some(p) => cordon_domain::checkpoint::parse_reason(&p).map_err(|e| {
            ApiError::Invalid(cordon_domain::FieldError {
                field: "purpose".into(),
                ..e
            })
        }),
    }
}

/// The subject's passages in the period, in scope, from the index; then read from the store.
pub(crate) async fn points(
    app: &AppState,
    grant: &TrajectoryRead,
    subject: Subject,
    period: Period,
) -> ApiResult<Vec<TrajectoryPoint>> {
    app.trace.fresh().await?;
    let visible = app.trace.visibility(grant.scope());
    let is_visible = |cp: u32| visible.get(cp as usize).copied().unwrap_or(false);
    let passages = app
        .trace
        .with(|index| trajectory(index, &subject, period.from_ms, period.to_ms, &is_visible));
    if passages.is_empty() {
        return Ok(Vec::new());
    }
    Ok(app.store.trajectory(grant, &passages).await?)
}

fn invalid(e: cordon_domain::FieldError, field: &str) -> ApiError {
    ApiError::Invalid(e.under(field))
}

#[utoipa::path(post, path = "/api/v1/trajectories/person", tag = "trajectories", request_body = PersonTrajectoryRequest,
    responses((status = 200, body = TrajectoryResponse), (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn person(
    State(app): State<AppState>,
    read: Grant<TrajectoryRead>,
    ApiJson(req): ApiJson<PersonTrajectoryRequest>,
) -> ApiResult<(Extension<AuditNote>, Json<TrajectoryResponse>)> {
    let kind = DocumentType::parse(&req.document.kind).map_err(|e| invalid(e, "document.type"))?;
    let document =
        IdentityDocument::parse(kind, &req.document.number).map_err(|e| invalid(e, "document"))?;
    let period = PeriodParams {
        from: req.from,
        to: req.to,
    }
    .resolve(Duration::days(DEFAULT_DAYS))?;
    let hash = app.auth.keyring.person(&document);
    let key = cordon_trace::person_key(&hash).ok_or(ApiError::Internal)?;
    let points = points(&app, &read.grant, Subject::Person(key), period).await?;
    let mut note = AuditNote::read("", usize::from(!points.is_empty())).subjects(vec![hash]);
    note.purpose = purpose(req.purpose)?;
    Ok((Extension(note), Json(TrajectoryResponse { points })))
}

#[utoipa::path(post, path = "/api/v1/trajectories/vehicle", tag = "trajectories", request_body = VehicleTrajectoryRequest,
    responses((status = 200, body = TrajectoryResponse), (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn vehicle(
    State(app): State<AppState>,
    read: Grant<TrajectoryRead>,
    ApiJson(req): ApiJson<VehicleTrajectoryRequest>,
) -> ApiResult<(Extension<AuditNote>, Json<TrajectoryResponse>)> {
    let plate = Plate::parse(&req.plate).map_err(|e| invalid(e, "plate"))?;
    let period = PeriodParams {
        from: req.from,
        to: req.to,
    }
    .resolve(Duration::days(DEFAULT_DAYS))?;
    let points = points(
        &app,
        &read.grant,
        Subject::Plate(plate.as_str().to_owned()),
        period,
    )
    .await?;
    let mut note = AuditNote::read("", 0).subjects(vec![app.auth.keyring.plate(&plate)]);
    note.purpose = purpose(req.purpose)?;
    Ok((Extension(note), Json(TrajectoryResponse { points })))
}
