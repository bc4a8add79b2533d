//! Tables as users send them and take them away. In: a CSV file (UTF-8) or the first sheet of
//! an Excel workbook, read into rows of text cells, and a table's columns found in its first row
//! by their English or Chinese names; each import (risk areas, follow-up lists) checks the cells
//! itself, a problem naming its line (1 is the header). Out: rows of text as a CSV streamed a
//! few hundred rows at a time, or as a workbook written row by row to a temporary file (the
//! writer's constant-memory mode) and sent from there in pieces; text cells throughout, and no
//! CSV field that a spreadsheet would take for a formula.

use std::io::{Read, Seek};

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use cordon_domain::policy::PolicyProblem;
use futures_util::stream;

/// The media types an import accepts.
pub const CSV: &str = "text/csv";
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Csv,
    Xlsx,
}

/// The kind of table a request's `Content-Type` says it carries.
pub fn kind(headers: &HeaderMap) -> Option<Kind> {
    let t = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if t.starts_with(CSV) {
        Some(Kind::Csv)
    } else if t.starts_with(XLSX) {
        Some(Kind::Xlsx)
    } else {
        None
    }
}

/// A problem at a line of the table.
pub fn problem(line: usize, field: &str, code: &str, message: impl Into<String>) -> PolicyProblem {
    PolicyProblem {
        code: code.to_owned(),
        field: field.to_owned(),
        line: Some(line as u32),
        message: message.into(),
    }
}

fn unreadable(code: &str, message: String) -> PolicyProblem {
    PolicyProblem {
        code: code.into(),
        field: String::new(),
        line: None,
        message,
    }
}

/// The table's rows of text cells, the header first.
pub fn read(kind: Kind, bytes: &[u8]) -> Result<Vec<Vec<String>>, PolicyProblem> {
    match kind {
        Kind::Csv => read_csv(bytes),
        Kind::Xlsx => read_xlsx(bytes),
    }
}

fn read_csv(bytes: &[u8]) -> Result<Vec<Vec<String>>, PolicyProblem> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut rows = Vec::new();
    for (i, r) in reader.records().enumerate() {
        match r {
            Ok(r) => rows.push(r.iter().map(str::to_owned).collect()),
            Err(e) => {
                return Err(problem(
                    i + 1,
                    "",
                    "invalid_csv",
                    format!("not readable as CSV (UTF-8): {e}"),
                ))
            }
        }
    }
    Ok(rows)
}

fn read_xlsx(bytes: &[u8]) -> Result<Vec<Vec<String>>, PolicyProblem> {
    use calamine::{Data, Reader, Xlsx};
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).map_err(|e| {
            unreadable(
                "invalid_xlsx",
                format!("not readable as an Excel workbook: {e}"),
            )
        })?;
    let range = match book.worksheet_range_at(0) {
        Some(Ok(r)) => r,
        Some(Err(e)) => {
            return Err(unreadable(
                "invalid_xlsx",
                format!("the first sheet is not readable: {e}"),
            ))
        }
        None => {
            return Err(unreadable(
                "invalid_xlsx",
                "the workbook has no sheet".into(),
            ))
        }
    };
    let text = |c: &Data| -> String {
        match c {
            Data::Empty => String::new(),
            Data::String(s) | Data::DateTimeIso(s) => s.clone(),
            Data::Int(i) => i.to_string(),
            Data::Float(f) if f.fract() == 0.0 => format!("{f:.0}"),
            Data::DateTime(d) => d
                .as_datetime()
                .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
                .unwrap_or_default(),
            other => other.to_string(),
        }
    };
    Ok(range.rows().map(|r| r.iter().map(text).collect()).collect())
}

