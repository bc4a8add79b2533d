//! Lab runs over HTTP: a run made at a lab with its assay and controls, tubes placed on its
//! plate by scanning, its steps recorded in order, the instrument's result file (CSV or Excel,
//! wide or long, [`cordon_domain::testing::instrument`]) read into its wells, and its release
//! by a second lab account, which gives every person of every tube a result and turns the
//! persons of a positive pool into a recall list at once ([`super::recall`]).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::{Extension, Json};
use cordon_domain::access::testing::{LabWork, TestingRead};
use cordon_domain::testing::lab::{RunRequest, RunStep, Well};
use cordon_domain::testing::Barcode;
use cordon_domain::Gathered;
use cordon_store::testing::lab::{Released, RunLine, RunView};
use cordon_store::StoreError;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::paths::{conflict, id};
use crate::audit::AuditNote;
use crate::auth::Grant;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiJson;
use crate::state::AppState;

/// Largest result file.
pub const RESULTS_LIMIT: usize = 2 * 1024 * 1024;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RunList {
    /// Newest first.
    pub runs: Vec<RunLine>,
}

/// A tube scanned onto the plate.
#[derive(Debug, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlaceRequest {
    #[schema(example = "HB2022050300017")]
    pub barcode: String,
    /// The well (default: the next free one, down the columns from A1).
    #[serde(default)]
    #[schema(example = "A1")]
    pub well: Option<String>,
}

/// A step done.
#[derive(Debug, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepRequest {
    /// `inactivated`, `sorted` or `amplified`, in that order.
    #[schema(value_type = RunStep)]
    pub step: String,
}

/// A release, and the recall list it made.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReleaseAnswer {
    #[serde(flatten)]
    pub released: Released,
    /// The follow-up list of the persons recalled (none when every tube read negative).
    pub recall_list: Option<Uuid>,
}

fn run_id(s: &str) -> ApiResult<i64> {
    id(s, "run")
}

#[utoipa::path(post, path = "/api/v1/testing/runs", tag = "testing", request_body = RunRequest,
    responses((status = 201, body = RunView), (status = 404, body = ErrorBody, description = "no such lab for this account"),
        (status = 422, body = ErrorBody, description = "bad control wells, or no such assay")))]
pub async fn create_run(
    State(app): State<AppState>,
    work: Grant<LabWork>,
    ApiJson(req): ApiJson<RunRequest>,
) -> ApiResult<(StatusCode, Json<RunView>)> {
    app.hub_only("the lab")?;
    let controls = req.controls()?;
    let run = app
        .store
        .create_run(
            &work.grant,
            req.lab,
            req.assay,
            controls,
            cordon_domain::time::now_ms(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(run)))
}

#[utoipa::path(get, path = "/api/v1/testing/labs/{id}/runs", tag = "testing",
    params(("id" = i64, Path, description = "the lab")),
    responses((status = 200, body = RunList), (status = 404, body = ErrorBody)))]
pub async fn runs(
    State(app): State<AppState>,
    read: Grant<TestingRead>,
    Path(lab): Path<String>,
) -> ApiResult<Json<RunList>> {
    let lab = id(&lab, "lab")?;
    Ok(Json(RunList {
        runs: app.store.list_runs(&read.grant, lab, 100).await?,
    }))
}

#[utoipa::path(get, path = "/api/v1/testing/runs/{id}", tag = "testing",
    params(("id" = i64, Path, description = "the run")),
    responses((status = 200, body = RunView), (status = 404, body = ErrorBody)))]
pub async fn run(
    State(app): State<AppState>,
    read: Grant<TestingRead>,
    Path(run): Path<String>,
) -> ApiResult<Json<RunView>> {
    Ok(Json(app.store.run(&read.grant, run_id(&run)?).await?))
}

#[utoipa::path(post, path = "/api/v1/testing/runs/{id}/tubes", tag = "testing",
    params(("id" = i64, Path, description = "the run")), request_body = PlaceRequest,
    responses((status = 200, body = RunView), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "the plate is closed or full, the well taken, the tube not received here or on another plate"),
        (status = 422, body = ErrorBody)))]
pub async fn place(
    State(app): State<AppState>,
    work: Grant<LabWork>,
    Path(run): Path<String>,
    ApiJson(req): ApiJson<PlaceRequest>,
) -> ApiResult<Json<RunView>> {
    app.hub_only("the lab")?;
    let run = run_id(&run)?;
    let mut g = Gathered::default();
    let code = g.take(Barcode::parse(&req.barcode));
    let well = match req.well.as_deref().map(str::trim) {
        None | Some("") => Some(None),
        Some(w) => g.take(Well::parse(w).map(Some)),
    };
    let (code, well) = g.finish(|| Some((code?, well?)))?;
    let view = app
        .store
        .place_tube(&work.grant, run, &code, well, cordon_domain::time::now_ms())
        .await
        .map_err(conflict)?;
    Ok(Json(view))
}

