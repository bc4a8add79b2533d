//! The risk-area register: areas by division code (and named sub-county areas inside one), each
//! with a level and a validity interval. Nothing is overwritten: a level that changes ends one
//! interval and starts another, so "was this a medium-risk area on 3 May?" always has an answer.
//! [`RiskRegister`] is the in-memory index the policy engine asks, allocation-free.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::checkpoint::string_enum;
use crate::division::{DivisionCode, DivisionLevel};
use crate::FieldError;

string_enum! {
    /// The level of a risk area, as the health authorities announce it.
    RiskLevel { Low = "low", Medium = "medium", High = "high" }
}

impl RiskLevel {
    /// A bit per level, for sets of levels.
    pub fn bit(self) -> u8 {
        1 << (self as u8)
    }

    /// Low < medium < high.
    pub fn rank(self) -> u8 {
        self as u8
    }
}

/// One interval of one area at one level: `valid_from <= t < valid_to` (open when `None`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RiskArea {
    pub id: i64,
    #[schema(value_type = String, example = "130102")]
    pub division: DivisionCode,
    /// A named area inside the division (a residential compound, a village), or empty for the
    /// whole division.
    pub area: String,
    pub level: RiskLevel,
    /// Milliseconds since the epoch.
    pub valid_from_ms: i64,
    pub valid_to_ms: Option<i64>,
    /// Where it came from: `api`, or `import:FILE`.
    pub source: String,
    pub actor: String,
    pub recorded_at_ms: i64,
}

/// Checks a sub-county area name: at most 64 characters, no control characters.
pub fn parse_area_name(s: &str) -> Result<String, FieldError> {
    let t = s.trim();
    if t.chars().count() > 64 || t.chars().any(char::is_control) {
        return Err(FieldError::new(
            "invalid_area",
            "",
            "an area name has at most 64 characters and no control characters",
        ));
    }
    Ok(t.to_owned())
}

#[derive(Debug, Clone, Copy)]
struct Interval {
    from: i64,
    to: i64,
    level: RiskLevel,
    /// Index into the register's areas.
    index: u32,
}

/// What a visit matched: the area and the level it had during the visit window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RiskHit {
    pub level: RiskLevel,
    /// Index of the area in [`RiskRegister::areas`].
    pub index: u32,
}

/// All risk areas, indexed by division code for the engine.
#[derive(Debug, Clone, Default)]
pub struct RiskRegister {
    areas: Vec<RiskArea>,
    by_code: BTreeMap<u32, Vec<Interval>>,
}

impl RiskRegister {
    pub fn new(areas: Vec<RiskArea>) -> Self {
        let mut by_code: BTreeMap<u32, Vec<Interval>> = BTreeMap::new();
        for (i, a) in areas.iter().enumerate() {
            by_code
                .entry(a.division.value())
                .or_default()
                .push(Interval {
                    from: a.valid_from_ms,
                    to: a.valid_to_ms.unwrap_or(i64::MAX),
                    level: a.level,
                    index: i as u32,
                });
        }
        Self { areas, by_code }
    }

    pub fn areas(&self) -> &[RiskArea] {
        &self.areas
    }

    pub fn is_empty(&self) -> bool {
        self.areas.is_empty()
    }

    /// The most severe area among `levels` (a set of [`RiskLevel::bit`]s) that overlaps the
    /// visited division during `from_ms..to_ms`. A visit to a division matches an area in it
    /// (a high-risk county inside a visited city), the division itself, or a division containing
    /// it (a whole city declared while its county was visited): the visit record says no more
    /// precisely where the person was, so the engine takes the cautious reading.
    pub fn worst_overlap(
        &self,
        visited: DivisionCode,
        from_ms: i64,
        to_ms: i64,
        levels: u8,
    ) -> Option<RiskHit> {
        let code = visited;
        let visited = code.value();
        let mut best: Option<RiskHit> = None;
        let mut consider = |list: &Vec<Interval>| {
            for iv in list {
                if iv.from < to_ms
                    && from_ms < iv.to
                    && levels & iv.level.bit() != 0
                    && best.is_none_or(|b| iv.level.rank() > b.level.rank())
                {
                    best = Some(RiskHit {
                        level: iv.level,
                        index: iv.index,
                    });
                }
            }
        };
        // The division itself and everything inside it.
        let (lo, hi) = match code.level() {
            DivisionLevel::Province => (visited, visited + 9_999),
            DivisionLevel::City => (visited, visited + 99),
            DivisionLevel::County => (visited, visited),
        };
        for (_, list) in self.by_code.range(lo..=hi) {
            consider(list);
        }
        // The divisions that contain it.
        let mut up = code.parent();
        while let Some(p) = up {
            if let Some(list) = self.by_code.get(&p.value()) {
                consider(list);
            }
            up = p.parent();
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn area(code: &str, level: RiskLevel, from: i64, to: Option<i64>) -> RiskArea {
        RiskArea {
            id: 0,
            division: DivisionCode::parse(code).unwrap(),
            area: String::new(),
            level,
            valid_from_ms: from,
            valid_to_ms: to,
            source: "test".into(),
            actor: "test".into(),
            recorded_at_ms: 0,
        }
    }

    fn dc(n: u32) -> DivisionCode {
        DivisionCode::from_value(n).unwrap()
    }

    #[test]
    fn a_visit_matches_inside_itself_and_above() {
        let all = RiskLevel::Low.bit() | RiskLevel::Medium.bit() | RiskLevel::High.bit();
        let r = RiskRegister::new(vec![
            area("130102", RiskLevel::High, 100, Some(200)),
            area("130600", RiskLevel::Medium, 0, None),
        ]);
        // Visited the city that holds a high-risk county, during its interval.
        let hit = r.worst_overlap(dc(130100), 150, 160, all).unwrap();
        assert_eq!(hit.level, RiskLevel::High);
        // Before the interval began, or after it ended: nothing.
        assert!(r.worst_overlap(dc(130100), 0, 100, all).is_none());
        assert!(r.worst_overlap(dc(130102), 200, 300, all).is_none());
        // A county inside a medium-risk city.
        assert_eq!(
            r.worst_overlap(dc(130602), 5, 6, all).unwrap().level,
            RiskLevel::Medium
        );
        // Only the levels asked for.
        assert!(r
            .worst_overlap(dc(130602), 5, 6, RiskLevel::High.bit())
            .is_none());
        // The province holds both; the worst wins.
        assert_eq!(
            r.worst_overlap(dc(130000), 150, 151, all).unwrap().level,
            RiskLevel::High
        );
        // Elsewhere: nothing.
        assert!(r.worst_overlap(dc(110105), 0, 1000, all).is_none());
    }
}
