//! Video patrols over HTTP: a city commander adds the channels of its checkpoints (a bad stream
//! address refused in Chinese beside its field), makes a plan, patrols it, records a problem
//! (a note required) and sends it to the checkpoint as a directive and to the inbox as a report,
//! each once; the week's rounds and
//! findings counted; another city sees none of it.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::matrix::{row, Row, COMMANDERS};
use super::TestApp;

fn code(b: &Value) -> (&str, &str) {
    (
        b["error"]["code"].as_str().unwrap_or(""),
        b["error"]["field"].as_str().unwrap_or(""),
    )
}

async fn a_patrol_finds_a_problem_and_sends_a_directive(app: TestApp) {
    let channel = |cp: &str, stream: &str| json!({"checkpoint": cp, "name": "1号道口 北向", "stream": stream, "kind": "dome"});
    let (s, b) = app
        .post_zh(
            "city",
            "/api/v1/video-channels",
            &channel("CP-130100-0001", "ftp://x"),
        )
        .await;
    assert_eq!(
        (s, code(&b)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            ("invalid_stream", "stream")
        )
    );
    assert!(
        b["problems"][0]["message"]
            .as_str()
            .unwrap()
            .contains("rtsp://"),
        "{b}"
    );
    let (s, _) = app
        .post_as(
            "elsewhere",
            "/api/v1/video-channels",
            &channel("CP-130100-0001", "rtsp://10.1.2.3/1"),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let mut ids = Vec::new();
    for cp in ["CP-130100-0001", "CP-130100-0002"] {
        let (s, c) = app
            .post_as(
                "city",
                "/api/v1/video-channels",
                &channel(cp, "rtsp://10.1.2.3:554/1"),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{c}");
        ids.push(c["id"].as_i64().unwrap());
    }
    let (s, plan) = app
        .post_as(
            "city",
            "/api/v1/patrol-plans",
            &json!({"name": "夜间巡查", "channels": ids}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{plan}");
    let (s, round) = app
        .post_as(
            "city",
            &format!("/api/v1/patrol-plans/{}/rounds", plan["id"]),
            &json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{round}");
    let rid = round["id"].as_i64().unwrap();
    let observe = format!("/api/v1/patrol-rounds/{rid}/observations");
    let (s, b) = app
        .post_zh(
            "city",
            &observe,
            &json!({"channel": ids[0], "sight": "problem"}),
        )
        .await;
    assert_eq!(
        (s, code(&b)),
        (StatusCode::UNPROCESSABLE_ENTITY, ("required", "remark"))
    );
    assert_eq!(b["error"]["message"], "请说明发现的问题");
    let (s, r) = app
        .post_as(
            "city",
            &observe,
            &json!({"channel": ids[0], "sight": "problem", "remark": "排队超过1公里，请增开车道"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(
        (r["seen"].as_i64(), r["findings"].as_i64()),
        (Some(1), Some(1))
    );
    let (s, _) = app
        .post_as("city", &observe, &json!({"channel": ids[1], "sight": "ok"}))
        .await;
    assert_eq!(s, StatusCode::OK);

    // The finding as a directive to its checkpoint, once.
    let turn = format!("/api/v1/patrol-rounds/{rid}/findings/{}/directive", ids[0]);
    let (s, d) = app.post_as("city", &turn, &json!({})).await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    assert_eq!(d["counts"]["recipients"], 1);
    assert_eq!(d["text"], "排队超过1公里，请增开车道");
    let (s, b) = app.post_as("city", &turn, &json!({})).await;
    assert_eq!((s, code(&b).0), (StatusCode::CONFLICT, "already_turned"));
    let (s, b) = app
        .post_as(
            "city",
            &format!("/api/v1/patrol-rounds/{rid}/findings/{}/directive", ids[1]),
            &json!({}),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::NOT_FOUND,
        "a channel in order is no finding: {b}"
    );
    let (_, lane) = app
        .get_as("officer", "/api/v1/checkpoints/CP-130100-0001/directives")
        .await;
    assert!(lane.to_string().contains("排队超过1公里"), "{lane}");
    // And as a report in the command's inbox, once.
    let file = format!("/api/v1/patrol-rounds/{rid}/findings/{}/report", ids[0]);
    let (s, filed) = app.post_as("city", &file, &json!({})).await;
    assert_eq!(s, StatusCode::CREATED, "{filed}");
    let (s, b) = app.post_as("city", &file, &json!({})).await;
    assert_eq!((s, code(&b).0), (StatusCode::CONFLICT, "already_turned"));
    let (_, inbox) = app.get_as("commander", "/api/v1/reports").await;
    let report = &inbox["reports"][0];
    assert_eq!(report["id"], filed["report"]);
    assert_eq!(
        (report["category"].as_str(), report["reported_by"].as_str()),
        (Some("incident"), Some("city"))
    );

    let (s, done) = app
        .post_as(
            "city",
            &format!("/api/v1/patrol-rounds/{rid}/finish"),
            &json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(done["stops"][0]["directive"], d["id"]);
    assert_eq!(done["stops"][0]["report"], filed["report"]);
    let (_, week) = app.get_as("city", "/api/v1/patrol-rounds").await;
    assert_eq!(
        (week["observed"].as_i64(), week["findings"].as_i64()),
        (Some(2), Some(1))
    );
    let (_, other) = app.get_as("elsewhere", "/api/v1/patrol-rounds").await;
    assert_eq!(other["rounds"], json!([]));
    let (s, _) = app
        .get_as("elsewhere", &format!("/api/v1/patrol-rounds/{rid}"))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

on_both!(a_patrol_finds_a_problem_and_sends_a_directive);

pub fn rows() -> Vec<Row> {
    vec![
        row("GET /api/v1/video-channels", COMMANDERS, Value::Null),
        row(
            "POST /api/v1/video-channels",
            COMMANDERS,
            json!({"checkpoint": "CP-130100-0001", "name": "", "stream": "x", "kind": "dome"}),
        ),
        row(
            "POST /api/v1/video-channels/{id}/retire",
            COMMANDERS,
            json!({}),
        ),
        row("GET /api/v1/patrol-plans", COMMANDERS, Value::Null),
        row(
            "POST /api/v1/patrol-plans",
            COMMANDERS,
            json!({"name": "", "channels": []}),
        ),
        row(
            "POST /api/v1/patrol-plans/{id}/rounds",
            COMMANDERS,
            json!({}),
        ),
        row("GET /api/v1/patrol-rounds", COMMANDERS, Value::Null),
        row("GET /api/v1/patrol-rounds/{id}", COMMANDERS, Value::Null),
        row(
            "POST /api/v1/patrol-rounds/{id}/observations",
            COMMANDERS,
            json!({"channel": 1, "sight": "problem"}),
        ),
        row(
            "POST /api/v1/patrol-rounds/{id}/finish",
            COMMANDERS,
            json!({}),
        ),
        row(
            "POST /api/v1/patrol-rounds/{id}/findings/{channel}/directive",
            COMMANDERS,
            json!({}),
        ),
        row(
            "POST /api/v1/patrol-rounds/{id}/findings/{channel}/report",
            COMMANDERS,
            Value::Null,
        ),
    ]
}
