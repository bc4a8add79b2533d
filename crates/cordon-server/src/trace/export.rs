//! The contact list of a case trace as a file for the follow-up teams: CSV
//! (`POST /api/v1/trace/contacts.csv`) or Excel (`POST /api/v1/trace/contacts.xlsx`), one row per
//! contact, masked like every answer, audited as `trace.export`. The body is the trace's.
//!
//! Both are streamed ([`crate::table`]): the CSV a few hundred rows at a time as the client
//! reads it; the workbook written row by row to a temporary file and sent from there in pieces.
//! What a request holds in memory is the trace's answer and its rows, bounded by `max_contacts`
//! (at most 10,000), never the file.

use axum::extract::State;
use axum::response::Response;
use axum::Extension;
use cordon_domain::access::trace::TrajectoryRead;

use super::api::{audit, check, risk, run, Resolved, TraceRequest};
use super::AppState;
use crate::audit::AuditNote;
use crate::auth::Grant;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::ApiJson;
use crate::table::{download, names, Kind};

const COLUMNS: [&str; 14] = [
    "contact",
    "hop",
    "risk",
    "document_type",
    "document_number",
    "name",
    "phone",
    "link",
    "checkpoint",
    "observed_at",
    "plate",
    "gap_minutes",
    "links",
    "linked_to",
];

/// Contact `i` as a row of [`COLUMNS`], with the contact's strongest link.
fn row(r: &Resolved, i: usize) -> [String; 14] {
    let c = &r.answer.contacts[i];
    let e = r.evidence[i].first();
    let p = r.persons[i].as_ref();
    [
        format!("c{}", i + 1),
        c.hop.to_string(),
        risk(&r.answer, c).to_owned(),
        p.map(|p| p.document.kind.as_str().to_owned())
            .unwrap_or_default(),
        p.map(|p| p.document.number.clone()).unwrap_or_default(),
        p.map(|p| p.name.clone()).unwrap_or_default(),
        p.and_then(|p| p.phone.clone()).unwrap_or_default(),
        e.map(|e| e.kind.to_owned()).unwrap_or_default(),
        e.map(|e| e.checkpoint.clone()).unwrap_or_default(),
        e.map(|e| e.observed_at.to_rfc3339()).unwrap_or_default(),
        e.and_then(|e| e.plate.clone()).unwrap_or_default(),
        e.map(|e| e.gap_minutes.to_string()).unwrap_or_default(),
        c.links.to_string(),
        e.map(|e| e.from.clone()).unwrap_or_default(),
    ]
}

/// Every contact as a row of [`COLUMNS`].
fn rows(r: &Resolved) -> Vec<Vec<String>> {
    (0..r.answer.contacts.len())
        .map(|i| row(r, i).to_vec())
        .collect()
}

/// The line that says a trace was cut, when it was.
fn cut_note(r: &Resolved) -> Option<String> {
    r.answer.truncated.map(|cut| {
        format!(
            "cut at hop {} ({}): more contacts exist; narrow the period or raise max_contacts",
            cut.hop, cut.reason
        )
    })
}

/// The trace an export lists, and its audit entry (`trace.export`).
async fn traced(
    app: &AppState,
    read: &Grant<TrajectoryRead>,
    req: TraceRequest,
) -> ApiResult<(Resolved, AuditNote)> {
    let checked = check(app, req)?;
    let resolved = run(app, &read.grant, &checked).await?;
    let note = audit(&checked, &resolved, "trace.export");
    Ok((resolved, note))
}

/// The trace's contacts as a file of `kind`.
async fn contacts(
    app: &AppState,
    read: &Grant<TrajectoryRead>,
    req: TraceRequest,
    kind: Kind,
) -> ApiResult<(Extension<AuditNote>, Response)> {
    let (resolved, note) = traced(app, read, req).await?;
    let cut = cut_note(&resolved);
    let file = download(kind, "contacts", names(&COLUMNS), rows(&resolved), cut).await?;
    Ok((Extension(note), file))
}

#[utoipa::path(post, path = "/api/v1/trace/contacts.csv", tag = "trace", request_body = TraceRequest,
    responses((status = 200, description = "The contact list as CSV (UTF-8 with a byte-order mark), one row per contact, masked", content_type = "text/csv"),
              (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn contacts_csv(
    State(app): State<AppState>,
    read: Grant<TrajectoryRead>,
    ApiJson(req): ApiJson<TraceRequest>,
) -> ApiResult<(Extension<AuditNote>, Response)> {
    contacts(&app, &read, req, Kind::Csv).await
}

#[utoipa::path(post, path = "/api/v1/trace/contacts.xlsx", tag = "trace", request_body = TraceRequest,
    responses((status = 200, description = "The contact list as an Excel workbook, one row per contact, masked", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
              (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn contacts_xlsx(
    State(app): State<AppState>,
    read: Grant<TrajectoryRead>,
    ApiJson(req): ApiJson<TraceRequest>,
) -> ApiResult<(Extension<AuditNote>, Response)> {
    contacts(&app, &read, req, Kind::Xlsx).await
}
