//! Follow-up taken away as files for the level above: the completion board
//! (`GET /api/v1/followup/board.csv|xlsx?by=`) and a list's answers, one row per person with its
//! state, outcome, calls and the latest answers, one column per question
//! (`GET /api/v1/followup/lists/{id}/answers.csv|xlsx`). Persons masked, answers opened for the
//! export and audited as `followup.export`; both streamed ([`crate::table`]).

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::response::Response;
use axum::Extension;
use cordon_domain::access::followup::ListRead;
use cordon_domain::followup::questionnaire::compile;
use cordon_store::followup::{answers_context, AnswerLine, BoardLine};
use serde_json::Value;
use uuid::Uuid;

use super::work_api::{board_by, BoardParams};
use crate::audit::AuditNote;
use crate::auth::Grant;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiQuery;
use crate::state::AppState;
use crate::table::{download, names, Kind};

const BOARD: [&str; 10] = [
    "key",
    "label",
    "total",
    "pending",
    "in_progress",
    "escalated",
    "transferred",
    "closed",
    "reached",
    "overdue",
];

const ANSWERS: [&str; 10] = [
    "row",
    "name",
    "document_type",
    "document_number",
    "identity",
    "state",
    "outcome",
    "calls",
    "last_attempt_at",
    "questionnaire",
];

fn board_row(l: BoardLine) -> Vec<String> {
    let n = [
        l.total,
        l.pending,
        l.in_progress,
        l.escalated,
        l.transferred,
        l.closed,
        l.reached,
        l.overdue,
    ];
    [l.key, l.label]
        .into_iter()
        .chain(n.iter().map(i64::to_string))
        .collect()
}

async fn board_rows(
    app: &AppState,
    read: &ListRead,
    q: BoardParams,
) -> ApiResult<Vec<Vec<String>>> {
    let lines = app
        .store
        .followup_board(read, board_by(q.by), cordon_domain::time::now_ms())
        .await?;
    Ok(lines.into_iter().map(board_row).collect())
}

#[utoipa::path(get, path = "/api/v1/followup/board.csv", tag = "followup", params(BoardParams),
    responses((status = 200, description = "The completion board as CSV", content_type = "text/csv"),
        (status = 422, body = ErrorBody)))]
pub async fn board_csv(
    State(app): State<AppState>,
    read: Grant<ListRead>,
    ApiQuery(q): ApiQuery<BoardParams>,
) -> ApiResult<Response> {
    let rows = board_rows(&app, &read.grant, q).await?;
    download(Kind::Csv, "board", names(&BOARD), rows, None).await
}

