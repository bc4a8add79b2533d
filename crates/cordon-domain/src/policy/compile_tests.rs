//! Tests of the policy checker: every problem with its field and line.

use super::compile::*;
use crate::checkpoint::DefenceLine;
use crate::identity::DocumentType;
use crate::passage::VehicleClass;

fn problems(src: &str) -> Vec<PolicyProblem> {
    compile(src).expect_err("should be refused")
}

const HEAD: &str =
    "name = \"t\"\ncombine = \"first_match\"\n[default]\noutcome = \"pass\"\ntitle = \"ok\"\n";

#[test]
fn an_unknown_field_names_its_line() {
    let p = problems(&format!("{HEAD}[[rules]]\nid = \"a\"\ntitle = \"a\"\noutcome = \"pass\"\nwhen = {{ colour = [\"red\"] }}\n"));
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].code, "invalid_document");
    assert_eq!(p[0].line, Some(10));
    assert!(p[0].message.contains("colour"), "{p:?}");
}

#[test]
fn a_wrong_type_names_its_line() {
    let p = problems(&format!("{HEAD}[[rules]]\nid = \"a\"\ntitle = \"a\"\noutcome = \"pass\"\nwhen = {{ temperature_at_least = \"hot\" }}\n"));
    assert_eq!(p[0].line, Some(10), "{p:?}");
}

#[test]
fn every_problem_is_reported_at_once() {
    let src = "name = \"t\"\ncombine = \"first_match\"\n\
        [[rules]]\nid = \"a\"\ntitle = \"a\"\noutcome = \"refer\"\nwhen = { health_code = [\"purple\"] }\n\
        [[rules]]\nid = \"b\"\ntitle = \"b\"\noutcome = \"pass\"\nwhen = { visited_risk = { levels = [\"extreme\"], within_days = 14 } }\n";
    let p = problems(src);
    let codes: Vec<(&str, &str, Option<u32>)> = p
        .iter()
        .map(|x| (x.code.as_str(), x.field.as_str(), x.line))
        .collect();
    assert!(
        codes.contains(&("no_default", "default", None)),
        "{codes:?}"
    );
    assert!(
        codes.contains(&("missing_action", "rules[0].actions", Some(6))),
        "{codes:?}"
    );
    assert!(
        codes.contains(&("invalid_value", "rules[0].when.health_code[0]", Some(7))),
        "{codes:?}"
    );
    assert!(
        codes.contains(&(
            "invalid_value",
            "rules[1].when.visited_risk.levels[0]",
            Some(12)
        )),
        "{codes:?}"
    );
}

#[test]
fn a_shadowed_rule_is_unreachable() {
    let src = format!("{HEAD}\
        [[rules]]\nid = \"any_yellow\"\ntitle = \"y\"\noutcome = \"test_on_site\"\nactions = [\"pcr_sample\"]\nwhen = {{ health_code = [\"yellow\", \"red\"] }}\n\
        [[rules]]\nid = \"yellow_truck\"\ntitle = \"t\"\noutcome = \"hold\"\nwhen = {{ health_code = [\"yellow\"], vehicle_class = [\"truck\"] }}\n");
    let p = problems(&src);
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(
        (p[0].code.as_str(), p[0].field.as_str(), p[0].line),
        ("unreachable_rule", "rules[1]", Some(12))
    );
    // The same rules combined by severity are both reachable.
    assert!(compile(&src.replace("first_match", "most_severe")).is_ok());
    // A catch-all shadows everything after it.
    let src = format!("{HEAD}[[rules]]\nid = \"all\"\ntitle = \"a\"\noutcome = \"pass\"\n[[rules]]\nid = \"b\"\ntitle = \"b\"\noutcome = \"hold\"\nwhen = {{ on_foot = true }}\n");
    assert_eq!(problems(&src)[0].code, "unreachable_rule");
}

#[test]
fn contradictions_and_empty_lists_never_match() {
    let src = format!("{HEAD}[[rules]]\nid = \"a\"\ntitle = \"a\"\noutcome = \"hold\"\nwhen = {{ temperature_at_least = 38.0, temperature_below = 37.0 }}\n\
        [[rules]]\nid = \"b\"\ntitle = \"b\"\noutcome = \"hold\"\nwhen = {{ role = [] }}\n");
    let p = problems(&src);
    assert_eq!(
        p.iter().filter(|x| x.code == "never_matches").count(),
        2,
        "{p:?}"
    );
}

#[test]
fn most_severe_combines_outcomes_and_actions() {
    use crate::passage::{Action, Direction, HealthCode, Outcome, Role};
    use crate::policy::facts::{OccupantFacts, PassageFacts};
    let src = format!("{HEAD}\
        [[rules]]\nid = \"yellow\"\ntitle = \"y\"\noutcome = \"test_on_site\"\nactions = [\"pcr_sample\"]\nwhen = {{ health_code = [\"yellow\"] }}\n\
        [[rules]]\nid = \"truck\"\ntitle = \"t\"\noutcome = \"hold\"\nactions = [\"escort\"]\nwhen = {{ vehicle_class = [\"truck\"] }}\n")
        .replace("first_match", "most_severe");
    let policy = compile(&src).unwrap();
    let p = PassageFacts {
        checkpoint: "CP-130100-0001",
        defence_line: DefenceLine::Inland,
        direction: Direction::In,
        observed_ms: 0,
        local_minute: 0,
        vehicle_class: Some(VehicleClass::Truck),
        plate_province: None,
        freight_pass: false,
        goods: None,
    };
    let o = OccupantFacts {
        document_type: DocumentType::Passport,
        role: Role::Driver,
        health_code: HealthCode::Yellow,
        status: crate::status::PersonStatus::Unmarked,
        temperature: None,
        test: None,
        visited: &[],
    };
    let d = policy.decide("3", &p, &[o], &crate::risk::RiskRegister::default());
    assert_eq!(d.outcome, Outcome::Hold);
    assert_eq!(d.actions, vec![Action::PcrSample, Action::Escort]);
    assert_eq!(d.reasons.len(), 2);
}
