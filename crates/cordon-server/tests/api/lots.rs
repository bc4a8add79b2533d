//! Holding lots over HTTP: a commander sets up a lot for a checkpoint; the published policy
//! sends an out-of-province truck there and the lane can name the lot; the lot's staff see it
//! coming, check it in by plate (once), and step it through (out of order refused, a bad bay
//! and an early reading refused in Chinese beside their field); a bay's QR code lets a driver
//! ask for water without an account (once while open, a forged code not found, a flood from one
//! address refused); another city sees nothing.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::matrix::{row, Row, ANYONE, COMMANDERS, SIGNED_IN};
use super::TestApp;

/// Who works lots: the commanders and the lot's staff.
pub const LOT_WORKERS: &[&str] = &["commander", "city", "elsewhere", "lot"];

pub const POLICY: &str = r#"
name = "滞留场测试 / holding lot test"
combine = "first_match"

[default]
outcome = "pass"
title = "核验通过，放行 / Checks passed"

[[rules]]
id = "truck_to_lot"
title = "外省货车进滞留场检测 / Out-of-province truck to the holding lot"
outcome = "hold"
actions = ["holding_lot", "antigen_sample"]
when = { vehicle_class = ["truck"], plate_province_not = ["冀"] }
"#;

fn code(b: &Value) -> (&str, &str) {
    (
        b["error"]["code"].as_str().unwrap_or(""),
        b["error"]["field"].as_str().unwrap_or(""),
    )
}

