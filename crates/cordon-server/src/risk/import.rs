//! Reading risk-area lists as the health commissions publish them: CSV (UTF-8) or an Excel
//! workbook (first sheet). The first row names the columns, in English or Chinese:
//!
//! | column | also | value |
//! |---|---|---|
//! | `division` | `区划代码`, `地区代码` | six-digit division code |
//! | `area` | `区域`, `名称` | a named area inside it, or empty for the whole division |
//! | `level` | `风险等级`, `等级` | `high`/`medium`/`low` or `高`/`中`/`低` (`高风险` ...) |
//! | `valid_from` | `开始时间`, `起始时间` | RFC 3339, `YYYY-MM-DD HH:MM` or `YYYY-MM-DD` (China time) |
//! | `valid_to` | `结束时间`, `截止时间` | the same, or empty while it lasts |
//!
//! Every row is checked; a problem names the row's line (1 is the header).

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone};
use cordon_domain::division::DivisionCode;
use cordon_domain::policy::PolicyProblem;
use cordon_domain::risk::{parse_area_name, RiskLevel};
use cordon_store::risk::NewRiskArea;

/// Most rows one import may carry.
pub const MAX_ROWS: usize = 50_000;

const COLUMNS: [crate::table::Column; 5] = [
    (
        "division",
        &["division", "区划代码", "地区代码", "行政区划代码"],
    ),
    ("area", &["area", "区域", "名称", "区域名称"]),
    ("level", &["level", "风险等级", "等级"]),
    ("valid_from", &["valid_from", "开始时间", "起始时间"]),
    ("valid_to", &["valid_to", "结束时间", "截止时间"]),
];

/// What the rows came to: the areas that parsed, and a problem for each row that did not.
#[derive(Debug, Default)]
pub struct Parsed {
    pub areas: Vec<NewRiskArea>,
    pub problems: Vec<PolicyProblem>,
    pub rows: usize,
}

use crate::table::problem;

/// Parses an instant: RFC 3339, or a local date-time or date in China time.
pub fn parse_instant(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp_millis());
    }
    let china = cordon_domain::time::china();
    for f in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, f) {
            return china
                .from_local_datetime(&t)
                .single()
                .map(|t| t.timestamp_millis());
        }
    }
    for f in ["%Y-%m-%d", "%Y/%m/%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(s, f) {
            let t = d.and_hms_opt(0, 0, 0)?;
            return china
                .from_local_datetime(&t)
                .single()
                .map(|t| t.timestamp_millis());
        }
    }
    None
}

fn level(s: &str) -> Option<RiskLevel> {
    match s.trim().trim_end_matches("风险").trim_end_matches("风险区") {
        "high" | "高" => Some(RiskLevel::High),
        "medium" | "中" => Some(RiskLevel::Medium),
        "low" | "低" => Some(RiskLevel::Low),
        _ => None,
    }
}

