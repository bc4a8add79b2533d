//! Duty rosters on both backends: a station's leads named by a commander, shifts planned by a
//! lead, one shift at a time per checkpoint and per officer, registrations counted in the shift
//! that held their time, replanning and dropping as the clock allows, hand-over notes, the
//! volunteers sealed, revealed and purged, and who is on duty now.

use std::sync::Arc;

use cordon_domain::access::{Role, Scope, Username};
use cordon_domain::command::roster::{ShiftDraft, ShiftState, Volunteer};
use cordon_domain::contact::MobileNumber;
use cordon_domain::person::PersonName;
use cordon_store::access::NewAccount;
use cordon_store::Store;
use uuid::Uuid;

use super::support::*;

const H: i64 = 3_600_000;

fn shift(start: i64, end: i64, lead: &str, officers: &[&str]) -> ShiftDraft {
    ShiftDraft {
        starts_ms: start,
        ends_ms: end,
        lead: Username::parse(lead).unwrap(),
        officers: officers
            .iter()
            .map(|o| Username::parse(o).unwrap())
            .collect(),
        volunteers: vec![Volunteer {
            name: PersonName::parse("王五").unwrap(),
            phone: MobileNumber::parse("13912345678").unwrap(),
        }],
    }
}

async fn rosters_hold_one_shift_at_a_time(store: Arc<dyn Store>) {
    let s = store.as_ref();
    network(s).await;
    for (name, scope) in [
        ("duty.a", "CP-130100-0001"),
        ("duty.b", "CP-130100-0001,CP-130100-0002"),
        ("duty.c", "CP-130600-0001"),
    ] {
        s.create_account(NewAccount {
            username: Username::parse(name).unwrap(),
            role: Role::Officer,
            scope: Scope::parse(scope).unwrap(),
            password_hash: "$argon2id$stand-in".into(),
            created_by: "test".into(),
        })
        .await
        .unwrap();
    }
    let t0 = t0().timestamp_millis();
    let city = who("city", Role::Commander, "130100");
    let baoding = who("baoding", Role::Commander, "130600");
    let a = who("duty.a", Role::Officer, "CP-130100-0001");
    let b = who("duty.b", Role::Officer, "CP-130100-0001,CP-130100-0002");
    let c = who("duty.c", Role::Officer, "CP-130600-0001");
    let cp1 = code("CP-130100-0001");
    let cp2 = code("CP-130100-0002");

    // Only a commander in scope or the station's lead plans; the lead is named first.
    let plan_a = a.may_keep_rosters().unwrap();
    let s1 = shift(t0, t0 + 8 * H, "duty.a", &["duty.b"]);
    assert_eq!(
        code_of(s.plan_shift(&plan_a, &cp1, &s1, t0 - H).await),
        "forbidden"
    );
    let keep_city = city.may_keep_rosters().unwrap();
    let lead_c = [Username::parse("duty.c").unwrap()];
    assert_eq!(
        code_of(s.name_leads(&keep_city, &cp1, &lead_c, t0).await),
        "not_an_officer leads[0]"
    );
    let lead_a = [Username::parse("duty.a").unwrap()];
    let keep_baoding = baoding.may_keep_rosters().unwrap();
    assert_eq!(
        code_of(s.name_leads(&keep_baoding, &cp1, &lead_a, t0).await),
        "forbidden"
    );
    assert_eq!(
        code_of(s.name_leads(&plan_a, &cp1, &lead_a, t0).await),
        "forbidden"
    );
    let officers = s.name_leads(&keep_city, &cp1, &lead_a, t0).await.unwrap();
    assert_eq!(
        officers
            .iter()
            .map(|o| (o.username.as_str(), o.lead))
            .collect::<Vec<_>>(),
        [("duty.a", true), ("duty.b", false)]
    );

    let first = s.plan_shift(&plan_a, &cp1, &s1, t0 - H).await.unwrap();
    assert_eq!(first.state, ShiftState::Upcoming);
    assert_eq!(first.officers, ["duty.b"]);
    assert_eq!(first.volunteers[0].name, "王*");
    assert_eq!(first.volunteers[0].phone, "139****5678");
    // The shift on duty at an instant, as a passage's read names it: within it, not at its
    // end, not at another checkpoint.
    let on_duty = s.shift_at(&cp1, t0 + H).await.unwrap();
    assert_eq!(
        on_duty.map(|r| (r.id, r.lead)),
        Some((first.id, "duty.a".to_owned()))
    );
    assert!(s.shift_at(&cp1, t0 + 8 * H).await.unwrap().is_none());
    assert!(s.shift_at(&cp2, t0 + H).await.unwrap().is_none());

    // One shift at a time per checkpoint and per officer; only the checkpoint's officers.
    let refused = [
        code_of(
            s.plan_shift(
                &plan_a,
                &cp1,
                &shift(t0 + 4 * H, t0 + 12 * H, "duty.a", &[]),
                t0,
            )
            .await,
        ),
        code_of(
            s.plan_shift(
                &keep_city,
                &cp2,
                &shift(t0 + 4 * H, t0 + 12 * H, "duty.b", &[]),
                t0,
            )
            .await,
        ),
        code_of(
            s.plan_shift(
                &plan_a,
                &cp1,
                &shift(t0 + 9 * H, t0 + 12 * H, "duty.c", &[]),
                t0,
            )
            .await,
        ),
        code_of(
            s.plan_shift(
                &plan_a,
                &cp2,
                &shift(t0 + 9 * H, t0 + 12 * H, "duty.b", &[]),
                t0,
            )
            .await,
        ),
    ];
    assert_eq!(
        refused,
        [
            "shift_overlap starts_at",
            "officer_on_duty lead",
            "not_an_officer lead",
            "forbidden"
        ]
    );

    // A registration belongs to the shift whose hours hold it; a passage's read names it.
    for (minute, shift) in [(30, Some(first.id)), (9 * 60, None)] {
        let id = Uuid::now_v7();
        s.record_passages(vec![new(draft(
            id,
            "CP-130100-0001",
            minute,
            "冀A12345",
            &[minute as u32],
        ))])
        .await
        .unwrap();
        let (passage, on_duty) = s.get_passage_on_duty(&reads(), id).await.unwrap();
        assert_eq!(passage, s.get_passage(&reads(), id).await.unwrap());
        assert_eq!(on_duty.map(|r| r.id), shift, "minute {minute}");
    }
    let read_a = a.may_read_rosters().unwrap();
    let roster = s
        .roster(&read_a, &cp1, t0 - 24 * H, t0 + 24 * H, t0 + H)
        .await
        .unwrap();
    assert!(roster.may_plan);
    assert_eq!(roster.shifts.len(), 1);
    assert_eq!(roster.shifts[0].state, ShiftState::OnDuty);
    assert_eq!(roster.shifts[0].registrations, 1);
    let read_c = c.may_read_rosters().unwrap();
    assert_eq!(
        code_of(s.roster(&read_c, &cp1, t0, t0 + H, t0).await),
        "forbidden"
    );

    // Who is on duty now.
    let duty = s
        .duty_now(&city.may_read_rosters().unwrap(), t0 + H)
        .await
        .unwrap();
    assert_eq!(duty.len(), 2, "the city's checkpoints only");
    assert_eq!(duty[0].checkpoint, cp2, "the uncovered first");
    assert!(duty[0].uncovered);
    let on = duty[1].on_duty.as_ref().unwrap();
    assert_eq!(
        (on.lead.as_str(), on.officers, on.volunteers),
        ("duty.a", 2, 1)
    );

    // Under way: the start stays; the end and the crew may change. Ended: nothing changes.
    let now = t0 + H;
    assert_eq!(
        code_of(
            s.replan_shift(
                &plan_a,
                first.id,
                &shift(t0 + H, t0 + 8 * H, "duty.a", &[]),
                now
            )
            .await
        ),
        "shift_started starts_at"
    );
    assert_eq!(
        code_of(s.drop_shift(&plan_a, first.id, now).await),
        "shift_started starts_at"
    );
    let replanned = s
        .replan_shift(
            &plan_a,
            first.id,
            &shift(t0, t0 + 10 * H, "duty.a", &[]),
            now,
        )
        .await
        .unwrap();
    assert!(replanned.officers.is_empty());
    assert_eq!(replanned.registrations, 2);
    s.plan_shift(
        &keep_city,
        &cp2,
        &shift(t0 + 4 * H, t0 + 12 * H, "duty.b", &[]),
        now,
    )
    .await
    .expect("duty.b is free once off the first shift");
    let later = s
        .plan_shift(
            &plan_a,
            &cp1,
            &shift(t0 + 10 * H, t0 + 18 * H, "duty.a", &[]),
            now,
        )
        .await
        .unwrap();
    s.drop_shift(&plan_a, later.id, now).await.unwrap();

    // Hand-over: by someone on the shift, its station's lead or a commander; not from outside.
    assert_eq!(
        code_of(s.hand_over(&read_c, first.id, "x", now).await),
        "not_found"
    );
    assert_eq!(
        code_of(
            s.hand_over(&b.may_read_rosters().unwrap(), first.id, "x", now)
                .await
        ),
        "forbidden"
    );
    let handed = s
        .hand_over(&read_a, first.id, "2号道闸故障，已报修", now)
        .await
        .unwrap();
    assert_eq!(handed.handover.unwrap().by, "duty.a");

    // Volunteers: sealed, revealed to a planner, purged with their count kept.
    let (_, clear) = s.reveal_volunteers(&plan_a, first.id).await.unwrap();
    assert_eq!(
        (clear[0].name.as_str(), clear[0].phone.as_str()),
        ("王五", "13912345678")
    );
    assert_eq!(s.purge_volunteers(t0 + 11 * H).await.unwrap(), 1);
    let (purged, clear) = s.reveal_volunteers(&keep_city, first.id).await.unwrap();
    assert!(clear.is_empty() && purged.volunteers.is_empty());
    let duty = s
        .duty_now(&city.may_read_rosters().unwrap(), t0 + 2 * H)
        .await
        .unwrap();
    assert_eq!(duty[1].on_duty.as_ref().unwrap().volunteers, 1);

    assert_eq!(
        code_of(
            s.replan_shift(
                &plan_a,
                first.id,
                &shift(t0, t0 + 10 * H, "duty.a", &[]),
                t0 + 11 * H
            )
            .await
        ),
        "shift_ended ends_at"
    );
}

conformance!(rosters_hold_one_shift_at_a_time);