#[utoipa::path(post, path = "/api/v1/testing/runs/{id}/steps", tag = "testing",
    params(("id" = i64, Path, description = "the run")), request_body = StepRequest,
    responses((status = 200, body = RunView), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "not the run's next step, or sorting an empty plate"),
        (status = 422, body = ErrorBody)))]
pub async fn step(
    State(app): State<AppState>,
    work: Grant<LabWork>,
    Path(run): Path<String>,
    ApiJson(req): ApiJson<StepRequest>,
) -> ApiResult<Json<RunView>> {
    app.hub_only("the lab")?;
    let run = run_id(&run)?;
    let step = RunStep::parse(req.step.trim()).map_err(|e| e.under("step"))?;
    if matches!(
        step,
        RunStep::Created | RunStep::Resulted | RunStep::Released
    ) {
        return Err(ApiError::invalid(
            "invalid_value",
            "step",
            "a step is inactivated, sorted or amplified: results come by their file, release by review",
        ));
    }
    let view = app
        .store
        .record_step(&work.grant, run, step, cordon_domain::time::now_ms())
        .await
        .map_err(conflict)?;
    Ok(Json(view))
}

#[utoipa::path(post, path = "/api/v1/testing/runs/{id}/results", tag = "testing",
    params(("id" = i64, Path, description = "the run")),
    request_body(description = "the instrument's result file: CSV (UTF-8) or an Excel workbook, a `Well` column and a Ct column per target (or `Well`, `Target`, `Ct` rows)", content(
        (String = "text/csv"),
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
    responses((status = 200, body = RunView, description = "each well read; the run is resulted"),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "the run is not amplified yet, or released"),
        (status = 415, body = ErrorBody, description = "neither CSV nor an Excel workbook"),
        (status = 422, body = ErrorBody, description = "rows that do not parse, each with its line; wells the plate does not have, or wells missing; nothing was written")))]
pub async fn results(
    State(app): State<AppState>,
    work: Grant<LabWork>,
    Path(run): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<RunView>> {
    app.hub_only("the lab")?;
    let run = run_id(&run)?;
    let kind = crate::table::kind(&headers).ok_or(ApiError::UnsupportedMediaType)?;
    let read = work.grant.read();
    let current = app.store.run(&read, run).await?;
    let assay = current.assay.assay.clone();
    let parsed = tokio::task::spawn_blocking(move || {
        let rows = crate::table::read(kind, &body).map_err(|p| vec![p])?;
        cordon_domain::testing::instrument::read(&rows, &assay)
    })
    .await
    .map_err(|_| ApiError::Internal)?;
    let cts = match parsed {
        Ok(cts) => cts,
        Err(mut problems) => {
            crate::localized::problems_for(&headers, &mut problems);
            return Err(ApiError::Problems("invalid_results", problems));
        }
    };
    let view = app
        .store
        .import_results(&work.grant, run, &cts, cordon_domain::time::now_ms())
        .await
        .map_err(|e| match e {
            StoreError::Invalid(f) if f.code == "unknown_well" || f.code == "missing_well" => {
                ApiError::Invalid(f)
            }
            other => conflict(other),
        })?;
    Ok(Json(view))
}

#[utoipa::path(post, path = "/api/v1/testing/runs/{id}/release", tag = "testing",
    params(("id" = i64, Path, description = "the run")),
    responses((status = 200, body = ReleaseAnswer, description = "released (or released before: nothing written); the recall list made or found"),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "not resulted, the controls failed, or the run is the account's own")))]
pub async fn release(
    State(app): State<AppState>,
    work: Grant<LabWork>,
    Path(run): Path<String>,
) -> ApiResult<(Extension<AuditNote>, Json<ReleaseAnswer>)> {
    app.hub_only("the lab")?;
    let run = run_id(&run)?;
    let released = app
        .store
        .release_run(&work.grant, run, cordon_domain::time::now_ms())
        .await
        .map_err(conflict)?;
    // Made again on a release repeated: the list's id is derived from the run, so a list a
    // crash left unmade is made now and a made one is found, never doubled.
    // The lots' trucks sampled with these tubes take their results (again on a repeat).
    crate::freight::lab_pcr::take(app.store.as_ref(), &app.lots).await?;
    let (recall_list, recalled) = if released.recalled > 0 {
        let (list, persons) = super::recall::make(&app, &work.grant, run).await?;
        (Some(list), persons)
    } else {
        (None, 0)
    };
    let mut note = AuditNote::read(format!("testing run {run}"), recalled);
    note.action = Some("testing.release");
    note.purpose = format!(
        "{} tubes, {} persons, {} recalled",
        released.tubes, released.persons, released.recalled
    );
    Ok((
        Extension(note),
        Json(ReleaseAnswer {
            released,
            recall_list,
        }),
    ))
}
