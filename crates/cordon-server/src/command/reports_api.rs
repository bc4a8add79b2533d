//! Reports up the line over HTTP: an officer files one for a checkpoint (the same id again
//! files nothing); commanders read the inbox of their jurisdiction, take a report or hand it to
//! another, and answer it; the answer reaches the lane through the lane's long poll
//! ([`super::lane_api`]). A station's reports come up through `POST /api/v1/sync/reports`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use cordon_domain::access::command::{DirectiveAck, DirectiveIssue, DirectiveRead};
use cordon_domain::access::station::StationSync;
use cordon_domain::access::Username;
use cordon_domain::command::directive::text;
use cordon_domain::command::relay::officer_name;
use cordon_domain::command::report::{
    AnswerRequest, AssignRequest, Report, ReportCategory, ReportRequest, MAX_REPORT,
};
use cordon_store::command::{ReportQuery, StationReport};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::audit::AuditNote;
use crate::auth::Grant;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery};
use crate::state::AppState;

fn id_of(id: &str) -> ApiResult<Uuid> {
    id.parse()
        .map_err(|_| ApiError::NotFound(format!("report {id} not found")))
}

#[utoipa::path(post, path = "/api/v1/reports", tag = "directives", request_body = ReportRequest,
    responses((status = 201, body = Report, description = "filed: in the command's inbox at once"),
        (status = 200, body = Report, description = "filed before under this id: nothing new"),
        (status = 403, body = ErrorBody, description = "not this officer's checkpoint"),
        (status = 409, body = ErrorBody, description = "report_conflict: the id names another report"),
        (status = 422, body = ErrorBody)))]
pub async fn file(
    State(app): State<AppState>,
    grant: Grant<DirectiveAck>,
    ApiJson(req): ApiJson<ReportRequest>,
) -> ApiResult<(StatusCode, Extension<AuditNote>, Json<Report>)> {
    let draft = req.parse()?;
    let (r, created) = app
        .store
        .file_report(&grant.grant, &draft, cordon_domain::time::now_ms())
        .await?;
    if created {
        app.directives.reread(app.store.as_ref()).await?;
    }
    let note = AuditNote::read(
        format!(
            "report {} ({}) from {}",
            r.id,
            r.category.as_str(),
            r.checkpoint
        ),
        0,
    );
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Extension(note), Json(r)))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct InboxParams {
    /// Only those not yet answered.
    pub open: Option<bool>,
    /// At most this many (1 to 1,000, default 200).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Inbox {
    /// Those not answered first, most urgent and oldest first; then the answered, latest first.
    pub reports: Vec<Report>,
}

#[utoipa::path(get, path = "/api/v1/reports", tag = "directives", params(InboxParams),
    responses((status = 200, body = Inbox), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn inbox(
    State(app): State<AppState>,
    grant: Grant<DirectiveRead>,
    ApiQuery(p): ApiQuery<InboxParams>,
) -> ApiResult<Json<Inbox>> {
    let limit = i64::from(p.limit.unwrap_or(200));
    if !(1..=1_000).contains(&limit) {
        return Err(ApiError::invalid(
            "out_of_range",
            "limit",
            "limit is 1 to 1000",
        ));
    }
    let q = ReportQuery {
        open_only: p.open.unwrap_or(false),
        limit,
    };
    Ok(Json(Inbox {
        reports: app.store.report_inbox(&grant.grant, &q).await?,
    }))
}

#[utoipa::path(post, path = "/api/v1/reports/{id}/assign", tag = "directives", request_body = AssignRequest,
    params(("id" = String, Path, description = "the report")),
    responses((status = 200, body = Report), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "report_answered"), (status = 422, body = ErrorBody)))]
pub async fn assign(
    State(app): State<AppState>,
    grant: Grant<DirectiveIssue>,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<AssignRequest>,
) -> ApiResult<(Extension<AuditNote>, Json<Report>)> {
    app.hub_only("reports")?;
    let id = id_of(&id)?;
    let to = match req.to.as_deref() {
        Some(name) => Username::parse(name).map_err(|e| ApiError::Invalid(e.under("to")))?,
        None => grant.grant.username().clone(),
    };
    let r = app
        .store
        .assign_report(&grant.grant, id, to.as_str(), cordon_domain::time::now_ms())
        .await?;
    Ok((
        Extension(AuditNote::read(format!("report {id} to {to}"), 0)),
        Json(r),
    ))
}

#[utoipa::path(post, path = "/api/v1/reports/{id}/answer", tag = "directives", request_body = AnswerRequest,
    params(("id" = String, Path, description = "the report")),
    responses((status = 200, body = Report, description = "answered: on the station's lane at its next poll"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "report_answered"), (status = 422, body = ErrorBody)))]
pub async fn answer(
    State(app): State<AppState>,
    grant: Grant<DirectiveIssue>,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<AnswerRequest>,
) -> ApiResult<(Extension<AuditNote>, Json<Report>)> {
    app.hub_only("reports")?;
    let id = id_of(&id)?;
    let answer = req.parse()?;
    let r = app
        .store
        .answer_report(&grant.grant, id, &answer, cordon_domain::time::now_ms())
        .await?;
    app.directives.reread(app.store.as_ref()).await?;
    Ok((
        Extension(AuditNote::read(format!("report {id} answered"), 0)),
        Json(r),
    ))
}

/// A station's push of reports.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StationReports {
    pub records: Vec<StationReport>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StationReportsAnswer {
    /// Reports new at the hub (the rest it held already).
    pub created: i64,
}

#[utoipa::path(post, path = "/api/v1/sync/reports", tag = "stations", request_body = StationReports,
    responses((status = 200, body = StationReportsAnswer), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn station_push(
    State(app): State<AppState>,
    station: Grant<StationSync>,
    ApiJson(batch): ApiJson<StationReports>,
) -> ApiResult<(Extension<AuditNote>, Json<StationReportsAnswer>)> {
    if batch.records.len() > 500 {
        return Err(ApiError::invalid(
            "too_many",
            "records",
            "a batch holds at most 500 reports",
        ));
    }
    for (i, r) in batch.records.iter().enumerate() {
        let at = |f: &str| format!("records[{i}].{f}");
        ReportCategory::parse(&r.category)
            .map_err(|e| ApiError::Invalid(e.under(&at("category"))))?;
        text(&r.text, "text", MAX_REPORT, true)
            .map_err(|e| ApiError::Invalid(e.under(&format!("records[{i}]"))))?;
        officer_name(&r.reported_by, &at("reported_by"))?;
    }
    let created = app
        .store
        .apply_station_reports(
            &station.grant,
            &batch.records,
            cordon_domain::time::now_ms(),
        )
        .await?;
    if created > 0 {
        app.directives.reread(app.store.as_ref()).await?;
    }
    let note = AuditNote::read(
        format!(
            "{} reports from {} ({created} new)",
            batch.records.len(),
            station.grant.checkpoint()
        ),
        0,
    );
    Ok((Extension(note), Json(StationReportsAnswer { created })))
}
