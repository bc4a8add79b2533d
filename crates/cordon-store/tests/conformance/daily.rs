//! The daily report on both backends: a day counted per checkpoint (outcomes, a superseded
//! passage once, acknowledgements and deadlines missed, reports raised and closed, the roster's
//! cover), within the grant's scope only; kept, it stays as it was while the live count moves.

use std::sync::Arc;

use chrono::NaiveDate;
use cordon_domain::access::{Role, Scope, Username};
use cordon_domain::command::directive::DirectiveRequest;
use cordon_domain::command::report::ReportRequest;
use cordon_domain::command::roster::ShiftDraft;
use cordon_domain::passage::{Decision, Outcome};
use cordon_store::access::NewAccount;
use cordon_store::passage::NewPassage;
use cordon_store::{Store, StoreError};
use uuid::Uuid;

use super::support::*;

const H: i64 = 3_600_000;

async fn a_day_is_counted_and_kept(store: Arc<dyn Store>) {
    let s = store.as_ref();
    network(s).await;
    s.create_account(NewAccount {
        username: Username::parse("duty.a").unwrap(),
        role: Role::Officer,
        scope: Scope::parse("CP-130100-0001").unwrap(),
        password_hash: "$argon2id$stand-in".into(),
        created_by: "test".into(),
    })
    .await
    .unwrap();
    let t0 = t0().timestamp_millis();
    let day = NaiveDate::from_ymd_opt(2022, 5, 3).unwrap();
    let (first, fix, held) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    let mut corrected = draft(fix, "CP-130100-0001", 5, "冀A12345", &[1, 2]);
    corrected.supersedes = Some(first);
    let hold = Decision {
        outcome: Outcome::Hold,
        ..Decision::no_policy()
    };
    s.record_passages(vec![
        new(draft(first, "CP-130100-0001", 0, "冀A12346", &[1, 2])),
        new(corrected),
        NewPassage::new(
            draft(held, "CP-130100-0001", 10, "冀A12347", &[3]),
            hold,
            &key(),
        ),
        new(draft(
            Uuid::now_v7(),
            "CP-130600-0001",
            20,
            "冀F12345",
            &[4],
        )),
        new(draft(
            Uuid::now_v7(),
            "CP-130100-0001",
            24 * 60,
            "冀A12348",
            &[5],
        )),
    ])
    .await
    .unwrap();
    s.record_corrections(&[(fix, first)]).await.unwrap();

    // The roster: 00:00-12:00 and 20:00-08:00 the next day hold the checkpoint 16 hours of it.
    let city = who("city", Role::Commander, "130100");
    let keep = city.may_keep_rosters().unwrap();
    let cp1 = code("CP-130100-0001");
    let midnight = t0 - 8 * H;
    for (from, to) in [
        (midnight, midnight + 12 * H),
        (midnight + 20 * H, midnight + 32 * H),
    ] {
        let shift = ShiftDraft {
            starts_ms: from,
            ends_ms: to,
            lead: Username::parse("duty.a").unwrap(),
            officers: Vec::new(),
            volunteers: Vec::new(),
        };
        s.plan_shift(&keep, &cp1, &shift, t0).await.unwrap();
    }
    // A report raised and answered; a directive acknowledged at one station, missed at the other.
    let officer = who("duty.a", Role::Officer, "CP-130100-0001");
    let ack = officer.may_acknowledge_directives().unwrap();
    let report: ReportRequest = serde_json::from_value(serde_json::json!({
        "id": Uuid::now_v7(), "checkpoint": "CP-130100-0001", "category": "supplies",
        "urgency": "urgent", "text": "口罩不足"}))
    .unwrap();
    let (r, _) = s
        .file_report(&ack, &report.parse().unwrap(), t0 + H)
        .await
        .unwrap();
    let issue = city.may_issue_directives().unwrap();
    s.answer_report(&issue, r.id, "已调拨", t0 + 2 * H)
        .await
        .unwrap();
    let directive: DirectiveRequest = serde_json::from_value(serde_json::json!({
        "title": "核对物资", "text": "请各站核对防护物资", "priority": "urgent",
        "target": {"division": "130100"}}))
    .unwrap();
    let d = s
        .issue_directive(&issue, directive.parse(t0).unwrap(), t0)
        .await
        .unwrap();
    s.acknowledge_directive(&ack, d.id, &cp1, 1, None, t0 + H)
        .await
        .unwrap();

    let grant = city.may_read_daily_reports().unwrap();
    let city_scope = Scope::parse("130100").unwrap();
    let (days, kept) = s
        .daily_figures(&grant, &city_scope, day, false)
        .await
        .unwrap();
    assert_eq!(kept, None, "not kept yet: counted now");
    let codes: Vec<&str> = days.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes, ["CP-130100-0001", "CP-130100-0002"]);
    let f = &days[0].figures;
    assert_eq!(
        (f.vehicles, f.persons, f.passed, f.held),
        (2, 3, 1, 1),
        "the superseded passage is not counted"
    );
    assert_eq!((f.directives_acknowledged, f.directives_overdue), (1, 0));
    assert_eq!((f.reports_raised, f.reports_closed), (1, 1));
    assert_eq!(
        (f.shifts, f.covered_minutes, f.checkpoints),
        (2, 16 * 60, 1)
    );
    let g = &days[1].figures;
    assert_eq!((g.directives_overdue, g.shifts, g.vehicles), (1, 0, 0));

    // Kept: it stays as it was; the live count moves.
    assert_eq!(s.keep_day(day, t0 + 30 * H).await.unwrap(), 3);
    assert_eq!(s.last_kept_day().await.unwrap(), Some(day));
    s.record_passages(vec![new(draft(
        Uuid::now_v7(),
        "CP-130100-0001",
        60,
        "冀A12349",
        &[6],
    ))])
    .await
    .unwrap();
    let (kept_days, kept) = s
        .daily_figures(&grant, &city_scope, day, false)
        .await
        .unwrap();
    assert_eq!(kept, Some(t0 + 30 * H));
    assert_eq!(kept_days, days, "as kept");
    let (live, _) = s
        .daily_figures(&grant, &city_scope, day, true)
        .await
        .unwrap();
    assert_eq!(live[0].figures.vehicles, 3);

    // Beyond the grant's scope: nothing.
    let other = Scope::parse("CP-130600-0001").unwrap();
    let (none, _) = s.daily_figures(&grant, &other, day, false).await.unwrap();
    assert!(none.is_empty());
    let positives = s.daily_positives(&grant, div("130100"), day).await.unwrap();
    assert_eq!(positives.pcr_tubes + positives.antigen, 0);
    assert!(matches!(
        s.daily_positives(&grant, div("130600"), day).await,
        Err(StoreError::Forbidden)
    ));
}

conformance!(a_day_is_counted_and_kept);
