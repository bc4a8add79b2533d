//! From verdicts to the decision stored with a passage: the vehicle's outcome (the most severe of
//! its occupants'), the union of their actions, and for each occupant the rules that decided with
//! the facts each rule looked at. This is where strings are made; evaluation itself makes none.

use super::eval::{has_negative_test, visited_risk};
use super::facts::{OccupantFacts, PassageFacts, TestSource};
use super::{ActionSet, Conditions, OccupantVerdict, Policy};
use crate::passage::{Decision, Fact, Outcome, Reason};
use crate::risk::RiskRegister;

impl Policy {
    /// Decides a whole passage and explains why.
    pub fn decide(
        &self,
        version: &str,
        p: &PassageFacts,
        occupants: &[OccupantFacts],
        risk: &RiskRegister,
    ) -> Decision {
        let mut outcome = Outcome::Pass;
        let mut actions = ActionSet::default();
        let mut reasons = Vec::with_capacity(occupants.len());
        for (i, o) in occupants.iter().enumerate() {
            let v = self.evaluate(p, o, risk);
            if v.outcome.severity() > outcome.severity() {
                outcome = v.outcome;
            }
            actions = actions.union(v.actions);
            self.explain_occupant(i, &v, p, o, risk, &mut reasons);
        }
        Decision {
            outcome,
            policy_version: Some(version.to_owned()),
            reasons,
            actions: actions.to_vec(),
        }
    }

    fn explain_occupant(
        &self,
        i: usize,
        v: &OccupantVerdict,
        p: &PassageFacts,
        o: &OccupantFacts,
        risk: &RiskRegister,
        out: &mut Vec<Reason>,
    ) {
        if v.by_default() {
            out.push(Reason {
                code: "default".into(),
                rule: None,
                occupant: Some(i),
                outcome: Some(self.default_outcome),
                message: self.default_title.clone(),
                facts: Vec::new(),
            });
            return;
        }
        for (r, rule) in self.rules.iter().enumerate() {
            if v.rules & (1 << r) == 0 {
                continue;
            }
            out.push(Reason {
                code: rule.id.clone(),
                rule: Some(rule.id.clone()),
                occupant: Some(i),
                outcome: Some(rule.outcome),
                message: rule.title.clone(),
                facts: facts_used(&rule.when, p, o, risk),
            });
        }
    }
}

fn fact(name: &str, value: impl Into<String>) -> Fact {
    Fact {
        name: name.to_owned(),
        value: value.into(),
    }
}

fn hours_before(p: &PassageFacts, taken_ms: i64) -> i64 {
    (p.observed_ms - taken_ms) / 3_600_000
}

/// The facts a rule's conditions looked at, as the lane saw them.
fn facts_used(
    c: &Conditions,
    p: &PassageFacts,
    o: &OccupantFacts,
    risk: &RiskRegister,
) -> Vec<Fact> {
    let mut f = Vec::new();
    if c.health_code.is_some() {
        f.push(fact("health_code", o.health_code.as_str()));
    }
    if c.status.is_some() {
        f.push(fact("status", o.status.as_str()));
    }
    if c.temperature_at_least.is_some() || c.temperature_below.is_some() {
        let t = o.temperature.map_or_else(
            || "not taken".to_owned(),
            |t| format!("{:.1}", f64::from(t) / 10.0),
        );
        f.push(fact("temperature_c", t));
    }
    if c.document_type.is_some() {
        f.push(fact("document_type", o.document_type.as_str()));
    }
    if c.role.is_some() {
        f.push(fact("role", o.role.as_str()));
    }
    if c.test_result.is_some()
        || c.test_kind.is_some()
        || c.with_negative_test.is_some()
        || c.without_negative_test.is_some()
    {
        let t = match o.test {
            None => "none".to_owned(),
            Some(t) => format!(
                "{} {}, {} h before, {}",
                t.kind.as_str(),
                t.result.as_str(),
                hours_before(p, t.taken_ms),
                match t.source {
                    TestSource::Declared => "declared",
                    TestSource::Lab => "Cordon lab result",
                    TestSource::LabRecall => "Cordon lab: pool positive, recalled",
                    TestSource::Site => "Cordon sampling site",
                }
            ),
        };
        f.push(fact("latest_test", t));
        for w in [c.with_negative_test, c.without_negative_test]
            .into_iter()
            .flatten()
        {
            let has = has_negative_test(o, p.observed_ms, w.kinds, w.within_hours);
            f.push(fact(
                "negative_test_within_hours",
                format!("{}: {}", w.within_hours, if has { "yes" } else { "no" }),
            ));
        }
    }
    if let Some(v) = c.visited_risk {
        if let Some(hit) = visited_risk(o, p.observed_ms, v.levels, v.within_days, risk) {
            let a = &risk.areas()[hit.index as usize];
            let place = if a.area.is_empty() {
                a.division.to_string()
            } else {
                format!("{} {}", a.division, a.area)
            };
            f.push(fact(
                "visited_risk",
                format!(
                    "{place}: {} (within {} days)",
                    hit.level.as_str(),
                    v.within_days
                ),
            ));
        }
    }
    if c.on_foot.is_some() || c.vehicle_class.is_some() {
        f.push(fact(
            "vehicle_class",
            p.vehicle_class.map_or("on_foot", |v| v.as_str()),
        ));
    }
    if c.plate_province.is_some() || c.plate_province_not.is_some() {
        f.push(fact(
            "plate_province",
            p.plate_province
                .map_or_else(|| "none".to_owned(), String::from),
        ));
    }
    if c.freight_pass.is_some() {
        f.push(fact("freight_pass", p.freight_pass.to_string()));
    }
    if c.goods_category.is_some() {
        f.push(fact(
            "goods_category",
            p.goods.map_or("none", |g| g.as_str()),
        ));
    }
    if c.direction.is_some() {
        f.push(fact("direction", p.direction.as_str()));
    }
    if c.checkpoint.is_some() {
        f.push(fact("checkpoint", p.checkpoint));
    }
    if c.defence_line.is_some() {
        f.push(fact("defence_line", p.defence_line.as_str()));
    }
    if c.time_of_day.is_some() {
        f.push(fact(
            "time_of_day",
            format!("{:02}:{:02}", p.local_minute / 60, p.local_minute % 60),
        ));
    }
    f
}
