//! The example policies shipped with Cordon (in `policies/`), used by the demo and pinned by a
//! table of cases: each case's decision under each policy.

/// May 2022 in Hebei: 48-hour PCR, risk areas, health codes, fever, freight priority.
pub const STANDARD_2022_05: &str = include_str!("../../policies/2022-05-standard.toml");
/// December 2022: nothing is checked any more.
pub const OPEN_2022_12: &str = include_str!("../../policies/2022-12-open.toml");

/// Every shipped example, by file name.
pub const ALL: &[(&str, &str)] = &[
    ("2022-05-standard.toml", STANDARD_2022_05),
    ("2022-12-open.toml", OPEN_2022_12),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkpoint::DefenceLine;
    use crate::division::DivisionCode;
    use crate::identity::DocumentType;
    use crate::passage::{
        Action, Direction, GoodsCategory, HealthCode, Outcome, Role, TestKind, TestResult,
        VehicleClass,
    };
    use crate::policy::compile;
    use crate::policy::facts::{OccupantFacts, PassageFacts, TestFacts};
    use crate::risk::{RiskArea, RiskLevel, RiskRegister};
    use crate::status::PersonStatus;

    fn marked(mut o: OccupantFacts<'static>, status: PersonStatus) -> OccupantFacts<'static> {
        o.status = status;
        o
    }

    const NOW: i64 = 1_651_536_900_000; // 2022-05-03 08:15 +08:00
    const H: i64 = 3_600_000;

    fn passage(
        line: DefenceLine,
        class: Option<VehicleClass>,
        freight: bool,
    ) -> PassageFacts<'static> {
        PassageFacts {
            checkpoint: "CP-130100-0001",
            defence_line: line,
            direction: Direction::In,
            observed_ms: NOW,
            local_minute: 8 * 60 + 15,
            vehicle_class: class,
            plate_province: Some('冀'),
            freight_pass: freight,
            goods: None,
        }
    }

    fn person(
        code: HealthCode,
        temp: i16,
        test: Option<(TestKind, TestResult, i64)>,
        visited: &'static [DivisionCode],
    ) -> OccupantFacts<'static> {
        OccupantFacts {
            document_type: DocumentType::ResidentId,
            role: Role::Driver,
            health_code: code,
            status: PersonStatus::Unmarked,
            temperature: Some(temp),
            test: test.map(|(kind, result, hours)| TestFacts {
                kind,
                result,
                taken_ms: NOW - hours * H,
                source: crate::policy::facts::TestSource::Declared,
            }),
            visited,
        }
    }

    fn risk() -> RiskRegister {
        let area = |code: u32, level| RiskArea {
            id: 0,
            division: DivisionCode::from_value(code).unwrap(),
            area: String::new(),
            level,
            valid_from_ms: NOW - 20 * 24 * H,
            valid_to_ms: None,
            source: "test".into(),
            actor: "test".into(),
            recorded_at_ms: 0,
        };
        RiskRegister::new(vec![
            area(130102, RiskLevel::High),
            area(130602, RiskLevel::Medium),
        ])
    }

    static HIGH: [DivisionCode; 1] = [match DivisionCode::from_value(130102) {
        Some(c) => c,
        None => panic!(),
    }];

    #[test]
    fn every_example_compiles() {
        for (name, src) in ALL {
            compile(src).unwrap_or_else(|e| panic!("{name}: {e:#?}"));
        }
    }

    #[test]
    fn each_case_under_each_policy() {
        use DefenceLine::*;
        use HealthCode::*;
        use TestKind::*;
        use TestResult::*;
        let neg = Some((Pcr, Negative, 20));
        let stale = Some((Pcr, Negative, 60));
        let medium: &'static [DivisionCode] =
            Box::leak(Box::new([DivisionCode::from_value(130602).unwrap()]));
        let car = Some(VehicleClass::Car);
        let truck = Some(VehicleClass::Truck);
        // (case, passage, occupant, outcome and rule under 2022-05, outcome under 2022-12)
        type Case = (
            &'static str,
            PassageFacts<'static>,
            OccupantFacts<'static>,
            Outcome,
            &'static str,
            &'static [Action],
        );
        let cases: Vec<Case> = vec![
            (
                "close contact, green code and a fresh test",
                passage(Inland, car, false),
                marked(person(Green, 365, neg, &[]), PersonStatus::CloseContact),
                Outcome::Refer,
                "case_or_close_contact",
                &[Action::QuarantineTransfer, Action::ReportToCommand],
            ),
            (
                "secondary contact",
                passage(Inland, car, false),
                marked(person(Green, 365, neg, &[]), PersonStatus::SecondaryContact),
                Outcome::TestOnSite,
                "secondary_contact",
                &[Action::PcrSample, Action::HomeMonitoringNotice],
            ),
            (
                "secondary contact with fever",
                passage(Inland, car, false),
                marked(person(Green, 380, neg, &[]), PersonStatus::SecondaryContact),
                Outcome::Refer,
                "fever",
                &[Action::FeverClinic],
            ),
            (
                "green, 20 h PCR",
                passage(Inland, car, false),
                person(Green, 365, neg, &[]),
                Outcome::Pass,
                "default",
                &[],
            ),
            (
                "fever",
                passage(Inland, car, false),
                person(Green, 375, neg, &[]),
                Outcome::Refer,
                "fever",
                &[Action::FeverClinic],
            ),
            (
                "red code",
                passage(Inland, car, false),
                person(Red, 365, neg, &[]),
                Outcome::Refer,
                "red_code",
                &[Action::QuarantineTransfer, Action::ReportToCommand],
            ),
            (
                "positive",
                passage(Inland, car, false),
                person(Green, 365, Some((Antigen, Positive, 2)), &[]),
                Outcome::Refer,
                "positive_test",
                &[Action::QuarantineTransfer, Action::ReportToCommand],
            ),
            (
                "high-risk visit",
                passage(Inland, car, false),
                person(Green, 365, neg, &HIGH),
                Outcome::Refer,
                "high_risk_visit",
                &[Action::QuarantineTransfer],
            ),
            (
                "freight with pass and test",
                passage(ProvinceBorder, truck, true),
                person(Green, 365, neg, medium),
                Outcome::Pass,
                "freight_priority",
                &[Action::Escort, Action::ClosedLoop, Action::PriorityLane],
            ),
            (
                "medical supplies with pass and test",
                PassageFacts {
                    goods: Some(GoodsCategory::Medical),
                    ..passage(ProvinceBorder, truck, true)
                },
                person(Green, 365, neg, medium),
                Outcome::Pass,
                "medical_supplies",
                &[Action::Escort, Action::PriorityLane],
            ),
            (
                "medical goods named without a pass",
                PassageFacts {
                    goods: Some(GoodsCategory::Medical),
                    ..passage(ProvinceBorder, truck, false)
                },
                person(Green, 365, neg, &[]),
                Outcome::Pass,
                "default",
                &[],
            ),
            (
                "truck without test",
                passage(ProvinceBorder, truck, true),
                person(Green, 365, stale, &[]),
                Outcome::Hold,
                "freight_without_test",
                &[Action::AntigenSample, Action::PcrSample, Action::HoldingLot],
            ),
            (
                "medium-risk visit",
                passage(Inland, car, false),
                person(Green, 365, neg, medium),
                Outcome::Pass,
                "medium_risk_visit",
                &[Action::HomeMonitoringNotice],
            ),
            (
                "yellow code",
                passage(Inland, car, false),
                person(Yellow, 365, neg, &[]),
                Outcome::TestOnSite,
                "yellow_code",
                &[Action::PcrSample],
            ),
            (
                "capital ring, stale test",
                passage(CapitalRing, car, false),
                person(Green, 365, stale, &[]),
                Outcome::PersuadeReturn,
                "capital_ring_no_test",
                &[],
            ),
            (
                "inland, no test",
                passage(Inland, car, false),
                person(Green, 365, None, &[]),
                Outcome::TestOnSite,
                "no_recent_test",
                &[Action::AntigenSample],
            ),
            (
                "inland, antigen only",
                passage(Inland, car, false),
                person(Green, 365, Some((Antigen, Negative, 3)), &[]),
                Outcome::TestOnSite,
                "no_recent_test",
                &[Action::AntigenSample],
            ),
        ];
        let may = compile(STANDARD_2022_05).unwrap();
        let dec = compile(OPEN_2022_12).unwrap();
        let risk = risk();
        for (case, p, o, outcome, rule, actions) in cases {
            let d = may.decide("1", &p, &[o], &risk);
            assert_eq!(d.outcome, outcome, "{case}: {d:#?}");
            assert_eq!(d.reasons[0].code, rule, "{case}");
            assert_eq!(d.actions, actions, "{case}");
            assert_eq!(d.policy_version.as_deref(), Some("1"));
            let d = dec.decide("2", &p, &[o], &risk);
            assert_eq!(d.outcome, Outcome::Pass, "{case} in December");
            assert_eq!(d.reasons[0].code, "default", "{case} in December");
        }
    }

    #[test]
    fn a_vehicle_takes_its_worst_occupant_and_names_each() {
        let may = compile(STANDARD_2022_05).unwrap();
        let p = passage(DefenceLine::Inland, Some(VehicleClass::Car), false);
        let neg = Some((TestKind::Pcr, TestResult::Negative, 10));
        let mut passenger = person(HealthCode::Yellow, 366, neg, &[]);
        passenger.role = Role::Passenger;
        let occupants = [person(HealthCode::Green, 365, neg, &[]), passenger];
        let d = may.decide("7", &p, &occupants, &risk());
        assert_eq!(d.outcome, Outcome::TestOnSite);
        assert_eq!(d.reasons.len(), 2);
        assert_eq!(
            (d.reasons[0].occupant, d.reasons[0].code.as_str()),
            (Some(0), "default")
        );
        assert_eq!(
            (d.reasons[1].occupant, d.reasons[1].code.as_str()),
            (Some(1), "yellow_code")
        );
        assert_eq!(d.reasons[1].facts[0].name, "health_code");
        assert_eq!(d.reasons[1].facts[0].value, "yellow");
    }
}
