//! Checking a policy document whole: every value parsed, every rule reachable, a default
//! outcome present. All problems are reported together, each with its field path and line; a
//! document with any problem yields no policy at all.

use serde::Serialize;
use toml::Spanned;

use super::document::{PolicyDocument, TestWindowDocument, WhenDocument};
use super::{ActionSet, Combine, Conditions, Policy, Rule, TestWindow, VisitedRisk, MAX_RULES};
use crate::checkpoint::{CheckpointCode, DefenceLine};
use crate::identity::DocumentType;
use crate::passage::{
    Action, Direction, GoodsCategory, HealthCode, Outcome, Role, Temperature, TestKind, TestResult,
    VehicleClass,
};
use crate::plate::PROVINCES;
use crate::risk::RiskLevel;
use crate::status::PersonStatus;
use crate::FieldError;

/// The largest policy document accepted.
pub const MAX_SOURCE_BYTES: usize = 256 * 1024;

/// One problem in a policy document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PolicyProblem {
    pub code: String,
    /// Path of the field, such as `rules[3].when.health_code`.
    pub field: String,
    /// Line in the document (1-based), when known.
    pub line: Option<u32>,
    pub message: String,
}

struct Problems<'s> {
    source: &'s str,
    list: Vec<PolicyProblem>,
}

impl Problems<'_> {
    fn line_of(&self, offset: usize) -> u32 {
        let end = offset.min(self.source.len());
        self.source.as_bytes()[..end]
            .iter()
            .filter(|b| **b == b'\n')
            .count() as u32
            + 1
    }

    fn add(&mut self, code: &str, field: &str, span: Option<usize>, message: impl Into<String>) {
        let line = span.map(|o| self.line_of(o));
        self.list.push(PolicyProblem {
            code: code.to_owned(),
            field: field.to_owned(),
            line,
            message: message.into(),
        });
    }

    fn field(&mut self, e: FieldError, field: &str, span: usize) {
        let line = Some(self.line_of(span));
        self.list.push(PolicyProblem {
            code: e.code,
            field: field.to_owned(),
            line,
            message: e.message,
        });
    }
}

/// Checks a policy document and builds the policy, or reports every problem found.
pub fn compile(source: &str) -> Result<Policy, Vec<PolicyProblem>> {
    let mut p = Problems {
        source,
        list: Vec::new(),
    };
    if source.len() > MAX_SOURCE_BYTES {
        p.add(
            "too_large",
            "",
            None,
            format!("a policy document has at most {MAX_SOURCE_BYTES} bytes"),
        );
        return Err(p.list);
    }
    let doc: PolicyDocument = match toml::from_str(source) {
        Ok(d) => d,
        Err(e) => {
            let field = e.message().to_owned();
            p.add(
                "invalid_document",
                "",
                e.span().map(|s| s.start),
                field.trim().to_owned(),
            );
            return Err(p.list);
        }
    };
    let policy = check(&doc, &mut p);
    if p.list.is_empty() {
        Ok(policy.expect("no problems means a policy"))
    } else {
        Err(p.list)
    }
}

