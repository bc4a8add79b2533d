//! Person-status changes over HTTP: requested with a reason and evidence, decided by a second
//! account, applied at the lanes at once, cleared the same way, audited with the person's keyed
//! hash; bad input refused with its field and nothing recorded.

use cordon_domain::policy::examples;
use reqwest::StatusCode;
use serde_json::{json, Value};

use super::matrix::{row, Row, COMMANDERS, TRACERS};
use super::policy::{passage, publish, store_version};
use super::TestApp;

const A: &str = "11010519491231002X";
const B: &str = "130102198001011232";

fn request(number: &str, status: &str) -> Value {
    json!({"document": {"type": "resident_id", "number": number}, "status": status,
        "reason": "与确诊病例同车 / rode with a confirmed case",
        "evidence": {"kind": "case", "reference": "冀石疾控-2022-0513-017"}})
}

/// The outcome and first reason of a fresh registration of `number` (green code, 20 h test).
async fn lane(app: &TestApp, number: &str) -> (String, String, Value) {
    let (s, p) = app
        .post("/api/v1/passages", &passage(number, "green", Some(20), &[]))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let d = &p["decision"];
    (
        d["outcome"].as_str().unwrap().to_owned(),
        d["reasons"][0]["code"].as_str().unwrap().to_owned(),
        d["reasons"][0]["facts"].clone(),
    )
}

async fn changes(app: &TestApp) -> Vec<Value> {
    let (s, page) = app.get_as("tracer", "/api/v1/status-changes").await;
    assert_eq!(s, StatusCode::OK, "{page}");
    page["changes"].as_array().unwrap().clone()
}

