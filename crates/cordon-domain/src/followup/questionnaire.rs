//! Questionnaires: what a caller asks, as a versioned document (TOML, like a policy), checked
//! whole with every problem at its line; and an answer checked against the version it names.
//!
//! ```toml
//! name = "返石人员随访问卷"
//!
//! [[questions]]
//! id = "visited"
//! text = "近 14 天到过哪些地方？ / Where have you been in the last 14 days?"
//! kind = "places"
//! required = true
//! # A place with a high-risk area in force on the day it was visited, within 14 days,
//! # proposes this status for the person, for two commanders to decide.
//! propose = { status = "secondary_contact", within_days = 14 }
//!
//! [[questions]]
//! id = "symptoms"
//! text = "有无以下症状？ / Any of these symptoms?"
//! kind = "choices"
//! options = ["发热 / fever", "咳嗽 / cough", "无 / none"]
//! ```
//!
//! Kinds and the answers they take: `text` and `address` (a string), `yes_no` (true or
//! false), `date` (`YYYY-MM-DD`, not after today), `temperature` (34 to 43 °C), `places`
//! (`[{"division": "110105", "date": "2022-05-01"}]`), `transport` (`{"kind": "train",
//! "number": "G6711"}`), `test` (`{"kind": "pcr", "date": ..., "result": "negative"}`),
//! `choice` (one of `options`), `choices` (some of them).

use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use toml::Spanned;

use crate::checkpoint::string_enum;
use crate::division::DivisionCode;
use crate::policy::PolicyProblem;
use crate::risk::{RiskLevel, RiskRegister};
use crate::status::PersonStatus;
use crate::FieldError;

/// Largest document.
pub const MAX_SOURCE_BYTES: usize = 64 * 1024;
/// Most questions.
pub const MAX_QUESTIONS: usize = 60;
/// Longest text answer.
pub const MAX_TEXT_ANSWER: usize = 500;
/// Most places one answer lists.
pub const MAX_PLACES: usize = 60;

string_enum! {
    /// What a question asks for.
    QuestionKind {
        Text = "text",
        Address = "address",
        YesNo = "yes_no",
        Date = "date",
        Temperature = "temperature",
        Places = "places",
        Transport = "transport",
        Test = "test",
        Choice = "choice",
        Choices = "choices",
    }
}

