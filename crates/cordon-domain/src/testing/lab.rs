//! The lab: a run is one plate of 96 wells ([`Well`]) with a negative and a positive control,
//! tubes placed in the other wells by scanning, and its steps recorded in order by who did them
//! ([`RunStep`]); the instrument's Ct values are read by an assay version ([`Assay`]) into each
//! well's reading ([`Reading`]), and a run whose controls read as they must is released by a
//! second person. A released tube's reading makes its persons' results ([`MemberResult`]): a
//! negative pool makes each negative, a positive (or unclear) pool makes each "recall".

use serde::{Deserialize, Serialize};

use crate::checkpoint::string_enum;
use crate::{FieldError, Gathered};

/// Rows and columns of a plate.
pub const ROWS: u8 = 8;
pub const COLUMNS: u8 = 12;

/// A well of a 96-well plate: rows A to H, columns 1 to 12, written `A1`, `a01` or `H12`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Well {
    row: u8,
    column: u8,
}

impl Well {
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        let s = s.trim();
        let bad = || {
            FieldError::new(
                "invalid_well",
                "well",
                format!("'{s}' is not a well: a row A to H and a column 1 to 12, such as B7"),
            )
        };
        let mut chars = s.chars();
        let row = chars.next().ok_or_else(bad)?.to_ascii_uppercase();
        if !('A'..='H').contains(&row) {
            return Err(bad());
        }
        let column: u8 = chars.as_str().parse().map_err(|_| bad())?;
        if !(1..=COLUMNS).contains(&column) {
            return Err(bad());
        }
        Ok(Well {
            row: row as u8 - b'A',
            column,
        })
    }

    /// The wells in the order a plate is filled: down each column, A1, B1 ... H1, A2 ...
    pub fn all() -> impl Iterator<Item = Well> {
        (1..=COLUMNS).flat_map(|column| (0..ROWS).map(move |row| Well { row, column }))
    }
}

impl std::fmt::Display for Well {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}", (b'A' + self.row) as char, self.column)
    }
}

string_enum! {
    /// A run's steps, in the order they are done: made (tubes being placed), inactivated,
    /// numbered and sorted (the plate is closed), extracted and amplified, resulted (the
    /// instrument's file read), released (reviewed by a second person).
    RunStep {
        Created = "created",
        Inactivated = "inactivated",
        Sorted = "sorted",
        Amplified = "amplified",
        Resulted = "resulted",
        Released = "released",
    }
}

impl RunStep {
    /// The step after this one.
    pub fn next(self) -> Option<RunStep> {
        let i = RunStep::ALL.iter().position(|s| *s == self)?;
        RunStep::ALL.get(i + 1).copied()
    }

    /// Whether tubes may still be placed on the plate.
    pub fn plating(self) -> bool {
        matches!(self, RunStep::Created | RunStep::Inactivated)
    }
}

/// Checks that a run at `current` may record `step` by hand (resulted and released have their
/// own actions), with `placed` tubes on its plate.
pub fn may_step(current: RunStep, step: RunStep, placed: u32) -> Result<(), FieldError> {
    if matches!(
        step,
        RunStep::Created | RunStep::Resulted | RunStep::Released
    ) {
        return Err(FieldError::new(
            "invalid_value",
            "step",
            "a step is inactivated, sorted or amplified: results come by their file, release by review",
        ));
    }
    if current.next() != Some(step) {
        return Err(FieldError::new(
            "step_out_of_order",
            "step",
            format!(
                "the run is at '{}': the next step is '{}'",
                current.as_str(),
                current.next().map_or("none", RunStep::as_str)
            ),
        ));
    }
    if step == RunStep::Sorted && placed == 0 {
        return Err(FieldError::new(
            "plate_empty",
            "step",
            "no tube is on the plate: scan the tubes into their wells first",
        ));
    }
    Ok(())
}

string_enum! {
    /// What a well's Ct values say by the assay.
    Reading { Negative = "negative", Positive = "positive", Inconclusive = "inconclusive" }
}

string_enum! {
    /// A person's result from a released tube: negative; positive or inconclusive from a tube of
    /// their own; "recall" from a pool that read positive or inconclusive (they are re-tested
    /// alone).
    MemberResult {
        Negative = "negative",
        Positive = "positive",
        Inconclusive = "inconclusive",
        Recall = "recall",
    }
}