/// Parses rows of text cells, the first being the header.
pub fn parse_rows(rows: impl Iterator<Item = Vec<String>>) -> Parsed {
    let mut out = Parsed::default();
    let mut rows = rows.enumerate();
    let Some((_, header)) = rows.next() else {
        out.problems
            .push(problem(1, "", "empty", "the file has no header row"));
        return out;
    };
    let index: Vec<usize> = match crate::table::columns(&header, &COLUMNS, &["area", "valid_to"]) {
        Ok(found) => found.into_iter().map(|c| c.unwrap_or(usize::MAX)).collect(),
        Err(problems) => {
            out.problems = problems;
            return out;
        }
    };
    let too_many = format!("an import has at most {MAX_ROWS} rows");
    let areas = &mut out.areas;
    out.rows = crate::table::walk_rows(
        rows,
        MAX_ROWS,
        &too_many,
        &mut out.problems,
        |line, row, problems| {
            let cell = |c: usize| row.get(index[c]).map(|s| s.trim()).unwrap_or("");
            let before = problems.len();
            let division = DivisionCode::parse(cell(0));
            if let Err(e) = &division {
                problems.push(problem(line, "division", &e.code, e.message.clone()));
            }
            let area = parse_area_name(cell(1));
            if let Err(e) = &area {
                problems.push(problem(line, "area", &e.code, e.message.clone()));
            }
            let lvl = level(cell(2));
            if lvl.is_none() {
                problems.push(problem(
                    line,
                    "level",
                    "invalid_value",
                    format!(
                        "'{}' is not a risk level: high, medium, low (高, 中, 低)",
                        cell(2)
                    ),
                ));
            }
            let from = parse_instant(cell(3));
            if from.is_none() {
                problems.push(problem(
                    line,
                    "valid_from",
                    "invalid_time",
                    "valid_from is a date or time such as 2022-05-03 or 2022-05-03T08:00:00+08:00",
                ));
            }
            let to = match cell(4) {
                "" => Some(None),
                s => parse_instant(s).map(Some),
            };
            match (to, from) {
                (None, _) => problems.push(problem(
                    line,
                    "valid_to",
                    "invalid_time",
                    "valid_to is empty, or a date or time such as 2022-05-17",
                )),
                (Some(Some(t)), Some(f)) if t <= f => problems.push(problem(
                    line,
                    "valid_to",
                    "invalid_period",
                    "valid_to must be later than valid_from",
                )),
                _ => {}
            }
            if problems.len() == before {
                areas.push(NewRiskArea {
                    division: division.expect("checked"),
                    area: area.expect("checked"),
                    level: lvl.expect("checked"),
                    valid_from_ms: from.expect("checked"),
                    valid_to_ms: to.expect("checked"),
                });
            }
        },
    );
    out
}

/// Parses a CSV file.
pub fn parse_csv(bytes: &[u8]) -> Parsed {
    parse_table(crate::table::Kind::Csv, bytes)
}

/// Parses the first sheet of an Excel workbook (.xlsx).
pub fn parse_xlsx(bytes: &[u8]) -> Parsed {
    parse_table(crate::table::Kind::Xlsx, bytes)
}

/// Parses a table of either kind.
pub fn parse_table(kind: crate::table::Kind, bytes: &[u8]) -> Parsed {
    match crate::table::read(kind, bytes) {
        Ok(rows) => parse_rows(rows.into_iter()),
        Err(p) => Parsed {
            problems: vec![p],
            ..Parsed::default()
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_headers_and_levels() {
        let csv = "区划代码,区域,风险等级,开始时间,结束时间\n130104,,高风险,2022-05-01,2022-05-08\n420100,武汉天河机场,中,2022-05-02 08:00,\n";
        let p = parse_csv(csv.as_bytes());
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        assert_eq!(p.areas.len(), 2);
        assert_eq!(p.areas[0].level, RiskLevel::High);
        assert_eq!(p.areas[1].area, "武汉天河机场");
        assert_eq!(p.areas[1].valid_to_ms, None);
        assert_eq!(
            p.areas[0].valid_from_ms,
            parse_instant("2022-05-01T00:00:00+08:00").unwrap()
        );
    }

    #[test]
    fn each_bad_row_names_its_line() {
        let csv = "division,area,level,valid_from,valid_to\n130104,,high,2022-05-01,\n999999,,extreme,yesterday,\n130105,,low,2022-05-03,2022-05-01\n";
        let p = parse_csv(csv.as_bytes());
        assert_eq!(p.areas.len(), 1);
        let found: Vec<(Option<u32>, &str)> = p
            .problems
            .iter()
            .map(|x| (x.line, x.field.as_str()))
            .collect();
        assert_eq!(
            found,
            vec![
                (Some(3), "division"),
                (Some(3), "level"),
                (Some(3), "valid_from"),
                (Some(4), "valid_to")
            ]
        );
    }

    #[test]
    fn a_missing_column_is_refused() {
        let p = parse_csv(b"division,level\n130104,high\n");
        assert_eq!(p.problems[0].field, "valid_from");
        assert!(p.areas.is_empty());
    }
}
