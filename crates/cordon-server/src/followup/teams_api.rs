//! Follow-up teams over HTTP: a commander makes teams of caller accounts for a county of the
//! jurisdiction, hands persons to another caller, and splits a row matched to the wrong person;
//! a team's lead sees its team's persons and hands them between the team's callers.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use cordon_domain::access::followup::{ListRead, TeamManage, Work};
use cordon_domain::access::{Role, Username};
use cordon_domain::division::DivisionCode;
use cordon_store::followup::{NewTeam, Team, WorkItem};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::work_api::subject_id;
use crate::audit::AuditNote;
use crate::auth::Grant;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery};
use crate::state::AppState;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamRequest {
    #[schema(max_length = 64, example = "长安区一组")]
    pub name: String,
    /// The county (or city) whose persons it takes.
    #[schema(value_type = cordon_domain::division::DivisionCode)]
    pub county: String,
    /// A caller account: makes the home visits.
    pub lead: String,
    /// Caller accounts.
    pub members: Vec<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TeamList {
    pub teams: Vec<Team>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReassignRequest {
    /// Persons (subject ids), at most 10,000.
    pub subjects: Vec<i64>,
    /// A caller of a team of the jurisdiction.
    pub to: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SplitRequest {
    /// The list whose row was matched to the wrong person.
    #[schema(value_type = String, format = Uuid)]
    pub list: Uuid,
    /// The row's number in that list.
    pub row: i64,
    #[schema(value_type = crate::texts_schema::ReasonText)]
    pub reason: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Split {
    /// The person the row now stands for.
    pub subject: i64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Reassigned {
    pub handed: i64,
}

/// The caller accounts among `names`; `Invalid` naming the first that is not one.
async fn callers(app: &AppState, names: &[(&str, String)]) -> ApiResult<Vec<Username>> {
    let accounts = app.store.list_accounts().await?;
    names
        .iter()
        .map(|(field, name)| {
            let found = accounts.iter().find(|a| {
                a.username.as_str() == name.trim() && a.role == Role::Caller && !a.disabled
            });
            found.map(|a| a.username.clone()).ok_or_else(|| {
                ApiError::invalid(
                    "unknown_caller",
                    field.to_string(),
                    format!("'{}' is not a caller's account", name.trim()),
                )
            })
        })
        .collect()
}

#[utoipa::path(post, path = "/api/v1/followup/teams", tag = "followup", request_body = TeamRequest,
    responses((status = 201, body = Team), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_team(
    State(app): State<AppState>,
    manage: Grant<TeamManage>,
    ApiJson(req): ApiJson<TeamRequest>,
) -> ApiResult<(StatusCode, Json<Team>)> {
    let name = req.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
        return Err(ApiError::invalid(
            "invalid_name",
            "name",
            "a team's name has 1 to 64 characters",
        ));
    }
    let county = DivisionCode::parse(&req.county).map_err(|e| e.under("county"))?;
    if req.members.is_empty() || req.members.len() > 200 {
        return Err(ApiError::invalid(
            "out_of_range",
            "members",
            "a team has 1 to 200 callers",
        ));
    }
    let mut names = vec![("lead", req.lead.clone())];
    let fields: Vec<String> = (0..req.members.len())
        .map(|i| format!("members[{i}]"))
        .collect();
    let mut all: Vec<(&str, String)> = fields
        .iter()
        .zip(&req.members)
        .map(|(f, m)| (f.as_str(), m.clone()))
        .collect();
    names.append(&mut all);
    let mut found = callers(&app, &names).await?;
    let lead = found.remove(0);
    let team = app
        .store
        .create_team(
            &manage.grant,
            NewTeam {
                name,
                county,
                lead,
                members: found,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(team)))
}

#[utoipa::path(get, path = "/api/v1/followup/teams", tag = "followup",
    responses((status = 200, body = TeamList)))]
pub async fn teams(
    State(app): State<AppState>,
    read: Grant<ListRead>,
) -> ApiResult<Json<TeamList>> {
    Ok(Json(TeamList {
        teams: app.store.list_teams(&read.grant).await?,
    }))
}

#[utoipa::path(post, path = "/api/v1/followup/reassign", tag = "followup", request_body = ReassignRequest,
    responses((status = 200, body = Reassigned), (status = 422, body = ErrorBody)))]
pub async fn reassign(
    State(app): State<AppState>,
    manage: Grant<TeamManage>,
    ApiJson(req): ApiJson<ReassignRequest>,
) -> ApiResult<(Extension<AuditNote>, Json<Reassigned>)> {
    let to = checked(&req)?;
    let handed = app
        .store
        .reassign(&manage.grant, &req.subjects, &to)
        .await?;
    let mut note = AuditNote::read(format!("follow-up persons to {to}"), handed as usize);
    note.action = Some("followup.reassign");
    Ok((Extension(note), Json(Reassigned { handed })))
}

fn checked(req: &ReassignRequest) -> ApiResult<Username> {
    if req.subjects.is_empty() || req.subjects.len() > 10_000 {
        return Err(ApiError::invalid(
            "out_of_range",
            "subjects",
            "1 to 10,000 persons at a time",
        ));
    }
    Username::parse(req.to.trim()).map_err(|e| e.under("to").into())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct LedParams {
    /// The last person (subject id) of the previous page (default 0).
    pub after: Option<i64>,
    /// 1 to 500, default 200.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LedTeam {
    /// The teams the caller leads (empty for one who leads none).
    pub teams: Vec<Team>,
    /// Their persons whose work is not over, masked.
    pub items: Vec<WorkItem>,
    /// The `after` of the next page, when there is one.
    pub next: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/followup/team", tag = "followup", params(LedParams),
    responses((status = 200, body = LedTeam), (status = 422, body = ErrorBody)))]
pub async fn led_team(
    State(app): State<AppState>,
    work: Grant<Work>,
    ApiQuery(q): ApiQuery<LedParams>,
) -> ApiResult<(Extension<AuditNote>, Json<LedTeam>)> {
    let limit = q.limit.unwrap_or(200);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::invalid(
            "out_of_range",
            "limit",
            "limit is 1 to 500",
        ));
    }
    let (teams, mut items) = app
        .store
        .led_team(&work.grant, q.after.unwrap_or(0), limit + 1)
        .await?;
    let next = (items.len() as i64 > limit).then(|| {
        items.truncate(limit as usize);
        items.last().map(|i| i.subject)
    });
    let note = AuditNote::read("follow-up team", items.len());
    Ok((
        Extension(note),
        Json(LedTeam {
            teams,
            items,
            next: next.flatten(),
        }),
    ))
}

