//! Questionnaires over HTTP: check a draft (every problem at its line), store a version, publish
//! it (once; callers answer the latest published version), list and read versions.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use cordon_domain::access::followup::QuestionnaireChange;
use cordon_domain::followup::questionnaire::{compile, Questionnaire};
use cordon_domain::policy::PolicyProblem;
use cordon_store::followup::QuestionnaireVersion;
use serde::{Deserialize, Serialize};

use crate::auth::{Caller, Grant};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiJson;
use crate::state::AppState;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuestionnaireSource {
    /// The document, TOML.
    pub source: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct QuestionnaireCheck {
    pub valid: bool,
    pub problems: Vec<PolicyProblem>,
    pub questionnaire: Option<Questionnaire>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct QuestionnaireList {
    pub versions: Vec<QuestionnaireVersion>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct QuestionnaireDocument {
    #[serde(flatten)]
    pub version: QuestionnaireVersion,
    pub source: String,
    pub questionnaire: Questionnaire,
}

fn version_param(s: &str) -> ApiResult<i64> {
    s.parse::<i64>()
        .ok()
        .filter(|v| *v > 0)
        .ok_or_else(|| ApiError::NotFound(format!("questionnaire version {s} not found")))
}

#[utoipa::path(post, path = "/api/v1/questionnaires/validate", tag = "followup", request_body = QuestionnaireSource,
    responses((status = 200, body = QuestionnaireCheck)))]
pub async fn validate(
    _grant: Grant<QuestionnaireChange>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<QuestionnaireSource>,
) -> Json<QuestionnaireCheck> {
    Json(match compile(&req.source) {
        Ok(q) => QuestionnaireCheck {
            valid: true,
            problems: Vec::new(),
            questionnaire: Some(q),
        },
        Err(mut problems) => {
            crate::localized::problems_for(&headers, &mut problems);
            QuestionnaireCheck {
                valid: false,
                problems,
                questionnaire: None,
            }
        }
    })
}

#[utoipa::path(post, path = "/api/v1/questionnaires", tag = "followup", request_body = QuestionnaireSource,
    responses((status = 201, body = QuestionnaireVersion),
        (status = 422, body = ErrorBody, description = "the document does not check: every problem under `problems`")))]
pub async fn create(
    State(app): State<AppState>,
    change: Grant<QuestionnaireChange>,
    ApiJson(req): ApiJson<QuestionnaireSource>,
) -> ApiResult<(StatusCode, Json<QuestionnaireVersion>)> {
    app.hub_only("questionnaires")?;
    let q = compile(&req.source).map_err(|p| ApiError::Problems("invalid_questionnaire", p))?;
    let v = app
        .store
        .create_questionnaire(&change.grant, &q.name, &req.source)
        .await?;
    Ok((StatusCode::CREATED, Json(v)))
}

#[utoipa::path(post, path = "/api/v1/questionnaires/{version}/publish", tag = "followup",
    params(("version" = i64, Path, description = "version number")),
    responses((status = 200, body = QuestionnaireVersion), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn publish(
    State(app): State<AppState>,
    change: Grant<QuestionnaireChange>,
    Path(v): Path<String>,
) -> ApiResult<Json<QuestionnaireVersion>> {
    app.hub_only("questionnaires")?;
    let v = version_param(&v)?;
    Ok(Json(
        app.store.publish_questionnaire(&change.grant, v).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/questionnaires", tag = "followup",
    responses((status = 200, body = QuestionnaireList)))]
pub async fn list(
    State(app): State<AppState>,
    _caller: Caller,
) -> ApiResult<Json<QuestionnaireList>> {
    Ok(Json(QuestionnaireList {
        versions: app.store.list_questionnaires().await?,
    }))
}

#[utoipa::path(get, path = "/api/v1/questionnaires/{version}", tag = "followup",
    params(("version" = i64, Path, description = "version number")),
    responses((status = 200, body = QuestionnaireDocument), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(app): State<AppState>,
    _caller: Caller,
    Path(v): Path<String>,
) -> ApiResult<Json<QuestionnaireDocument>> {
    let v = version_param(&v)?;
    let (version, source) = app.store.get_questionnaire(v).await?;
    let questionnaire = compile(&source).map_err(|_| ApiError::Internal)?;
    Ok(Json(QuestionnaireDocument {
        version,
        source,
        questionnaire,
    }))
}