fn check(doc: &PolicyDocument, p: &mut Problems) -> Option<Policy> {
    let name = doc.name.get_ref().trim();
    if name.is_empty() || name.chars().count() > 200 {
        p.add(
            "invalid_name",
            "name",
            Some(doc.name.span().start),
            "a policy needs a name of 1 to 200 characters",
        );
    }
    let combine = match doc.combine.get_ref().as_str() {
        "first_match" => Some(Combine::FirstMatch),
        "most_severe" => Some(Combine::MostSevere),
        other => {
            p.add(
                "invalid_value",
                "combine",
                Some(doc.combine.span().start),
                format!("'{other}' is not one of: first_match, most_severe"),
            );
            None
        }
    };
    let default = match &doc.default {
        None => {
            p.add(
                "no_default",
                "default",
                None,
                "a policy needs a [default] outcome for occupants no rule matches",
            );
            None
        }
        Some(d) => {
            let d = d.get_ref();
            let outcome = one(p, &d.outcome, "default.outcome", Outcome::parse);
            let actions = actions(p, d.actions.as_ref(), "default.actions");
            let title = title(p, &d.title, "default.title");
            if let (Some(o), Some(a)) = (outcome, actions) {
                check_outcome_actions(p, o, a, "default", d.outcome.span().start);
            }
            Some((outcome?, title, actions?))
        }
    };
    if doc.rules.len() > MAX_RULES {
        p.add(
            "too_many",
            "rules",
            None,
            format!("a policy has at most {MAX_RULES} rules"),
        );
    }
    let mut rules = Vec::with_capacity(doc.rules.len());
    for (i, r) in doc.rules.iter().enumerate() {
        let path = format!("rules[{i}]");
        let start = r.span().start;
        let r = r.get_ref();
        let id = r.id.get_ref().trim();
        let id_ok = !id.is_empty()
            && id.len() <= 64
            && id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
        if !id_ok {
            p.add(
                "invalid_id",
                &format!("{path}.id"),
                Some(r.id.span().start),
                "a rule id has 1 to 64 characters: lower-case letters, digits, '_' and '-'",
            );
        } else if doc.rules[..i]
            .iter()
            .any(|o| o.get_ref().id.get_ref() == id)
        {
            p.add(
                "duplicate_id",
                &format!("{path}.id"),
                Some(r.id.span().start),
                format!("the rule id '{id}' is used twice"),
            );
        }
        let title = title(p, &r.title, &format!("{path}.title"));
        let outcome = one(p, &r.outcome, &format!("{path}.outcome"), Outcome::parse);
        let acts = actions(p, r.actions.as_ref(), &format!("{path}.actions"));
        if let (Some(o), Some(a)) = (outcome, acts) {
            check_outcome_actions(p, o, a, &path, r.outcome.span().start);
        }
        let when = match &r.when {
            None => Some(Conditions::default()),
            Some(w) => conditions(p, w.get_ref(), &format!("{path}.when")),
        };
        if let (Some(outcome), Some(actions), Some(when)) = (outcome, acts, when) {
            rules.push(Rule {
                id: id.to_owned(),
                title,
                outcome,
                actions,
                when,
                line: p.line_of(start),
            });
        }
    }
    let combine = combine?;
    if rules.len() == doc.rules.len() && combine == Combine::FirstMatch {
        for (j, later) in rules.iter().enumerate() {
            if let Some(earlier) = rules[..j].iter().find(|e| later.when.implies(&e.when)) {
                p.add(
                    "unreachable_rule",
                    &format!("rules[{j}]"),
                    Some(doc.rules[j].span().start),
                    format!(
                        "rule '{}' can never decide: rule '{}' (line {}) matches every occupant it would",
                        later.id, earlier.id, earlier.line
                    ),
                );
            }
        }
    }
    let (default_outcome, default_title, default_actions) = default?;
    Some(Policy {
        name: name.to_owned(),
        description: doc.description.trim().to_owned(),
        combine,
        default_outcome,
        default_title,
        default_actions,
        rules,
    })
}

fn title(p: &mut Problems, t: &Spanned<String>, path: &str) -> String {
    let s = t.get_ref().trim();
    if s.is_empty() || s.chars().count() > 200 {
        p.add(
            "invalid_title",
            path,
            Some(t.span().start),
            "a title has 1 to 200 characters; it is shown to the officer as the reason",
        );
    }
    s.to_owned()
}

fn check_outcome_actions(p: &mut Problems, o: Outcome, a: ActionSet, path: &str, span: usize) {
    if a.contains(Action::HoldingLot) && o != Outcome::Hold {
        p.add(
            "invalid_value",
            &format!("{path}.actions"),
            Some(span),
            "the action 'holding_lot' goes with the outcome 'hold': the truck is held in the lot",
        );
    }
    let need: &[Action] = match o {
        Outcome::TestOnSite => &[Action::AntigenSample, Action::PcrSample],
        Outcome::Refer => &[Action::QuarantineTransfer, Action::FeverClinic],
        _ => &[],
    };
    if !need.is_empty() && !need.iter().any(|x| a.contains(*x)) {
        let names: Vec<&str> = need.iter().map(|x| x.as_str()).collect();
        p.add(
            "missing_action",
            &format!("{path}.actions"),
            Some(span),
            format!(
                "the outcome '{}' needs one of the actions {} to say where the person goes",
                o.as_str(),
                names.join(", ")
            ),
        );
    }
}

fn one<T>(
    p: &mut Problems,
    s: &Spanned<String>,
    path: &str,
    parse: fn(&str) -> Result<T, FieldError>,
) -> Option<T> {
    match parse(s.get_ref()) {
        Ok(v) => Some(v),
        Err(e) => {
            p.field(e, path, s.span().start);
            None
        }
    }
}

fn actions(p: &mut Problems, list: Option<&Spanned<Vec<String>>>, path: &str) -> Option<ActionSet> {
    let Some(list) = list else {
        return Some(ActionSet::default());
    };
    let mut set = ActionSet::default();
    let mut ok = true;
    for (i, a) in list.get_ref().iter().enumerate() {
        match Action::parse(a) {
            Ok(a) => set = set.with(a),
            Err(e) => {
                p.field(e, &format!("{path}[{i}]"), list.span().start);
                ok = false;
            }
        }
    }
    ok.then_some(set)
}

