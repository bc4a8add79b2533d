//! Tables as users send them: a CSV file (UTF-8) or the first sheet of an Excel workbook, read
//! into rows of text cells, and a table's columns found in its first row by their English or
//! Chinese names. Each import (risk areas, follow-up lists) checks the cells itself; a problem
//! names its line (1 is the header).

use axum::http::HeaderMap;
use cordon_domain::policy::PolicyProblem;

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
