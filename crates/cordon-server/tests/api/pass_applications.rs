//! Carriers' applications for freight passes over HTTP: a carrier with no account applies (bad
//! fields refused under their paths, in Chinese) and is answered a reference; another city's
//! command neither sees nor decides it; the city's commander approves it (the pass issued as the
//! city's, the drivers masked), and again is refused (409); the carrier's reference then shows
//! the pass with its code; a second application, coming into the city from another province,
//! is refused only with a reason, which its carrier sees.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::matrix::{row, Row, ANYONE, COMMANDERS};
use super::TestApp;

fn application() -> Value {
    let now = chrono::Utc::now().with_timezone(&cordon_domain::time::china());
    json!({"carrier": "武汉顺达物流有限公司", "contact": {"name": "刘经理", "phone": "13800138000"},
        "pass": {"plate": "鄂A12345", "origin": "130102", "destination": "420102", "goods": "medical",
            "drivers": [{"name": "张师傅", "phone": "13900139000"}],
            "valid_from": now.to_rfc3339(), "valid_until": (now + chrono::Duration::hours(48)).to_rfc3339()}})
}

fn code(b: &Value) -> Option<&str> {
    b["error"]["code"].as_str()
}

async fn a_carrier_applies_and_the_command_decides(app: TestApp) {
    let mut bad = application();
    bad["carrier"] = json!(" ");
    bad["contact"]["phone"] = json!("123");
    bad["pass"]["plate"] = json!("鄂");
    let (s, b) = app
        .post_zh("-", "/api/v1/freight-pass-applications", &bad)
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    let fields: Vec<&str> = b["problems"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["field"].as_str())
        .collect();
    assert_eq!(fields, ["carrier", "contact.phone", "pass.plate"], "{b}");
    assert_eq!(b["problems"][0]["message"], "请填写承运单位");

    let (s, a) = app
        .post_as("-", "/api/v1/freight-pass-applications", &application())
        .await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    let reference = a["reference"].as_str().unwrap().to_owned();
    assert_eq!(reference.len(), 32);
    assert_eq!(
        (&a["state"], &a["contact"]["phone"]),
        (&json!("pending"), &json!("138****8000"))
    );
    let follow = format!("/api/v1/freight-pass-applications/{reference}");
    let (s, f) = app.get_as("-", &follow).await;
    assert_eq!((s, &f["state"]), (StatusCode::OK, &json!("pending")));
    assert!(f["pass"].is_null() && f["reference"].is_null(), "{f}");

    // Another city's command neither sees nor decides it.
    let (_, theirs) = app
        .get_as("elsewhere", "/api/v1/freight-pass-applications")
        .await;
    assert!(
        theirs["applications"].as_array().unwrap().is_empty(),
        "{theirs}"
    );
    let approve = format!("/api/v1/freight-pass-applications/{}/approve", a["id"]);
    let (s, _) = app.post_as("elsewhere", &approve, &Value::Null).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // The city's commander approves it: the pass is the city's.
    let (_, mine) = app
        .get_as("city", "/api/v1/freight-pass-applications")
        .await;
    assert_eq!(mine["applications"][0]["id"], a["id"], "{mine}");
    let (s, pass) = app.post_as("city", &approve, &Value::Null).await;
    assert_eq!(s, StatusCode::CREATED, "{pass}");
    let number = pass["number"].as_str().unwrap().to_owned();
    assert!(number.starts_with("130100"), "{number}");
    assert_eq!(pass["drivers"][0]["phone"], "139****9000");
    let (s, e) = app.post_zh("city", &approve, &Value::Null).await;
    assert_eq!(
        (s, code(&e), e["error"]["message"].as_str()),
        (
            StatusCode::CONFLICT,
            Some("application_decided"),
            Some("这份申请已审批过")
        )
    );
    let (_, f) = app.get_as("-", &follow).await;
    assert_eq!(
        (&f["state"], &f["pass_number"], &f["pass"]["number"]),
        (&json!("approved"), &json!(number), &json!(number)),
        "{f}"
    );
    assert!(f["pass"]["code"].as_str().unwrap().starts_with("FP1."));
    assert!(f["pass"]["qr_svg"].as_str().unwrap().contains("<svg"));

    // A second one, for supplies coming into the city from Wuhan: the city's command (the
    // destination's) refuses it, only with the reason.
    let mut inbound = application();
    inbound["pass"]["origin"] = json!("420102");
    inbound["pass"]["destination"] = json!("130102");
    let (_, b2) = app
        .post_as("-", "/api/v1/freight-pass-applications", &inbound)
        .await;
    let refuse = format!("/api/v1/freight-pass-applications/{}/refuse", b2["id"]);
    let (s, e) = app.post_zh("city", &refuse, &json!({"reason": " "})).await;
    assert_eq!(
        (s, e["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("reason"))
    );
    let (s, r) = app
        .post_as("city", &refuse, &json!({"reason": "该车辆已有有效通行证"}))
        .await;
    assert_eq!((s, &r["state"]), (StatusCode::OK, &json!("refused")), "{r}");
    let (_, f2) = app
        .get_as(
            "-",
            &format!(
                "/api/v1/freight-pass-applications/{}",
                b2["reference"].as_str().unwrap()
            ),
        )
        .await;
    assert_eq!(
        (&f2["state"], &f2["reason"]),
        (&json!("refused"), &json!("该车辆已有有效通行证"))
    );
    let (s, _) = app
        .get_as("-", "/api/v1/freight-pass-applications/zz")
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

on_both!(a_carrier_applies_and_the_command_decides);

pub fn rows() -> Vec<Row> {
    vec![
        row(
            "POST /api/v1/freight-pass-applications",
            ANYONE,
            json!({"carrier": "", "contact": {"name": "", "phone": ""}, "pass": {"plate": "鄂", "origin": "1",
                "destination": "1", "goods": "medical", "drivers": [],
                "valid_from": "2022-04-20T08:00:00+08:00", "valid_until": "2022-04-20T07:00:00+08:00"}}),
        ),
        row(
            "GET /api/v1/freight-pass-applications/{reference}",
            ANYONE,
            Value::Null,
        ),
        row(
            "GET /api/v1/freight-pass-applications",
            COMMANDERS,
            Value::Null,
        ),
        row(
            "POST /api/v1/freight-pass-applications/{id}/approve",
            COMMANDERS,
            Value::Null,
        ),
        row(
            "POST /api/v1/freight-pass-applications/{id}/refuse",
            COMMANDERS,
            json!({"reason": "x"}),
        ),
    ]
}
