//! Escorts over HTTP: a city commander assigns one from a checkpoint and a holding lot of the
//! city (a plate that does not parse, no officers, another city's checkpoint and a lot the city
//! does not have refused beside their fields in Chinese); the officer of that checkpoint sees it
//! and sets off; a hand-over without who received it is refused, with it recorded; the officer
//! may not cancel; done; a step after the end is refused (409); the officer of another
//! checkpoint sees none of it.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::matrix::{row, Row, COMMANDERS};
use super::TestApp;

const ESCORTERS: &[&str] = &["commander", "city", "elsewhere", "officer", "officer2"];

fn code(b: &Value) -> (&str, &str) {
    (
        b["error"]["code"].as_str().unwrap_or(""),
        b["error"]["field"].as_str().unwrap_or(""),
    )
}

fn request() -> Value {
    let at = chrono::Utc::now().with_timezone(&cordon_domain::time::china())
        + chrono::Duration::hours(2);
    json!({"kind": "returning_workers", "checkpoint": "CP-130100-0001",
        "destination": "石家庄市集中隔离点", "route": "京港澳高速 → 二环 → 隔离点",
        "vehicles": ["冀A12345", "冀A12346"], "officers": ["王警官", "李警官"], "persons": 419,
        "planned_arrival": at.to_rfc3339()})
}

async fn an_escort_is_assigned_led_and_handed_over(app: TestApp) {
    let mut bad = request();
    bad["vehicles"] = json!(["冀"]);
    bad["officers"] = json!([]);
    let (s, b) = app.post_zh("city", "/api/v1/escorts", &bad).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    let fields: Vec<&str> = b["problems"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["field"].as_str())
        .collect();
    assert_eq!(fields, ["vehicles[0]", "officers"], "{b}");
    assert!(b["problems"][1]["message"]
        .as_str()
        .is_some_and(|m| m.contains("警力")));
    let (s, b) = app
        .post_zh("elsewhere", "/api/v1/escorts", &request())
        .await;
    assert_eq!(
        (s, code(&b)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            ("checkpoint_out_of_scope", "checkpoint")
        ),
        "{b}"
    );

    // It leads a lot's trucks out: a lot of the city, not one the city does not have.
    let lot = json!({"name": "长安货车滞留场", "division": "130102", "address": "京港澳高速石家庄出口东 500 米",
        "zones": [{"kind": "parking", "name": "停车区", "capacity": 12}], "checkpoints": ["CP-130100-0001"]});
    let (s, lot) = app.post_as("city", "/api/v1/lots", &lot).await;
    assert_eq!(s, StatusCode::CREATED, "{lot}");
    let mut from_lot = request();
    from_lot["lot"] = json!(999_999);
    let (s, b) = app.post_zh("city", "/api/v1/escorts", &from_lot).await;
    assert_eq!(
        (s, code(&b), b["error"]["message"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            ("unknown_lot", "lot"),
            Some("本辖区没有这个滞留场")
        ),
        "{b}"
    );
    from_lot["lot"] = lot["id"].clone();
    let (s, e) = app.post_as("city", "/api/v1/escorts", &from_lot).await;
    assert_eq!(s, StatusCode::CREATED, "{e}");
    assert_eq!(e["state"], "assigned");
    assert_eq!(
        (&e["lot"], &e["lot_name"]),
        (&lot["id"], &json!("长安货车滞留场"))
    );
    assert_eq!(e["persons"], 419);
    let steps = format!("/api/v1/escorts/{}/steps", e["id"]);
    let (_, mine) = app.get_as("officer", "/api/v1/escorts").await;
    assert_eq!(mine["escorts"].as_array().unwrap().len(), 1, "{mine}");
    let (_, theirs) = app.get_as("officer2", "/api/v1/escorts").await;
    assert!(theirs["escorts"].as_array().unwrap().is_empty(), "{theirs}");
    let (s, _) = app
        .post_as("officer2", &steps, &json!({"step": "start"}))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    let (s, b) = app
        .post_as(
            "officer",
            &steps,
            &json!({"step": "hand_over", "received_by": "隔离点 张医生"}),
        )
        .await;
    assert_eq!(
        (s, code(&b).0),
        (StatusCode::CONFLICT, "escort_out_of_order")
    );
    let (s, r) = app
        .post_as("officer", &steps, &json!({"step": "start"}))
        .await;
    assert_eq!(
        (s, r["state"].as_str()),
        (StatusCode::OK, Some("under_way"))
    );
    let (s, b) = app
        .post_as(
            "officer",
            &steps,
            &json!({"step": "cancel", "note": "改期"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    let (s, b) = app
        .post_zh("officer", &steps, &json!({"step": "hand_over"}))
        .await;
    assert_eq!(
        (s, code(&b)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            ("required", "received_by")
        )
    );
    let (s, r) = app
        .post_as(
            "officer",
            &steps,
            &json!({"step": "hand_over", "received_by": "隔离点 张医生"}),
        )
        .await;
    assert_eq!(
        (s, r["state"].as_str()),
        (StatusCode::OK, Some("handed_over")),
        "{r}"
    );
    assert_eq!(r["steps"][1]["said"], "隔离点 张医生");
    let (s, r) = app
        .post_as("officer", &steps, &json!({"step": "finish"}))
        .await;
    assert_eq!((s, r["state"].as_str()), (StatusCode::OK, Some("done")));
    let (s, b) = app
        .post_zh("city", &steps, &json!({"step": "cancel", "note": "x"}))
        .await;
    assert_eq!((s, code(&b).0), (StatusCode::CONFLICT, "escort_closed"));
    assert!(b["error"]["message"]
        .as_str()
        .is_some_and(|m| m.contains("已结束")));
}

on_both!(an_escort_is_assigned_led_and_handed_over);

pub fn rows() -> Vec<Row> {
    vec![
        row("GET /api/v1/escorts", ESCORTERS, Value::Null),
        row(
            "POST /api/v1/escorts",
            COMMANDERS,
            json!({"kind": "medical_team", "checkpoint": "CP-1", "destination": "", "route": "",
                "vehicles": [], "officers": [], "planned_arrival": "2022-04-20T08:00:00+08:00"}),
        ),
        row("GET /api/v1/escorts/{id}", ESCORTERS, Value::Null),
        row(
            "POST /api/v1/escorts/{id}/steps",
            ESCORTERS,
            json!({"step": "start"}),
        ),
    ]
}
