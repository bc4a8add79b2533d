//! Person statuses on both backends: a change is requested, decided once by a second account,
//! and only an approval sets a status; SQL that tries another path is refused by the tables.

use std::sync::Arc;

use cordon_domain::access::{Principal, Role, Scope, Username};
use cordon_domain::status::{ChangeState, PersonStatus, StatusChangeRequest};
use cordon_store::access::NewAccount;
use cordon_store::status::{NewStatusChange, StatusQuery};
use cordon_store::{Store, StoreError, StoreOptions};

use super::support::*;

async fn account(store: &dyn Store, name: &str, role: Role) -> Principal {
    let a = store
        .create_account(NewAccount {
            username: Username::parse(name).unwrap(),
            role,
            scope: Scope::parse("130000").unwrap(),
            password_hash: "$argon2id$stand-in".into(),
            created_by: "test".into(),
        })
        .await
        .unwrap();
    Principal {
        account: a.id,
        username: a.username,
        role,
        scope: a.scope,
    }
}

fn change(store: &dyn Store, number: &str, status: &str) -> NewStatusChange {
    let req: StatusChangeRequest = serde_json::from_value(serde_json::json!({
        "document": {"type": "resident_id", "number": number},
        "status": status, "reason": "同车密接 / rode with a case",
        "evidence": {"kind": "case", "reference": "冀石-2022-017"}}))
    .unwrap();
    NewStatusChange::new(
        req.parse(cordon_domain::time::now_ms()).unwrap(),
        store.keyring(),
    )
}

fn code(r: Result<impl std::fmt::Debug, StoreError>) -> String {
    match r {
        Err(StoreError::Invalid(f)) => f.code,
        other => format!("{other:?}"),
    }
}

