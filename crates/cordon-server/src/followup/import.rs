//! Reading a follow-up list from a file: CSV (UTF-8) or an Excel workbook (first sheet). The
//! first row names the columns, in English or Chinese:
//!
//! | column | also | value |
//! |---|---|---|
//! | `name` | `姓名` | the person's name |
//! | `document_type` | `证件类型` | optional: `resident_id` (default), `passport`, ... or `居民身份证`, `护照`, ... |
//! | `document_number` | `证件号码`, `身份证号`, `身份证号码` | the document's number |
//! | `phone` | `手机号`, `手机号码`, `联系电话`, `电话` | a mainland mobile number |
//! | `from` | `来源地`, `来自`, `从何处来` | where the person came from |
//! | `arrived_on` | `抵达日期`, `到达日期`, `返回日期` | `2022-05-02`, `2022/5/2` or `2022年5月2日` |
//! | `address` | `现住址`, `住址`, `现居住地址` | where the person lives now |
//! | `note` | `备注` | anything else |
//!
//! A row needs a name and a document number or a phone. Every cell is checked; a problem names
//! the row's line (1 is the header) and its column. Row `n` of the list is line `n + 1`.

use chrono::NaiveDate;
use cordon_domain::followup::{ListRow, ListRowRequest, MAX_ROWS};
use cordon_domain::policy::PolicyProblem;
use cordon_domain::registration::DocumentRequest;

use crate::table::{problem, Column, Kind};

const COLUMNS: [Column; 8] = [
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
    ("from", &["from", "来源地", "来自", "从何处来"]),
    (
        "arrived_on",
        &["arrived_on", "抵达日期", "到达日期", "返回日期"],
    ),
    ("address", &["address", "现住址", "住址", "现居住地址"]),
    ("note", &["note", "备注"]),
];

/// What a file came to: the rows that are good, a problem for each that is not, and how many
/// rows it had.
#[derive(Debug, Default)]
pub struct Parsed {
    pub rows: Vec<ListRow>,
    pub problems: Vec<PolicyProblem>,
    pub count: usize,
    /// Rows with a problem.
    pub bad: usize,
}

/// The column a row's rejected field is in.
fn column(field: &str) -> &str {
    match field {
        "document.type" => "document_type",
        f if f.starts_with("document") => "document_number",
        other => other,
    }
}

/// Reads and checks a table, judging dates against `today`.
pub fn parse(kind: Kind, bytes: &[u8], today: NaiveDate) -> Parsed {
    let mut out = Parsed::default();
    let table = match crate::table::read(kind, bytes) {
        Ok(t) => t,
        Err(p) => {
            out.problems.push(p);
            return out;
        }
    };
    let mut lines = table.into_iter().enumerate();
    let Some((_, header)) = lines.next() else {
        out.problems
            .push(problem(1, "", "empty", "the file has no header row"));
        return out;
    };
    let at = match crate::table::columns(
        &header,
        &COLUMNS,
        &[
            "document_type",
            "document_number",
            "phone",
            "from",
            "arrived_on",
            "address",
            "note",
        ],
    ) {
        Ok(at) => at,
        Err(problems) => {
            out.problems = problems;
            return out;
        }
    };
    if at[2].is_none() && at[3].is_none() {
        out.problems.push(problem(
            1,
            "document_number",
            "missing_column",
            "the header needs a document number column (证件号码) or a phone column (手机号)",
        ));
        return out;
    }
    let too_many = format!("a list has at most {MAX_ROWS} rows");
    let (rows, bad) = (&mut out.rows, &mut out.bad);
    out.count = crate::table::walk_rows(
        lines,
        MAX_ROWS,
        &too_many,
        &mut out.problems,
        |line, cells, problems| {
            let cell = |c: usize| -> Option<String> {
                at[c]
                    .and_then(|i| cells.get(i))
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty())
            };
            let request = ListRowRequest {
                row: (line - 1) as u32,
                name: cell(0).unwrap_or_default(),
                document: cell(2).map(|number| DocumentRequest {
                    kind: crate::table::document_type(&cell(1).unwrap_or_default()),
                    number,
                }),
                phone: cell(3),
                from: cell(4),
                arrived_on: cell(5),
                address: cell(6),
                note: cell(7),
            };
            match request.parse(today) {
                Ok(row) => rows.push(row),
                Err(found) => {
                    *bad += 1;
                    problems.extend(
                        found
                            .into_iter()
                            .map(|e| problem(line, column(&e.field), &e.code, e.message)),
                    );
                }
            }
        },
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2022, 5, 3).unwrap()
    }

    #[test]
    fn chinese_headers_and_every_bad_row_at_its_line() {
        let csv = "姓名,证件类型,证件号码,手机号,来源地,抵达日期,现住址,备注\n\
                   张三,居民身份证,11010519491231002X,13812345678,北京市朝阳区,2022/5/2,长安区某小区,\n\
                   李四,,11010519491231002Y,,上海,2022-05-01,,\n\
                   王五,,,12345,,2022-13-01,,\n\
                   赵六,护照,E12345678,,,,,\n";
        let p = parse(Kind::Csv, csv.as_bytes(), today());
        assert_eq!((p.count, p.rows.len(), p.bad), (4, 2, 2));
        assert_eq!(p.rows[0].row, 1);
        assert_eq!(p.rows[1].row, 4);
        let found: Vec<(Option<u32>, &str)> = p
            .problems
            .iter()
            .map(|x| (x.line, x.field.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                (Some(3), "document_number"),
                (Some(4), "phone"),
                (Some(4), "arrived_on")
            ]
        );
    }

    #[test]
    fn a_list_needs_a_way_to_find_each_person() {
        let p = parse(Kind::Csv, "name,from\n张三,北京\n".as_bytes(), today());
        assert_eq!(p.problems[0].code, "missing_column");
        assert!(p.rows.is_empty());
    }
}
