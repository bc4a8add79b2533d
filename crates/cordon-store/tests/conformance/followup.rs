//! Follow-up lists on both backends: a list and its rows in one transaction, one subject per
//! person across lists (by document, or by phone and name), a list pushed again writing nothing
//! new, a changed row refused whole, and readers seeing only their scope's lists.

use std::sync::Arc;

use cordon_domain::access::{Principal, Role, Scope, Username};
use cordon_domain::followup::work::{AttemptKind, Outcome, SubjectState};
use cordon_domain::followup::{ListRequest, ListSource};
use cordon_store::followup::{BoardBy, NewAttempt, NewList, NewListRow, NewTeam};
use cordon_store::{Store, StoreError};
use serde_json::json;
use uuid::Uuid;

use super::support::*;

fn principal(role: Role, scope: &str) -> Principal {
    Principal {
        account: 1,
        username: Username::parse("tracer1").unwrap(),
        role,
        scope: Scope::parse(scope).unwrap(),
    }
}

/// A list of `rows` (row number, document seed or none, phone, name).
fn list(store: &dyn Store, id: Uuid, rows: &[(u32, Option<u32>, &str, &str)]) -> NewList {
    let req: ListRequest = serde_json::from_value(json!({
        "id": id, "label": "北京市推送",
        "rows": rows.iter().map(|(n, doc, phone, name)| {
            let mut r = json!({"row": n, "name": name, "phone": phone, "address": "长安区某小区"});
            if let Some(seed) = doc {
                r["document"] = json!({"type": "resident_id", "number": resident_id(*seed)});
            }
            r
        }).collect::<Vec<_>>()}))
    .unwrap();
    let (label, _, rows) = req.parse(cordon_domain::time::today_china()).unwrap();
    NewList {
        id,
        source: ListSource::Push,
        label,
        deadline_ms: cordon_domain::time::now_ms() + 24 * 3_600_000,
        skipped: 0,
        rows: rows
            .iter()
            .map(|r| NewListRow::new(id, r, div("130100"), store.keyring()))
            .collect(),
    }
}