/// A list of enum values as a bit mask; an empty list matches nothing and is refused.
fn mask<T: Copy>(
    p: &mut Problems,
    list: Option<&Spanned<Vec<String>>>,
    path: &str,
    parse: fn(&str) -> Result<T, FieldError>,
    bit: fn(T) -> u8,
    ok: &mut bool,
) -> Option<u8> {
    let list = list?;
    let at = list.span().start;
    if list.get_ref().is_empty() {
        p.add(
            "never_matches",
            path,
            Some(at),
            "an empty list matches nothing: remove the condition or name a value",
        );
        *ok = false;
        return None;
    }
    let mut m = 0u8;
    for (i, v) in list.get_ref().iter().enumerate() {
        match parse(v) {
            Ok(v) => m |= bit(v),
            Err(e) => {
                p.field(e, &format!("{path}[{i}]"), at);
                *ok = false;
            }
        }
    }
    Some(m)
}

fn bit_of<T: Into<u8>>(v: T) -> u8 {
    1u8 << v.into()
}

macro_rules! enum_bits {
    ($($t:ty),*) => {$(
        impl From<$t> for u8 {
            fn from(v: $t) -> u8 { v as u8 }
        }
    )*};
}
enum_bits!(
    HealthCode,
    PersonStatus,
    DocumentType,
    Role,
    TestResult,
    TestKind,
    VehicleClass,
    GoodsCategory,
    Direction,
    DefenceLine
);

fn temperature(
    p: &mut Problems,
    t: Option<&Spanned<f64>>,
    path: &str,
    ok: &mut bool,
) -> Option<i16> {
    let t = t?;
    match Temperature::parse(*t.get_ref()) {
        Ok(t) => Some(t.tenths()),
        Err(e) => {
            p.field(e, path, t.span().start);
            *ok = false;
            None
        }
    }
}

fn test_window(
    p: &mut Problems,
    w: Option<&Spanned<TestWindowDocument>>,
    path: &str,
    ok: &mut bool,
) -> Option<TestWindow> {
    let w = w?;
    let at = w.span().start;
    let d = w.get_ref();
    let kinds = match &d.kinds {
        None => bit_of(TestKind::Pcr) | bit_of(TestKind::Antigen),
        Some(list) => {
            let spanned = Spanned::new(at..at, list.clone());
            mask(
                p,
                Some(&spanned),
                &format!("{path}.kinds"),
                TestKind::parse,
                bit_of,
                ok,
            )
            .unwrap_or(0)
        }
    };
    if d.within_hours == 0 || d.within_hours > 24 * 30 {
        p.add(
            "out_of_range",
            &format!("{path}.within_hours"),
            Some(at),
            "within_hours runs from 1 to 720 (30 days)",
        );
        *ok = false;
    }
    Some(TestWindow {
        kinds,
        within_hours: d.within_hours,
    })
}

fn provinces(
    p: &mut Problems,
    list: Option<&Spanned<Vec<String>>>,
    path: &str,
    ok: &mut bool,
) -> Option<Vec<char>> {
    let list = list?;
    let mut out = Vec::new();
    if list.get_ref().is_empty() {
        p.add(
            "never_matches",
            path,
            Some(list.span().start),
            "an empty list matches nothing",
        );
        *ok = false;
    }
    for (i, s) in list.get_ref().iter().enumerate() {
        let mut chars = s.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) if PROVINCES.contains(c) => out.push(c),
            _ => {
                p.add(
                    "invalid_province",
                    &format!("{path}[{i}]"),
                    Some(list.span().start),
                    format!("'{s}' is not a plate's province character such as 冀 or 京"),
                );
                *ok = false;
            }
        }
    }
    Some(out)
}