string_enum! {
    /// How a person travelled.
    TransportKind {
        Train = "train",
        Flight = "flight",
        Bus = "bus",
        Car = "car",
        Ship = "ship",
        Other = "other",
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    name: Spanned<String>,
    #[serde(default)]
    questions: Vec<Spanned<QuestionDocument>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct QuestionDocument {
    id: Spanned<String>,
    text: Spanned<String>,
    kind: Spanned<String>,
    #[serde(default)]
    required: bool,
    #[serde(default)]
    options: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    propose: Option<Spanned<ProposeDocument>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProposeDocument {
    status: String,
    within_days: u32,
}

/// A question, checked.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Question {
    pub id: String,
    /// As the caller reads it out ("中文 / English").
    pub text: String,
    pub kind: QuestionKind,
    pub required: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    /// For `places`: the status an answer proposes when a place had a high-risk area in force
    /// on its day, within `within_days` of the answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub propose: Option<Proposal>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Proposal {
    pub status: PersonStatus,
    pub within_days: u32,
}

/// A checked questionnaire.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Questionnaire {
    pub name: String,
    pub questions: Vec<Question>,
}

fn line_of(source: &str, offset: usize) -> u32 {
    source.as_bytes()[..offset.min(source.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count() as u32
        + 1
}

/// Checks a questionnaire document; every problem with its line.
pub fn compile(source: &str) -> Result<Questionnaire, Vec<PolicyProblem>> {
    let mut problems = Vec::new();
    let mut add = |code: &str, field: String, at: Option<usize>, message: String| {
        problems.push(PolicyProblem {
            code: code.to_owned(),
            field,
            line: at.map(|o| line_of(source, o)),
            message,
        })
    };
    if source.len() > MAX_SOURCE_BYTES {
        add(
            "too_large",
            String::new(),
            None,
            format!("a questionnaire has at most {MAX_SOURCE_BYTES} bytes"),
        );
        return Err(problems);
    }
    let doc: Document = match toml::from_str(source) {
        Ok(d) => d,
        Err(e) => {
            add(
                "invalid_document",
                String::new(),
                e.span().map(|s| s.start),
                e.message().trim().to_owned(),
            );
            return Err(problems);
        }
    };
    let name = doc.name.get_ref().trim().to_owned();
    if name.is_empty() || name.chars().count() > 200 {
        add(
            "invalid_name",
            "name".into(),
            Some(doc.name.span().start),
            "a questionnaire needs a name of 1 to 200 characters".into(),
        );
    }
    if doc.questions.is_empty() || doc.questions.len() > MAX_QUESTIONS {
        add(
            "out_of_range",
            "questions".into(),
            None,
            format!("a questionnaire has 1 to {MAX_QUESTIONS} questions"),
        );
    }
    let mut ids = HashSet::new();
    let mut questions = Vec::new();
    for (i, q) in doc.questions.iter().enumerate() {
        let path = format!("questions[{i}]");
        let at = Some(q.span().start);
        let q = q.get_ref();
        let id = q.id.get_ref();
        let id_ok = (1..=40).contains(&id.len())
            && id.starts_with(|c: char| c.is_ascii_lowercase())
            && id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !id_ok {
            add(
                "invalid_id",
                format!("{path}.id"),
                Some(q.id.span().start),
                "a question id has 1 to 40 characters: a-z, 0-9 and '_', starting with a letter"
                    .into(),
            );
        } else if !ids.insert(id.clone()) {
            add(
                "duplicate_id",
                format!("{path}.id"),
                Some(q.id.span().start),
                format!("the question id '{id}' is used twice"),
            );
        }
        let text = q.text.get_ref().trim();
        if text.is_empty() || text.chars().count() > 300 {
            add(
                "invalid_title",
                format!("{path}.text"),
                Some(q.text.span().start),
                "a question's text has 1 to 300 characters".into(),
            );
        }
        let kind = match QuestionKind::parse(q.kind.get_ref()) {
            Ok(k) => Some(k),
            Err(_) => {
                add(
                    "invalid_value",
                    format!("{path}.kind"),
                    Some(q.kind.span().start),
                    format!(
                        "'{}' is not a kind: text, address, yes_no, date, temperature, places, transport, test, choice, choices",
                        q.kind.get_ref()
                    ),
                );
                None
            }
        };
        let options: Vec<String> = q
            .options
            .as_ref()
            .map(|o| o.get_ref().iter().map(|s| s.trim().to_owned()).collect())
            .unwrap_or_default();
        let wants_options = matches!(kind, Some(QuestionKind::Choice | QuestionKind::Choices));
        if wants_options && (options.len() < 2 || options.iter().any(|o| o.is_empty())) {
            add(
                "missing_options",
                format!("{path}.options"),
                at,
                "a choice needs at least two options, none empty".into(),
            );
        }
        if !wants_options && !options.is_empty() {
            add(
                "unexpected_options",
                format!("{path}.options"),
                q.options.as_ref().map(|o| o.span().start),
                "only a choice or choices question has options".into(),
            );
        }
        let propose = match &q.propose {
            None => None,
            Some(p) if kind != Some(QuestionKind::Places) => {
                add(
                    "unexpected_propose",
                    format!("{path}.propose"),
                    Some(p.span().start),
                    "only a places question proposes a status".into(),
                );
                None
            }
            Some(p) => {
                let status = PersonStatus::parse(&p.get_ref().status)
                    .ok()
                    .filter(|s| *s != PersonStatus::Unmarked);
                let days = p.get_ref().within_days;
                if status.is_none() || !(1..=60).contains(&days) {
                    add(
                        "invalid_value",
                        format!("{path}.propose"),
                        Some(p.span().start),
                        "propose names a status (case, asymptomatic, close_contact, secondary_contact, spatiotemporal_companion) and within_days from 1 to 60".into(),
                    );
                }
                status.map(|status| Proposal {
                    status,
                    within_days: days,
                })
            }
        };
        if let Some(kind) = kind {
            questions.push(Question {
                id: id.clone(),
                text: text.to_owned(),
                kind,
                required: q.required,
                options,
                propose,
            });
        }
    }
    if problems.is_empty() {
        Ok(Questionnaire { name, questions })
    } else {
        Err(problems)
    }
}

/// A place visited on a day, as a `places` answer lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Visit {
    pub division: DivisionCode,
    pub date: NaiveDate,
}

/// Answers checked against their questionnaire: as stored (each question's value in its
/// normal form), and the visits they list.
#[derive(Debug, Clone, PartialEq)]
pub struct Answers {
    pub values: BTreeMap<String, Value>,
    /// Per question id, the places it lists.
    pub visits: Vec<(String, Vec<Visit>)>,
}

fn str_of(v: &Value) -> Option<&str> {
    v.as_str().map(str::trim).filter(|s| !s.is_empty())
}

fn day(v: &Value, today: NaiveDate) -> Result<NaiveDate, &'static str> {
    let d = str_of(v)
        .and_then(super::parse_day)
        .ok_or("a day such as 2022-05-02")?;
    if d > today {
        return Err("the day is after today");
    }
    Ok(d)
}

impl Questionnaire {
    /// Checks answers (an object of question id to value) as of `today`; every problem, each
    /// under `answers.<id>`.
    pub fn check(&self, answers: &Value, today: NaiveDate) -> Result<Answers, Vec<FieldError>> {
        let mut found = Vec::new();
        let Some(given) = answers.as_object() else {
            return Err(vec![FieldError::new(
                "invalid_type",
                "answers",
                "answers are an object of question id to answer",
            )]);
        };
        for id in given.keys() {
            if !self.questions.iter().any(|q| &q.id == id) {
                found.push(FieldError::new(
                    "unknown_question",
                    format!("answers.{id}"),
                    "this questionnaire has no such question",
                ));
            }
        }
        let mut values = BTreeMap::new();
        let mut visits = Vec::new();
        for q in &self.questions {
            let field = format!("answers.{}", q.id);
            let v = match given.get(&q.id) {
                None | Some(Value::Null) => {
                    if q.required {
                        found.push(FieldError::new(
                            "required",
                            field,
                            "this question must be answered",
                        ));
                    }
                    continue;
                }
                Some(v) => v,
            };
            let bad = |m: &str| FieldError::new("invalid_answer", field.clone(), m);
            let checked: Result<Value, FieldError> = match q.kind {
                QuestionKind::Text | QuestionKind::Address => match str_of(v) {
                    Some(s)
                        if s.chars().count() <= MAX_TEXT_ANSWER
                            && !s.chars().any(char::is_control) =>
                    {
                        Ok(Value::from(s))
                    }
                    _ => Err(bad("a text of 1 to 500 characters")),
                },
                QuestionKind::YesNo => v
                    .as_bool()
                    .map(Value::from)
                    .ok_or_else(|| bad("yes or no (true or false)")),
                QuestionKind::Date => day(v, today)
                    .map(|d| Value::from(d.to_string()))
                    .map_err(bad),
                QuestionKind::Temperature => match v.as_f64() {
                    Some(t) if (34.0..=43.0).contains(&t) => {
                        Ok(Value::from((t * 10.0).round() / 10.0))
                    }
                    _ => Err(bad("a temperature from 34 to 43 °C")),
                },
                QuestionKind::Choice => match str_of(v) {
                    Some(s) if q.options.iter().any(|o| o == s) => Ok(Value::from(s)),
                    _ => Err(bad("one of the question's options")),
                },
                QuestionKind::Choices => match v.as_array() {
                    Some(list)
                        if list.iter().all(|x| {
                            str_of(x).is_some_and(|s| q.options.iter().any(|o| o == s))
                        }) =>
                    {
                        Ok(v.clone())
                    }
                    _ => Err(bad("some of the question's options")),
                },
                QuestionKind::Transport => {
                    let kind = v.get("kind").and_then(str_of).map(TransportKind::parse);
                    let number = v.get("number").and_then(str_of).unwrap_or("");
                    match kind {
                        Some(Ok(k)) if number.chars().count() <= 20 => {
                            Ok(serde_json::json!({"kind": k.as_str(), "number": number}))
                        }
                        _ => Err(bad("a kind (train, flight, bus, car, ship, other) and a number such as G6711")),
                    }
                }
                QuestionKind::Test => {
                    let kind = v
                        .get("kind")
                        .and_then(str_of)
                        .map(crate::passage::TestKind::parse);
                    let result = v
                        .get("result")
                        .and_then(str_of)
                        .map(crate::passage::TestResult::parse);
                    let date = v.get("date").map(|d| day(d, today));
                    match (kind, result, date) {
                        (Some(Ok(k)), Some(Ok(r)), Some(Ok(d))) => Ok(serde_json::json!({
                            "kind": k.as_str(), "result": r.as_str(), "date": d.to_string()})),
                        _ => Err(bad("a test: kind (pcr, antigen), date and result (negative, positive, pending)")),
                    }
                }
                QuestionKind::Places => match v.as_array() {
                    Some(list) if list.len() <= MAX_PLACES => {
                        let mut out = Vec::new();
                        let mut ok = true;
                        for p in list {
                            let division =
                                p.get("division").and_then(str_of).map(DivisionCode::parse);
                            let date = p.get("date").map(|d| day(d, today));
                            match (division, date) {
                                (Some(Ok(division)), Some(Ok(date))) => {
                                    out.push(Visit { division, date })
                                }
                                _ => ok = false,
                            }
                        }
                        if ok {
                            let normal = out
                                .iter()
                                .map(|p| serde_json::json!({"division": p.division.to_string(), "date": p.date.to_string()}))
                                .collect::<Vec<_>>();
                            visits.push((q.id.clone(), out));
                            Ok(Value::from(normal))
                        } else {
                            Err(bad("places, each a division code and a day: [{\"division\": \"110105\", \"date\": \"2022-05-01\"}]"))
                        }
                    }
                    _ => Err(bad(&format!("a list of at most {MAX_PLACES} places"))),
                },
            };
            match checked {
                Ok(v) => {
                    values.insert(q.id.clone(), v);
                }
                Err(e) => found.push(e),
            }
        }
        if found.is_empty() {
            Ok(Answers { values, visits })
        } else {
            Err(found)
        }
    }

    /// The status the answers propose, with why: the first place visited on a day when a
    /// high-risk area was in force there, within its question's days of `today`.
    pub fn proposal(
        &self,
        answers: &Answers,
        risk: &RiskRegister,
        today: NaiveDate,
    ) -> Option<(PersonStatus, String)> {
        for (id, visits) in &answers.visits {
            let Some(p) = self
                .questions
                .iter()
                .find(|q| &q.id == id)
                .and_then(|q| q.propose)
            else {
                continue;
            };
            for v in visits {
                if (today - v.date).num_days() > i64::from(p.within_days) {
                    continue;
                }
                let start = v
                    .date
                    .and_hms_opt(0, 0, 0)
                    .and_then(|t| t.and_local_timezone(crate::time::china()).single())
                    .map(|t| t.timestamp_millis());
                let Some(start) = start else { continue };
                if risk
                    .worst_overlap(v.division, start, start + 86_400_000, RiskLevel::High.bit())
                    .is_some()
                {
                    return Some((
                        p.status,
                        format!(
                            "随访：{} 到访高风险区 {} / follow-up: visited a high-risk area in {} on {}",
                            v.date, v.division, v.division, v.date
                        ),
                    ));
                }
            }
        }
        None
    }
}

/// The questionnaire shipped with Cordon, the demo's first version.
pub const STANDARD: &str = include_str!("../../policies/followup-standard.toml");

#[cfg(test)]
mod tests;
