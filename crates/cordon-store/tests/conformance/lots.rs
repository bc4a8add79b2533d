//! Holding lots on both backends: a lot set up within the jurisdiction only; a truck a lane's
//! decision sent there is expected on the board, checked in by its plate (linked to that
//! passage) once; its steps taken in order only (a bay taken, a cassette read too early, a
//! release before testing refused); released on a negative antigen with the PCR pending, the
//! PCR positive later raises one alert naming where it came from and where it has been seen;
//! a driver's request from a bay's token, once per need; other jurisdictions see nothing.

use std::sync::Arc;

use chrono::Duration;
use cordon_domain::access::Role;
use cordon_domain::freight::bay::{BayToken, DriverNeed};
use cordon_domain::freight::lot::{LotDraft, Zone, ZoneKind};
use cordon_domain::freight::truck::{
    CheckIn, LotReading, ReleasedOn, Step, TruckState, ANTIGEN_WAIT_MS,
};
use cordon_domain::passage::{Action, Decision, Outcome};
use cordon_domain::plate::Plate;
use cordon_store::passage::NewPassage;
use cordon_store::Store;
use uuid::Uuid;

use super::support::*;

fn lot_draft(division: &str, checkpoints: &[&str]) -> LotDraft {
    LotDraft {
        name: "长安货车滞留场".into(),
        division: div(division),
        address: "石家庄市长安区京港澳高速出口东 500 米".into(),
        zones: vec![
            Zone {
                kind: ZoneKind::Work,
                name: "工作区".into(),
                capacity: 20,
                first_bay: None,
            },
            Zone {
                kind: ZoneKind::Parking,
                name: "停车区".into(),
                capacity: 10,
                first_bay: Some(1),
            },
        ],
        checkpoints: checkpoints.iter().map(|c| code(c)).collect(),
    }
}

fn held(d: cordon_domain::passage::PassageDraft) -> NewPassage {
    let decision = Decision {
        outcome: Outcome::Hold,
        policy_version: Some("1".into()),
        reasons: Vec::new(),
        actions: vec![Action::HoldingLot, Action::AntigenSample],
    };
    NewPassage::new(d, decision, &key())
}

fn check_in(plate: &str) -> CheckIn {
    CheckIn {
        plate: Plate::parse(plate).unwrap(),
        driver: None,
    }
}