fn clock(s: &str) -> Option<u16> {
    let (h, m) = s.trim().split_once(':')?;
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

fn conditions(p: &mut Problems, w: &WhenDocument, path: &str) -> Option<Conditions> {
    let mut ok = true;
    let f = |name: &str| format!("{path}.{name}");
    let mut c = Conditions {
        health_code: mask(
            p,
            w.health_code.as_ref(),
            &f("health_code"),
            HealthCode::parse,
            bit_of,
            &mut ok,
        ),
        status: mask(
            p,
            w.status.as_ref(),
            &f("status"),
            PersonStatus::parse,
            bit_of,
            &mut ok,
        ),
        temperature_at_least: temperature(
            p,
            w.temperature_at_least.as_ref(),
            &f("temperature_at_least"),
            &mut ok,
        ),
        temperature_below: temperature(
            p,
            w.temperature_below.as_ref(),
            &f("temperature_below"),
            &mut ok,
        ),
        document_type: mask(
            p,
            w.document_type.as_ref(),
            &f("document_type"),
            DocumentType::parse,
            bit_of,
            &mut ok,
        ),
        role: mask(p, w.role.as_ref(), &f("role"), Role::parse, bit_of, &mut ok),
        test_result: mask(
            p,
            w.test_result.as_ref(),
            &f("test_result"),
            TestResult::parse,
            bit_of,
            &mut ok,
        ),
        test_kind: mask(
            p,
            w.test_kind.as_ref(),
            &f("test_kind"),
            TestKind::parse,
            bit_of,
            &mut ok,
        ),
        with_negative_test: test_window(
            p,
            w.with_negative_test.as_ref(),
            &f("with_negative_test"),
            &mut ok,
        ),
        without_negative_test: test_window(
            p,
            w.without_negative_test.as_ref(),
            &f("without_negative_test"),
            &mut ok,
        ),
        visited_risk: None,
        on_foot: w.on_foot.as_ref().map(|b| *b.get_ref()),
        vehicle_class: mask(
            p,
            w.vehicle_class.as_ref(),
            &f("vehicle_class"),
            VehicleClass::parse,
            bit_of,
            &mut ok,
        ),
        plate_province: provinces(p, w.plate_province.as_ref(), &f("plate_province"), &mut ok),
        plate_province_not: provinces(
            p,
            w.plate_province_not.as_ref(),
            &f("plate_province_not"),
            &mut ok,
        ),
        freight_pass: w.freight_pass.as_ref().map(|b| *b.get_ref()),
        goods_category: mask(
            p,
            w.goods_category.as_ref(),
            &f("goods_category"),
            GoodsCategory::parse,
            bit_of,
            &mut ok,
        ),
        direction: mask(
            p,
            w.direction.as_ref(),
            &f("direction"),
            Direction::parse,
            bit_of,
            &mut ok,
        ),
        checkpoint: None,
        defence_line: mask(
            p,
            w.defence_line.as_ref(),
            &f("defence_line"),
            DefenceLine::parse,
            bit_of,
            &mut ok,
        ),
        time_of_day: None,
    };
    if let Some(v) = &w.visited_risk {
        let at = v.span().start;
        let d = v.get_ref();
        let spanned = Spanned::new(at..at, d.levels.clone());
        let levels = mask(
            p,
            Some(&spanned),
            &f("visited_risk.levels"),
            RiskLevel::parse,
            RiskLevel::bit,
            &mut ok,
        );
        if d.within_days == 0 || d.within_days > 60 {
            p.add(
                "out_of_range",
                &f("visited_risk.within_days"),
                Some(at),
                "within_days runs from 1 to 60",
            );
            ok = false;
        }
        c.visited_risk = levels.map(|levels| VisitedRisk {
            levels,
            within_days: d.within_days,
        });
    }
    if let Some(list) = &w.checkpoint {
        let mut codes = Vec::new();
        for (i, s) in list.get_ref().iter().enumerate() {
            match CheckpointCode::parse(s) {
                Ok(code) => codes.push(code.as_str().to_owned()),
                Err(e) => {
                    p.field(e, &format!("{}[{i}]", f("checkpoint")), list.span().start);
                    ok = false;
                }
            }
        }
        if list.get_ref().is_empty() {
            p.add(
                "never_matches",
                &f("checkpoint"),
                Some(list.span().start),
                "an empty list matches nothing",
            );
            ok = false;
        }
        c.checkpoint = Some(codes);
    }
    if let Some(t) = &w.time_of_day {
        let parsed = t
            .get_ref()
            .split_once('-')
            .and_then(|(a, b)| Some((clock(a)?, clock(b)?)))
            .filter(|(a, b)| a != b);
        if parsed.is_none() {
            p.add(
                "invalid_time_of_day",
                &f("time_of_day"),
                Some(t.span().start),
                "time_of_day is 'HH:MM-HH:MM' in the lane's local time, such as '22:00-06:00'",
            );
            ok = false;
        }
        c.time_of_day = parsed;
    }
    if let (Some(lo), Some(hi)) = (c.temperature_at_least, c.temperature_below) {
        if lo >= hi {
            p.add(
                "never_matches",
                &f("temperature_below"),
                w.temperature_below.as_ref().map(|t| t.span().start),
                "temperature_below must be above temperature_at_least, or the rule matches nobody",
            );
            ok = false;
        }
    }
    if let (Some(a), Some(b)) = (c.with_negative_test, c.without_negative_test) {
        if a.kinds & !b.kinds == 0 && a.within_hours <= b.within_hours {
            p.add(
                "never_matches",
                &f("without_negative_test"),
                w.without_negative_test.as_ref().map(|t| t.span().start),
                "with_negative_test and without_negative_test contradict each other here",
            );
            ok = false;
        }
    }
    ok.then_some(c)
}
