//! Applying a policy to one occupant: in memory, no allocation. The verdict is the outcome, the
//! actions and the set of rules that decided (a bit each), from which [`super::explain`] builds
//! the reasons when a decision is recorded.

use super::facts::{OccupantFacts, PassageFacts};
use super::{ActionSet, Combine, Conditions, Policy};
use crate::passage::{Outcome, TestResult};
use crate::risk::{RiskHit, RiskRegister};

const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 24 * HOUR_MS;

/// What the policy decided for one occupant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OccupantVerdict {
    pub outcome: Outcome,
    pub actions: ActionSet,
    /// The rules that decided, a bit per rule index; empty when the default applied.
    pub rules: u128,
}

impl OccupantVerdict {
    pub fn by_default(&self) -> bool {
        self.rules == 0
    }
}

fn in_set(mask: Option<u8>, value: u8) -> bool {
    mask.is_none_or(|m| m & (1 << value) != 0)
}

/// Whether the occupant has a negative test of the given kinds taken within `hours` before the
/// passage.
pub(crate) fn has_negative_test(
    o: &OccupantFacts,
    observed_ms: i64,
    kinds: u8,
    hours: u32,
) -> bool {
    o.test.is_some_and(|t| {
        t.result == TestResult::Negative
            && kinds & (1 << t.kind as u8) != 0
            && observed_ms - t.taken_ms <= i64::from(hours) * HOUR_MS
    })
}

/// The worst risk area the occupant's visits overlap, among the given levels, within `days`
/// before the passage.
pub(crate) fn visited_risk(
    o: &OccupantFacts,
    observed_ms: i64,
    levels: u8,
    days: u32,
    risk: &RiskRegister,
) -> Option<RiskHit> {
    let from = observed_ms - i64::from(days) * DAY_MS;
    let mut best: Option<RiskHit> = None;
    for v in o.visited {
        if let Some(h) = risk.worst_overlap(*v, from, observed_ms + 1, levels) {
            if best.is_none_or(|b| h.level.rank() > b.level.rank()) {
                best = Some(h);
            }
        }
    }
    best
}

impl Conditions {
    /// Whether all the conditions hold for this occupant of this passage.
    pub fn matches(&self, p: &PassageFacts, o: &OccupantFacts, risk: &RiskRegister) -> bool {
        if !in_set(self.health_code, o.health_code as u8)
            || !in_set(self.status, o.status as u8)
            || !in_set(self.document_type, o.document_type as u8)
            || !in_set(self.role, o.role as u8)
            || !in_set(self.direction, p.direction as u8)
            || !in_set(self.defence_line, p.defence_line as u8)
        {
            return false;
        }
        if let Some(lo) = self.temperature_at_least {
            if o.temperature.is_none_or(|t| t < lo) {
                return false;
            }
        }
        if let Some(hi) = self.temperature_below {
            if o.temperature.is_none_or(|t| t >= hi) {
                return false;
            }
        }
        if self.test_result.is_some() || self.test_kind.is_some() {
            match o.test {
                None => return false,
                Some(t) => {
                    if !in_set(self.test_result, t.result as u8)
                        || !in_set(self.test_kind, t.kind as u8)
                    {
                        return false;
                    }
                }
            }
        }
        if let Some(w) = self.with_negative_test {
            if !has_negative_test(o, p.observed_ms, w.kinds, w.within_hours) {
                return false;
            }
        }
        if let Some(w) = self.without_negative_test {
            if has_negative_test(o, p.observed_ms, w.kinds, w.within_hours) {
                return false;
            }
        }
        if let Some(f) = self.on_foot {
            if f != p.vehicle_class.is_none() {
                return false;
            }
        }
        if let Some(m) = self.vehicle_class {
            if p.vehicle_class.is_none_or(|c| m & (1 << c as u8) == 0) {
                return false;
            }
        }
        if let Some(list) = &self.plate_province {
            if p.plate_province.is_none_or(|c| !list.contains(&c)) {
                return false;
            }
        }
        if let Some(list) = &self.plate_province_not {
            if p.plate_province.is_none_or(|c| list.contains(&c)) {
                return false;
            }
        }
        if let Some(f) = self.freight_pass {
            if f != p.freight_pass {
                return false;
            }
        }
        if let Some(m) = self.goods_category {
            if p.goods.is_none_or(|g| m & (1 << g as u8) == 0) {
                return false;
            }
        }
        if let Some(list) = &self.checkpoint {
            if !list.iter().any(|c| c == p.checkpoint) {
                return false;
            }
        }
        if let Some((from, to)) = self.time_of_day {
            let m = p.local_minute;
            let inside = if from < to {
                from <= m && m < to
            } else {
                m >= from || m < to
            };
            if !inside {
                return false;
            }
        }
        if let Some(v) = self.visited_risk {
            if visited_risk(o, p.observed_ms, v.levels, v.within_days, risk).is_none() {
                return false;
            }
        }
        true
    }
}

impl Policy {
    /// The verdict for one occupant.
    pub fn evaluate(
        &self,
        p: &PassageFacts,
        o: &OccupantFacts,
        risk: &RiskRegister,
    ) -> OccupantVerdict {
        let mut verdict = OccupantVerdict {
            outcome: self.default_outcome,
            actions: self.default_actions,
            rules: 0,
        };
        for (i, rule) in self.rules.iter().enumerate() {
            if !rule.when.matches(p, o, risk) {
                continue;
            }
            match self.combine {
                Combine::FirstMatch => {
                    return OccupantVerdict {
                        outcome: rule.outcome,
                        actions: rule.actions,
                        rules: 1 << i,
                    };
                }
                Combine::MostSevere => {
                    if verdict.rules == 0 || rule.outcome.severity() > verdict.outcome.severity() {
                        verdict.outcome = rule.outcome;
                    }
                    verdict.actions = if verdict.rules == 0 {
                        rule.actions
                    } else {
                        verdict.actions.union(rule.actions)
                    };
                    verdict.rules |= 1 << i;
                }
            }
        }
        verdict
    }
}
