//! An instrument's result file, as its rows of text cells: the well and a Ct per target. Two
//! shapes are read, as PCR instruments export them: wide (a `Well` column and one column per
//! target, named as the assay names it) and long (`Well`, `Target`, `Ct` or `Cq`: one row per
//! well and target). A Ct left empty or written `Undetermined`, `No Ct`, `N/A`, `-` or `/` is
//! "not amplified". Every problem is reported with its line (1 is the header).

use std::collections::BTreeMap;

use super::lab::{Assay, Well};
use crate::policy::PolicyProblem;

/// Most rows a result file has (96 wells by 4 targets, and room for blank lines).
pub const MAX_ROWS: usize = 1_000;

/// Each well's Ct values in the assay's target order.
pub type Cts = BTreeMap<Well, Vec<Option<f64>>>;

fn problem(line: usize, field: &str, code: &str, message: impl Into<String>) -> PolicyProblem {
    PolicyProblem {
        code: code.to_owned(),
        field: field.to_owned(),
        line: Some(line as u32),
        message: message.into(),
    }
}

fn header_is(cell: &str, names: &[&str]) -> bool {
    let c = cell.trim().trim_start_matches('\u{feff}');
    names.iter().any(|n| c.eq_ignore_ascii_case(n))
}

/// A cell that is not a Ct value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotCt;

/// A Ct as written: `None` for "not amplified".
pub fn ct(cell: &str) -> Result<Option<f64>, NotCt> {
    let c = cell.trim();
    let none = [
        "",
        "undetermined",
        "no ct",
        "noct",
        "n/a",
        "na",
        "-",
        "/",
        "nan",
    ];
    if none.iter().any(|n| c.eq_ignore_ascii_case(n)) {
        return Ok(None);
    }
    match c.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v <= 60.0 => Ok(Some(v)),
        _ => Err(NotCt),
    }
}

/// Reads the file's rows by `assay`: every well named, with a Ct for each target.
pub fn read(rows: &[Vec<String>], assay: &Assay) -> Result<Cts, Vec<PolicyProblem>> {
    let Some(header) = rows.first() else {
        return Err(vec![problem(1, "", "empty", "the file has no header row")]);
    };
    if rows.len() > MAX_ROWS {
        return Err(vec![problem(
            MAX_ROWS + 1,
            "",
            "too_many",
            format!("a result file has at most {MAX_ROWS} rows"),
        )]);
    }
    let well_at = header
        .iter()
        .position(|h| header_is(h, &["well", "well position", "孔位", "反应孔"]));
    let Some(well_at) = well_at else {
        return Err(vec![problem(
            1,
            "well",
            "missing_column",
            "the header has no 'Well' column (or 孔位)",
        )]);
    };
    let target_at = header
        .iter()
        .position(|h| header_is(h, &["target", "target name", "detector", "靶标", "通道"]));
    let ct_at = header
        .iter()
        .position(|h| header_is(h, &["ct", "cq", "ct value", "ct值"]));
    match (target_at, ct_at) {
        (Some(t), Some(c)) => long(rows, assay, well_at, t, c),
        _ => wide(rows, assay, header, well_at),
    }
}

fn target_index(assay: &Assay, name: &str) -> Option<usize> {
    assay
        .targets
        .iter()
        .position(|t| t.name.eq_ignore_ascii_case(name.trim()))
}

