use super::*;
use crate::risk::RiskArea;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2022, 5, 10).unwrap()
}

#[test]
fn the_shipped_questionnaire_compiles() {
    let q = compile(STANDARD).unwrap();
    assert_eq!(q.questions[0].kind, QuestionKind::Places);
    assert_eq!(
        q.questions[0].propose.map(|p| p.status),
        Some(PersonStatus::SecondaryContact)
    );
}

#[test]
fn every_problem_at_its_line() {
    let source = "name = \"q\"\n\n[[questions]]\nid = \"A\"\ntext = \"t\"\nkind = \"text\"\n\n[[questions]]\nid = \"b\"\ntext = \"t\"\nkind = \"colour\"\n\n[[questions]]\nid = \"c\"\ntext = \"t\"\nkind = \"choice\"\noptions = [\"x\"]\n";
    let problems = compile(source).unwrap_err();
    let found: Vec<(&str, Option<u32>)> = problems
        .iter()
        .map(|p| (p.field.as_str(), p.line))
        .collect();
    assert_eq!(
        found,
        [
            ("questions[0].id", Some(4)),
            ("questions[1].kind", Some(11)),
            ("questions[2].options", Some(13)),
        ]
    );
    assert_eq!(compile("name = ").unwrap_err()[0].code, "invalid_document");
}

#[test]
fn answers_are_checked_against_their_questions() {
    let q = compile(STANDARD).unwrap();
    let good = serde_json::json!({
        "visited": [{"division": "420100", "date": "2022-05-03"}],
        "returned_on": "2022/5/4", "address": "长安区某小区",
        "transport": {"kind": "train", "number": "G6711"},
        "symptoms": ["无 / none"], "temperature": 36.55});
    let a = q.check(&good, today()).unwrap();
    assert_eq!(a.values["returned_on"], "2022-05-04");
    assert_eq!(a.values["temperature"], 36.6);
    assert_eq!(a.visits[0].1[0].division.to_string(), "420100");
    let bad = serde_json::json!({"visited": [{"division": "42", "date": "2022-05-03"}],
        "returned_on": "2022-06-01", "colour": "red", "temperature": 50});
    let fields: Vec<String> = q
        .check(&bad, today())
        .unwrap_err()
        .into_iter()
        .map(|e| e.field)
        .collect();
    assert_eq!(
        fields,
        [
            "answers.colour",
            "answers.visited",
            "answers.returned_on",
            "answers.address",
            "answers.temperature"
        ]
    );
}

#[test]
fn a_high_risk_place_visited_proposes_a_status() {
    let q = compile(STANDARD).unwrap();
    let wuhan = DivisionCode::parse("420100").unwrap();
    let from = NaiveDate::from_ymd_opt(2022, 5, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_local_timezone(crate::time::china())
        .unwrap()
        .timestamp_millis();
    let risk = RiskRegister::new(vec![RiskArea {
        id: 1,
        division: DivisionCode::parse("420102").unwrap(),
        area: String::new(),
        level: RiskLevel::High,
        valid_from_ms: from,
        valid_to_ms: None,
        source: "t".into(),
        actor: "t".into(),
        recorded_at_ms: from,
    }]);
    let visited = |date: &str| {
        q.check(
            &serde_json::json!({"visited": [{"division": wuhan.to_string(), "date": date}],
                "returned_on": "2022-05-05", "address": "x"}),
            today(),
        )
        .unwrap()
    };
    let (status, why) = q.proposal(&visited("2022-05-03"), &risk, today()).unwrap();
    assert_eq!(status, PersonStatus::SecondaryContact);
    assert!(why.contains("420100"), "{why}");
    // Before the area was declared: nothing proposed.
    assert_eq!(q.proposal(&visited("2022-04-28"), &risk, today()), None);
}
