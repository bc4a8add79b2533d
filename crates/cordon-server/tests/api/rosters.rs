//! Duty rosters over HTTP: a city commander names a station's lead; the lead plans a shift with
//! a volunteer (masked in every answer, revealed for a purpose and audited); overlaps and bad
//! input are refused beside their field (in Chinese for a Chinese client) and write nothing;
//! the duty board flags the stations with nobody on duty; an upcoming shift is dropped.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::matrix::{row, Row, COMMANDERS};
use super::TestApp;

/// Commanders and officers: who reads and keeps rosters (the store narrows it by checkpoint).
const ON_DUTY: &[&str] = &["commander", "city", "elsewhere", "officer", "officer2"];

fn at(hours: i64) -> String {
    let t = chrono::Utc::now() + chrono::Duration::hours(hours);
    t.with_timezone(&cordon_domain::time::china()).to_rfc3339()
}

fn shift(start_h: i64, end_h: i64, lead: &str) -> Value {
    json!({"starts_at": at(start_h), "ends_at": at(end_h), "lead": lead,
        "volunteers": [{"name": "王五", "phone": "139 1234 5678"}]})
}

fn code(b: &Value) -> (&str, &str) {
    (
        b["error"]["code"].as_str().unwrap_or(""),
        b["error"]["field"].as_str().unwrap_or(""),
    )
}