/// A column: its name in problems, and the header texts that name it.
pub type Column = (&'static str, &'static [&'static str]);

/// Where each column stands in the header (`None` for an optional one left out); a problem for
/// each required column missing.
pub fn columns(
    header: &[String],
    columns: &[Column],
    optional: &[&str],
) -> Result<Vec<Option<usize>>, Vec<PolicyProblem>> {
    let mut found = Vec::with_capacity(columns.len());
    let mut problems = Vec::new();
    for (name, aliases) in columns {
        let at = header
            .iter()
            .position(|h| aliases.contains(&h.trim().trim_start_matches('\u{feff}')));
        if at.is_none() && !optional.contains(name) {
            problems.push(problem(
                1,
                name,
                "missing_column",
                format!(
                    "the header has no '{name}' column (or {})",
                    aliases[1..].join(", ")
                ),
            ));
        }
        found.push(at);
    }
    if problems.is_empty() {
        Ok(found)
    } else {
        Err(problems)
    }
}

/// Rows per CSV chunk.
const CSV_CHUNK_ROWS: usize = 256;
/// Bytes per piece of a workbook sent from its temporary file.
const FILE_PIECE: usize = 64 * 1024;

/// One CSV field, quoted when it must be, and never starting a formula when a spreadsheet
/// opens the file.
pub fn csv_field(s: &str) -> String {
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

/// A document type as a table writes it, in English or Chinese (`居民身份证`, `护照`, ...), as
/// its code; empty is a resident identity card.
pub fn document_type(s: &str) -> String {
    match s.trim() {
        "" | "居民身份证" | "身份证" => "resident_id",
        "护照" => "passport",
        "港澳台居民居住证" | "居住证" => "residence_permit",
        "港澳居民来往内地通行证" | "回乡证" => "home_return_permit",
        "台湾居民来往大陆通行证" | "台胞证" => "taiwan_permit",
        "出入境通行证" => "exit_entry_permit",
        "外国人永久居留身份证" | "永居证" => "foreign_permanent_resident",
        other => other,
    }
    .to_owned()
}

/// Walks a table's rows after its header (`rows` numbered from 1 for the first data row):
/// blank rows are skipped, the others handed to `each` with their line in the file (from 2);
/// the row past `max` is reported (`too_many`, saying `too_many`) and ends the walk. Answers
/// how many rows that were not blank it met.
pub fn walk_rows(
    rows: impl Iterator<Item = (usize, Vec<String>)>,
    max: usize,
    too_many: &str,
    problems: &mut Vec<PolicyProblem>,
    mut each: impl FnMut(usize, Vec<String>, &mut Vec<PolicyProblem>),
) -> usize {
    let mut count = 0;
    for (i, cells) in rows {
        let line = i + 1;
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        count += 1;
        if count > max {
            problems.push(problem(line, "", "too_many", too_many.to_owned()));
            break;
        }
        each(line, cells, problems);
    }
    count
}

/// Column names as [`csv_body`] and [`xlsx_body`] take them.
pub fn names(columns: &[&str]) -> Vec<String> {
    columns.iter().map(|c| (*c).to_owned()).collect()
}

/// A file to download: its type and its name.
pub fn attachment(content_type: &'static str, name: &str, body: Body) -> Response {
    let disposition = format!("attachment; filename=\"{name}\"");
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response()
}

/// A table as a file to download, `{stem}.csv` or `{stem}.xlsx` (its sheet named `stem`), with
/// `note` below the rows: the one way every export leaves.
pub async fn download(
    kind: Kind,
    stem: &'static str,
    columns: Vec<String>,
    rows: Vec<Vec<String>>,
    note: Option<String>,
) -> Result<Response, crate::error::ApiError> {
    match kind {
        Kind::Csv => Ok(attachment(
            "text/csv; charset=utf-8",
            &format!("{stem}.csv"),
            csv_body(&columns, rows, note),
        )),
        Kind::Xlsx => {
            let body = xlsx_body(stem, columns, rows, note).await.map_err(|e| {
                tracing::error!(error = %e, file = stem, "could not write a workbook");
                crate::error::ApiError::Internal
            })?;
            Ok(attachment(XLSX, &format!("{stem}.xlsx"), body))
        }
    }
}

/// A table as CSV (UTF-8 with a byte-order mark, for spreadsheets), streamed: the header,
/// [`CSV_CHUNK_ROWS`] rows at a time, then `note` as a last `#` line.
pub fn csv_body(columns: &[String], rows: Vec<Vec<String>>, note: Option<String>) -> Body {
    let mut header = String::from("\u{feff}");
    header.push_str(&columns.join(","));
    header.push('\n');
    let chunks: Vec<Vec<Vec<String>>> = {
        let mut rows = rows.into_iter().peekable();
        let mut out = Vec::new();
        while rows.peek().is_some() {
            out.push(rows.by_ref().take(CSV_CHUNK_ROWS).collect());
        }
        out
    };
    let body = chunks
        .into_iter()
        .map(|chunk| {
            let mut out = String::new();
            for row in chunk {
                let fields: Vec<String> = row.iter().map(|f| csv_field(f)).collect();
                out.push_str(&fields.join(","));
                out.push('\n');
            }
            Ok::<_, std::convert::Infallible>(Bytes::from(out))
        })
        .chain(note.map(|n| Ok(Bytes::from(format!("# {n}\n")))));
    Body::from_stream(stream::iter(
        std::iter::once(Ok(Bytes::from(header))).chain(body),
    ))
}

/// A table as an Excel workbook (one sheet named `sheet`, the header frozen, `note` two rows
/// below the last), written off the async runtime to a temporary file and streamed from it.
pub async fn xlsx_body(
    sheet: &'static str,
    columns: Vec<String>,
    rows: Vec<Vec<String>>,
    note: Option<String>,
) -> Result<Body, rust_xlsxwriter::XlsxError> {
    let file = tokio::task::spawn_blocking(move || {
        let mut book = rust_xlsxwriter::Workbook::new();
        let ws = book.add_worksheet_with_constant_memory()?;
        ws.set_name(sheet)?;
        ws.set_freeze_panes(1, 0)?;
        for (c, h) in columns.iter().enumerate() {
            ws.write_string(0, c as u16, h)?;
        }
        let n = rows.len();
        for (i, row) in rows.into_iter().enumerate() {
            for (c, value) in row.iter().enumerate() {
                ws.write_string(i as u32 + 1, c as u16, value)?;
            }
        }
        if let Some(note) = note {
            ws.write_string(n as u32 + 2, 0, note)?;
        }
        let mut file = tempfile::NamedTempFile::new()?;
        book.save_to_writer(file.as_file_mut())?;
        file.as_file_mut().rewind()?;
        Ok::<_, rust_xlsxwriter::XlsxError>(file)
    })
    .await
    .map_err(|e| rust_xlsxwriter::XlsxError::IoError(std::io::Error::other(e)))??;
    Ok(Body::from_stream(file_pieces(file)))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_byte_order_mark_and_chinese_headers() {
        let rows = read(
            Kind::Csv,
            "\u{feff}姓名,手机号\n张三,13812345678\n".as_bytes(),
        )
        .unwrap();
        let cols = columns(
            &rows[0],
            &[
                ("name", &["name", "姓名"]),
                ("phone", &["phone", "手机号"]),
                ("note", &["note", "备注"]),
            ],
            &["note"],
        )
        .unwrap();
        assert_eq!(cols, [Some(0), Some(1), None]);
        let missing =
            columns(&rows[0], &[("document", &["document", "证件号码"])], &[]).unwrap_err();
        assert_eq!(missing[0].field, "document");
        assert_eq!(
            read(Kind::Xlsx, b"not a workbook").unwrap_err().code,
            "invalid_xlsx"
        );
    }
}
