//! Directives on both backends: issued to a target resolved within the commander's scope,
//! shown at the recipients' lanes, opened and acknowledged once per revision, updated,
//! reminded, escalated when overdue, cancelled; each refusal changes nothing.

use std::sync::Arc;

use cordon_domain::access::{Principal, Role};
use cordon_domain::command::directive::{DirectiveRequest, DirectiveState, DirectiveUpdate};
use cordon_store::command::DirectiveQuery;
use cordon_store::Store;

use super::support::*;

fn draft(target: serde_json::Value, now: i64) -> cordon_domain::command::directive::DirectiveDraft {
    let r: DirectiveRequest = serde_json::from_value(serde_json::json!({
        "title": "20时起执行新规则", "text": "自今日20时起，来自中风险地区的人员须查验48小时核酸。",
        "priority": "urgent", "target": target}))
    .unwrap();
    r.parse(now).unwrap()
}

async fn directives_reach_their_lanes_and_are_acknowledged_once(store: Arc<dyn Store>) {
    let s = store.as_ref();
    network(s).await;
    let now = cordon_domain::time::now_ms();
    let province = who("province", Role::Commander, "130000");
    let city = who("city", Role::Commander, "130100");
    let county = who("county", Role::Commander, "130102");
    let baoding = who("baoding", Role::Commander, "130600");
    let officer = who("officer", Role::Officer, "CP-130100-0001");
    let issue = city.may_issue_directives().unwrap();
    let ack = officer.may_acknowledge_directives().unwrap();
    let cp1 = code("CP-130100-0001");
    let clock = s.directive_clock().await.unwrap();

    // Refusals write nothing.
    let refused = [
        code_of(
            s.issue_directive(
                &issue,
                draft(serde_json::json!({"division": "130600"}), now),
                now,
            )
            .await,
        ),
        code_of(
            s.issue_directive(
                &issue,
                draft(serde_json::json!({"defence_line": "province_border"}), now),
                now,
            )
            .await,
        ),
        code_of(
            s.issue_directive(
                &issue,
                draft(
                    serde_json::json!({"checkpoints": ["CP-130100-0001", "CP-130100-0077"]}),
                    now,
                ),
                now,
            )
            .await,
        ),
        code_of(
            s.issue_directive(
                &issue,
                draft(serde_json::json!({"checkpoints": ["CP-130600-0001"]}), now),
                now,
            )
            .await,
        ),
    ];
    assert_eq!(
        refused,
        [
            "scope_mismatch target.division",
            "empty_scope target",
            "unknown_checkpoint target.checkpoints[1]",
            "scope_mismatch target.checkpoints[0]",
        ]
    );
    assert_eq!(s.directive_clock().await.unwrap(), clock);
    let read = |p: &Principal| p.may_read_directives().unwrap();
    assert!(s
        .list_directives(
            &read(&province),
            &DirectiveQuery {
                limit: 10,
                ..Default::default()
            },
            now
        )
        .await
        .unwrap()
        .is_empty());

    // To the city: its two open checkpoints (the commander's own jurisdiction by default).
    let d = s
        .issue_directive(&issue, draft(serde_json::json!({}), now), now)
        .await
        .unwrap();
    assert_eq!(
        (d.revision, d.division.value(), d.state),
        (1, 130100, DirectiveState::Active)
    );
    assert_eq!(d.counts.recipients, 2);
    assert!(s.directive_clock().await.unwrap() > clock);
    assert_eq!(
        d.ack_deadline.timestamp_millis(),
        (now + 2 * 3_600_000) / 1000 * 1000
    );
    // Baoding's commander does not see it; the county's does.
    let q = DirectiveQuery {
        limit: 10,
        ..Default::default()
    };
    assert!(s
        .list_directives(&read(&baoding), &q, now)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        code_of(s.directive_board(&read(&baoding), d.id, now).await),
        "not_found"
    );
    assert_eq!(
        s.list_directives(&read(&county), &q, now)
            .await
            .unwrap()
            .len(),
        1
    );

    // The lane shows it, which counts as delivered; another checkpoint's lane is refused.
    let lane = s.lane_directives(&ack, &cp1, now).await.unwrap();
    assert_eq!(lane.len(), 1);
    assert!(!lane[0].read && lane[0].acknowledged_at.is_none());
    assert_eq!(
        code_of(s.lane_directives(&ack, &code("CP-130600-0001"), now).await),
        "forbidden"
    );
    let (board, recipients) = s.directive_board(&read(&city), d.id, now).await.unwrap();
    assert_eq!((board.counts.delivered, board.counts.read), (1, 0));
    assert_eq!(recipients.len(), 2);
    assert!(recipients[0].delivered_at.is_some() && recipients[1].delivered_at.is_none());

    // Opened, then acknowledged once: the same acknowledgement again answers the first.
    s.read_directive(&ack, d.id, &cp1, 1, now).await.unwrap();
    let first = s
        .acknowledge_directive(&ack, d.id, &cp1, 1, Some("已传达到每个班组".into()), now)
        .await
        .unwrap();
    let again = s
        .acknowledge_directive(&ack, d.id, &cp1, 1, Some("另一条".into()), now + 5_000)
        .await
        .unwrap();
    assert_eq!(first, again);
    assert_eq!(again.reply.as_deref(), Some("已传达到每个班组"));
    assert_eq!(again.acknowledged_by.as_deref(), Some("officer"));
    assert_eq!(
        code_of(
            s.acknowledge_directive(&ack, d.id, &cp1, 2, None, now)
                .await
        ),
        "directive_updated revision"
    );
    assert_eq!(
        code_of(
            s.acknowledge_directive(&ack, d.id + 100, &cp1, 1, None, now)
                .await
        ),
        "not_found"
    );
    let (board, _) = s.directive_board(&read(&city), d.id, now).await.unwrap();
    assert_eq!(
        (
            board.counts.read,
            board.counts.acknowledged,
            board.counts.overdue
        ),
        (1, 1, 0)
    );

    // A reminder goes to the one not acknowledged; past the deadline it is overdue, and the
    // sweep escalates it once.
    assert_eq!(s.remind_directive(&issue, d.id, now).await.unwrap(), 1);
    let later = now + 3 * 3_600_000;
    let overdue = s
        .overdue_recipients(&read(&county), 10, later)
        .await
        .unwrap();
    assert_eq!(overdue.len(), 1);
    assert_eq!(overdue[0].recipient.checkpoint.as_str(), "CP-130100-0002");
    assert_eq!(overdue[0].directive, d.id);
    assert!(s
        .overdue_recipients(&read(&baoding), 10, later)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(s.escalate_overdue(later).await.unwrap(), 1);
    assert_eq!(s.escalate_overdue(later + 1).await.unwrap(), 0);
    let (board, recipients) = s.directive_board(&read(&city), d.id, later).await.unwrap();
    assert_eq!(board.counts.overdue, 1);
    assert!(recipients[1].escalated_at.is_some() && recipients[1].reminded_at.is_some());

    // An update is a new revision, acknowledged again; the county's commander may not change a
    // city's directive, Baoding's does not see it.
    let update: DirectiveUpdate = serde_json::from_value(
        serde_json::json!({"text": "改为查验24小时核酸。", "note": "时限改为24小时"}),
    )
    .unwrap();
    let rev = update.parse(later).unwrap();
    let county_issue = county.may_issue_directives().unwrap();
    assert_eq!(
        code_of(
            s.update_directive(&county_issue, d.id, rev.clone(), later)
                .await
        ),
        "forbidden"
    );
    assert_eq!(
        code_of(
            s.update_directive(
                &baoding.may_issue_directives().unwrap(),
                d.id,
                rev.clone(),
                later
            )
            .await
        ),
        "not_found"
    );
    let d2 = s.update_directive(&issue, d.id, rev, later).await.unwrap();
    assert_eq!((d2.revision, d2.text.as_str()), (2, "改为查验24小时核酸。"));
    assert_eq!(d2.counts.acknowledged, 0);
    assert!(
        d2.ack_deadline.timestamp_millis() > later,
        "a new revision is not overdue at once"
    );
    let lane = s.lane_directives(&ack, &cp1, later).await.unwrap();
    assert_eq!((lane[0].revision, lane[0].acknowledged_at), (2, None));
    assert_eq!(lane[0].update_note.as_deref(), Some("时限改为24小时"));
    assert_eq!(
        code_of(
            s.acknowledge_directive(&ack, d.id, &cp1, 1, None, later)
                .await
        ),
        "directive_updated revision"
    );
    s.acknowledge_directive(&ack, d.id, &cp1, 2, None, later)
        .await
        .unwrap();

    // Cancelled: off the lanes, refused to acknowledge, not cancelled twice.
    let c = s
        .cancel_directive(&issue, d.id, "规则已撤回", later)
        .await
        .unwrap();
    assert_eq!(c.state, DirectiveState::Cancelled);
    assert_eq!(c.cancelled.unwrap().reason, "规则已撤回");
    assert!(s
        .lane_directives(&ack, &cp1, later)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        code_of(
            s.acknowledge_directive(&ack, d.id, &cp1, 2, None, later)
                .await
        ),
        "directive_cancelled id"
    );
    assert_eq!(
        code_of(s.cancel_directive(&issue, d.id, "again", later).await),
        "directive_cancelled id"
    );
    assert!(s
        .list_directives(&read(&city), &q, later)
        .await
        .unwrap()
        .is_empty());
    let all = DirectiveQuery {
        cancelled: true,
        ..q
    };
    assert_eq!(
        s.list_directives(&read(&city), &all, later)
            .await
            .unwrap()
            .len(),
        1
    );

    // Listed checkpoints, and a directive not yet in effect is not on the lane.
    let listed = s
        .issue_directive(
            &province.may_issue_directives().unwrap(),
            draft(
                serde_json::json!({"checkpoints": ["CP-130100-0001", "CP-130600-0001"]}),
                now,
            ),
            now,
        )
        .await
        .unwrap();
    assert_eq!(
        (listed.counts.recipients, listed.division.value()),
        (2, 130000)
    );
    let mut ahead = draft(serde_json::json!({}), now);
    ahead.effective_ms = now + 3_600_000;
    ahead.deadline_ms = now + 7_200_000;
    let scheduled = s.issue_directive(&issue, ahead, now).await.unwrap();
    assert_eq!(scheduled.state, DirectiveState::Scheduled);
    let lane = s.lane_directives(&ack, &cp1, now).await.unwrap();
    assert_eq!(lane.iter().map(|l| l.id).collect::<Vec<_>>(), [listed.id]);
    // The city's board of the province's directive counts the city's recipient only.
    let (b, r) = s
        .directive_board(&read(&city), listed.id, now)
        .await
        .unwrap();
    assert_eq!((b.counts.recipients, r.len()), (1, 1));
}

/// The hub's side of a station: what it sends down (and notes delivered), the receipts it
/// takes once each; and the station's copy of what comes down.
async fn directives_travel_through_a_station(store: Arc<dyn Store>) {
    let s = store.as_ref();
    network(s).await;
    let now = cordon_domain::time::now_ms();
    let city = who("city", Role::Commander, "130100");
    let station = who("station1", Role::Station, "CP-130100-0001")
        .may_sync()
        .unwrap();
    let d = s
        .issue_directive(
            &city.may_issue_directives().unwrap(),
            draft(serde_json::json!({}), now),
            now,
        )
        .await
        .unwrap();
    let down = s
        .station_directives(&station, now - 86_400_000, now)
        .await
        .unwrap();
    assert_eq!(down.len(), 1);
    assert_eq!(
        (down[0].id, down[0].revision, down[0].acked_rev),
        (d.id, 1, 0)
    );
    let read = city.may_read_directives().unwrap();
    let (b, _) = s.directive_board(&read, d.id, now).await.unwrap();
    assert_eq!(b.counts.delivered, 1);

    let receipt = |seq, kind: &str, revision| cordon_domain::command::relay::DirectiveReceipt {
        seq,
        directive: d.id,
        revision,
        kind: cordon_domain::command::relay::ReceiptKind::parse(kind).unwrap(),
        by: "zhang.wei".into(),
        reply: Some("已传达".into()),
        at_ms: now + 3_600_000,
    };
    let batch = [
        receipt(1, "read", 1),
        receipt(2, "ack", 1),
        receipt(3, "ack", 2),
    ];
    let a = s
        .apply_directive_receipts(&station, &batch, now)
        .await
        .unwrap();
    assert_eq!((a.applied, a.unchanged), (2, 1));
    let again = s
        .apply_directive_receipts(&station, &batch, now + 5)
        .await
        .unwrap();
    assert_eq!(
        (again.applied, again.unchanged),
        (0, 3),
        "each receipt once"
    );
    let (b, r) = s.directive_board(&read, d.id, now).await.unwrap();
    assert_eq!(b.counts.acknowledged, 1);
    let mine = r
        .iter()
        .find(|r| r.checkpoint.as_str() == "CP-130100-0001")
        .unwrap();
    assert_eq!(mine.acknowledged_by.as_deref(), Some("zhang.wei"));
    assert_eq!(
        mine.acknowledged_at.unwrap().timestamp_millis(),
        now,
        "no later than the hub's now"
    );
    let down = s
        .station_directives(&station, now - 86_400_000, now)
        .await
        .unwrap();
    assert_eq!(down[0].acked_rev, 1);

    // A station's copy: a new revision comes down once; the same list again changes nothing.
    let mut revised = down.clone();
    revised[0].revision = 2;
    revised[0].text = "改为24小时".into();
    assert_eq!(
        s.mirror_directives(&code("CP-130100-0001"), &revised)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        s.mirror_directives(&code("CP-130100-0001"), &revised)
            .await
            .unwrap(),
        0
    );
    let officer = who("officer", Role::Officer, "CP-130100-0001");
    let lane = s
        .lane_directives(
            &officer.may_acknowledge_directives().unwrap(),
            &code("CP-130100-0001"),
            now,
        )
        .await
        .unwrap();
    assert_eq!((lane[0].revision, lane[0].text.as_str()), (2, "改为24小时"));
    assert!(lane[0].acknowledged_at.is_none());
}

/// Reports up the line: filed once per id at the officer's checkpoint, in the command's inbox
/// by urgency and age within scope, taken, answered once, and through a station.
async fn reports_are_filed_once_and_answered(store: Arc<dyn Store>) {
    use cordon_domain::command::report::{ReportRequest, ReportState};
    use cordon_store::command::{ReportQuery, StationReport};
    let s = store.as_ref();
    network(s).await;
    let now = cordon_domain::time::now_ms();
    let officer = who("officer", Role::Officer, "CP-130100-0001");
    let ack = officer.may_acknowledge_directives().unwrap();
    let req = |id: u128, category: &str, urgency: &str, text: &str| {
        serde_json::from_value::<ReportRequest>(serde_json::json!({
            "id": uuid::Uuid::from_u128(id), "checkpoint": "CP-130100-0001",
            "category": category, "urgency": urgency, "text": text}))
        .unwrap()
        .parse()
        .unwrap()
    };
    let queue = req(1, "queue", "routine", "出口排队约1公里");
    let (r, created) = s.file_report(&ack, &queue, now).await.unwrap();
    assert!(created && r.state == ReportState::Open && r.reported_by == "officer");
    let (again, created) = s.file_report(&ack, &queue, now + 9).await.unwrap();
    assert!(!created && again == r, "the same id files nothing new");
    let other = req(1, "staff", "routine", "另一件事");
    assert_eq!(
        code_of(s.file_report(&ack, &other, now).await),
        "report_conflict id"
    );
    let mut elsewhere = req(3, "queue", "routine", "x");
    elsewhere.checkpoint = code("CP-130600-0001");
    assert_eq!(
        code_of(s.file_report(&ack, &elsewhere, now).await),
        "forbidden"
    );
    s.file_report(
        &ack,
        &req(2, "supplies", "flash", "抗原试剂只剩20人份"),
        now + 1000,
    )
    .await
    .unwrap();

    // The inbox: the flash first; Baoding's commander sees none.
    let city = who("city", Role::Commander, "130100");
    let inbox = s
        .report_inbox(
            &city.may_read_directives().unwrap(),
            &ReportQuery {
                open_only: true,
                limit: 10,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        inbox.iter().map(|r| r.text.as_str()).collect::<Vec<_>>(),
        ["抗原试剂只剩20人份", "出口排队约1公里"]
    );
    let baoding = who("baoding", Role::Commander, "130600");
    assert!(s
        .report_inbox(
            &baoding.may_read_directives().unwrap(),
            &ReportQuery {
                open_only: false,
                limit: 10
            }
        )
        .await
        .unwrap()
        .is_empty());
    let issue = city.may_issue_directives().unwrap();
    let b_issue = baoding.may_issue_directives().unwrap();
    assert_eq!(
        code_of(s.assign_report(&b_issue, queue.id, "baoding", now).await),
        "not_found"
    );
    let taken = s
        .assign_report(&issue, queue.id, "city", now)
        .await
        .unwrap();
    assert_eq!(
        (taken.state, taken.assigned_to.as_deref()),
        (ReportState::Assigned, Some("city"))
    );
    let answered = s
        .answer_report(&issue, queue.id, "已协调交警增派警力疏导", now + 60_000)
        .await
        .unwrap();
    assert_eq!(answered.state, ReportState::Answered);
    assert_eq!(
        code_of(s.answer_report(&issue, queue.id, "again", now).await),
        "report_answered id"
    );
    let lane = s
        .lane_reports(&ack, &code("CP-130100-0001"), now - 1)
        .await
        .unwrap();
    assert_eq!(lane.len(), 2);
    assert_eq!(lane[1].answer.as_deref(), Some("已协调交警增派警力疏导"));

    // Through a station: its report filed once at the hub, at no later time than now; the
    // answer copied back once.
    let station = who("station1", Role::Station, "CP-130100-0001")
        .may_sync()
        .unwrap();
    let up = StationReport {
        seq: 1,
        id: uuid::Uuid::from_u128(7),
        category: "incident".into(),
        urgency: cordon_domain::command::directive::Priority::Urgent,
        text: "一辆货车司机拒不配合查验".into(),
        reported_by: "zhang.wei".into(),
        reported_at_ms: now + 3_600_000,
    };
    assert_eq!(
        s.apply_station_reports(&station, std::slice::from_ref(&up), now)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        s.apply_station_reports(&station, std::slice::from_ref(&up), now)
            .await
            .unwrap(),
        0
    );
    let held = s.station_reports(&station, now - 1).await.unwrap();
    let mine = held.iter().find(|r| r.id == up.id).unwrap();
    assert_eq!(
        (
            mine.reported_at.timestamp_millis(),
            mine.reported_by.as_str()
        ),
        (now, "zhang.wei")
    );
    let answered: Vec<_> = held.into_iter().filter(|r| r.answer.is_some()).collect();
    assert_eq!(
        s.mirror_reports(&answered).await.unwrap(),
        0,
        "the same answer: nothing to copy"
    );
}

conformance!(
    directives_reach_their_lanes_and_are_acknowledged_once,
    directives_travel_through_a_station,
    reports_are_filed_once_and_answered
);
