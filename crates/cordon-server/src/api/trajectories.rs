//! Trajectories of a person or a vehicle in time order. The subject travels in the POST body:
//! identity numbers and plates never appear in URLs, so never in access logs. An unknown
//! subject gets an empty list, never an error that would reveal who is on record.

use axum::extract::State;
use axum::{Extension, Json};
use chrono::{DateTime, Duration, FixedOffset};
use cordon_domain::access::TrajectoryRead;
use cordon_domain::identity::{DocumentType, IdentityDocument};
use cordon_domain::passage::TrajectoryPoint;
use cordon_domain::plate::Plate;
use cordon_domain::registration::DocumentRequest;
use serde::{Deserialize, Serialize};

use super::period::PeriodParams;
use super::AppState;
use crate::audit::AuditNote;
use crate::auth::Grant;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiJson;

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

fn invalid(e: cordon_domain::FieldError, field: &str) -> ApiError {
    ApiError::Invalid(e.under(field))
}

#[utoipa::path(post, path = "/api/v1/trajectories/person", tag = "trajectories", request_body = PersonTrajectoryRequest,
    responses((status = 200, body = TrajectoryResponse), (status = 422, body = ErrorBody)))]
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
    let points = app
        .store
        .person_trajectory(&read.grant, &document, period)
        .await?;
    let mut note = AuditNote::read("", usize::from(!points.is_empty()))
        .subjects(vec![app.auth.keyring.person(&document)]);
    note.purpose = purpose(req.purpose)?;
    Ok((Extension(note), Json(TrajectoryResponse { points })))
}

#[utoipa::path(post, path = "/api/v1/trajectories/vehicle", tag = "trajectories", request_body = VehicleTrajectoryRequest,
    responses((status = 200, body = TrajectoryResponse), (status = 422, body = ErrorBody)))]
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
    let points = app
        .store
        .vehicle_trajectory(&read.grant, &plate, period)
        .await?;
    let mut note = AuditNote::read("", 0).subjects(vec![app.auth.keyring.plate(&plate)]);
    note.purpose = purpose(req.purpose)?;
    Ok((Extension(note), Json(TrajectoryResponse { points })))
}