fn wide(
    rows: &[Vec<String>],
    assay: &Assay,
    header: &[String],
    well_at: usize,
) -> Result<Cts, Vec<PolicyProblem>> {
    let mut problems = Vec::new();
    let mut at = Vec::with_capacity(assay.targets.len());
    for t in &assay.targets {
        match header.iter().position(|h| header_is(h, &[t.name.as_str()])) {
            Some(i) => at.push(i),
            None => problems.push(problem(
                1,
                &t.name,
                "missing_column",
                format!(
                    "the header has no '{}' column: the assay reads its targets by name",
                    t.name
                ),
            )),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut out = Cts::new();
    for (i, row) in rows.iter().enumerate().skip(1) {
        let line = i + 1;
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cell = |j: usize| row.get(j).map(String::as_str).unwrap_or("");
        let well = match Well::parse(cell(well_at)) {
            Ok(w) => w,
            Err(e) => {
                problems.push(problem(line, "well", &e.code, e.message));
                continue;
            }
        };
        let mut cts = Vec::with_capacity(at.len());
        for (t, &j) in assay.targets.iter().zip(&at) {
            match ct(cell(j)) {
                Ok(v) => cts.push(v),
                Err(NotCt) => problems.push(problem(
                    line,
                    &t.name,
                    "invalid_ct",
                    format!("'{}' is not a Ct value", cell(j)),
                )),
            }
        }
        if out.insert(well, cts).is_some() {
            problems.push(problem(
                line,
                "well",
                "duplicate",
                format!("well {well} is in the file twice"),
            ));
        }
    }
    finish(out, problems)
}

fn long(
    rows: &[Vec<String>],
    assay: &Assay,
    well_at: usize,
    target_at: usize,
    ct_at: usize,
) -> Result<Cts, Vec<PolicyProblem>> {
    let mut problems = Vec::new();
    let mut seen: BTreeMap<Well, Vec<Option<Option<f64>>>> = BTreeMap::new();
    for (i, row) in rows.iter().enumerate().skip(1) {
        let line = i + 1;
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cell = |j: usize| row.get(j).map(String::as_str).unwrap_or("");
        let well = Well::parse(cell(well_at));
        let target = target_index(assay, cell(target_at));
        let value = ct(cell(ct_at));
        if let Err(e) = &well {
            problems.push(problem(line, "well", &e.code, e.message.clone()));
        }
        if target.is_none() {
            problems.push(problem(
                line,
                "target",
                "unknown_target",
                format!("'{}' is not a target of this assay", cell(target_at)),
            ));
        }
        if value.is_err() {
            problems.push(problem(
                line,
                "ct",
                "invalid_ct",
                format!("'{}' is not a Ct value", cell(ct_at)),
            ));
        }
        if let (Ok(w), Some(t), Ok(v)) = (well, target, value) {
            let slots = seen
                .entry(w)
                .or_insert_with(|| vec![None; assay.targets.len()]);
            if slots[t].replace(v).is_some() {
                problems.push(problem(
                    line,
                    "target",
                    "duplicate",
                    format!("well {w} has {} twice", assay.targets[t].name),
                ));
            }
        }
    }
    let mut out = Cts::new();
    for (w, slots) in seen {
        if let Some(t) = slots.iter().position(Option::is_none) {
            problems.push(problem(
                1,
                "target",
                "missing_target",
                format!("well {w} has no row for {}", assay.targets[t].name),
            ));
            continue;
        }
        out.insert(w, slots.into_iter().flatten().collect());
    }
    finish(out, problems)
}

fn finish(out: Cts, problems: Vec<PolicyProblem>) -> Result<Cts, Vec<PolicyProblem>> {
    if !problems.is_empty() {
        return Err(problems);
    }
    if out.is_empty() {
        return Err(vec![problem(1, "", "empty", "the file names no well")]);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::lab::{AssayRequest, Target};

    fn assay() -> Assay {
        AssayRequest {
            name: "PCR".into(),
            targets: vec![
                Target {
                    name: "ORF1ab".into(),
                    cutoff: 40.0,
                },
                Target {
                    name: "N".into(),
                    cutoff: 40.0,
                },
            ],
            positive_when: "all".into(),
        }
        .parse()
        .unwrap()
    }

    fn rows(text: &str) -> Vec<Vec<String>> {
        text.lines()
            .map(|l| l.split(',').map(str::to_owned).collect())
            .collect()
    }

    #[test]
    fn a_wide_file_is_read_by_target_name() {
        let cts = read(
            &rows("Well,N,ORF1ab\nA1,Undetermined,\nB1,28.1,30.4\n\nH12,25,26"),
            &assay(),
        )
        .unwrap();
        assert_eq!(cts.len(), 3);
        let b1 = Well::parse("B1").unwrap();
        assert_eq!(cts[&b1], [Some(30.4), Some(28.1)]);
        assert_eq!(cts[&Well::parse("A1").unwrap()], [None, None]);
    }

    #[test]
    fn a_long_file_is_read_row_by_target() {
        let cts = read(
            &rows("Well,Target Name,CT\nA1,ORF1ab,31.2\nA1,N,No Ct\nB1,n,-\nB1,ORF1AB,"),
            &assay(),
        )
        .unwrap();
        assert_eq!(cts[&Well::parse("A1").unwrap()], [Some(31.2), None]);
        assert_eq!(cts[&Well::parse("B1").unwrap()], [None, None]);
    }

    #[test]
    fn every_bad_row_is_named_by_its_line() {
        let problems = read(
            &rows("Well,ORF1ab,N\nA1,30,31\nZ9,30,31\nB1,abc,31\nA1,1,2"),
            &assay(),
        )
        .unwrap_err();
        let lines: Vec<(Option<u32>, &str)> =
            problems.iter().map(|p| (p.line, p.code.as_str())).collect();
        assert_eq!(
            lines,
            [
                (Some(3), "invalid_well"),
                (Some(4), "invalid_ct"),
                (Some(5), "duplicate")
            ]
        );
        let missing = read(&rows("Well,ORF1ab\nA1,30"), &assay()).unwrap_err();
        assert_eq!(missing[0].code, "missing_column");
        assert_eq!(missing[0].field, "N");
        let half = read(&rows("Well,Target,Ct\nA1,N,30"), &assay()).unwrap_err();
        assert_eq!(half[0].code, "missing_target");
        assert_eq!(
            read(&rows("Well,N,ORF1ab"), &assay()).unwrap_err()[0].code,
            "empty"
        );
    }
}