pub async fn status_changes_need_a_second_account_and_reach_the_lanes(app: TestApp) {
    let may = store_version(&app, examples::STANDARD_2022_05).await;
    publish(&app, may).await;
    assert_eq!(lane(&app, A).await.0, "pass");

    // Bad input: the field named, nothing recorded.
    let cases = [
        ("/reason", json!(""), "reason", "required"),
        ("/status", json!("infected"), "status", "invalid_value"),
        (
            "/evidence/reference",
            json!(" "),
            "evidence.reference",
            "required",
        ),
        (
            "/evidence/kind",
            json!("rumour"),
            "evidence.kind",
            "invalid_value",
        ),
        (
            "/document/number",
            json!("110105194912310029"),
            "document.number",
            "invalid_check_digit",
        ),
    ];
    for (pointer, value, field, code) in cases {
        let mut body = request(A, "close_contact");
        *body.pointer_mut(pointer).unwrap() = value;
        let (s, e) = app.post_as("tracer", "/api/v1/status-changes", &body).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{pointer}: {e}");
        assert_eq!(
            (e["error"]["field"].as_str(), e["error"]["code"].as_str()),
            (Some(field), Some(code)),
            "{e}"
        );
    }
    let mut no_evidence = request(A, "close_contact");
    no_evidence.as_object_mut().unwrap().remove("evidence");
    let (s, e) = app
        .post_as("tracer", "/api/v1/status-changes", &no_evidence)
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(changes(&app).await.is_empty(), "nothing recorded");

    // A tracer asks; pending changes nothing at the lane.
    let (s, asked) = app
        .post_as(
            "tracer",
            "/api/v1/status-changes",
            &request(A, "close_contact"),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{asked}");
    assert_eq!(asked["state"], "pending");
    assert!(
        !asked.to_string().contains(A),
        "the number is masked: {asked}"
    );
    let id = asked["id"].as_i64().unwrap();
    assert_eq!(lane(&app, A).await.0, "pass");

    // The tracer cannot decide; a commander cannot decide its own request.
    let approve = |id: i64| format!("/api/v1/status-changes/{id}/approve");
    let (s, _) = app.post_as("tracer", &approve(id), &json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, own) = app
        .post_as(
            "commander",
            "/api/v1/status-changes",
            &request(B, "secondary_contact"),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let own = own["id"].as_i64().unwrap();
    let (s, e) = app.post_as("commander", &approve(own), &json!({})).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(e["error"]["code"], "second_account_required");

    // A second account approves: every lane applies it at once.
    let (s, ok) = app
        .post_as("city", &approve(id), &json!({"note": "病例流调确认"}))
        .await;
    assert_eq!(s, StatusCode::OK, "{ok}");
    assert_eq!(
        (ok["state"].as_str(), ok["decided_by"].as_str()),
        (Some("approved"), Some("city"))
    );
    let (s, e) = app.post_as("elsewhere", &approve(id), &json!({})).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("already_decided"))
    );
    let (outcome, rule, facts) = lane(&app, A).await;
    assert_eq!(
        (outcome.as_str(), rule.as_str()),
        ("refer", "case_or_close_contact")
    );
    assert_eq!(
        facts[0],
        json!({"name": "status", "value": "close_contact"})
    );

    // A rejection needs a note and changes nothing.
    let reject = format!("/api/v1/status-changes/{own}/reject");
    let (s, e) = app.post_as("city", &reject, &json!({})).await;
    assert_eq!(
        (s, e["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("note"))
    );
    let (s, r) = app
        .post_as("city", &reject, &json!({"note": "证据不足"}))
        .await;
    assert_eq!((s, r["state"].as_str()), (StatusCode::OK, Some("rejected")));
    assert_eq!(lane(&app, B).await.0, "pass");

    // Cleared by an approved change to `none`.
    let (_, clear) = app
        .post_as("tracer", "/api/v1/status-changes", &request(A, "none"))
        .await;
    let (s, _) = app
        .post_as("city", &approve(clear["id"].as_i64().unwrap()), &json!({}))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(lane(&app, A).await.0, "pass");

    // Lists: newest first, by state, by person (the number in the body only).
    let all = changes(&app).await;
    assert_eq!(all.len(), 3);
    assert!(!serde_json::to_string(&all).unwrap().contains(A));
    let (_, pending) = app
        .get_as("tracer", "/api/v1/status-changes?state=pending")
        .await;
    assert_eq!(pending["changes"].as_array().unwrap().len(), 0);
    let (s, of_a) = app
        .post_as(
            "city",
            "/api/v1/status-changes/person",
            &json!({"document": {"type": "resident_id", "number": A}}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let statuses: Vec<&str> = of_a["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["none", "close_contact"]);

    // The trail names the person by keyed hash in the request, the approval and the reads.
    let subject = app.store.keyring().subject(&format!("resident_id:{A}"));
    let trail = app
        .store
        .query_audit(&cordon_store::audit::AuditQuery {
            subject: Some(subject),
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    let actions: Vec<(&str, &str, &str)> = trail
        .iter()
        .filter(|e| e.entry.action.contains("status-changes"))
        .map(|e| {
            (
                e.entry.actor.as_str(),
                e.entry.action.as_str(),
                e.entry.outcome.as_str(),
            )
        })
        .collect();
    assert!(
        actions.contains(&("tracer", "POST /api/v1/status-changes", "ok")),
        "{actions:?}"
    );
    assert!(
        actions.contains(&("city", "POST /api/v1/status-changes/{id}/approve", "ok")),
        "{actions:?}"
    );
    assert!(
        actions.contains(&("tracer", "GET /api/v1/status-changes", "ok")),
        "{actions:?}"
    );
    assert!(
        actions.contains(&("city", "POST /api/v1/status-changes/person", "ok")),
        "{actions:?}"
    );
    let approval = trail
        .iter()
        .find(|e| e.entry.action.ends_with("/approve") && e.entry.actor == "city")
        .unwrap();
    assert_eq!(approval.entry.purpose, "case: 冀石疾控-2022-0513-017");
    assert!(approval
        .entry
        .target
        .starts_with(&format!("status change {id}")));
}

on_both!(status_changes_need_a_second_account_and_reach_the_lanes);

/// The statuses' rows of the access matrix: each body is refused as invalid or unknown after
/// the access check, so the matrix creates no change.
pub fn rows() -> Vec<Row> {
    let person = || json!({"document": {"type": "resident_id", "number": "11010519491231002X"}});
    vec![
        row("GET /api/v1/status-changes", TRACERS, Value::Null),
        row(
            "POST /api/v1/status-changes",
            TRACERS,
            json!({"document": {"type": "resident_id", "number": "11010519491231002X"},
            "status": "infected", "reason": "r", "evidence": {"kind": "case", "reference": "C-1"}}),
        ),
        row("POST /api/v1/status-changes/person", TRACERS, person()),
        row(
            "POST /api/v1/status-changes/{id}/approve",
            COMMANDERS,
            json!({}),
        ),
        row(
            "POST /api/v1/status-changes/{id}/reject",
            COMMANDERS,
            json!({"note": "证据不足"}),
        ),
    ]
}
