//! A campaign's roster over HTTP: a commander uploads who is expected as a CSV or Excel file
//! (columns by Chinese or English names: name, document type and number, phone, compound,
//! building; all or nothing unless bad rows are to be skipped, each reported at its line and
//! column); commanders and samplers read how complete the campaign is, building by building,
//! and who of one building has not been sampled, masked and audited.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::{Extension, Json};
use chrono::NaiveDate;
use cordon_domain::access::testing::{CampaignManage, TestingRead};
use cordon_domain::identity::MaskedDocument;
use cordon_domain::policy::PolicyProblem;
use cordon_domain::registration::DocumentRequest;
use cordon_domain::testing::roster::{RosterRow, RosterRowRequest, MAX_FILE_ROWS};
use cordon_store::testing::{
    roster_context, Completeness, NewRosterRow, RosterAdded, RosterPerson,
};
use serde::{Deserialize, Serialize};

use crate::audit::AuditNote;
use crate::auth::Grant;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiQuery;
use crate::state::AppState;
use crate::table::{problem, Column, Kind};

/// Largest roster file.
pub const ROSTER_LIMIT: usize = 64 * 1024 * 1024;

const COLUMNS: [Column; 6] = [
    ("name", &["name", "姓名"]),
    ("document_type", &["document_type", "证件类型"]),
    (
        "document_number",
        &["document_number", "证件号码", "身份证号", "身份证号码"],
    ),
    (
        "phone",
        &["phone", "手机号", "手机号码", "联系电话", "电话"],
    ),
    ("compound", &["compound", "小区", "小区名称", "村", "村庄"]),
    ("building", &["building", "楼栋", "楼号", "楼栋号", "组"]),
];

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RosterParams {
    /// Take the rows that are good and report the others (default: a bad row stops the upload).
    #[serde(default)]
    pub skip_bad_rows: bool,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RosterReport {
    #[serde(flatten)]
    pub added: RosterAdded,
    /// Rows in the file.
    pub file_rows: usize,
    /// Problems of the rows left out, each with its line and column.
    pub skipped: Vec<PolicyProblem>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct MissingParams {
    pub compound: String,
    #[serde(default)]
    pub building: String,
    /// 1 to 1000, default 500.
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MissingList {
    pub persons: Vec<RosterPerson>,
}

/// The column a row's rejected field is in.
fn column(field: &str) -> &str {
    match field {
        "document.type" => "document_type",
        f if f.starts_with("document") => "document_number",
        other => other,
    }
}

/// A file's rows, checked: the good ones, a problem for each bad one, and how many rows.
fn parse(
    kind: Kind,
    bytes: &[u8],
    today: NaiveDate,
) -> (Vec<RosterRow>, Vec<PolicyProblem>, usize) {
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    let table = match crate::table::read(kind, bytes) {
        Ok(t) => t,
        Err(p) => return (rows, vec![p], 0),
    };
    let mut lines = table.into_iter().enumerate();
    let Some((_, header)) = lines.next() else {
        return (
            rows,
            vec![problem(1, "", "empty", "the file has no header row")],
            0,
        );
    };
    let at = match crate::table::columns(&header, &COLUMNS, &["document_type", "phone", "building"])
    {
        Ok(at) => at,
        Err(p) => return (rows, p, 0),
    };
    let too_many = format!("a roster file has at most {MAX_FILE_ROWS} rows");
    let count = crate::table::walk_rows(
        lines,
        MAX_FILE_ROWS,
        &too_many,
        &mut problems,
        |line, cells, problems| {
            let cell = |c: usize| -> String {
                at[c]
                    .and_then(|i| cells.get(i))
                    .map(|s| s.trim().to_owned())
                    .unwrap_or_default()
            };
            let request = RosterRowRequest {
                name: cell(0),
                document: DocumentRequest {
                    kind: crate::table::document_type(&cell(1)),
                    number: cell(2),
                },
                phone: Some(cell(3)),
                compound: cell(4),
                building: Some(cell(5)),
            };
            match request.parse(today) {
                Ok(r) => rows.push(r),
                Err(found) => problems.extend(
                    found
                        .into_iter()
                        .map(|e| problem(line, column(&e.field), &e.code, e.message)),
                ),
            }
        },
    );
    (rows, problems, count)
}

#[utoipa::path(post, path = "/api/v1/testing/campaigns/{id}/roster", tag = "testing",
    params(("id" = i64, Path, description = "the campaign"), RosterParams),
    request_body(description = "a CSV file (UTF-8) or an Excel workbook", content(
        (String = "text/csv"),
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
    responses((status = 200, body = RosterReport), (status = 404, body = ErrorBody),
        (status = 415, body = ErrorBody, description = "neither CSV nor an Excel workbook"),
        (status = 422, body = ErrorBody, description = "rows that do not parse, each with its line and column; nothing was written")))]
pub async fn upload(
    State(app): State<AppState>,
    manage: Grant<CampaignManage>,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<RosterParams>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<(StatusCode, Extension<AuditNote>, Json<RosterReport>)> {
    let id: i64 = id
        .parse()
        .map_err(|_| ApiError::NotFound(format!("campaign {id} not found")))?;
    let kind = crate::table::kind(&headers).ok_or(ApiError::UnsupportedMediaType)?;
    let today = cordon_domain::time::today_china();
    let (rows, mut problems, count) =
        tokio::task::spawn_blocking(move || parse(kind, &body, today))
            .await
            .map_err(|_| ApiError::Internal)?;
    crate::localized::problems_for(&headers, &mut problems);
    let fatal = problems
        .iter()
        .any(|p| p.line.is_none_or(|l| l == 1) || p.code == "too_many");
    if !problems.is_empty() && (fatal || !q.skip_bad_rows) {
        return Err(ApiError::Problems("invalid_import", problems));
    }
    if rows.is_empty() {
        return Err(ApiError::invalid(
            "empty",
            "",
            "the file has no rows to take",
        ));
    }
    let sealed = seal_rows(&app, id, rows).await?;
    let persons = sealed.len();
    let added = app.store.add_roster(&manage.grant, id, sealed).await?;
    let mut note = AuditNote::read(format!("roster of campaign {id}"), persons);
    note.action = Some("testing.roster");
    Ok((
        StatusCode::OK,
        Extension(note),
        Json(RosterReport {
            added,
            file_rows: count,
            skipped: problems,
        }),
    ))
}

/// Roster rows as stored: each person's keyed hash, masked fields, and the row sealed to the
/// campaign ([`roster_context`]), made off the request's thread.
pub(super) async fn seal_rows(
    app: &AppState,
    id: i64,
    rows: Vec<RosterRow>,
) -> ApiResult<Vec<NewRosterRow>> {
    let keyring = app.store.keyring().clone();
    tokio::task::spawn_blocking(move || {
        rows.iter()
            .map(|r| {
                let key = keyring.person(&r.document);
                let plain = serde_json::json!({
                    "type": r.document.kind().as_str(),
                    "number": r.document.expose_number(),
                    "name": r.name.expose(),
                    "phone": r.phone.as_ref().map(|p| p.expose().to_owned()),
                });
                NewRosterRow {
                    sealed: keyring.seal(
                        &roster_context(id, &key),
                        &serde_json::to_vec(&plain).expect("a row serialises"),
                    ),
                    person_key: key,
                    masked_name: r.name.masked(),
                    document: MaskedDocument {
                        kind: r.document.kind(),
                        number: r.document.masked_number(),
                    },
                    compound: r.compound.clone(),
                    building: r.building.clone(),
                }
            })
            .collect::<Vec<_>>()
    })
    .await
    .map_err(|_| ApiError::Internal)
}

#[utoipa::path(get, path = "/api/v1/testing/campaigns/{id}/completeness", tag = "testing",
    params(("id" = i64, Path, description = "the campaign")),
    responses((status = 200, body = Completeness), (status = 404, body = ErrorBody)))]
pub async fn completeness(
    State(app): State<AppState>,
    read: Grant<TestingRead>,
    Path(id): Path<String>,
) -> ApiResult<Json<Completeness>> {
    let id: i64 = id
        .parse()
        .map_err(|_| ApiError::NotFound(format!("campaign {id} not found")))?;
    Ok(Json(app.store.completeness(&read.grant, id).await?))
}

#[utoipa::path(get, path = "/api/v1/testing/campaigns/{id}/missing", tag = "testing",
    params(("id" = i64, Path, description = "the campaign"), MissingParams),
    responses((status = 200, body = MissingList), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn missing(
    State(app): State<AppState>,
    read: Grant<TestingRead>,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<MissingParams>,
) -> ApiResult<(Extension<AuditNote>, Json<MissingList>)> {
    let id: i64 = id
        .parse()
        .map_err(|_| ApiError::NotFound(format!("campaign {id} not found")))?;
    let limit = q.limit.unwrap_or(500);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::invalid(
            "out_of_range",
            "limit",
            "limit is 1 to 1000",
        ));
    }
    let persons = app
        .store
        .missing(&read.grant, id, q.compound.trim(), q.building.trim(), limit)
        .await?;
    let note = AuditNote::read(format!("campaign {id} not sampled"), persons.len());
    Ok((Extension(note), Json(MissingList { persons })))
}