async fn a_lead_plans_the_roster_and_the_board_flags_the_gaps(app: TestApp) {
    let shifts = "/api/v1/checkpoints/CP-130100-0001/shifts";
    // Before being named lead, an officer may not plan.
    let (s, _) = app
        .post_as("officer", shifts, &shift(1, 9, "officer"))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let leads = "/api/v1/checkpoints/CP-130100-0001/leads";
    let (s, b) = app
        .request_as(
            "officer",
            Method::PUT,
            leads,
            Some(&json!({"leads": ["officer"]})),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    let (s, b) = app
        .request_as(
            "city",
            Method::PUT,
            leads,
            Some(&json!({"leads": ["officer2"]})),
        )
        .await;
    assert_eq!(
        (s, code(&b)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            ("not_an_officer", "leads[0]")
        )
    );
    let (s, b) = app
        .request_as(
            "city",
            Method::PUT,
            leads,
            Some(&json!({"leads": ["officer"]})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(
        b["officers"],
        json!([{"username": "officer", "lead": true}])
    );

    // Bad input, every mistake at once, in Chinese; nothing planned.
    let mut bad = shift(9, 1, "officer");
    bad["volunteers"][0]["phone"] = json!("12345");
    let (s, b) = app.post_zh("officer", shifts, &bad).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    let fields: Vec<&str> = b["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["ends_at", "volunteers[0].phone"]);
    assert_eq!(b["problems"][0]["message"], "结束时间须晚于开始时间");

    // Planned by the lead: the volunteer masked in the answer.
    let (s, planned) = app
        .post_as("officer", shifts, &shift(1, 9, "officer"))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{planned}");
    assert_eq!(planned["state"], "upcoming");
    assert_eq!(
        planned["volunteers"],
        json!([{"name": "王*", "phone": "139****5678"}])
    );
    assert!(!planned.to_string().contains("13912345678"));
    let id = planned["id"].as_i64().unwrap();

    // One shift at a time: refused in Chinese beside the start.
    let (s, b) = app.post_zh("city", shifts, &shift(5, 12, "officer")).await;
    assert_eq!(
        (s, code(&b)),
        (StatusCode::CONFLICT, ("shift_overlap", "starts_at"))
    );
    assert_eq!(
        b["error"]["message"],
        "本卡口这个时段已有班次：一个卡口同一时间只有一个班次"
    );
    let (s, b) = app
        .post_as(
            "city",
            "/api/v1/checkpoints/CP-130100-0002/shifts",
            &shift(5, 12, "officer"),
        )
        .await;
    assert_eq!(
        (s, code(&b)),
        (StatusCode::CONFLICT, ("officer_on_duty", "lead"))
    );
    let (s, _) = app
        .post_as("elsewhere", shifts, &shift(10, 12, "officer"))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, b) = app
        .post_as(
            "officer",
            &format!("/api/v1/shifts/{id}/handover"),
            &json!({"text": "道闸正常"}),
        )
        .await;
    assert_eq!(
        (s, code(&b)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            ("shift_not_started", "text")
        )
    );

    // The board: nobody is on duty yet anywhere in the city; the next shift is shown.
    let (s, board) = app.get_as("city", "/api/v1/duty").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(board["uncovered"], 3, "{board}");
    let cp1 = board["checkpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["checkpoint"] == "CP-130100-0001")
        .unwrap();
    assert!(cp1["next_starts_at"].is_string(), "{cp1}");
    let (_, mine) = app.get_as("officer2", "/api/v1/duty").await;
    assert_eq!(mine["checkpoints"].as_array().unwrap().len(), 1);

    // The roster as the lead sees it; the officer of another checkpoint does not.
    let (s, roster) = app
        .get_as("officer", "/api/v1/checkpoints/CP-130100-0001/roster")
        .await;
    assert_eq!(s, StatusCode::OK, "{roster}");
    assert_eq!(roster["may_plan"], true);
    assert_eq!(roster["shifts"].as_array().unwrap().len(), 1);
    let (s, _) = app
        .get_as("officer2", "/api/v1/checkpoints/CP-130100-0001/roster")
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // The volunteers in the clear, for a purpose, audited.
    let reveal = format!("/api/v1/shifts/{id}/volunteers");
    let (s, b) = app
        .post_as("officer", &reveal, &json!({"purpose": ""}))
        .await;
    assert_eq!(
        (s, code(&b).1),
        (StatusCode::UNPROCESSABLE_ENTITY, "purpose")
    );
    let (s, b) = app
        .post_as("officer", &reveal, &json!({"purpose": "联系补班"}))
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(
        b["volunteers"],
        json!([{"name": "王五", "phone": "13912345678"}])
    );
    let (_, log) = app
        .get_as("auditor", "/api/v1/audit?action=reveal&actor=officer")
        .await;
    let entries = log["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{log}");
    assert_eq!(entries[0]["purpose"], "联系补班");
    assert_eq!(entries[0]["persons"], 1);
    assert!(!log.to_string().contains("13912345678"));

    // Replanned by the city (a volunteer fewer), then dropped before it starts.
    let mut changed = shift(2, 9, "officer");
    changed["volunteers"] = json!([]);
    let (s, b) = app
        .request_as(
            "city",
            Method::PUT,
            &format!("/api/v1/shifts/{id}"),
            Some(&changed),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["volunteers"], json!([]));
    let (s, _) = app
        .request_as(
            "officer",
            Method::DELETE,
            &format!("/api/v1/shifts/{id}"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, roster) = app
        .get_as("city", "/api/v1/checkpoints/CP-130100-0001/roster")
        .await;
    assert_eq!(roster["shifts"], json!([]));

    // A registration belongs to the shift on duty when it was made.
    let (s, b) = app
        .post_as("officer", shifts, &shift(-1, 7, "officer"))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let mut p = crate::example();
    p["id"] = json!(uuid::Uuid::now_v7());
    p["observed_at"] = json!(at(0));
    let (s, made) = app.post_as("officer", "/api/v1/passages", &p).await;
    assert_eq!(s, StatusCode::CREATED, "{made}");
    let (_, read) = app
        .get_as(
            "city",
            &format!("/api/v1/passages/{}", made["id"].as_str().unwrap()),
        )
        .await;
    assert_eq!(read["shift"]["id"], b["id"], "{read}");
    assert_eq!(read["shift"]["lead"], "officer");
}

on_both!(a_lead_plans_the_roster_and_the_board_flags_the_gaps);

pub fn rows() -> Vec<Row> {
    let bad = || json!({"starts_at": "2026-01-01T08:00:00+08:00", "ends_at": "2026-01-01T07:00:00+08:00", "lead": ""});
    vec![
        row("GET /api/v1/duty", ON_DUTY, Value::Null),
        row(
            "GET /api/v1/checkpoints/{code}/roster",
            &["commander", "city", "officer"],
            Value::Null,
        ),
        row("POST /api/v1/checkpoints/{code}/shifts", ON_DUTY, bad()),
        row(
            "PUT /api/v1/checkpoints/{code}/leads",
            COMMANDERS,
            json!({"leads": ["No Such"]}),
        ),
        row("PUT /api/v1/shifts/{id}", ON_DUTY, bad()),
        row("DELETE /api/v1/shifts/{id}", ON_DUTY, Value::Null),
        row(
            "POST /api/v1/shifts/{id}/handover",
            ON_DUTY,
            json!({"text": "x"}),
        ),
        row(
            "POST /api/v1/shifts/{id}/volunteers",
            ON_DUTY,
            json!({"purpose": "核对"}),
        ),
    ]
}
