//! A list made from the checkpoints' own records: everyone who entered the reader's scope from a
//! division (the vehicle's origin as the lane recorded it), or who declared at the lane a visit
//! to it, within the last N days. [`FromPassagesRequest`] is what the page sends;
//! [`Crossing::occupants`] says which occupants of one stored passage it names, from the
//! passage's origin and its stored facts alone (nothing personal is opened until a passage
//! matches).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::checkpoint::string_enum;
use crate::division::DivisionCode;
use crate::passage::Direction;
use crate::policy::facts::FactsBuf;
use crate::{FieldError, Gathered};

/// The longest look back: the incubation period the rules of the time used.
pub const MAX_DAYS: u32 = 14;
/// The look back unless the request says otherwise.
pub const DEFAULT_DAYS: u32 = 14;

string_enum! {
    /// What ties a person to the division: the vehicle came from it, the person declared a
    /// visit to it, or either.
    CrossingKind {
        EnteredFrom = "entered_from",
        Visited = "visited",
        Either = "either",
    }
}

/// A list asked for from the passages.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FromPassagesRequest {
    /// The list's id, chosen by the page, so that pressing twice makes one list.
    #[schema(value_type = String, format = Uuid)]
    pub id: Uuid,
    /// The division (province, city or county) persons came from or visited.
    #[schema(example = "110105")]
    pub division: String,
    /// How many days back, 1 to 14 (default 14).
    #[serde(default)]
    #[schema(minimum = 1, maximum = 14)]
    pub days: Option<u32>,
    /// Entered from it, declared a visit to it, or either (the default).
    #[serde(default)]
    pub kind: Option<CrossingKind>,
    /// What the callers see it as (default: the division and the days).
    #[serde(default)]
    #[schema(max_length = 200)]
    pub label: Option<String>,
    /// Hours the callers have (1 to 336, default 24).
    #[serde(default)]
    #[schema(minimum = 1, maximum = 336)]
    pub deadline_hours: Option<u32>,
}

/// A checked query over passages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Crossing {
    pub division: DivisionCode,
    pub days: u32,
    pub kind: CrossingKind,
}

impl FromPassagesRequest {
    /// Checks the division and the days; every problem at once.
    pub fn parse(&self) -> Result<Crossing, Vec<FieldError>> {
        let mut g = Gathered::default();
        let division =
            g.take(DivisionCode::parse(self.division.trim()).map_err(|e| e.under("division")));
        if let Some(label) = &self.label {
            if label.chars().count() > crate::followup::MAX_TEXT
                || label.chars().any(char::is_control)
            {
                g.push(FieldError::new(
                    "invalid_text",
                    "label",
                    format!(
                        "at most {} characters, without control characters",
                        crate::followup::MAX_TEXT
                    ),
                ));
            }
        }
        let days = self.days.unwrap_or(DEFAULT_DAYS);
        if !(1..=MAX_DAYS).contains(&days) {
            g.push(FieldError::new(
                "out_of_range",
                "days",
                format!("look back 1 to {MAX_DAYS} days"),
            ));
        }
        g.finish(|| {
            Some(Crossing {
                division: division?,
                days,
                kind: self.kind.unwrap_or(CrossingKind::Either),
            })
        })
    }
}

/// Why a passage's occupant is on the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tie {
    /// The vehicle came from the division.
    EnteredFrom,
    /// The occupant declared a visit to it.
    Visited,
}

impl Crossing {
    /// The occupants of an entering passage that the query names (by index, with why): every
    /// occupant when the vehicle came from the division, else each who declared a visit to it.
    /// A passage leaving the scope names nobody.
    pub fn occupants(&self, origin: Option<DivisionCode>, facts: &FactsBuf) -> Vec<(usize, Tie)> {
        if facts.direction != Some(Direction::In) {
            return Vec::new();
        }
        let within = |d: DivisionCode| self.division.contains(d);
        let n = facts.occupant_count();
        if self.kind != CrossingKind::Visited && origin.is_some_and(within) {
            return (0..n).map(|i| (i, Tie::EnteredFrom)).collect();
        }
        if self.kind == CrossingKind::EnteredFrom {
            return Vec::new();
        }
        (0..n)
            .filter(|&i| facts.occupant(i).visited.iter().any(|&v| within(v)))
            .map(|i| (i, Tie::Visited))
            .collect()
    }