pub async fn status_changes_take_a_second_account(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let tracer = account(s, "tracer1", Role::Tracer).await;
    let c1 = account(s, "commander1", Role::Commander).await;
    let c2 = account(s, "commander2", Role::Commander).await;
    assert!(tracer.may_decide_status_change().is_err());
    let (a, b) = (resident_id(1), resident_id(2));

    let asked = s
        .request_status_change(
            &tracer.may_request_status_change().unwrap(),
            change(s, &a, "close_contact"),
        )
        .await
        .unwrap();
    let id = asked.change.id;
    assert_eq!(asked.change.state, ChangeState::Pending);
    assert_eq!(asked.change.requested_by, "tracer1");
    assert!(!asked.change.document.number.contains(&a[6..14]), "masked");
    assert_eq!(
        asked.subject,
        s.keyring().subject(&format!("resident_id:{a}"))
    );
    assert!(
        s.statuses_in_force().await.unwrap().is_empty(),
        "pending changes nothing"
    );
    assert_eq!(s.status_version().await.unwrap(), 0);

    // The requester cannot decide; a second commander approves, once.
    let own = s
        .request_status_change(
            &c1.may_request_status_change().unwrap(),
            change(s, &b, "secondary_contact"),
        )
        .await
        .unwrap();
    let d1 = c1.may_decide_status_change().unwrap();
    let d2 = c2.may_decide_status_change().unwrap();
    assert_eq!(
        code(s.decide_status_change(&d1, own.change.id, true, "").await),
        "second_account_required"
    );
    assert!(matches!(
        s.decide_status_change(&d1, 999_999, true, "").await,
        Err(StoreError::NotFound { .. })
    ));
    let approved = s
        .decide_status_change(&d1, id, true, "证据充分")
        .await
        .unwrap();
    assert_eq!(approved.change.state, ChangeState::Approved);
    assert_eq!(approved.change.decided_by.as_deref(), Some("commander1"));
    assert_eq!(
        code(s.decide_status_change(&d2, id, false, "no").await),
        "already_decided"
    );
    let rejected = s
        .decide_status_change(&d2, own.change.id, false, "证据不足")
        .await
        .unwrap();
    assert_eq!(rejected.change.state, ChangeState::Rejected);
    assert_eq!(rejected.change.decision_note.as_deref(), Some("证据不足"));

    let in_force = s.statuses_in_force().await.unwrap();
    assert_eq!(in_force.len(), 1, "the rejected change set nothing");
    assert_eq!(in_force[0].0, approved.subject);
    assert_eq!(in_force[0].1.status, PersonStatus::CloseContact);
    assert_eq!(s.status_version().await.unwrap(), 2);

    // Clearing is a change to `none`, approved like any other.
    let clear = s
        .request_status_change(
            &tracer.may_request_status_change().unwrap(),
            change(s, &a, "none"),
        )
        .await
        .unwrap();
    s.decide_status_change(&d2, clear.change.id, true, "")
        .await
        .unwrap();
    assert!(s.statuses_in_force().await.unwrap().is_empty());

    let read = tracer.may_read_status_changes().unwrap();
    let all = s
        .list_status_changes(
            &read,
            &StatusQuery {
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        all.iter().map(|r| r.change.id).collect::<Vec<_>>(),
        vec![clear.change.id, own.change.id, id],
        "newest first"
    );
    let of_a = s
        .list_status_changes(
            &read,
            &StatusQuery {
                subject: Some(approved.subject.clone()),
                state: Some(ChangeState::Approved),
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(of_a.len(), 2);
    let page = s
        .list_status_changes(
            &read,
            &StatusQuery {
                before_id: Some(clear.change.id),
                limit: 1,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(page[0].change.id, own.change.id);
}

/// Marks a person as a close contact: requested by one account, approved by another.
pub async fn mark(store: &dyn Store, number: &str) {
    let tracer = account(store, "marker1", Role::Tracer).await;
    let commander = account(store, "approver1", Role::Commander).await;
    let r = store
        .request_status_change(
            &tracer.may_request_status_change().unwrap(),
            change(store, number, "close_contact"),
        )
        .await
        .unwrap();
    store
        .decide_status_change(
            &commander.may_decide_status_change().unwrap(),
            r.change.id,
            true,
            "",
        )
        .await
        .unwrap();
}

/// The tables themselves refuse every path to a status but an approved change.
async fn other_paths_are_refused(url: &str) {
    let store = cordon_store::open(url, &StoreOptions::default(), key())
        .await
        .unwrap();
    let s = store.as_ref();
    let tracer = account(s, "tracer1", Role::Tracer).await;
    let c1 = account(s, "commander1", Role::Commander).await;
    let pending = s
        .request_status_change(
            &tracer.may_request_status_change().unwrap(),
            change(s, &resident_id(3), "case"),
        )
        .await
        .unwrap();
    let decided = s
        .request_status_change(
            &tracer.may_request_status_change().unwrap(),
            change(s, &resident_id(4), "case"),
        )
        .await
        .unwrap();
    s.decide_status_change(
        &c1.may_decide_status_change().unwrap(),
        decided.change.id,
        true,
        "",
    )
    .await
    .unwrap();
    drop(store);
    let refused = [
        format!(
            "INSERT INTO person_status (doc_key, status, since_ms, change_id) VALUES ('{}', 'case', 0, {})",
            pending.subject, pending.change.id
        ),
        format!("UPDATE person_status SET status = 'none' WHERE doc_key = '{}'", decided.subject),
        format!("DELETE FROM person_status WHERE doc_key = '{}'", decided.subject),
        format!("UPDATE status_changes SET state = 'rejected' WHERE id = {}", decided.change.id),
        format!("UPDATE status_changes SET status = 'none' WHERE id = {}", pending.change.id),
        format!("DELETE FROM status_changes WHERE id = {}", pending.change.id),
        format!(
            "UPDATE status_changes SET state = 'approved', decided_by = requested_by, decided_name = 'x', decided_at = 0 WHERE id = {}",
            pending.change.id
        ),
    ];
    for sql in &refused {
        assert!(
            cordon_store::scratch::execute(url, sql, &[]).await.is_err(),
            "{sql} must be refused"
        );
    }
    let store = cordon_store::open(url, &StoreOptions::default(), key())
        .await
        .unwrap();
    let in_force = store.statuses_in_force().await.unwrap();
    assert_eq!(in_force.len(), 1);
    assert_eq!(in_force[0].0, decided.subject);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_paths_to_a_status_are_refused_on_sqlite() {
    let dir = crate::support::scratch_dir();
    other_paths_are_refused(&format!("sqlite://{}", dir.join("cordon.db").display())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_paths_to_a_status_are_refused_on_postgres() {
    let Some(admin) = postgres_url() else { return };
    other_paths_are_refused(&fresh_postgres_url(&admin).await).await;
}

conformance!(status_changes_take_a_second_account);