async fn a_lane_sends_a_truck_to_the_lot(app: TestApp) {
    let v = super::policy::store_version(&app, POLICY).await;
    super::policy::publish(&app, v).await;
    let lot = json!({"name": "长安货车滞留场", "division": "130102", "address": "京港澳高速石家庄出口东 500 米",
        "zones": [{"kind": "work", "name": "工作区", "capacity": 20}, {"kind": "parking", "name": "停车区", "capacity": 12},
                  {"kind": "isolation", "name": "隔离区", "capacity": 4}],
        "checkpoints": ["CP-130100-0001"]});
    let mut bad = lot.clone();
    bad["zones"][1]["capacity"] = json!(0);
    let (s, b) = app.post_zh("city", "/api/v1/lots", &bad).await;
    assert_eq!(
        (s, code(&b)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            ("out_of_range", "zones[1].capacity")
        )
    );
    assert_eq!(b["error"]["message"], "每个分区容量为 1 至 5000");
    let (s, _) = app.post_as("elsewhere", "/api/v1/lots", &lot).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, made) = app.post_as("city", "/api/v1/lots", &lot).await;
    assert_eq!(s, StatusCode::CREATED, "{made}");
    assert_eq!(made["bays"], 12);
    let id = made["id"].as_i64().unwrap();

    // The lane: the decision sends the truck, and the lane can name the lot.
    let mut p = crate::example();
    p["id"] = json!(uuid::Uuid::now_v7());
    let five_ago = chrono::Utc::now().with_timezone(&cordon_domain::time::china())
        - chrono::Duration::minutes(5);
    p["observed_at"] = json!(five_ago.to_rfc3339());
    p["vehicle"] = json!({"plate": "鄂A12345", "plate_color": "yellow", "class": "truck"});
    let (s, reg) = app.post_as("officer", "/api/v1/passages", &p).await;
    assert_eq!(s, StatusCode::CREATED, "{reg}");
    assert_eq!(reg["decision"]["outcome"], "hold", "{reg}");
    assert!(reg["decision"]["actions"]
        .as_array()
        .unwrap()
        .contains(&json!("holding_lot")));
    let (s, lots) = app
        .get_as("officer", "/api/v1/checkpoints/CP-130100-0001/lots")
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(lots["lots"][0]["name"], "长安货车滞留场");

    // The lot sees it coming, checks it in once.
    let board_path = format!("/api/v1/lots/{id}");
    let (s, board) = app.get_as("lot", &board_path).await;
    assert_eq!(s, StatusCode::OK, "{board}");
    assert_eq!(board["sent"][0]["plate"], "鄂A12345");
    let (s, _) = app.get_as("elsewhere", &board_path).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // A board waiting for the lot's next change (as the page does) sees the check-in at once.
    let clock = board["clock"].as_i64().unwrap();
    let (s, same) = app
        .get_as("lot", &format!("{board_path}?known={clock}&wait=1"))
        .await;
    assert_eq!((s, same["clock"].as_i64()), (StatusCode::OK, Some(clock)));
    let waiting = {
        let c = app.client("lot").clone();
        let url = format!("{}{board_path}?known={clock}&wait=20", app.base);
        tokio::spawn(async move {
            let t = std::time::Instant::now();
            let b: Value = c.get(url).send().await.unwrap().json().await.unwrap();
            (t.elapsed(), b)
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let trucks = format!("/api/v1/lots/{id}/trucks");
    let (s, b) = app.post_zh("lot", &trucks, &json!({"plate": "鄂"})).await;
    assert_eq!((s, code(&b).1), (StatusCode::UNPROCESSABLE_ENTITY, "plate"));
    let (s, t) = app
        .post_as(
            "lot",
            &trucks,
            &json!({"plate": "鄂A12345", "driver": {"name": "王师傅", "phone": "13912345678"}}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    assert_eq!(t["passage"], p["id"]);
    assert_eq!(t["driver"]["name"], "王**", "masked: {t}");
    assert_eq!(t["next"], json!(["park", "turn_back"]));
    let (took, seen) = waiting.await.unwrap();
    assert_eq!(seen["lot"]["present"], 1, "{seen}");
    assert!(seen["clock"].as_i64() > Some(clock));
    assert!(took < std::time::Duration::from_secs(5), "{took:?}");
    let (s, b) = app
        .post_zh("lot", &trucks, &json!({"plate": "鄂A12345"}))
        .await;
    assert_eq!((s, code(&b).0), (StatusCode::CONFLICT, "already_in_lot"));
    assert_eq!(b["error"]["message"], "这辆车已在场内");

    // Step by step.
    let steps = format!("/api/v1/lots/{id}/trucks/{}/steps", t["id"]);
    let (s, b) = app
        .post_zh("lot", &steps, &json!({"step": "release"}))
        .await;
    assert_eq!(
        (s, code(&b).0),
        (StatusCode::CONFLICT, "truck_out_of_order")
    );
    let (s, b) = app
        .post_zh("lot", &steps, &json!({"step": "park", "bay": 13}))
        .await;
    assert_eq!(
        (s, code(&b)),
        (StatusCode::UNPROCESSABLE_ENTITY, ("no_such_bay", "bay"))
    );
    assert_eq!(b["error"]["message"], "本场没有这个车位");
    for body in [
        json!({"step": "park", "bay": 3}),
        json!({"step": "sample", "pcr_tube": "HB2212050001"}),
    ] {
        let (s, t) = app.post_as("lot", &steps, &body).await;
        assert_eq!(s, StatusCode::OK, "{t}");
    }
    let (s, b) = app
        .post_zh(
            "lot",
            &steps,
            &json!({"step": "antigen", "result": "negative"}),
        )
        .await;
    assert_eq!(
        (s, code(&b)),
        (StatusCode::UNPROCESSABLE_ENTITY, ("too_early", "result"))
    );
    assert!(
        b["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("抗原采样 15 分钟后才能判读"),
        "{b}"
    );
    let (s, detail) = app
        .get_as("lot", &format!("/api/v1/lots/{id}/trucks/{}", t["id"]))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(detail["steps"].as_array().unwrap().len(), 3);
    assert!(detail["antigen_due"].is_string(), "{detail}");

    // A driver at bay 3 asks for water: no account.
    let (s, codes) = app
        .get_as("lot", &format!("/api/v1/lots/{id}/bay-codes?from=1&to=3"))
        .await;
    assert_eq!(s, StatusCode::OK, "{codes}");
    let path = codes["codes"][2]["path"].as_str().unwrap().to_owned();
    assert!(codes["codes"][2]["qr_svg"]
        .as_str()
        .unwrap()
        .contains("<svg"));
    let token = path.trim_start_matches("/bay/").to_owned();
    let (s, bay) = app.get_as("-", &format!("/api/v1/bays/{token}")).await;
    assert_eq!((s, bay["bay"].as_i64()), (StatusCode::OK, Some(3)), "{bay}");
    let ask = format!("/api/v1/bays/{token}/requests");
    let (s, r1) = app.post_as("-", &ask, &json!({"need": "water"})).await;
    assert_eq!(s, StatusCode::CREATED, "{r1}");
    let (_, r2) = app.post_as("-", &ask, &json!({"need": "water"})).await;
    assert_eq!(r1["id"], r2["id"]);
    let forged = format!(
        "/api/v1/bays/{id}-4-{}/requests",
        &token[token.len() - 20..]
    );
    let (s, _) = app.post_as("-", &forged, &json!({"need": "food"})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, page) = app
        .client("-")
        .get(format!("{}{path}", app.base))
        .send()
        .await
        .map(|r| (r.status(), ()))
        .unwrap();
    assert_eq!((s, page), (StatusCode::OK, ()));
    let (_, board) = app.get_as("lot", &board_path).await;
    assert_eq!(board["requests"][0]["need"], "water");
    let close = format!("/api/v1/lots/{id}/requests/{}/close", r1["id"]);
    let (s, closed) = app.post_as("lot", &close, &json!({})).await;
    assert_eq!(s, StatusCode::OK);
    assert!(closed["closed_at"].is_string());
    let (s, alerts) = app.get_as("lot", "/api/v1/freight-alerts").await;
    assert_eq!(
        (s, alerts["alerts"].as_array().map(Vec::len)),
        (StatusCode::OK, Some(0))
    );

    // A flood from one address is refused.
    let mut limited = false;
    for _ in 0..40 {
        let (s, _) = app.post_as("-", &ask, &json!({"need": "food"})).await;
        limited |= s == StatusCode::TOO_MANY_REQUESTS;
    }
    assert!(limited, "a flood of requests from one address is refused");
}

on_both!(a_lane_sends_a_truck_to_the_lot);

pub fn rows() -> Vec<Row> {
    let step = json!({"step": "park", "bay": 1});
    vec![
        row("GET /api/v1/lots", LOT_WORKERS, Value::Null),
        row(
            "POST /api/v1/lots",
            COMMANDERS,
            json!({"name": "x", "division": "130000", "address": "x", "zones": []}),
        ),
        row("GET /api/v1/lots/{id}", LOT_WORKERS, Value::Null),
        row(
            "POST /api/v1/lots/{id}/trucks",
            LOT_WORKERS,
            json!({"plate": "鄂A12345"}),
        ),
        row(
            "GET /api/v1/lots/{id}/trucks/{truck}",
            LOT_WORKERS,
            Value::Null,
        ),
        row(
            "POST /api/v1/lots/{id}/trucks/{truck}/steps",
            LOT_WORKERS,
            step,
        ),
        row(
            "POST /api/v1/lots/{id}/requests/{request}/close",
            LOT_WORKERS,
            Value::Null,
        ),
        row("GET /api/v1/lots/{id}/bay-codes", LOT_WORKERS, Value::Null),
        row(
            "GET /api/v1/checkpoints/{code}/lots",
            SIGNED_IN,
            Value::Null,
        ),
        row("GET /api/v1/bays/{token}", ANYONE, Value::Null),
        row(
            "POST /api/v1/bays/{token}/requests",
            ANYONE,
            json!({"need": "water"}),
        ),
        row("GET /api/v1/freight-alerts", LOT_WORKERS, Value::Null),
        row(
            "POST /api/v1/freight-alerts/{id}/close",
            LOT_WORKERS,
            json!({"note": "x"}),
        ),
    ]
}
