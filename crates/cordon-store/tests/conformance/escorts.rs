//! Escorts: a city commander assigns one from a checkpoint of the city (another city's
//! checkpoint and an unknown one refused); the officer of that checkpoint sees it and records
//! it under way and handed over (who received it), the commander closes it; a step out of turn
//! and a step after the end are refused, two taps at once record one; an officer of another
//! checkpoint sees none of it; late when past its planned arrival; the purge empties a closed
//! escort's vehicles.

use std::sync::Arc;

use cordon_domain::access::Role;
use cordon_domain::freight::escort::{
    EscortDraft, EscortKind, EscortState, EscortStep, EscortStepKind,
};
use cordon_domain::plate::Plate;
use cordon_store::Store;

use super::support::*;

fn draft(checkpoint: &str, arrival_ms: i64) -> EscortDraft {
    EscortDraft {
        kind: EscortKind::ReturningWorkers,
        checkpoint: code(checkpoint),
        lot: None,
        destination: "石家庄市集中隔离点".into(),
        route: "京港澳高速 → 二环 → 隔离点".into(),
        vehicles: vec![
            Plate::parse("冀A12345").unwrap(),
            Plate::parse("冀A12346").unwrap(),
        ],
        officers: vec!["王警官".into(), "李警官".into()],
        persons: Some(419),
        planned_arrival_ms: arrival_ms,
        note: None,
    }
}

fn step(kind: EscortStepKind, said: Option<&str>) -> EscortStep {
    EscortStep {
        step: kind,
        said: said.map(str::to_owned),
    }
}

async fn an_escort_is_assigned_led_and_handed_over(store: Arc<dyn Store>) {
    let s = store.as_ref();
    network(s).await;
    let t0 = t0().timestamp_millis();
    let city = who("c130100", Role::Commander, "130100")
        .may_assign_escorts()
        .unwrap();
    let baoding = who("c130600", Role::Commander, "130600")
        .may_assign_escorts()
        .unwrap();
    assert_eq!(
        code_of(
            s.assign_escort(&baoding, &draft("CP-130100-0001", t0 + 3_600_000), t0)
                .await
        ),
        "checkpoint_out_of_scope checkpoint"
    );
    assert_eq!(
        code_of(
            s.assign_escort(&city, &draft("CP-130100-0077", t0 + 3_600_000), t0)
                .await
        ),
        "unknown_checkpoint checkpoint"
    );
    let e = s
        .assign_escort(&city, &draft("CP-130100-0001", t0 + 3_600_000), t0)
        .await
        .unwrap();
    assert_eq!(e.state, EscortState::Assigned);
    assert_eq!(e.vehicles, ["冀A12345", "冀A12346"]);
    assert_eq!(e.persons, Some(419));
    assert_eq!(e.next, [EscortStepKind::Start, EscortStepKind::Cancel]);

    let officer = who("off1", Role::Officer, "CP-130100-0001")
        .may_work_escorts()
        .unwrap();
    let other = who("off2", Role::Officer, "CP-130100-0002")
        .may_work_escorts()
        .unwrap();
    assert_eq!(s.escorts(&officer, t0).await.unwrap().len(), 1);
    assert!(s.escorts(&other, t0).await.unwrap().is_empty());
    assert_eq!(code_of(s.escort(&other, e.id, t0).await), "not_found");
    assert_eq!(
        code_of(
            s.step_escort(&other, e.id, &step(EscortStepKind::Start, None), t0)
                .await
        ),
        "not_found"
    );

    assert_eq!(
        code_of(
            s.step_escort(
                &officer,
                e.id,
                &step(EscortStepKind::HandOver, Some("隔离点 张医生")),
                t0
            )
            .await
        ),
        "escort_out_of_order step"
    );
    // Two taps at once: one is recorded, the other refused as out of turn.
    let start = step(EscortStepKind::Start, None);
    let (a, b) = tokio::join!(
        s.step_escort(&officer, e.id, &start, t0 + 60_000),
        s.step_escort(&officer, e.id, &start, t0 + 60_000),
    );
    assert_eq!(a.is_ok() as u8 + b.is_ok() as u8, 1, "{a:?} {b:?}");
    // Past its planned arrival and not handed over: late.
    let late = s.escort(&officer, e.id, t0 + 2 * 3_600_000).await.unwrap();
    assert!(late.late && late.state == EscortState::UnderWay);
    let handed = s
        .step_escort(
            &officer,
            e.id,
            &step(EscortStepKind::HandOver, Some("隔离点 张医生")),
            t0 + 2 * 3_600_000,
        )
        .await
        .unwrap();
    assert_eq!(handed.state, EscortState::HandedOver);
    assert!(!handed.late);
    let done = s
        .step_escort(
            &city.work(),
            e.id,
            &step(EscortStepKind::Finish, None),
            t0 + 3 * 3_600_000,
        )
        .await
        .unwrap();
    assert_eq!(done.state, EscortState::Done);
    assert_eq!(
        done.steps
            .iter()
            .map(|x| (x.step, x.by.as_str(), x.said.as_deref()))
            .collect::<Vec<_>>(),
        [
            (EscortStepKind::Start, "off1", None),
            (EscortStepKind::HandOver, "off1", Some("隔离点 张医生")),
            (EscortStepKind::Finish, "c130100", None),
        ]
    );
    assert_eq!(
        code_of(
            s.step_escort(&officer, e.id, &step(EscortStepKind::Cancel, Some("x")), t0)
                .await
        ),
        "escort_closed step"
    );
    // A second, cancelled; open escorts come first.
    let second = s
        .assign_escort(&city, &draft("CP-130100-0002", t0 + 5 * 3_600_000), t0)
        .await
        .unwrap();
    let listed = s.escorts(&city.work(), t0 + 3 * 3_600_000).await.unwrap();
    assert_eq!(
        listed.iter().map(|x| x.id).collect::<Vec<_>>(),
        [second.id, e.id]
    );
    s.step_escort(
        &city.work(),
        second.id,
        &step(EscortStepKind::Cancel, Some("车队改期")),
        t0 + 4 * 3_600_000,
    )
    .await
    .unwrap();
    // The retention purge: escorts over keep their route, not their vehicles.
    s.purge_freight(t0 + 5 * 3_600_000).await.unwrap();
    let kept = s.escort(&officer, e.id, t0 + 6 * 3_600_000).await.unwrap();
    assert!(kept.vehicles.is_empty());
    assert_eq!(kept.route, "京港澳高速 → 二环 → 隔离点");
}

conformance!(an_escort_is_assigned_led_and_handed_over);
