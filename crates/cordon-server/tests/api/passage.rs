//! The registry over the API: the contract's example registered, masked and idempotent; every
//! kind of bad input refused with its path and nothing written; batches all or nothing; pages,
//! hourly counts and trajectories.

use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use super::matrix::{row, Row, PASSAGES_0001, PASSAGE_READERS, TRACERS};
use super::{at, at_query, example, TestApp};

pub async fn the_contract_example_registers_masked_and_idempotent(app: TestApp) {
    let (s, first) = app.post("/api/v1/passages", &example()).await;
    assert_eq!(s, StatusCode::CREATED, "{first}");
    assert_eq!(first["decision"]["outcome"], "pass");
    assert_eq!(first["decision"]["reasons"][0]["code"], "no_policy_loaded");
    let o = &first["occupants"][0];
    assert_eq!(o["document"]["number"], "110105********002X");
    assert_eq!(o["name"], "张*");
    assert_eq!(o["phone"], "138****5678");
    assert!(!first.to_string().contains("13812345678") && !first.to_string().contains("张三"));

    let r = app
        .client("officer")
        .post(format!("{}/api/v1/passages", app.base))
        .json(&example())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(r.headers()["idempotent-replayed"], "true");
    let again: Value = r.json().await.unwrap();
    assert_eq!(again, first);
    assert_eq!(app.count().await, 1);

    let mut different = example();
    different["lane"] = json!(3);
    let (s, e) = app.post("/api/v1/passages", &different).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("id_conflict"))
    );
    assert_eq!(app.count().await, 1);

    let (s, stored) = app
        .get("/api/v1/passages/0190f5c2-7d4e-7b2a-9c1e-3f6a2b8d9e01")
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(stored, first);
}

