//! Follow-up lists over HTTP: pushed as JSON by another region's system or another hub
//! (idempotent by list id and row number), uploaded as a CSV or Excel file (all or nothing
//! unless bad rows are to be skipped, each reported), made from a case trace's contacts; the
//! lists of the caller's jurisdiction and each list's persons, masked. Writing a list and
//! reading its persons are audited with how many persons they named.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::{Extension, Json};
use cordon_domain::access::followup::{ListRead, ListWrite};
use cordon_domain::followup::{
    ListRequest, ListRow, ListSource, ListSummary, SubjectLine, DEFAULT_DEADLINE_HOURS,
    MAX_DEADLINE_HOURS,
};
use cordon_domain::policy::PolicyProblem;
use cordon_store::followup::{ListAdded, NewList, NewListRow};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::import;
use crate::audit::AuditNote;
use crate::auth::Grant;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery};
use crate::state::AppState;
use crate::trace::api::TraceRequest;

/// Largest upload.
pub const UPLOAD_LIMIT: usize = 32 * 1024 * 1024;
/// Largest pushed list (200,000 rows of a few hundred bytes).
pub const PUSH_LIMIT: usize = 64 * 1024 * 1024;
const MAX_PAGE: i64 = 1_000;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct UploadParams {
    /// The list's id, for a retry of the same upload (default: a new one).
    #[param(value_type = Option<String>, format = Uuid)]
    pub id: Option<Uuid>,
    /// What the callers see it as (default: the file's name).
    pub label: Option<String>,
    /// The file's name.
    pub name: Option<String>,
    /// Hours the callers have (1 to 336, default 24).
    #[param(minimum = 1, maximum = 336)]
    pub deadline_hours: Option<u32>,
    /// Take the rows that are good and report the others (default: a bad row stops the upload).
    #[serde(default)]
    pub skip_bad_rows: bool,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UploadReport {
    #[serde(flatten)]
    pub added: ListAdded,
    /// Rows in the file.
    pub file_rows: usize,
    /// Problems of the rows left out, each with its line and column.
    pub skipped: Vec<PolicyProblem>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FromTraceRequest {
    /// The list's id, chosen by the page, so that pressing twice makes one list.
    #[schema(value_type = String, format = Uuid)]
    pub id: Uuid,
    /// What the callers see it as (default: the trace's purpose and subject).
    #[serde(default)]
    pub label: Option<String>,
    /// Hours the callers have (1 to 336, default 24).
    #[serde(default)]
    #[schema(minimum = 1, maximum = 336)]
    pub deadline_hours: Option<u32>,
    /// The trace whose contacts become the list.
    pub trace: TraceRequest,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ListList {
    pub lists: Vec<ListSummary>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SubjectsParams {
    /// The last row number of the previous page (default 0).
    pub after: Option<i64>,
    /// 1 to 1000, default 200.
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SubjectList {
    pub subjects: Vec<SubjectLine>,
    /// The `after` of the next page, when there is one.
    pub next: Option<i64>,
}

pub(super) fn deadline(hours: Option<u32>, now_ms: i64) -> ApiResult<i64> {
    let h = hours.unwrap_or(DEFAULT_DEADLINE_HOURS);
    if !(1..=MAX_DEADLINE_HOURS).contains(&h) {
        return Err(ApiError::invalid(
            "out_of_range",
            "deadline_hours",
            format!("a deadline is 1 to {MAX_DEADLINE_HOURS} hours"),
        ));
    }
    Ok(now_ms + i64::from(h) * 3_600_000)
}

/// A label as given: trimmed, without control characters, at most 200 characters.
pub(super) fn label(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control())
        .take(cordon_domain::followup::MAX_TEXT)
        .collect::<String>()
        .trim()
        .to_owned()
}

/// A list checked, before its rows are sealed.
pub(crate) struct Incoming {
    pub(crate) id: Uuid,
    pub(crate) source: ListSource,
    pub(crate) label: String,
    pub(crate) deadline_ms: i64,
    pub(crate) skipped: usize,
    pub(crate) rows: Vec<ListRow>,
}

pub(crate) async fn add(
    app: &AppState,
    grant: &ListWrite,
    list: Incoming,
) -> ApiResult<(ListAdded, AuditNote)> {
    let Incoming {
        id,
        source,
        label,
        deadline_ms,
        skipped,
        rows,
    } = list;
    let keyring = app.store.keyring().clone();
    // Persons are handed to the counties of the jurisdiction the list is brought in.
    let scope = match grant.scope() {
        cordon_domain::access::Scope::Division(d) => *d,
        cordon_domain::access::Scope::Checkpoints(_) => return Err(ApiError::Forbidden),
    };
    // Sealing a large list takes a while: off the runtime's workers.
    let sealed = tokio::task::spawn_blocking(move || {
        rows.iter()
            .map(|r| NewListRow::new(id, r, scope, &keyring))
            .collect::<Vec<_>>()
    })
    .await
    .map_err(|_| ApiError::Internal)?;
    let persons = sealed.len();
    let added = app
        .store
        .add_followup_list(
            grant,
            NewList {
                id,
                source,
                label,
                deadline_ms,
                skipped: skipped as i64,
                rows: sealed,
            },
        )
        .await?;
    let mut note = AuditNote::read(format!("follow-up list {id}"), persons);
    note.action = Some("followup.list");
    Ok((added, note))
}

pub(super) fn status(added: &ListAdded) -> StatusCode {
    if added.rows_added == 0 {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    }
}

#[utoipa::path(post, path = "/api/v1/followup/lists", tag = "followup", request_body = ListRequest,
    responses((status = 201, body = ListAdded, description = "rows were added"),
        (status = 200, body = ListAdded, description = "every row was there already: nothing written"),
        (status = 403, body = ErrorBody, description = "the list id belongs to another jurisdiction"),
        (status = 409, body = ErrorBody, description = "a row number sent before with other facts: nothing written"),
        (status = 422, body = ErrorBody, description = "every bad row and field under `problems`: nothing written")))]
pub async fn push(
    State(app): State<AppState>,
    write: Grant<ListWrite>,
    ApiJson(req): ApiJson<ListRequest>,
) -> ApiResult<(StatusCode, Extension<AuditNote>, Json<ListAdded>)> {
    app.hub_only("follow-up lists")?;
    let now = cordon_domain::time::now_ms();
    let (label, hours, rows) = req.parse(cordon_domain::time::today_china())?;
    let deadline_ms = deadline(Some(hours), now)?;
    let (added, note) = add(
        &app,
        &write.grant,
        Incoming {
            id: req.id,
            source: ListSource::Push,
            label,
            deadline_ms,
            skipped: 0,
            rows,
        },
    )
    .await?;
    Ok((status(&added), Extension(note), Json(added)))
}

#[utoipa::path(post, path = "/api/v1/followup/lists/import", tag = "followup", params(UploadParams),
    request_body(description = "a CSV file (UTF-8) or an Excel workbook", content(
        (String = "text/csv"),
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
    responses((status = 201, body = UploadReport), (status = 200, body = UploadReport),
        (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "rows that do not parse, each with its line and column; nothing was written")))]
pub async fn upload(
    State(app): State<AppState>,
    write: Grant<ListWrite>,
    ApiQuery(params): ApiQuery<UploadParams>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<(StatusCode, Extension<AuditNote>, Json<UploadReport>)> {
    app.hub_only("follow-up lists")?;
    let kind = crate::table::kind(&headers).ok_or(ApiError::UnsupportedMediaType)?;
    let now = cordon_domain::time::now_ms();
    let deadline_ms = deadline(params.deadline_hours, now)?;
    let today = cordon_domain::time::today_china();
    let mut parsed = tokio::task::spawn_blocking(move || import::parse(kind, &body, today))
        .await
        .map_err(|_| ApiError::Internal)?;
    crate::localized::problems_for(&headers, &mut parsed.problems);
    let fatal = parsed
        .problems
        .iter()
        .any(|p| p.line.is_none_or(|l| l == 1) || p.code == "too_many");
    if !parsed.problems.is_empty() && (fatal || !params.skip_bad_rows) {
        return Err(ApiError::Problems("invalid_import", parsed.problems));
    }
    if parsed.rows.is_empty() {
        return Err(ApiError::invalid(
            "empty",
            "",
            "the file has no rows to take",
        ));
    }
    let name = params.name.as_deref().map(label).unwrap_or_default();
    let given = params.label.as_deref().map(label).unwrap_or_default();
    let list_label = match (given.is_empty(), name.is_empty()) {
        (false, _) => given,
        (true, false) => name,
        (true, true) => "upload".to_owned(),
    };
    let (added, note) = add(
        &app,
        &write.grant,
        Incoming {
            id: params.id.unwrap_or_else(Uuid::now_v7),
            source: ListSource::Upload,
            label: list_label,
            deadline_ms,
            skipped: parsed.bad,
            rows: parsed.rows,
        },
    )
    .await?;
    Ok((
        status(&added),
        Extension(note),
        Json(UploadReport {
            added,
            file_rows: parsed.count,
            skipped: parsed.problems,
        }),
    ))
}

#[utoipa::path(post, path = "/api/v1/followup/lists/from-trace", tag = "followup", request_body = FromTraceRequest,
    responses((status = 201, body = ListAdded), (status = 200, body = ListAdded),
        (status = 422, body = ErrorBody, description = "the trace's request is refused, or it found no contact"),
        (status = 503, body = ErrorBody)))]
pub async fn from_trace(
    State(app): State<AppState>,
    write: Grant<ListWrite>,
    ApiJson(req): ApiJson<FromTraceRequest>,
) -> ApiResult<(StatusCode, Extension<AuditNote>, Json<ListAdded>)> {
    app.hub_only("follow-up lists")?;
    let read = write.caller.principal.may_read_trajectories()?;
    let now = cordon_domain::time::now_ms();
    let deadline_ms = deadline(req.deadline_hours, now)?;
    let (contacts, mut note, subject) =
        crate::trace::api::traced_contacts(&app, &read, req.trace).await?;
    if contacts.is_empty() {
        return Err(ApiError::invalid(
            "no_contacts",
            "trace",
            "the trace found no contact to follow up",
        ));
    }
    let rows: Vec<ListRow> = contacts
        .into_iter()
        .enumerate()
        .map(|(i, c)| ListRow {
            row: i as u32 + 1,
            name: c.person.name,
            document: Some(c.person.document),
            phone: c.person.phone,
            from: None,
            arrived_on: None,
            address: None,
            note: Some(c.link),
        })
        .collect();
    let given = req.label.as_deref().map(label).unwrap_or_default();
    let list_label = if given.is_empty() {
        label(&format!("流调 {subject}"))
    } else {
        given
    };
    let (added, list_note) = add(
        &app,
        &write.grant,
        Incoming {
            id: req.id,
            source: ListSource::Trace,
            label: list_label,
            deadline_ms,
            skipped: 0,
            rows,
        },
    )
    .await?;
    note.target = list_note.target;
    Ok((status(&added), Extension(note), Json(added)))
}

#[utoipa::path(get, path = "/api/v1/followup/lists", tag = "followup",
    responses((status = 200, body = ListList)))]