#[utoipa::path(get, path = "/api/v1/followup/board.xlsx", tag = "followup", params(BoardParams),
    responses((status = 200, description = "The completion board as an Excel workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 422, body = ErrorBody)))]
pub async fn board_xlsx(
    State(app): State<AppState>,
    read: Grant<ListRead>,
    ApiQuery(q): ApiQuery<BoardParams>,
) -> ApiResult<Response> {
    let rows = board_rows(&app, &read.grant, q).await?;
    download(Kind::Xlsx, "board", names(&BOARD), rows, None).await
}

/// An answer as a cell: places as `110105 2022-05-01; ...`, a journey as `train G6711`, a test
/// as `pcr 2022-05-02 negative`, choices joined, yes and no as they are.
fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => if *b { "yes" } else { "no" }.to_owned(),
        Value::Number(n) => n.to_string(),
        Value::Array(list) => list.iter().map(cell).collect::<Vec<_>>().join("; "),
        Value::Object(o) => ["division", "kind", "number", "date", "result"]
            .iter()
            .filter_map(|k| o.get(*k).map(cell))
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// The rows of a list's answers: the columns (the fixed ones, then each question of the
/// versions answered, in their order), and the persons.
async fn answer_rows(
    app: &AppState,
    read: &ListRead,
    list: &str,
) -> ApiResult<(Vec<String>, Vec<Vec<String>>, usize)> {
    let list = Uuid::parse_str(list)
        .map_err(|_| ApiError::NotFound(format!("follow-up list {list} not found")))?;
    let lines: Vec<AnswerLine> = app.store.list_answers(read, list).await?;
    let mut questions: Vec<String> = Vec::new();
    let mut versions: HashMap<i64, ()> = HashMap::new();
    for v in lines
        .iter()
        .filter_map(|l| l.answered.as_ref().map(|a| a.0))
    {
        if versions.insert(v, ()).is_none() {
            let (_, source) = app.store.get_questionnaire(v).await?;
            let q = compile(&source).map_err(|_| ApiError::Internal)?;
            for question in q.questions {
                if !questions.contains(&question.id) {
                    questions.push(question.id);
                }
            }
        }
    }
    let keyring = app.store.keyring();
    let persons = lines.len();
    let rows = lines
        .into_iter()
        .map(|l| {
            let answers: Value = match &l.answered {
                Some((_, sealed)) => keyring
                    .open(&answers_context(l.line.subject), sealed)
                    .ok()
                    .and_then(|b| serde_json::from_slice(&b).ok())
                    .unwrap_or(Value::Null),
                None => Value::Null,
            };
            let doc = l.line.document.as_ref();
            let mut row = vec![
                l.line.row.to_string(),
                l.line.name.clone(),
                doc.map(|d| d.kind.as_str().to_owned()).unwrap_or_default(),
                doc.map(|d| d.number.clone()).unwrap_or_default(),
                if l.line.verified {
                    "document"
                } else {
                    "phone_and_name"
                }
                .to_owned(),
                l.line.state.clone(),
                l.outcome.clone().unwrap_or_default(),
                l.calls.to_string(),
                l.last_attempt_ms
                    .map(|t| cordon_domain::time::from_ms(t).to_rfc3339())
                    .unwrap_or_default(),
                l.answered
                    .as_ref()
                    .map(|a| a.0.to_string())
                    .unwrap_or_default(),
            ];
            row.extend(
                questions
                    .iter()
                    .map(|q| cell(answers.get(q).unwrap_or(&Value::Null))),
            );
            row
        })
        .collect();
    let columns = names(&ANSWERS).into_iter().chain(questions).collect();
    Ok((columns, rows, persons))
}

/// A list's answers as a file of `kind`, audited.
async fn answers(
    app: &AppState,
    read: &ListRead,
    id: &str,
    kind: Kind,
) -> ApiResult<(Extension<AuditNote>, Response)> {
    let (columns, rows, persons) = answer_rows(app, read, id).await?;
    let file = download(kind, "answers", columns, rows, None).await?;
    Ok((Extension(audit(id, persons)), file))
}

fn audit(list: &str, persons: usize) -> AuditNote {
    let mut note = AuditNote::read(format!("answers of follow-up list {list}"), persons);
    note.action = Some("followup.export");
    note.purpose = "follow-up".into();
    note
}

#[utoipa::path(get, path = "/api/v1/followup/lists/{id}/answers.csv", tag = "followup",
    params(("id" = String, Path, description = "the list's id")),
    responses((status = 200, description = "A list's persons with their outcomes and latest answers, as CSV", content_type = "text/csv"),
        (status = 404, body = ErrorBody)))]
pub async fn answers_csv(
    State(app): State<AppState>,
    read: Grant<ListRead>,
    Path(id): Path<String>,
) -> ApiResult<(Extension<AuditNote>, Response)> {
    answers(&app, &read.grant, &id, Kind::Csv).await
}

#[utoipa::path(get, path = "/api/v1/followup/lists/{id}/answers.xlsx", tag = "followup",
    params(("id" = String, Path, description = "the list's id")),
    responses((status = 200, description = "A list's persons with their outcomes and latest answers, as an Excel workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 404, body = ErrorBody)))]
pub async fn answers_xlsx(
    State(app): State<AppState>,
    read: Grant<ListRead>,
    Path(id): Path<String>,
) -> ApiResult<(Extension<AuditNote>, Response)> {
    answers(&app, &read.grant, &id, Kind::Xlsx).await
}