pub async fn lists_resolve_identities_and_are_idempotent(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let tracer = principal(Role::Tracer, "130100");
    let write = tracer.may_write_lists().unwrap();
    let read = tracer.may_read_lists().unwrap();
    // Two persons by document, one by phone and name only.
    let first = Uuid::now_v7();
    let rows = [
        (1, Some(1), "13812345678", "张三"),
        (2, Some(2), "13812345679", "李四"),
        (3, None, "13912345678", "王五"),
    ];
    let added = s
        .add_followup_list(&write, list(s, first, &rows))
        .await
        .unwrap();
    assert_eq!(
        (added.rows_added, added.subjects_added, added.list.subjects),
        (3, 3, 3)
    );
    assert_eq!((added.list.new_subjects, added.list.unverified), (3, 1));
    // Pushed again: nothing new.
    let again = s
        .add_followup_list(&write, list(s, first, &rows))
        .await
        .unwrap();
    assert_eq!((again.rows_added, again.rows_already), (0, 3));
    assert_eq!(again.list.rows, 3);
    // A row number sent again with other facts: refused, nothing written.
    let changed = [
        (1, Some(1), "13800000000", "张三"),
        (4, Some(4), "13800000001", "赵六"),
    ];
    match s.add_followup_list(&write, list(s, first, &changed)).await {
        Err(StoreError::Invalid(f)) => assert_eq!(f.code, "row_conflict"),
        other => panic!("expected a conflict: {other:?}"),
    }
    // A second list naming two of the same persons (one by document, one by phone and a name
    // written in another case) and one new person.
    let second = Uuid::now_v7();
    let added = s
        .add_followup_list(
            &write,
            list(
                s,
                second,
                &[
                    (1, Some(2), "13700000000", "李四"),
                    (2, None, "13912345678", " 王五 "),
                    (3, Some(3), "13812345670", "孙七"),
                ],
            ),
        )
        .await
        .unwrap();
    assert_eq!((added.subjects_added, added.list.new_subjects), (1, 1));
    assert_eq!(added.list.subjects, 3);
    let lines = s.followup_subjects(&read, second, 0, 100).await.unwrap();
    let lists: Vec<i64> = lines.iter().map(|l| l.lists).collect();
    assert_eq!(lists, [2, 2, 1], "{lines:?}");
    assert!(!lines[1].verified && lines[0].verified);
    assert_eq!(lines[0].name, "李*");
    assert_eq!(lines[0].home_area.as_deref(), Some(&resident_id(2)[..6]));
    // Both of the first list's earlier rows are still there, the conflicting push left nothing.
    let first_lines = s.followup_subjects(&read, first, 0, 100).await.unwrap();
    assert_eq!(first_lines.len(), 3);
    assert_eq!(
        first_lines[1].subject, lines[0].subject,
        "one subject per person"
    );
    // Readers see their scope's lists; another city sees none and cannot open one.
    let mine = s.list_followup_lists(&read, 10).await.unwrap();
    assert_eq!(mine.len(), 2);
    let province = principal(Role::Commander, "130000")
        .may_read_lists()
        .unwrap();
    assert_eq!(s.list_followup_lists(&province, 10).await.unwrap().len(), 2);
    let other = principal(Role::Tracer, "130200");
    assert!(s
        .list_followup_lists(&other.may_read_lists().unwrap(), 10)
        .await
        .unwrap()
        .is_empty());
    assert!(matches!(
        s.followup_subjects(&other.may_read_lists().unwrap(), first, 0, 10)
            .await,
        Err(StoreError::NotFound { .. })
    ));
    // Past the retention period the rows' facts go; the persons stay, masked, for the counts.
    let (rows, answers) = s
        .purge_followup(cordon_domain::time::now_ms() + 1)
        .await
        .unwrap();
    assert_eq!((rows, answers), (6, 0));
    assert_eq!(s.purge_followup(i64::MAX).await.unwrap(), (0, 0), "once");
    assert_eq!(
        s.followup_subjects(&read, second, 0, 100)
            .await
            .unwrap()
            .len(),
        3
    );
    // Nor can it add rows to another city's list.
    assert!(matches!(
        s.add_followup_list(
            &other.may_write_lists().unwrap(),
            list(s, first, &[(9, Some(9), "13812345600", "周八")])
        )
        .await,
        Err(StoreError::Forbidden)
    ));
}

/// Adds a list of test persons (row number, document seed or none, person seed: named
/// `测试{seed}` with phone `138{seed:08}`), as the sealed-at-rest test checks them.
pub async fn listed(store: &dyn Store, rows: &[(u32, Option<u32>, u32)]) {
    let names: Vec<(String, String)> = rows
        .iter()
        .map(|(_, _, p)| (format!("138{p:08}"), format!("测试{p}")))
        .collect();
    let rows: Vec<(u32, Option<u32>, &str, &str)> = rows
        .iter()
        .zip(&names)
        .map(|((n, doc, _), (phone, name))| (*n, *doc, phone.as_str(), name.as_str()))
        .collect();
    let write = principal(Role::Tracer, "130100").may_write_lists().unwrap();
    store
        .add_followup_list(&write, list(store, Uuid::now_v7(), &rows))
        .await
        .unwrap();
}

fn caller(name: &str) -> Principal {
    Principal {
        account: 2,
        username: Username::parse(name).unwrap(),
        role: Role::Caller,
        scope: Scope::parse("130102").unwrap(),
    }
}

/// A list of `n` persons (`测试{first + i}`) living at `address`, by phone and name only.
fn local_list(store: &dyn Store, id: Uuid, n: u32, first: u32, address: &str) -> NewList {
    let req: ListRequest = serde_json::from_value(json!({
        "id": id, "label": "长安区名单",
        "rows": (1..=n).map(|i| json!({"row": i, "name": format!("测试{}", first + i),
            "phone": format!("137{:08}", first + i), "address": address})).collect::<Vec<_>>()}))
    .unwrap();
    let (label, _, rows) = req.parse(cordon_domain::time::today_china()).unwrap();
    NewList {
        id,
        source: ListSource::Push,
        label,
        deadline_ms: cordon_domain::time::now_ms() + 3_600_000,
        skipped: 0,
        rows: rows
            .iter()
            .map(|r| NewListRow::new(id, r, div("130100"), store.keyring()))
            .collect(),
    }
}