pub async fn lists(
    State(app): State<AppState>,
    read: Grant<ListRead>,
) -> ApiResult<Json<ListList>> {
    let lists = app.store.list_followup_lists(&read.grant, 500).await?;
    Ok(Json(ListList { lists }))
}

#[utoipa::path(get, path = "/api/v1/followup/lists/{id}/subjects", tag = "followup",
    params(("id" = String, Path, description = "the list's id"), SubjectsParams),
    responses((status = 200, body = SubjectList), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn subjects(
    State(app): State<AppState>,
    read: Grant<ListRead>,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<SubjectsParams>,
) -> ApiResult<(Extension<AuditNote>, Json<SubjectList>)> {
    let id = Uuid::parse_str(&id)
        .map_err(|_| ApiError::NotFound(format!("follow-up list {id} not found")))?;
    let limit = q.limit.unwrap_or(200);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(ApiError::invalid(
            "out_of_range",
            "limit",
            format!("limit is 1 to {MAX_PAGE}"),
        ));
    }
    let after = q.after.unwrap_or(0);
    let subjects = app
        .store
        .followup_subjects(&read.grant, id, after, limit + 1)
        .await?;
    let more = subjects.len() as i64 > limit;
    let subjects: Vec<SubjectLine> = subjects.into_iter().take(limit as usize).collect();
    let next = if more {
        subjects.last().map(|s| s.row)
    } else {
        None
    };
    let note = AuditNote::read(format!("follow-up list {id}"), subjects.len());
    Ok((Extension(note), Json(SubjectList { subjects, next })))
}