impl MemberResult {
    /// The result of each person in a tube of `pool` persons that read `reading`.
    pub fn of(reading: Reading, pool: u32) -> MemberResult {
        match (reading, pool) {
            (Reading::Negative, _) => MemberResult::Negative,
            (_, 2..) => MemberResult::Recall,
            (Reading::Positive, _) => MemberResult::Positive,
            (Reading::Inconclusive, _) => MemberResult::Inconclusive,
        }
    }
}

string_enum! {
    /// When a well reads positive: every target amplified below its cut-off (`all`), or any
    /// (`any`). Under `all`, some but not all amplified reads inconclusive.
    PositiveWhen { All = "all", Any = "any" }
}

/// One target of an assay and the Ct below which it counts as amplified.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Target {
    #[schema(example = "ORF1ab")]
    pub name: String,
    #[schema(example = 40.0)]
    pub cutoff: f64,
}

/// An assay version as a lab defines it: its name, targets, and when a well reads positive.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssayRequest {
    #[schema(example = "新型冠状病毒核酸检测试剂盒（荧光PCR法）", max_length = 64)]
    pub name: String,
    /// 1 to 4 targets, each named once.
    pub targets: Vec<Target>,
    #[schema(value_type = PositiveWhen)]
    pub positive_when: String,
}

/// A checked assay definition, as a run reads its wells by.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Assay {
    pub name: String,
    pub targets: Vec<Target>,
    pub positive_when: PositiveWhen,
}

impl AssayRequest {
    pub fn parse(&self) -> Result<Assay, Vec<FieldError>> {
        let mut g = Gathered::default();
        let name = g.take(super::name(&self.name, "name"));
        if self.targets.is_empty() || self.targets.len() > 4 {
            g.push(FieldError::new(
                "out_of_range",
                "targets",
                "an assay has 1 to 4 targets",
            ));
        }
        let mut targets = Vec::new();
        for (i, t) in self.targets.iter().enumerate() {
            let n = t.name.trim();
            let ok = !n.is_empty()
                && n.len() <= 16
                && n.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_ ".contains(c));
            if !ok {
                g.push(FieldError::new(
                    "invalid_name",
                    format!("targets[{i}].name"),
                    "a target is 1 to 16 letters, digits, spaces, hyphens or underscores",
                ));
            } else if targets
                .iter()
                .any(|t: &Target| t.name.eq_ignore_ascii_case(n))
            {
                g.push(FieldError::new(
                    "duplicate",
                    format!("targets[{i}].name"),
                    "each target is named once",
                ));
            }
            if !(t.cutoff.is_finite() && (10.0..=45.0).contains(&t.cutoff)) {
                g.push(FieldError::new(
                    "out_of_range",
                    format!("targets[{i}].cutoff"),
                    "a cut-off is a Ct from 10 to 45",
                ));
            }
            targets.push(Target {
                name: n.to_owned(),
                cutoff: t.cutoff,
            });
        }
        let when = g.take(
            PositiveWhen::parse(self.positive_when.trim()).map_err(|mut e| {
                e.field = "positive_when".into();
                e
            }),
        );
        g.finish(|| {
            Some(Assay {
                name: name?,
                targets,
                positive_when: when?,
            })
        })
    }
}

impl Assay {
    /// Reads a well's Ct values, one per target in the assay's order (`None`: not amplified).
    pub fn read(&self, cts: &[Option<f64>]) -> Reading {
        let amplified = self
            .targets
            .iter()
            .zip(cts)
            .filter(|(t, ct)| ct.is_some_and(|c| c < t.cutoff))
            .count();
        match (amplified, self.positive_when) {
            (0, _) => Reading::Negative,
            (_, PositiveWhen::Any) => Reading::Positive,
            (n, PositiveWhen::All) if n == self.targets.len() => Reading::Positive,
            _ => Reading::Inconclusive,
        }
    }
}

/// A run as a lab account makes it: its assay, and where its controls stand (default H11 for the
/// negative control, H12 for the positive).
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RunRequest {
    pub lab: i64,
    pub assay: i64,
    #[serde(default)]
    #[schema(example = "H11")]
    pub negative_control: Option<String>,
    #[serde(default)]
    #[schema(example = "H12")]
    pub positive_control: Option<String>,
}

