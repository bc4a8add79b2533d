//! The contact list of a case trace as a file for the follow-up teams: CSV
//! (`POST /api/v1/trace/contacts.csv`) or Excel (`POST /api/v1/trace/contacts.xlsx`), one row per
//! contact, masked like every answer, audited as `trace.export`. The body is the trace's. A file
//! holds at most `max_contacts` (10,000) rows, so it is built whole and then sent.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use cordon_domain::access::TrajectoryRead;

use super::trace::{audit, check, risk, run, Resolved, TraceRequest};
use super::AppState;
use crate::audit::AuditNote;
use crate::auth::Grant;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiJson;

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

/// Each contact as a row of [`COLUMNS`], with the contact's strongest link.
fn rows(r: &Resolved) -> Vec<[String; 14]> {
    r.answer
        .contacts
        .iter()
        .zip(&r.evidence)
        .zip(&r.persons)
        .enumerate()
        .map(|(i, ((c, evidence), person))| {
            let e = evidence.first();
            let p = person.as_ref();
            [
                format!("c{}", i + 1),
                c.hop.to_string(),
                risk(c).to_owned(),
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
        })
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

/// One CSV field, quoted when it must be, and never starting a formula when a spreadsheet
/// opens the file.
fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

fn attachment(content_type: &'static str, name: &'static str, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_DISPOSITION, name),
        ],
        body,
    )
        .into_response()
}

#[utoipa::path(post, path = "/api/v1/trace/contacts.csv", tag = "trace", request_body = TraceRequest,
    responses((status = 200, description = "The contact list as CSV (UTF-8 with a byte-order mark), one row per contact, masked", content_type = "text/csv"),
              (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn contacts_csv(
    State(app): State<AppState>,
    read: Grant<TrajectoryRead>,
    ApiJson(req): ApiJson<TraceRequest>,
) -> ApiResult<(Extension<AuditNote>, Response)> {
    let checked = check(&app, req)?;
    let resolved = run(&app, &read.grant, &checked).await?;
    let note = audit(&checked, &resolved, "trace.export");
    let mut out = String::from("\u{feff}");
    out.push_str(&COLUMNS.join(","));
    out.push('\n');
    for row in rows(&resolved) {
        let fields: Vec<String> = row.iter().map(|f| csv_field(f)).collect();
        out.push_str(&fields.join(","));
        out.push('\n');
    }
    if let Some(note) = cut_note(&resolved) {
        out.push_str(&format!("# {note}\n"));
    }
    Ok((
        Extension(note),
        attachment(
            "text/csv; charset=utf-8",
            "attachment; filename=\"contacts.csv\"",
            out.into_bytes(),
        ),
    ))
}

#[utoipa::path(post, path = "/api/v1/trace/contacts.xlsx", tag = "trace", request_body = TraceRequest,
    responses((status = 200, description = "The contact list as an Excel workbook, one row per contact, masked", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
              (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn contacts_xlsx(
    State(app): State<AppState>,
    read: Grant<TrajectoryRead>,
    ApiJson(req): ApiJson<TraceRequest>,
) -> ApiResult<(Extension<AuditNote>, Response)> {
    let checked = check(&app, req)?;
    let resolved = run(&app, &read.grant, &checked).await?;
    let note = audit(&checked, &resolved, "trace.export");
    let rows = rows(&resolved);
    let cut = cut_note(&resolved);
    let bytes = tokio::task::spawn_blocking(move || workbook(&rows, cut.as_deref()))
        .await
        .map_err(|_| ApiError::Internal)?
        .map_err(|e| {
            tracing::error!(error = %e, "could not write the contact workbook");
            ApiError::Internal
        })?;
    Ok((
        Extension(note),
        attachment(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "attachment; filename=\"contacts.xlsx\"",
            bytes,
        ),
    ))
}

fn workbook(
    rows: &[[String; 14]],
    cut: Option<&str>,
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("contacts")?;
    for (c, h) in COLUMNS.iter().enumerate() {
        sheet.write_string(0, c as u16, *h)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, value) in row.iter().enumerate() {
            // Text cells throughout: a spreadsheet never evaluates what a contact's name holds.
            sheet.write_string(r as u32 + 1, c as u16, value)?;
        }
    }
    if let Some(cut) = cut {
        sheet.write_string(rows.len() as u32 + 2, 0, cut)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    book.save_to_buffer()
}