async fn a_truck_goes_through_the_lot_step_by_step(store: Arc<dyn Store>) {
    let s = store.as_ref();
    network(s).await;
    let t0 = t0().timestamp_millis();
    let min = |m: i64| t0 + m * 60_000;
    let keep = who("c130100", Role::Commander, "130100")
        .may_keep_lots()
        .unwrap();
    let baoding = who("c130600", Role::Commander, "130600")
        .may_keep_lots()
        .unwrap();
    assert_eq!(
        code_of(s.make_lot(&baoding, &lot_draft("130100", &[]), t0).await),
        "forbidden"
    );
    assert_eq!(
        code_of(
            s.make_lot(&keep, &lot_draft("130102", &["CP-130100-0077"]), t0)
                .await
        ),
        "unknown_checkpoint checkpoints[0]"
    );
    let lot = s
        .make_lot(&keep, &lot_draft("130102", &["CP-130100-0001"]), t0)
        .await
        .unwrap();
    assert_eq!((lot.bays, lot.checkpoints.len()), (10, 1));
    assert_eq!(
        s.lots_of_checkpoint(&code("CP-130100-0001")).await.unwrap()[0].id,
        lot.id
    );
    assert!(s
        .lots_of_checkpoint(&code("CP-130100-0002"))
        .await
        .unwrap()
        .is_empty());

    // The lane sends a truck; another passes.
    let sent = Uuid::now_v7();
    s.record_passages(vec![
        held(draft(sent, "CP-130100-0001", 0, "鄂A12345", &[1])),
        new(draft(Uuid::now_v7(), "CP-130100-0001", 1, "冀A00001", &[2])),
    ])
    .await
    .unwrap();
    let staff = who("lot1", Role::Lot, "130102").may_work_lots().unwrap();
    let board = s.lot_board(&staff, lot.id, min(5)).await.unwrap();
    assert_eq!(board.sent.len(), 1);
    assert_eq!(
        (board.sent[0].plate.as_str(), board.sent[0].passage),
        ("鄂A12345", sent)
    );
    let other = who("lot2", Role::Lot, "130602").may_work_lots().unwrap();
    assert_eq!(
        code_of(s.lot_board(&other, lot.id, min(5)).await),
        "not_found"
    );
    assert!(s.list_lots(&other).await.unwrap().is_empty());

    let truck = s
        .check_in(&staff, lot.id, &check_in("鄂A12345"), min(10))
        .await
        .unwrap();
    assert_eq!(truck.passage, Some(sent));
    assert_eq!(truck.state, TruckState::Arrived);
    assert_eq!(
        code_of(
            s.check_in(&staff, lot.id, &check_in("鄂A12345"), min(11))
                .await
        ),
        "already_in_lot plate"
    );
    let board = s.lot_board(&staff, lot.id, min(11)).await.unwrap();
    assert!(board.sent.is_empty());
    assert_eq!(board.lot.present, 1);

    // Steps in order only.
    let step = |t: i64, st: Step, at: i64| async move {
        s.take_step(&staff_of(), lot.id, t, &st, None, at).await
    };
    assert_eq!(
        code_of(step(truck.id, Step::Release, min(12)).await),
        "truck_out_of_order step"
    );
    assert_eq!(
        code_of(step(truck.id, Step::Park { bay: 11 }, min(12)).await),
        "no_such_bay bay"
    );
    let parked = step(truck.id, Step::Park { bay: 5 }, min(12))
        .await
        .unwrap();
    assert_eq!((parked.state, parked.bay), (TruckState::InBay, Some(5)));
    let direct = s
        .check_in(&staff, lot.id, &check_in("冀B00001"), min(13))
        .await
        .unwrap();
    assert_eq!(direct.passage, None);
    assert_eq!(
        code_of(step(direct.id, Step::Park { bay: 5 }, min(13)).await),
        "bay_taken bay"
    );
    let sampled = step(
        truck.id,
        Step::Sample {
            pcr_tube: Some("HB2205030001".into()),
        },
        min(14),
    )
    .await
    .unwrap();
    assert_eq!(
        sampled.antigen_due.unwrap().timestamp_millis(),
        min(14) + ANTIGEN_WAIT_MS
    );
    assert_eq!(
        code_of(step(truck.id, Step::Antigen(LotReading::Negative), min(20)).await),
        "too_early result"
    );
    step(truck.id, Step::Antigen(LotReading::Negative), min(29))
        .await
        .unwrap();
    let released = step(truck.id, Step::Release, min(30)).await.unwrap();
    assert_eq!(released.state, TruckState::Released);
    assert_eq!(
        released.released_on,
        Some(ReleasedOn::AntigenNegativePcrPending)
    );
    assert_eq!(released.steps.len(), 5, "{:?}", released.steps);
    assert_eq!(released.steps[0].detail.as_deref(), Some("CP-130100-0001"));
    // Its bay is free again.
    step(direct.id, Step::Park { bay: 5 }, min(31))
        .await
        .unwrap();
    assert_eq!(
        code_of(step(truck.id, Step::Park { bay: 6 }, min(31)).await),
        "truck_gone step"
    );

    // Seen at another checkpoint after it left; then its PCR comes back positive.
    s.record_passages(vec![new(draft(
        Uuid::now_v7(),
        "CP-130100-0002",
        50,
        "鄂A12345",
        &[1],
    ))])
    .await
    .unwrap();
    let pcr = step(truck.id, Step::Pcr(LotReading::Positive), min(60))
        .await
        .unwrap();
    assert_eq!(
        (pcr.state, pcr.pcr),
        (TruckState::Released, Some(LotReading::Positive))
    );
    let alerts = s.freight_alerts(&staff, min(61)).await.unwrap();
    assert_eq!(alerts.len(), 1);
    let a = &alerts[0];
    assert_eq!(a.plate, "鄂A12345");
    assert_eq!(
        a.sent_from.as_ref().unwrap().checkpoint.as_str(),
        "CP-130100-0001"
    );
    assert_eq!(a.seen_since.len(), 1);
    assert_eq!(a.seen_since[0].checkpoint.as_str(), "CP-130100-0002");
    assert!(s.freight_alerts(&other, min(61)).await.unwrap().is_empty());
    s.close_alert(&staff, a.id, "已通知湖北方面追踪", min(62))
        .await
        .unwrap();
    assert_eq!(
        code_of(s.close_alert(&staff, a.id, "again", min(63)).await),
        "alert_closed alert"
    );

    // A driver's request from a bay's code, once per need while open.
    let token = BayToken {
        lot: lot.id,
        bay: 5,
        check: s.bay_check(lot.id, 5),
    };
    let first = s.ask(&token, DriverNeed::Water, min(40)).await.unwrap();
    let again = s.ask(&token, DriverNeed::Water, min(41)).await.unwrap();
    assert_eq!(first.id, again.id);
    let forged = BayToken {
        bay: 6,
        ..token.clone()
    };
    assert_eq!(
        code_of(s.ask(&forged, DriverNeed::Food, min(41)).await),
        "not_found"
    );
    let beyond = BayToken {
        bay: 11,
        check: s.bay_check(lot.id, 11),
        ..token.clone()
    };
    assert_eq!(code_of(s.bay_lot(&beyond).await), "not_found");
    assert_eq!(
        s.lot_board(&staff, lot.id, min(42))
            .await
            .unwrap()
            .requests
            .len(),
        1
    );
    s.close_request(&staff, lot.id, first.id, min(43))
        .await
        .unwrap();
    assert!(s
        .lot_board(&staff, lot.id, min(44))
        .await
        .unwrap()
        .requests
        .is_empty());
    let later = s.ask(&token, DriverNeed::Water, min(45)).await.unwrap();
    assert_ne!(later.id, first.id);
    assert_eq!(s.bay_requests(&token, min(46)).await.unwrap().len(), 2);

    // The retention purge: the trucks that left lose their plate and driver, the closed alert
    // its plate; the trucks still in keep theirs.
    let (trucks, _) = s.purge_freight(min(100)).await.unwrap();
    assert_eq!(trucks, 1);
    let board = s.lot_board(&staff, lot.id, min(101)).await.unwrap();
    let gone = board.trucks.iter().find(|t| t.id == truck.id).unwrap();
    assert_eq!((gone.plate.as_str(), gone.driver.is_none()), ("", true));
    assert!(board.trucks.iter().any(|t| t.plate == "冀B00001"));
    assert_eq!(
        s.freight_alerts(&staff, min(101)).await.unwrap()[0].plate,
        ""
    );
    let _ = Duration::zero();
}

fn staff_of() -> cordon_domain::access::freight::LotWork {
    who("lot1", Role::Lot, "130102").may_work_lots().unwrap()
}

conformance!(a_truck_goes_through_the_lot_step_by_step);
