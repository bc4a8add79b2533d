//! The contact list of a case trace as a file for the follow-up teams: CSV
//! (`POST /api/v1/trace/contacts.csv`) or Excel (`POST /api/v1/trace/contacts.xlsx`), one row per
//! contact, masked like every answer, audited as `trace.export`. The body is the trace's.
//!
//! Both are streamed: the CSV is written a few hundred rows at a time as the client reads it;
//! the workbook is written row by row to a temporary file (the writer's constant-memory mode)
//! and sent from there in 64 KB pieces. What a request holds in memory is the trace's answer
//! itself, bounded by `max_contacts` (at most 10,000), never the file.

use std::io::{Read, Seek};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use cordon_domain::access::trace::TrajectoryRead;
use futures_util::stream;

use super::api::{audit, check, risk, run, Resolved, TraceRequest};
use super::AppState;
use crate::audit::AuditNote;
use crate::auth::Grant;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiJson;

/// Rows per CSV chunk.
const CSV_CHUNK_ROWS: usize = 256;
/// Bytes per piece of a workbook sent from its temporary file.
const FILE_PIECE: usize = 64 * 1024;

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

fn attachment(content_type: &'static str, name: &'static str, body: Body) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_DISPOSITION, name),
        ],
        body,
    )
        .into_response()
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

#[utoipa::path(post, path = "/api/v1/trace/contacts.csv", tag = "trace", request_body = TraceRequest,
    responses((status = 200, description = "The contact list as CSV (UTF-8 with a byte-order mark), one row per contact, masked", content_type = "text/csv"),
              (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn contacts_csv(
    State(app): State<AppState>,
    read: Grant<TrajectoryRead>,
    ApiJson(req): ApiJson<TraceRequest>,
) -> ApiResult<(Extension<AuditNote>, Response)> {
    let (resolved, note) = traced(&app, &read, req).await?;
    Ok((
        Extension(note),
        attachment(
            "text/csv; charset=utf-8",
            "attachment; filename=\"contacts.csv\"",
            Body::from_stream(csv_chunks(resolved)),
        ),
    ))
}

/// The CSV as a stream of chunks: the header, [`CSV_CHUNK_ROWS`] contacts at a time, the cut
/// note last.
fn csv_chunks(
    r: Resolved,
) -> impl futures_util::Stream<Item = Result<Bytes, std::convert::Infallible>> + Send {
    let n = r.answer.contacts.len();
    let mut header = String::from("\u{feff}");
    header.push_str(&COLUMNS.join(","));
    header.push('\n');
    let starts = (0..n).step_by(CSV_CHUNK_ROWS).map(Some).chain([None]);
    let body = starts.map(move |start| {
        let mut out = String::new();
        match start {
            Some(start) => {
                for i in start..(start + CSV_CHUNK_ROWS).min(n) {
                    let fields: Vec<String> = row(&r, i).iter().map(|f| csv_field(f)).collect();
                    out.push_str(&fields.join(","));
                    out.push('\n');
                }
            }
            None => {
                if let Some(note) = cut_note(&r) {
                    out.push_str(&format!("# {note}\n"));
                }
            }
        }
        Ok(Bytes::from(out))
    });
    stream::iter(std::iter::once(Ok(Bytes::from(header))).chain(body))
}

#[utoipa::path(post, path = "/api/v1/trace/contacts.xlsx", tag = "trace", request_body = TraceRequest,
    responses((status = 200, description = "The contact list as an Excel workbook, one row per contact, masked", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
              (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn contacts_xlsx(
    State(app): State<AppState>,
    read: Grant<TrajectoryRead>,
    ApiJson(req): ApiJson<TraceRequest>,
) -> ApiResult<(Extension<AuditNote>, Response)> {
    let (resolved, note) = traced(&app, &read, req).await?;
    let file = tokio::task::spawn_blocking(move || workbook(&resolved))
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
            Body::from_stream(file_pieces(file)),
        ),
    ))
}

/// A written file, read in [`FILE_PIECE`] pieces off the async runtime; the file is gone when
/// the stream ends or the client leaves.
fn file_pieces(
    file: tempfile::NamedTempFile,
) -> impl futures_util::Stream<Item = std::io::Result<Bytes>> + Send {
    stream::try_unfold(Some(file), |file| async move {
        let Some(file) = file else {
            return Ok(None);
        };
        let (piece, file) = tokio::task::spawn_blocking(move || {
            let mut piece = vec![0u8; FILE_PIECE];
            let n = file.as_file().read(&mut piece)?;
            piece.truncate(n);
            Ok::<_, std::io::Error>((piece, file))
        })
        .await
        .map_err(std::io::Error::other)??;
        Ok(if piece.is_empty() {
            None
        } else {
            Some((Bytes::from(piece), Some(file)))
        })
    })
}

/// The workbook written to a temporary file, each row flushed as it is written.
fn workbook(r: &Resolved) -> Result<tempfile::NamedTempFile, rust_xlsxwriter::XlsxError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet_with_constant_memory()?;
    sheet.set_name("contacts")?;
    sheet.set_freeze_panes(1, 0)?;
    for (c, h) in COLUMNS.iter().enumerate() {
        sheet.write_string(0, c as u16, *h)?;
    }
    let n = r.answer.contacts.len();
    for i in 0..n {
        for (c, value) in row(r, i).iter().enumerate() {
            // Text cells throughout: a spreadsheet never evaluates what a contact's name holds.
            sheet.write_string(i as u32 + 1, c as u16, value)?;
        }
    }
    if let Some(cut) = cut_note(r) {
        sheet.write_string(n as u32 + 2, 0, cut)?;
    }
    let mut file = tempfile::NamedTempFile::new()?;
    book.save_to_writer(file.as_file_mut())?;
    file.as_file_mut().rewind()?;
    Ok(file)
}