#[utoipa::path(post, path = "/api/v1/followup/team/reassign", tag = "followup", request_body = ReassignRequest,
    responses((status = 200, body = Reassigned),
        (status = 422, body = ErrorBody, description = "`to` is not a caller of a team the caller leads")))]
pub async fn reassign_in_team(
    State(app): State<AppState>,
    work: Grant<Work>,
    ApiJson(req): ApiJson<ReassignRequest>,
) -> ApiResult<(Extension<AuditNote>, Json<Reassigned>)> {
    let to = checked(&req)?;
    let handed = app
        .store
        .reassign_in_team(&work.grant, &req.subjects, &to)
        .await?;
    let mut note = AuditNote::read(format!("follow-up persons to {to}"), handed as usize);
    note.action = Some("followup.reassign");
    Ok((Extension(note), Json(Reassigned { handed })))
}

#[utoipa::path(post, path = "/api/v1/followup/subjects/{id}/split", tag = "followup",
    params(("id" = i64, Path, description = "the person the row was matched to")), request_body = SplitRequest,
    responses((status = 201, body = Split), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn split(
    State(app): State<AppState>,
    manage: Grant<TeamManage>,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<SplitRequest>,
) -> ApiResult<(StatusCode, Extension<AuditNote>, Json<Split>)> {
    let id = subject_id(&id)?;
    let reason =
        cordon_domain::checkpoint::parse_reason(&req.reason).map_err(|e| e.under("reason"))?;
    let subject = app
        .store
        .split_row(&manage.grant, id, req.list, req.row, &reason)
        .await?;
    let mut note = AuditNote::read(
        format!(
            "follow-up person {id}, row {} of list {}",
            req.row, req.list
        ),
        1,
    );
    note.action = Some("followup.split");
    note.purpose = reason;
    Ok((
        StatusCode::CREATED,
        Extension(note),
        Json(Split { subject }),
    ))
}
