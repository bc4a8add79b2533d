//! Edge stations over the API: a commander issues a credential for a checkpoint; the station
//! pushes numbered batches; a batch sent again is recognised; a gap, a series that goes
//! backwards, a malformed record (with its position, nothing written) and a record for another
//! checkpoint (403) are refused; a checkpoint closed at the hub meanwhile still takes what the
//! station recorded; a revoked credential is refused.

use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use super::matrix::{row, Row, COMMANDERS, NETWORK_CITY, SIGNED_IN};
use super::TestApp;

fn record(seq: i64, checkpoint: &str) -> Value {
    let mut p = super::example();
    p["id"] = json!(Uuid::now_v7());
    p["checkpoint"] = json!(checkpoint);
    json!({"seq": seq, "passage": p, "recorded_at": (super::at(-2, 8, 15) + chrono::Duration::seconds(2)).to_rfc3339(),
        "decision": {"outcome": "test_on_site", "policy_version": "7",
            "reasons": [{"code": "no_test", "occupant": 0, "outcome": "test_on_site", "message": "站点决定 / decided at the station"}],
            "actions": ["pcr_sample"]}})
}

async fn push(app: &TestApp, token: &str, records: &[Value]) -> (StatusCode, Value) {
    let r = app
        .http
        .post(format!("{}/api/v1/sync/passages", app.base))
        .bearer_auth(token)
        .json(&json!({"records": records}))
        .send()
        .await
        .unwrap();
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

pub async fn stations_push_their_series_exactly_once(app: TestApp) {
    let (s, issued) = app
        .post_as(
            "city",
            "/api/v1/stations",
            &json!({"checkpoint": "CP-130100-0001"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{issued}");
    let token = issued["token"].as_str().unwrap().to_owned();
    let account = issued["account"].as_str().unwrap().to_owned();
    assert_eq!(account, "st-cp-130100-0001-1");
    let (s, _) = app
        .post_as(
            "city",
            "/api/v1/stations",
            &json!({"checkpoint": "CP-130100-0404"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);

    let before = app.count().await;
    let batch: Vec<Value> = (1..=5).map(|i| record(i, "CP-130100-0001")).collect();
    let (s, a) = push(&app, &token, &batch).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    assert_eq!(a, json!({"high_water": 5, "created": 5, "replayed": 0}));
    assert_eq!(app.count().await, before + 5);
    // The station's decision is kept, not taken again.
    let id = batch[0]["passage"]["id"].as_str().unwrap();
    let (_, p) = app
        .get_as("commander", &format!("/api/v1/passages/{id}"))
        .await;
    assert_eq!(p["decision"]["outcome"], "test_on_site");
    assert_eq!(p["decision"]["policy_version"], "7");

    // Sent again, and overlapping: recognised, nothing twice.
    let mut more = batch[3..].to_vec();
    more.extend((6..=8).map(|i| record(i, "CP-130100-0001")));
    let (s, a) = push(&app, &token, &more).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    assert_eq!(a, json!({"high_water": 8, "created": 3, "replayed": 2}));
    assert_eq!(app.count().await, before + 8);
    let (_, a) = push(&app, &token, &[]).await;
    assert_eq!(a["high_water"], 8);

    // A gap; a series that goes backwards; numbers out of order.
    let (s, e) = push(&app, &token, &[record(10, "CP-130100-0001")]).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(e["error"]["code"], "series_gap");
    assert!(e["error"]["message"]
        .as_str()
        .unwrap()
        .contains("send from 9"));
    let (s, e) = push(&app, &token, &[record(7, "CP-130100-0001")]).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(e["error"]["code"], "series_backwards");
    let (s, e) = push(
        &app,
        &token,
        &[record(9, "CP-130100-0001"), record(11, "CP-130100-0001")],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["error"]["field"], "records[1].seq");

    // A malformed record: its position, nothing of the batch written.
    let mut bad = vec![record(9, "CP-130100-0001"), record(10, "CP-130100-0001")];
    bad[1]["passage"]["occupants"][0]["document"]["number"] = json!("110105194912310021");
    let (s, e) = push(&app, &token, &bad).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(
        e["error"]["field"],
        "records[1].passage.occupants[0].document.number"
    );
    // Another checkpoint's record: 403, nothing written.
    let (s, _) = push(
        &app,
        &token,
        &[record(9, "CP-130100-0001"), record(10, "CP-130100-0002")],
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(app.count().await, before + 8);

    // Closed at the hub meanwhile: what the station recorded is still taken.
    let (s, b) = app
        .post(
            "/api/v1/checkpoints/status",
            &json!({"codes": ["CP-130100-0001"], "status": "closed", "reason": "测试"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, a) = push(&app, &token, &[record(9, "CP-130100-0001")]).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    assert_eq!(a["high_water"], 9);

    // The commander sees the station and its series; revoking ends the credential.
    let (s, list) = app.get_as("city", "/api/v1/stations").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(list["stations"][0]["account"], account);
    assert_eq!(list["stations"][0]["high_water"], 9);
    let (_, list) = app.get_as("elsewhere", "/api/v1/stations").await;
    assert!(list["stations"].as_array().unwrap().is_empty());
    let (s, _) = app
        .post_as(
            "elsewhere",
            &format!("/api/v1/stations/{account}/revoke"),
            &json!({}),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::NOT_FOUND,
        "another city's station is not theirs to see"
    );
    let (s, _) = app
        .post_as(
            "city",
            &format!("/api/v1/stations/{account}/revoke"),
            &json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = push(&app, &token, &[record(10, "CP-130100-0001")]).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

pub async fn corrections_supersede_and_never_edit(app: TestApp) {
    let mut first = super::example();
    first["id"] = json!(Uuid::now_v7());
    let (s, a) = app.post("/api/v1/passages", &first).await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    let window = json!({"from": super::at(-4, 0, 0), "to": super::at(1, 0, 0)});
    let ids = |trail: &Value| -> Vec<Value> {
        trail["points"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["passage"].clone())
            .collect()
    };
    let mut vehicle = window.clone();
    vehicle["plate"] = json!("冀A12345");
    // Traced before it is corrected: the trace index holds it.
    let (s, trail) = app.post("/api/v1/trajectories/vehicle", &vehicle).await;
    assert_eq!(s, StatusCode::OK, "{trail}");
    assert_eq!(ids(&trail), vec![first["id"].clone()]);
    // The officer typed the plate wrong: a new record corrects it.
    let mut fixed = first.clone();
    fixed["id"] = json!(Uuid::now_v7());
    fixed["vehicle"]["plate"] = json!("冀A12346");
    fixed["supersedes"] = first["id"].clone();
    let (s, b) = app.post("/api/v1/passages", &fixed).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(b["supersedes"], first["id"]);
    // Sent again: the same answer, noted once.
    let (s, again) = app.post("/api/v1/passages", &fixed).await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(again["supersedes"], first["id"]);
    let (_, old) = app
        .get_as(
            "commander",
            &format!("/api/v1/passages/{}", first["id"].as_str().unwrap()),
        )
        .await;
    assert_eq!(old["superseded_by"], fixed["id"], "{old}");
    assert_eq!(
        old["vehicle"]["plate"], "冀A12345",
        "the earlier record is never edited"
    );
    let (_, new) = app
        .get_as(
            "commander",
            &format!("/api/v1/passages/{}", fixed["id"].as_str().unwrap()),
        )
        .await;
    assert_eq!(new["supersedes"], first["id"]);

    // A correction must name an earlier passage at its own checkpoint, and not itself.
    let before = app.count().await;
    for (target, code) in [
        (json!(Uuid::now_v7()), "unknown_superseded"),
        (json!("self"), "invalid_correction"),
    ] {
        let mut bad = first.clone();
        let id = Uuid::now_v7();
        bad["id"] = json!(id);
        bad["supersedes"] = if target == json!("self") {
            json!(id)
        } else {
            target
        };
        let (s, e) = app.post("/api/v1/passages", &bad).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(e["error"]["code"], code);
        assert_eq!(e["error"]["field"], "supersedes");
    }
    let mut elsewhere = first.clone();
    elsewhere["id"] = json!(Uuid::now_v7());
    elsewhere["checkpoint"] = json!("CP-130100-0002");
    elsewhere["supersedes"] = first["id"].clone();
    let (s, e) = app.post("/api/v1/passages", &elsewhere).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    // In one batch, a correction of a passage earlier in the batch.
    let mut a = first.clone();
    a["id"] = json!(Uuid::now_v7());
    let mut b = a.clone();
    b["id"] = json!(Uuid::now_v7());
    b["supersedes"] = a["id"].clone();
    let (s, r) = app
        .post("/api/v1/passages/batch", &json!({"passages": [a, b]}))
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(app.count().await, before + 2);
    let (_, old) = app
        .get_as(
            "commander",
            &format!("/api/v1/passages/{}", a["id"].as_str().unwrap()),
        )
        .await;
    assert_eq!(old["superseded_by"], b["id"]);

    // Trajectories leave the superseded passages out: the wrong plate made one passage, the
    // one that holds; the person's are the two corrections.
    let (s, trail) = app.post("/api/v1/trajectories/vehicle", &vehicle).await;
    assert_eq!(s, StatusCode::OK, "{trail}");
    assert_eq!(ids(&trail), vec![b["id"].clone()]);
    vehicle["plate"] = json!("冀A12346");
    let (_, trail) = app.post("/api/v1/trajectories/vehicle", &vehicle).await;
    assert_eq!(ids(&trail), vec![fixed["id"].clone()]);
    let mut person = window.clone();
    person["document"] = first["occupants"][0]["document"].clone();
    let (_, trail) = app.post("/api/v1/trajectories/person", &person).await;
    let mut got = ids(&trail);
    got.sort_by_key(|v| v.to_string());
    let mut want = vec![fixed["id"].clone(), b["id"].clone()];
    want.sort_by_key(|v| v.to_string());
    assert_eq!(got, want);
}

on_both!(
    stations_push_their_series_exactly_once,
    corrections_supersede_and_never_edit,
);

/// The stations' rows of the access matrix.
pub fn rows() -> Vec<Row> {
    vec![
        row("GET /api/v1/link", SIGNED_IN, Value::Null),
        row("GET /api/v1/stations", COMMANDERS, Value::Null),
        // Issued for a checkpoint of 130100: refused to the other city's commander.
        row(
            "POST /api/v1/stations",
            NETWORK_CITY,
            json!({"checkpoint": "CP-130100-0001"}),
        ),
        row(
            "POST /api/v1/stations/{account}/revoke",
            COMMANDERS,
            Value::Null,
        ),
        row(
            "POST /api/v1/sync/passages",
            &["station"],
            json!({"records": []}),
        ),
        row("GET /api/v1/sync/state", &["station"], Value::Null),
    ]
}