    /// The first moment the query looks at, `days` before `now_ms`.
    pub fn since_ms(&self, now_ms: i64) -> i64 {
        now_ms - i64::from(self.days) * 86_400_000
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::passage::PassageDraft;

    fn facts(direction: &str, visited: &[&[&str]]) -> FactsBuf {
        let occupants: Vec<serde_json::Value> = visited
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let number = ["11010519491231002X", "130102199003070011"][i];
                serde_json::json!({
                    "document": {"type": "resident_id", "number": number},
                    "name": "张三", "role": if i == 0 { "driver" } else { "passenger" },
                    "health_code": "green", "visited": v,
                })
            })
            .collect();
        let req: crate::registration::PassageRequest = serde_json::from_value(serde_json::json!({
            "id": "0190f5c2-7d4e-7b2a-9c1e-3f6a2b8d9e01",
            "checkpoint": "CP-130100-0001", "lane": 1, "direction": direction,
            "observed_at": "2026-11-22T10:00:00+08:00",
            "vehicle": {"plate": "京A12345", "plate_color": "blue", "class": "car"},
            "occupants": occupants,
        }))
        .unwrap();
        let draft: PassageDraft = req
            .parse(chrono::DateTime::parse_from_rfc3339("2026-11-22T10:05:00+08:00").unwrap())
            .unwrap();
        let bytes = crate::policy::facts::encode(
            &draft,
            &crate::policy::facts::Known {
                statuses: vec![crate::status::PersonStatus::Unmarked; visited.len()],
                lab_tests: Vec::new(),
            },
        );
        let mut buf = FactsBuf::default();
        assert!(buf.decode(&bytes));
        buf
    }

    fn code(s: &str) -> DivisionCode {
        DivisionCode::parse(s).unwrap()
    }

    #[test]
    fn the_vehicles_origin_names_everyone_a_visit_names_one() {
        let q = Crossing {
            division: code("110000"),
            days: 14,
            kind: CrossingKind::Either,
        };
        let f = facts("in", &[&["130102"], &["110105"]]);
        assert_eq!(
            q.occupants(Some(code("110105")), &f),
            vec![(0, Tie::EnteredFrom), (1, Tie::EnteredFrom)]
        );
        assert_eq!(
            q.occupants(Some(code("120101")), &f),
            vec![(1, Tie::Visited)]
        );
        assert_eq!(q.occupants(None, &f), vec![(1, Tie::Visited)]);
        let only_origin = Crossing {
            kind: CrossingKind::EnteredFrom,
            ..q
        };
        assert!(only_origin.occupants(Some(code("120101")), &f).is_empty());
        let only_visits = Crossing {
            kind: CrossingKind::Visited,
            ..q
        };
        assert_eq!(
            only_visits.occupants(Some(code("110105")), &f),
            vec![(1, Tie::Visited)]
        );
        let leaving = facts("out", &[&["110105"]]);
        assert!(q.occupants(Some(code("110105")), &leaving).is_empty());
    }

    #[test]
    fn a_request_is_checked_whole() {
        let req = FromPassagesRequest {
            id: Uuid::nil(),
            division: "11010".into(),
            days: Some(30),
            kind: None,
            label: None,
            deadline_hours: None,
        };
        let long = FromPassagesRequest {
            label: Some("名".repeat(201)),
            ..req.clone()
        };
        let problems = long.parse().unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["division", "label", "days"]);
        let ok = FromPassagesRequest {
            division: "110105".into(),
            days: None,
            ..req
        };
        let q = ok.parse().unwrap();
        assert_eq!((q.days, q.kind), (14, CrossingKind::Either));
        assert_eq!(q.since_ms(14 * 86_400_000), 0);
    }
}
