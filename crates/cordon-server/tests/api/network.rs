//! The checkpoint network over the API: checkpoints opened and closed in bulk, all or nothing,
//! with their history.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::matrix::{row, Row, NETWORK_CITY, SIGNED_IN};
use super::TestApp;

pub async fn checkpoints_open_and_close_in_bulk(app: TestApp) {
    let (s, e) = app
        .post("/api/v1/checkpoints/status", &json!({"codes": ["CP-130100-0001", "CP-130100-0042"], "status": "closed", "reason": "政策调整"}))
        .await;
    assert_eq!(
        (s, e["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("codes[1]"))
    );
    let (_, cp) = app.get("/api/v1/checkpoints/CP-130100-0001").await;
    assert_eq!(cp["status"], "open");
    let (s, _) = app
        .post(
            "/api/v1/checkpoints/status",
            &json!({"codes": ["CP-130100-0001"], "status": "closed", "reason": ""}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, done) = app
        .post_as("city", "/api/v1/checkpoints/status", &json!({"codes": ["CP-130100-0001", "CP-130100-0002"], "status": "closed", "reason": "政策调整"}))
        .await;
    assert_eq!(
        (s, done["changed"].as_array().unwrap().len()),
        (StatusCode::OK, 2)
    );
    let (_, list) = app
        .get("/api/v1/checkpoints?status=closed&within=130100")
        .await;
    assert_eq!(list["checkpoints"].as_array().unwrap().len(), 2);
    let (_, history) = app.get("/api/v1/checkpoints/CP-130100-0001/history").await;
    let events = history["events"].as_array().unwrap();
    assert_eq!(
        (
            events.len(),
            events[1]["reason"].as_str(),
            events[1]["actor"].as_str()
        ),
        (2, Some("政策调整"), Some("city"))
    );
    let (s, e) = app.get("/api/v1/checkpoints?status=ajar").await;
    assert_eq!(
        (s, e["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("status"))
    );
    let r = app
        .client("commander")
        .patch(format!("{}/api/v1/checkpoints/CP-130100-0003", app.base))
        .json(&json!({"lanes": 8, "name": "新名"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let (_, cp) = app.get("/api/v1/checkpoints/CP-130100-0003").await;
    assert_eq!(
        (cp["lanes"].as_u64(), cp["name"].as_str()),
        (Some(8), Some("新名"))
    );
    let (s, _) = app.get("/api/v1/checkpoints/CP-999").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

on_both!(checkpoints_open_and_close_in_bulk);

/// The network's rows of the access matrix.
pub fn rows() -> Vec<Row> {
    vec![
        row("GET /api/v1/jurisdictions", SIGNED_IN, Value::Null),
        row(
            "POST /api/v1/jurisdictions",
            NETWORK_CITY,
            json!({"code": "130104", "name": "桥西区"}),
        ),
        row("GET /api/v1/jurisdictions/{code}", SIGNED_IN, Value::Null),
        row(
            "PATCH /api/v1/jurisdictions/{code}",
            NETWORK_CITY,
            json!({"name": "长安区"}),
        ),
        row("GET /api/v1/checkpoints", SIGNED_IN, Value::Null),
        row(
            "POST /api/v1/checkpoints",
            NETWORK_CITY,
            json!({"code": "CP-130100-0099", "name": "测试站", "jurisdiction": "130102",
            "kind": "toll_station", "defence_line": "capital_ring", "location": {"lat": 38.0, "lon": 114.5}, "lanes": 2}),
        ),
        row(
            "POST /api/v1/checkpoints/status",
            NETWORK_CITY,
            json!({"codes": ["CP-130100-0003"], "status": "open", "reason": "检查"}),
        ),
        row("GET /api/v1/checkpoints/{code}", SIGNED_IN, Value::Null),
        row(
            "PATCH /api/v1/checkpoints/{code}",
            NETWORK_CITY,
            json!({"cameras": 2}),
        ),
        row(
            "GET /api/v1/checkpoints/{code}/history",
            SIGNED_IN,
            Value::Null,
        ),
    ]
}