pub async fn bad_input_is_refused_with_a_path_and_writes_nothing(app: TestApp) {
    let url = format!("{}/api/v1/passages", app.base);
    let r = app
        .client("officer")
        .post(&url)
        .header("content-type", "application/json")
        .body("{\"id\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = app
        .client("officer")
        .post(&url)
        .body(example().to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let big = json!({"pad": "x".repeat(300 * 1024)});
    let r = app
        .client("officer")
        .post(&url)
        .json(&big)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "too_large");

    let mut second = example()["occupants"][0].clone();
    second["role"] = json!("passenger");
    second["document"]["number"] = json!("11010519491231002Y");
    let cases: Vec<(&str, Value, StatusCode, &str, &str)> = vec![
        (
            "/occupants/0/temperature_c",
            json!("hot"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_type",
            "occupants[0].temperature_c",
        ),
        (
            "/occupants/0/document/number",
            json!(11010519491231002u64),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_type",
            "occupants[0].document.number",
        ),
        (
            "/occupants/0/phone",
            json!("555"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_phone",
            "occupants[0].phone",
        ),
        (
            "/vehicle/plate",
            json!("冀A1234"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_plate",
            "vehicle.plate",
        ),
        (
            "/checkpoint",
            json!("CP-130100-0099"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_checkpoint",
            "checkpoint",
        ),
        (
            "/lane",
            json!(7),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_lane",
            "lane",
        ),
        (
            "/lane",
            json!(-1),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_type",
            "lane",
        ),
        (
            "/direction",
            json!("sideways"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_value",
            "direction",
        ),
        (
            "/id",
            json!("not-a-uuid"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_id",
            "id",
        ),
        // One spelling of an id: no nil UUID, braces, URN or missing hyphens.
        (
            "/id",
            json!("00000000-0000-0000-0000-000000000000"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_id",
            "id",
        ),
        (
            "/id",
            json!("{0190f5c2-7d4e-7b2a-9c1e-3f6a2b8d9e01}"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_id",
            "id",
        ),
        (
            "/id",
            json!("urn:uuid:0190f5c2-7d4e-7b2a-9c1e-3f6a2b8d9e01"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_id",
            "id",
        ),
        (
            "/id",
            json!("0190f5c27d4e7b2a9c1e3f6a2b8d9e01"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_id",
            "id",
        ),
        // Times before what the hub keeps (28 days) are a broken clock, not a lane's record.
        (
            "/observed_at",
            json!("0001-01-01T00:00:00Z"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "too_old",
            "observed_at",
        ),
        (
            "/observed_at",
            json!("1900-01-01T08:00:00+08:00"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "too_old",
            "observed_at",
        ),
        (
            "/observed_at",
            json!(at(-40, 8, 0).to_rfc3339()),
            StatusCode::UNPROCESSABLE_ENTITY,
            "too_old",
            "observed_at",
        ),
        (
            "/observed_at",
            json!(at(3, 8, 0).to_rfc3339()),
            StatusCode::UNPROCESSABLE_ENTITY,
            "in_the_future",
            "observed_at",
        ),
        // Names without a visible letter, or with direction overrides.
        (
            "/occupants/0/name",
            json!("\u{200f}"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_name",
            "occupants[0].name",
        ),
        (
            "/occupants/0/name",
            json!("\u{200b}\u{200d}\u{feff}"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_name",
            "occupants[0].name",
        ),
        (
            "/occupants/0/name",
            json!("\u{202e}abc\u{202c}"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_name",
            "occupants[0].name",
        ),
    ];
    for (pointer, value, status, code, field) in cases {
        let mut body = example();
        *body.pointer_mut(pointer).unwrap() = value;
        let (s, e) = app.post("/api/v1/passages", &body).await;
        assert_eq!(
            (s, e["error"]["code"].as_str(), e["error"]["field"].as_str()),
            (status, Some(code), Some(field)),
            "{pointer}: {e}"
        );
        assert!(
            !e.to_string().contains("11010519491231002"),
            "an error echoed an identity number: {e}"
        );
    }
    let mut two = example();
    two["occupants"].as_array_mut().unwrap().push(second);
    let (s, e) = app.post("/api/v1/passages", &two).await;
    assert_eq!(
        (s, e["error"]["field"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("occupants[1].document.number")
        )
    );
    let mut unknown = example();
    unknown["colour"] = json!("red");
    let (s, e) = app.post("/api/v1/passages", &unknown).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("unknown_field"))
    );
    let mut missing = example();
    missing.as_object_mut().unwrap().remove("occupants");
    let (s, e) = app.post("/api/v1/passages", &missing).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("required"))
    );

    let (s, _) = app
        .post(
            "/api/v1/checkpoints/status",
            &json!({"codes": ["CP-130100-0003"], "status": "closed", "reason": "撤站"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let mut closed = example();
    closed["checkpoint"] = json!("CP-130100-0003");
    let (s, e) = app.post("/api/v1/passages", &closed).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("checkpoint_closed"))
    );
    assert_eq!(app.count().await, 0);

    // In a batch too, with its position.
    let mut old = example();
    old["observed_at"] = json!("1900-01-01T08:00:00+08:00");
    let (s, e) = app
        .post(
            "/api/v1/passages/batch",
            &json!({"passages": [example(), old]}),
        )
        .await;
    assert_eq!(
        (s, e["error"]["field"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("passages[1].observed_at")
        )
    );
    assert_eq!(app.count().await, 0);

    let (s, e) = app.get("/api/v1/nowhere").await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
}

pub async fn batches_are_all_or_nothing(app: TestApp) {
    let passages: Vec<Value> = (0..10)
        .map(|i| {
            let mut p = example();
            p["id"] = json!(Uuid::now_v7());
            p["lane"] = json!(1 + i % 4);
            p
        })
        .collect();
    let mut bad = passages.clone();
    bad[3]["occupants"][0]["health_code"] = json!("blue");
    let (s, e) = app
        .post("/api/v1/passages/batch", &json!({"passages": bad}))
        .await;
    assert_eq!(
        (s, e["error"]["field"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("passages[3].occupants[0].health_code")
        )
    );
    let mut unknown = passages.clone();
    unknown[5]["checkpoint"] = json!("CP-130100-0009");
    let (s, e) = app
        .post("/api/v1/passages/batch", &json!({"passages": unknown}))
        .await;
    assert_eq!(
        (s, e["error"]["field"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("passages[5].checkpoint")
        )
    );
    assert_eq!(app.count().await, 0);

    let (s, ok) = app
        .post("/api/v1/passages/batch", &json!({"passages": passages}))
        .await;
    assert_eq!(
        (s, ok["created"].as_u64()),
        (StatusCode::OK, Some(10)),
        "{ok}"
    );
    let (s, again) = app
        .post("/api/v1/passages/batch", &json!({"passages": passages}))
        .await;
    assert_eq!(
        (s, again["replayed"].as_u64(), again["created"].as_u64()),
        (StatusCode::OK, Some(10), Some(0))
    );
    assert_eq!(app.count().await, 10);
}

pub async fn reads_page_count_and_trace(app: TestApp) {
    let passages: Vec<Value> = (0..30)
        .map(|i| {
            let mut p = example();
            p["id"] = json!(Uuid::now_v7());
            p["observed_at"] = json!(at(-2, 8 + i / 20, (i * 3) % 60).to_rfc3339());
            p
        })
        .collect();
    let (s, _) = app
        .post("/api/v1/passages/batch", &json!({"passages": passages}))
        .await;
    assert_eq!(s, StatusCode::OK);
    let range = format!("from={}&to={}", at_query(-2, 0, 0), at_query(-1, 0, 0));
    let mut next: Option<String> = None;
    let mut seen = 0;
    loop {
        let after = next
            .as_ref()
            .map(|n| format!("&after={n}"))
            .unwrap_or_default();
        let (s, page) = app
            .get(&format!(
                "/api/v1/checkpoints/CP-130100-0001/passages?{range}&limit=7{after}"
            ))
            .await;
        assert_eq!(s, StatusCode::OK, "{page}");
        seen += page["passages"].as_array().unwrap().len();
        match page["next"].as_str() {
            Some(n) => next = Some(n.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, 30);
    let (_, hourly) = app
        .get(&format!(
            "/api/v1/checkpoints/CP-130100-0001/hourly?{range}"
        ))
        .await;
    let hours = hourly["hours"].as_array().unwrap();
    assert_eq!(
        (
            hours.len(),
            hours[0]["passages"].as_i64(),
            hours[0]["hour"].as_str()
        ),
        (2, Some(20), Some(at(-2, 8, 0).to_rfc3339().as_str()))
    );
    let reversed = format!(
        "/api/v1/checkpoints/CP-130100-0001/passages?from={}&to={}",
        at_query(-1, 0, 0),
        at_query(-2, 0, 0)
    );
    let (s, _) = app.get(&reversed).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);

    let window = json!({"from": at(-4, 0, 0), "to": at(1, 0, 0)});
    let mut person = window.clone();
    person["document"] = json!({"type": "resident_id", "number": "11010519491231002x"});
    let (s, trail) = app.post("/api/v1/trajectories/person", &person).await;
    assert_eq!(s, StatusCode::OK);
    let points = trail["points"].as_array().unwrap();
    assert_eq!(points.len(), 30);
    assert!(points
        .windows(2)
        .all(|w| w[0]["observed_at"].as_str() <= w[1]["observed_at"].as_str()));
    assert!(!trail.to_string().contains("11010519491231002"));
    person["document"]["number"] = json!("110105194912310011");
    let (s, none) = app.post("/api/v1/trajectories/person", &person).await;
    assert_eq!(
        (s, none["points"].as_array().unwrap().len()),
        (StatusCode::OK, 0)
    );
    let mut vehicle = window.clone();
    vehicle["plate"] = json!("冀A12345");
    let (s, trail) = app.post("/api/v1/trajectories/vehicle", &vehicle).await;
    assert_eq!(
        (s, trail["points"].as_array().unwrap().len()),
        (StatusCode::OK, 30)
    );
    let mut too_long = vehicle.clone();
    too_long["from"] = json!("2021-01-01T00:00:00+08:00");
    let (s, _) = app.post("/api/v1/trajectories/vehicle", &too_long).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
}

on_both!(
    the_contract_example_registers_masked_and_idempotent,
    bad_input_is_refused_with_a_path_and_writes_nothing,
    batches_are_all_or_nothing,
    reads_page_count_and_trace,
    refusals_speak_the_callers_language,
);

/// The registry's rows of the access matrix.
pub fn rows() -> Vec<Row> {
    let passage = || {
        let mut p = example();
        p["id"] = json!(Uuid::now_v7());
        p
    };
    vec![
        row(
            "GET /api/v1/checkpoints/{code}/passages",
            PASSAGES_0001,
            Value::Null,
        ),
        row(
            "GET /api/v1/checkpoints/{code}/hourly",
            PASSAGES_0001,
            Value::Null,
        ),
        row("POST /api/v1/passages", &["officer"], passage()),
        row(
            "POST /api/v1/passages/batch",
            &["officer"],
            json!({"passages": [passage()]}),
        ),
        // Filtered, not refused: a passage outside the scope is "not found".
        row("GET /api/v1/passages/{id}", PASSAGE_READERS, Value::Null),
        row(
            "POST /api/v1/passages/{id}/reveal",
            TRACERS,
            json!({"purpose": "核对"}),
        ),
    ]
}

/// A refusal's sentence is in the caller's language (`Accept-Language`); its code and field
/// are the same in every language.
pub async fn refusals_speak_the_callers_language(app: TestApp) {
    let mut p = super::example();
    p["vehicle"]["plate"] = json!("冀A1234");
    p["occupants"][0]["phone"] = json!("12345");
    let mut seen = Vec::new();
    for language in ["zh-CN,zh;q=0.9,en;q=0.8", "en-US,en;q=0.9,zh;q=0.8"] {
        let r = app
            .client("officer")
            .post(format!("{}/api/v1/passages", app.base))
            .header("accept-language", language)
            .json(&p)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let e: Value = r.json().await.unwrap();
        assert_eq!(e["error"]["code"], "invalid_plate");
        assert_eq!(e["error"]["field"], "vehicle.plate");
        seen.push(e["error"]["message"].as_str().unwrap().to_owned());
        // Every mistake at once, each in the caller's language.
        let problems: Vec<_> = e["problems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["field"].as_str().unwrap(), p["message"].as_str().unwrap()))
            .collect();
        assert_eq!(problems.len(), 2, "{e}");
        assert_eq!(problems[1].0, "occupants[0].phone");
        seen.push(problems[1].1.to_owned());
    }
    assert!(seen[0].contains("车牌号格式不对"), "{seen:?}");
    assert_eq!(seen[1], "手机号应为 11 位，以 1 开头");
    assert!(seen[2].contains("a plate has"), "{seen:?}");
    // The framework's own refusals too.
    let r = app
        .http
        .get(format!("{}/api/v1/dashboard", app.base))
        .header("accept-language", "zh-CN")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["message"], "请先登录");
}
