//! Policies: store a version (checked whole first), validate a draft without storing it, read
//! versions and the publication log, publish with an effective time, roll back, diff two
//! versions, and dry-run a version over stored passages. Publishing reloads the lanes of this
//! process at once; other processes pick it up within the refresh interval.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, FixedOffset};
use cordon_domain::policy::diff::{diff, PolicyDiff};
use cordon_domain::policy::record::{
    digest, in_force, parse_reason, PolicyVersion, Publication, PublicationAction,
};
use cordon_domain::policy::{compile, Combine, Policy, PolicyProblem};
use cordon_store::policy::{NewPolicyVersion, NewPublication};
use serde::{Deserialize, Serialize};

use super::AppState;
use crate::auth::{Caller, Grant};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery};
use crate::period::PeriodParams;
use crate::policy::dryrun::{dry_run, DryRunReport};
use cordon_domain::access::policy::PolicyChange;

/// Most example passages a dry-run returns per change of outcome.
const MAX_EXAMPLES: usize = 50;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyRequest {
    /// The policy document (TOML).
    pub source: String,
    /// What this version changes, for the log.
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ValidateRequest {
    pub source: String,
}

/// What checking a document found.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Validation {
    pub valid: bool,
    pub problems: Vec<PolicyProblem>,
    /// Present when valid.
    pub summary: Option<PolicySummary>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PolicySummary {
    pub name: String,
    pub combine: Combine,
    pub rules: usize,
}

impl PolicySummary {
    fn of(p: &Policy) -> Self {
        Self {
            name: p.name.clone(),
            combine: p.combine,
            rules: p.rules.len(),
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PolicyList {
    pub versions: Vec<PolicyVersion>,
    /// The version in force now, if any.
    pub in_force: Option<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PublicationLog {
    pub publications: Vec<Publication>,
    pub in_force: Option<Publication>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishRequest {
    /// From when the lanes apply it (RFC 3339); default now. Never in the past: what the lanes
    /// decided is not rewritten.
    #[serde(default)]
    pub effective_at: Option<DateTime<FixedOffset>>,
    #[schema(value_type = crate::texts_schema::ReasonText)]
    pub reason: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RollbackRequest {
    /// The version to return to; default the one in force before the current one.
    #[serde(default)]
    pub version: Option<i64>,
    #[schema(value_type = crate::texts_schema::ReasonText)]
    pub reason: String,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DiffParams {
    pub from: i64,
    pub to: i64,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DryRunRequest {
    /// Start, inclusive (RFC 3339). Default: 24 hours before `to`.
    #[serde(default)]
    pub from: Option<DateTime<FixedOffset>>,
    /// End, exclusive (RFC 3339). Default: now.
    #[serde(default)]
    pub to: Option<DateTime<FixedOffset>>,
    /// Example passages per change of outcome (default 5, at most 50).
    #[serde(default)]
    #[schema(minimum = 0, maximum = 50)]
    pub examples: Option<usize>,
}

fn now() -> DateTime<FixedOffset> {
    chrono::Utc::now().with_timezone(&cordon_domain::time::china())
}

fn checked(source: &str) -> ApiResult<Policy> {
    compile(source).map_err(|p| ApiError::Problems("invalid_policy", p))
}

#[utoipa::path(post, path = "/api/v1/policies", tag = "policies", request_body = PolicyRequest,
    responses((status = 201, body = PolicyVersion, description = "stored as a new version; not yet published"),
        (status = 422, body = ErrorBody, description = "the document does not validate: every problem is listed under `problems`")))]
pub async fn create(
    State(app): State<AppState>,
    change: Grant<PolicyChange>,
    ApiJson(req): ApiJson<PolicyRequest>,
) -> ApiResult<(StatusCode, Json<PolicyVersion>)> {
    app.hub_only("policies")?;
    let policy = checked(&req.source)?;
    if req.note.chars().count() > 500 {
        return Err(ApiError::invalid(
            "too_long",
            "note",
            "a note has at most 500 characters",
        ));
    }
    let v = app
        .store
        .create_policy_version(NewPolicyVersion {
            name: policy.name,
            digest: digest(&req.source),
            source: req.source,
            note: req.note.trim().to_owned(),
            actor: change.caller.name().to_owned(),
        })
        .await?;
    Ok((StatusCode::CREATED, Json(v)))
}

#[utoipa::path(post, path = "/api/v1/policies/validate", tag = "policies", request_body = ValidateRequest,
    responses((status = 200, body = Validation)))]
pub async fn validate(
    _caller: Caller,
    headers: axum::http::HeaderMap,
    ApiJson(req): ApiJson<ValidateRequest>,
) -> Json<Validation> {
    Json(match compile(&req.source) {
        Ok(p) => Validation {
            valid: true,
            problems: Vec::new(),
            summary: Some(PolicySummary::of(&p)),
        },
        Err(mut problems) => {
            crate::localized::problems_for(&headers, &mut problems);
            Validation {
                valid: false,
                problems,
                summary: None,
            }
        }
    })
}

#[utoipa::path(get, path = "/api/v1/policies", tag = "policies",
    responses((status = 200, body = PolicyList)))]
pub async fn list(State(app): State<AppState>, _caller: Caller) -> ApiResult<Json<PolicyList>> {
    let versions = app.store.list_policy_versions().await?;
    let engine = app.lanes.current();
    Ok(Json(PolicyList {
        versions,
        in_force: in_force(&engine.log, cordon_domain::time::now_ms()).map(|p| p.version),
    }))
}

fn version_param(v: &str) -> ApiResult<i64> {
    v.parse()
        .map_err(|_| ApiError::NotFound(format!("policy version {v} not found")))
}

#[utoipa::path(get, path = "/api/v1/policies/{version}", tag = "policies",
    params(("version" = i64, Path, description = "version number")),
    responses((status = 200, body = PolicyVersion), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(app): State<AppState>,
    _caller: Caller,
    Path(v): Path<String>,
) -> ApiResult<Json<PolicyVersion>> {
    Ok(Json(
        app.store.get_policy_version(version_param(&v)?).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/policies/publications", tag = "policies",
    responses((status = 200, body = PublicationLog)))]
pub async fn publications(
    State(app): State<AppState>,
    _caller: Caller,
) -> ApiResult<Json<PublicationLog>> {
    let publications = app.store.list_publications().await?;
    let current = in_force(&publications, cordon_domain::time::now_ms()).cloned();
    Ok(Json(PublicationLog {
        publications,
        in_force: current,
    }))
}

async fn append(app: &AppState, p: NewPublication) -> ApiResult<Publication> {
    let publication = app.store.publish_policy(p).await?;
    app.lanes.reload_or_log(app.store.as_ref()).await;
    Ok(publication)
}

#[utoipa::path(post, path = "/api/v1/policies/{version}/publish", tag = "policies", request_body = PublishRequest,
    params(("version" = i64, Path, description = "version number")),
    responses((status = 201, body = Publication), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn publish(
    State(app): State<AppState>,
    change: Grant<PolicyChange>,
    Path(v): Path<String>,
    ApiJson(req): ApiJson<PublishRequest>,
) -> ApiResult<(StatusCode, Json<Publication>)> {
    app.hub_only("policies")?;
    let version = version_param(&v)?;
    let reason = parse_reason(&req.reason).map_err(|e| e.under("reason"))?;
    let now = now();
    let effective = req.effective_at.unwrap_or(now);
    if effective < now - chrono::Duration::minutes(1) {
        return Err(ApiError::invalid(
            "in_the_past",
            "effective_at",
            "a policy cannot take effect in the past: decisions already taken keep their version",
        ));
    }
    // A time within the last minute (a clock a little behind) means now: taking effect before
    // a publication that has just taken effect, it would never take over from it.
    let effective = effective.max(now);
    // The stored version must still compile (it did when stored).
    checked(&app.store.get_policy_version(version).await?.source)?;
    let p = append(
        &app,
        NewPublication {
            version,
            effective_ms: effective.timestamp_millis(),
            action: PublicationAction::Publish,
            reason,
            actor: change.caller.name().to_owned(),
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(p)))
}

#[utoipa::path(post, path = "/api/v1/policies/rollback", tag = "policies", request_body = RollbackRequest,
    responses((status = 201, body = Publication), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn rollback(
    State(app): State<AppState>,
    change: Grant<PolicyChange>,
    ApiJson(req): ApiJson<RollbackRequest>,
) -> ApiResult<(StatusCode, Json<Publication>)> {
    app.hub_only("policies")?;
    let reason = parse_reason(&req.reason).map_err(|e| e.under("reason"))?;
    let log = app.store.list_publications().await?;
    let now_ms = cordon_domain::time::now_ms();
    let current = in_force(&log, now_ms).ok_or_else(|| {
        ApiError::Conflict(cordon_domain::FieldError::new(
            "nothing_in_force",
            "",
            "no policy is in force, so there is nothing to roll back",
        ))
    })?;
    let target = match req.version {
        Some(v) => v,
        None => {
            // The version in force just before the current publication took effect.
            let earlier: Vec<Publication> = log
                .iter()
                .filter(|p| p.seq != current.seq)
                .cloned()
                .collect();
            let before = in_force(&earlier, current.effective_at.timestamp_millis())
                .filter(|p| p.version != current.version)
                .or_else(|| {
                    earlier
                        .iter()
                        .filter(|p| {
                            p.version != current.version
                                && p.effective_at.timestamp_millis() <= now_ms
                        })
                        .max_by_key(|p| (p.effective_at.timestamp_millis(), p.seq))
                });
            before.map(|p| p.version).ok_or_else(|| {
                ApiError::Conflict(cordon_domain::FieldError::new(
                    "no_earlier_version",
                    "version",
                    "no earlier version was in force; name the version to return to",
                ))
            })?
        }
    };
    checked(&app.store.get_policy_version(target).await?.source)?;
    let p = append(
        &app,
        NewPublication {
            version: target,
            effective_ms: now_ms,
            action: PublicationAction::Rollback,
            reason,
            actor: change.caller.name().to_owned(),
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(p)))
}

#[utoipa::path(get, path = "/api/v1/policies/diff", tag = "policies", params(DiffParams),
    responses((status = 200, body = PolicyDiff), (status = 404, body = ErrorBody)))]
pub async fn diff_versions(
    State(app): State<AppState>,
    _caller: Caller,
    ApiQuery(q): ApiQuery<DiffParams>,
) -> ApiResult<Json<PolicyDiff>> {
    let old = checked(&app.store.get_policy_version(q.from).await?.source)?;
    let new = checked(&app.store.get_policy_version(q.to).await?.source)?;
    Ok(Json(diff(&old, &new)))
}

#[utoipa::path(post, path = "/api/v1/policies/{version}/dry-run", tag = "policies", request_body = DryRunRequest,
    params(("version" = i64, Path, description = "version number")),
    responses((status = 200, body = DryRunReport), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn dry_run_version(
    State(app): State<AppState>,
    _change: Grant<PolicyChange>,
    Path(v): Path<String>,
    ApiJson(req): ApiJson<DryRunRequest>,
) -> ApiResult<Json<DryRunReport>> {
    let version = version_param(&v)?;
    let period = PeriodParams {
        from: req.from,
        to: req.to,
    }
    .resolve(chrono::Duration::days(1))?;
    let examples = req.examples.unwrap_or(5);
    if examples > MAX_EXAMPLES {
        return Err(ApiError::invalid(
            "out_of_range",
            "examples",
            format!("at most {MAX_EXAMPLES} examples per change"),
        ));
    }
    let policy = checked(&app.store.get_policy_version(version).await?.source)?;
    let risk = app.lanes.current().risk.clone();
    let report = dry_run(app.store.clone(), policy.into(), risk, period, examples).await?;
    Ok(Json(report))
}