impl RunRequest {
    /// The negative and positive control wells.
    pub fn controls(&self) -> Result<(Well, Well), Vec<FieldError>> {
        let mut g = Gathered::default();
        let well = |s: &Option<String>, default: &str, field: &str| {
            Well::parse(s.as_deref().unwrap_or(default)).map_err(|mut e| {
                e.field = field.into();
                e
            })
        };
        let neg = g.take(well(&self.negative_control, "H11", "negative_control"));
        let pos = g.take(well(&self.positive_control, "H12", "positive_control"));
        if neg.is_some() && neg == pos {
            g.push(FieldError::new(
                "duplicate",
                "positive_control",
                "the two controls stand in two wells",
            ));
        }
        g.finish(|| Some((neg?, pos?)))
    }
}

/// A lab as a commander registers it.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LabRequest {
    #[schema(example = "长安区疾控中心实验室", max_length = 64)]
    pub name: String,
    /// The division it serves (within the commander's jurisdiction).
    #[schema(example = "130102")]
    pub area: String,
}

impl LabRequest {
    pub fn parse(&self) -> Result<(String, crate::division::DivisionCode), Vec<FieldError>> {
        let mut g = Gathered::default();
        let name = g.take(super::name(&self.name, "name"));
        let area = g.take(
            crate::division::DivisionCode::parse(self.area.trim()).map_err(|e| e.under("area")),
        );
        g.finish(|| Some((name?, area?)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assay(when: &str) -> Assay {
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
            positive_when: when.into(),
        }
        .parse()
        .unwrap()
    }

    #[test]
    fn wells_read_as_labs_write_them() {
        assert_eq!(Well::parse("a01").unwrap().to_string(), "A1");
        assert_eq!(Well::parse("H12").unwrap().to_string(), "H12");
        for bad in ["I1", "A13", "A0", "", "A", "B-1"] {
            assert_eq!(Well::parse(bad).unwrap_err().code, "invalid_well", "{bad}");
        }
        let all: Vec<String> = Well::all().map(|w| w.to_string()).collect();
        assert_eq!(all.len(), 96);
        assert_eq!(&all[..3], ["A1", "B1", "C1"]);
        assert_eq!(all[95], "H12");
    }

    #[test]
    fn steps_go_in_order_and_sorting_needs_a_tube() {
        assert!(may_step(RunStep::Created, RunStep::Inactivated, 0).is_ok());
        assert_eq!(
            may_step(RunStep::Created, RunStep::Amplified, 5)
                .unwrap_err()
                .code,
            "step_out_of_order"
        );
        assert_eq!(
            may_step(RunStep::Inactivated, RunStep::Sorted, 0)
                .unwrap_err()
                .code,
            "plate_empty"
        );
        assert_eq!(
            may_step(RunStep::Amplified, RunStep::Resulted, 5)
                .unwrap_err()
                .code,
            "invalid_value"
        );
        assert!(RunStep::Inactivated.plating() && !RunStep::Sorted.plating());
    }

    #[test]
    fn cts_are_read_by_the_assay() {
        let all = assay("all");
        assert_eq!(all.read(&[None, None]), Reading::Negative);
        assert_eq!(all.read(&[Some(41.0), Some(40.0)]), Reading::Negative);
        assert_eq!(all.read(&[Some(31.5), Some(29.0)]), Reading::Positive);
        assert_eq!(all.read(&[Some(31.5), None]), Reading::Inconclusive);
        assert_eq!(assay("any").read(&[None, Some(35.0)]), Reading::Positive);
    }

    #[test]
    fn a_pool_that_reads_positive_recalls_its_persons() {
        assert_eq!(
            MemberResult::of(Reading::Positive, 10),
            MemberResult::Recall
        );
        assert_eq!(
            MemberResult::of(Reading::Inconclusive, 5),
            MemberResult::Recall
        );
        assert_eq!(
            MemberResult::of(Reading::Positive, 1),
            MemberResult::Positive
        );
        assert_eq!(
            MemberResult::of(Reading::Negative, 20),
            MemberResult::Negative
        );
    }

    #[test]
    fn a_bad_assay_says_every_problem() {
        let bad = AssayRequest {
            name: "".into(),
            targets: vec![
                Target {
                    name: "N".into(),
                    cutoff: 40.0,
                },
                Target {
                    name: "n".into(),
                    cutoff: 99.0,
                },
            ],
            positive_when: "most".into(),
        }
        .parse()
        .unwrap_err();
        let fields: Vec<&str> = bad.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "name",
                "targets[1].name",
                "targets[1].cutoff",
                "positive_when"
            ]
        );
    }
}