pub async fn persons_are_handed_out_called_and_counted(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let commander = principal(Role::Commander, "130100");
    let manage = commander.may_manage_teams().unwrap();
    let team = s
        .create_team(
            &manage,
            NewTeam {
                name: "长安区一组".into(),
                county: div("130102"),
                lead: Username::parse("lead1").unwrap(),
                members: vec![
                    Username::parse("caller1").unwrap(),
                    Username::parse("caller2").unwrap(),
                ],
            },
        )
        .await
        .unwrap();
    assert_eq!(team.members, ["caller1", "caller2"]);
    assert!(matches!(
        s.create_team(
            &manage,
            NewTeam {
                name: "长安区一组".into(),
                county: div("130102"),
                lead: Username::parse("lead1").unwrap(),
                members: vec![],
            }
        )
        .await,
        Err(StoreError::Invalid(_))
    ));
    // Four persons of 长安区: two to each caller.
    let list = Uuid::now_v7();
    s.add_followup_list(
        &commander.may_write_lists().unwrap(),
        local_list(s, list, 4, 0, "长安区裕华路 1 号"),
    )
    .await
    .unwrap();
    let one = caller("caller1").may_work_followup().unwrap();
    let two = caller("caller2").may_work_followup().unwrap();
    let mine = s.worklist(&one, 50).await.unwrap();
    assert_eq!(
        (mine.len(), s.worklist(&two, 50).await.unwrap().len()),
        (2, 2)
    );
    let first = mine[0].subject;
    // Not another caller's person.
    assert!(matches!(
        s.work_subject(&two, first).await,
        Err(StoreError::Forbidden)
    ));
    let record = s.work_subject(&one, first).await.unwrap();
    assert_eq!(record.sources.len(), 1);
    // Three calls unanswered, an hour apart: to the lead for a home visit.
    let t0 = cordon_domain::time::now_ms();
    let call = |at: i64, outcome: Outcome| {
        let one = one.clone();
        async move {
            s.record_attempt(
                &one,
                NewAttempt {
                    subject: first,
                    kind: AttemptKind::Call,
                    outcome,
                    answered: None,
                    note: String::new(),
                    moved_to: None,
                },
                at,
            )
            .await
        }
    };
    assert_eq!(
        call(t0, Outcome::NoAnswer).await.unwrap().1,
        SubjectState::InProgress
    );
    match call(t0 + 60_000, Outcome::NoAnswer).await {
        Err(StoreError::Invalid(f)) => assert_eq!(f.code, "too_soon"),
        other => panic!("{other:?}"),
    }
    call(t0 + H, Outcome::NoAnswer).await.unwrap();
    assert_eq!(
        call(t0 + 2 * H, Outcome::NoAnswer).await.unwrap().1,
        SubjectState::Escalated
    );
    let lead = caller("lead1").may_work_followup().unwrap();
    let visits = s.worklist(&lead, 50).await.unwrap();
    assert_eq!(visits.len(), 1);
    assert_eq!(visits[0].state, SubjectState::Escalated);
    // The visit reaches the person, with answers to a published questionnaire only.
    let change = commander.may_change_questionnaires().unwrap();
    let q = s
        .create_questionnaire(
            &change,
            "q",
            cordon_domain::followup::questionnaire::STANDARD,
        )
        .await
        .unwrap();
    let visit = |answered| NewAttempt {
        subject: first,
        kind: AttemptKind::Visit,
        outcome: Outcome::Reached,
        answered,
        note: "上门见到本人".into(),
        moved_to: None,
    };
    match s
        .record_attempt(&lead, visit(Some((q.version, vec![1]))), t0 + 3 * H)
        .await
    {
        Err(StoreError::Invalid(f)) => assert_eq!(f.code, "not_published"),
        other => panic!("{other:?}"),
    }
    s.publish_questionnaire(&change, q.version).await.unwrap();
    assert!(s.publish_questionnaire(&change, q.version).await.is_err());
    let (_, state) = s
        .record_attempt(&lead, visit(Some((q.version, vec![1]))), t0 + 3 * H)
        .await
        .unwrap();
    assert_eq!(state, SubjectState::Closed);
    assert!(matches!(
        call(t0 + 5 * H, Outcome::Reached).await,
        Err(StoreError::Forbidden | StoreError::Invalid(_))
    ));
    // The board counts them all.
    let read = commander.may_read_lists().unwrap();
    let board = s.followup_board(&read, BoardBy::List, t0).await.unwrap();
    assert_eq!(board.len(), 1);
    let b = &board[0];
    assert_eq!(
        (b.total, b.pending, b.closed, b.reached),
        (4, 3, 1, 1),
        "{b:?}"
    );
    let by_team = s.followup_board(&read, BoardBy::Team, t0).await.unwrap();
    assert_eq!(
        (by_team[0].label.as_str(), by_team[0].total),
        ("长安区一组", 4)
    );
    let late = s
        .followup_board(&read, BoardBy::County, t0 + 2 * H)
        .await
        .unwrap();
    assert_eq!((late[0].key.as_str(), late[0].overdue), ("130102", 3));
    // Handed out again to the other caller.
    let moved = s
        .reassign(
            &manage,
            &[mine[1].subject],
            &Username::parse("caller2").unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(moved, 1);
    assert_eq!(s.worklist(&two, 50).await.unwrap().len(), 3);
    // Persons of a county without a team wait; a team made for it takes them.
    let west = Uuid::now_v7();
    s.add_followup_list(
        &commander.may_write_lists().unwrap(),
        local_list(s, west, 8, 100, "桥西区新华路 9 号"),
    )
    .await
    .unwrap();
    let west_team = s
        .create_team(
            &manage,
            NewTeam {
                name: "桥西区一组".into(),
                county: div("130104"),
                lead: Username::parse("lead2").unwrap(),
                members: vec![Username::parse("caller3").unwrap()],
            },
        )
        .await
        .unwrap();
    assert_eq!(
        west_team.open, 8,
        "persons 5 to 12 waited; 1 to 4 live in 长安区 already"
    );
    // Named again by another list after it was closed: to be called again.
    let again = Uuid::now_v7();
    s.add_followup_list(
        &commander.may_write_lists().unwrap(),
        local_list(s, again, 1, 0, "长安区裕华路 1 号"),
    )
    .await
    .unwrap();
    let reopened = s.work_subject(&one, first).await;
    assert!(reopened.is_ok_and(|r| r.item.state == SubjectState::Pending && r.sources.len() == 2));
    // The first list's board follows the person back to the callers.
    let board = s.followup_board(&read, BoardBy::List, t0).await.unwrap();
    let first_list = board.iter().find(|l| l.key == list.to_string()).unwrap();
    assert_eq!(
        (first_list.total, first_list.pending, first_list.closed),
        (4, 4, 0),
        "{first_list:?}"
    );
    // The boards by team and county, kept by the database, agree with the persons behind
    // each line after every move above (made, called, visited, handed over, reopened).
    for by in [BoardBy::Team, BoardBy::County] {
        let lines = s.followup_board(&read, by, t0).await.unwrap();
        assert!(!lines.is_empty());
        for l in lines {
            let key: i64 = l.key.parse().unwrap();
            let persons = s
                .board_line_persons(&read, by, key, 0, 1_000)
                .await
                .unwrap();
            let count = |st: SubjectState| persons.iter().filter(|p| p.state == st).count() as i64;
            assert_eq!(
                (l.total, l.pending, l.in_progress, l.escalated, l.closed),
                (
                    persons.len() as i64,
                    count(SubjectState::Pending),
                    count(SubjectState::InProgress),
                    count(SubjectState::Escalated),
                    count(SubjectState::Closed)
                ),
                "{by:?} {l:?}"
            );
        }
    }
}

const H: i64 = 3_600_000;

conformance!(
    lists_resolve_identities_and_are_idempotent,
    persons_are_handed_out_called_and_counted
);
