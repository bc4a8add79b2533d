//! The policy engine over HTTP: a document refused whole with its lines, versions stored and
//! published, decisions that name the version, the rule and the facts, roll-back, risk areas
//! declared, ended and imported from CSV and Excel, diffs and dry-runs.

use chrono::{Duration, Utc};
use cordon_domain::policy::examples;
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use super::matrix::{row, Body, Row, PROVINCE, SIGNED_IN};
use super::{post_file, TestApp};

fn now() -> chrono::DateTime<chrono::FixedOffset> {
    Utc::now().with_timezone(&cordon_domain::time::china())
}

/// A one-person car at the capital-ring test checkpoint, observed a minute ago.
pub fn passage(number: &str, code: &str, test_hours: Option<i64>, visited: &[&str]) -> Value {
    let at = now() - Duration::minutes(1);
    let test = test_hours.map(|h| {
        json!({"kind": "pcr", "taken_at": (at - Duration::hours(h)).to_rfc3339(), "result": "negative"})
    });
    json!({"id": Uuid::now_v7(), "checkpoint": "CP-130100-0001", "lane": 1, "direction": "in",
        "observed_at": at.to_rfc3339(),
        "vehicle": {"plate": "冀A12345", "plate_color": "blue", "class": "car"},
        "occupants": [{"document": {"type": "resident_id", "number": number}, "name": "张三",
            "role": "driver", "temperature_c": 36.5, "health_code": code,
            "latest_test": test, "visited": visited}]})
}

pub async fn store_version(app: &TestApp, source: &str) -> i64 {
    let (s, v) = app
        .post(
            "/api/v1/policies",
            &json!({"source": source, "note": "test"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v["version"].as_i64().unwrap()
}

pub async fn publish(app: &TestApp, version: i64) {
    let (s, p) = app
        .post(
            &format!("/api/v1/policies/{version}/publish"),
            &json!({"reason": "测试发布 / test publication"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
}

pub async fn publish_decide_explain_and_roll_back(app: TestApp) {
    // Before any publication: passed, and said so.
    let (s, before) = app
        .post(
            "/api/v1/passages",
            &passage("11010519491231002X", "yellow", Some(20), &[]),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{before}");
    assert_eq!(before["decision"]["reasons"][0]["code"], "no_policy_loaded");

    // A document with problems is refused whole, each problem with its line; nothing stored.
    let bad = "name = \"x\"\ncombine = \"first_match\"\n[[rules]]\nid = \"a\"\ntitle = \"a\"\noutcome = \"refer\"\nwhen = { health_code = [\"purple\"] }\n";
    let (s, e) = app.post("/api/v1/policies", &json!({"source": bad})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["error"]["code"], "invalid_policy");
    let problems = e["problems"].as_array().unwrap();
    assert!(problems.iter().any(|p| p["code"] == "no_default"), "{e}");
    assert!(
        problems
            .iter()
            .any(|p| p["field"] == "rules[0].when.health_code[0]" && p["line"] == 7),
        "{e}"
    );
    let (_, list) = app.get("/api/v1/policies").await;
    assert_eq!(list["versions"].as_array().unwrap().len(), 0);
    let (s, v) = app
        .post("/api/v1/policies/validate", &json!({"source": bad}))
        .await;
    assert_eq!((s, v["valid"].as_bool()), (StatusCode::OK, Some(false)));

    // Store and publish May 2022.
    let may = store_version(&app, examples::STANDARD_2022_05).await;
    let december = store_version(&app, examples::OPEN_2022_12).await;
    let (s, _) = app
        .post(
            &format!("/api/v1/policies/{may}/publish"),
            &json!({"reason": "r", "effective_at": "2022-05-01T00:00:00+08:00"}),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "effective times in the past are refused"
    );
    let (s, _) = app
        .post("/api/v1/policies/999/publish", &json!({"reason": "r"}))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    publish(&app, may).await;
    let (_, list) = app.get("/api/v1/policies").await;
    assert_eq!(list["in_force"], may);

    // A yellow code: tested on site, by rule yellow_code of this version, with the facts.
    let (s, p) = app
        .post(
            "/api/v1/passages",
            &passage("11010519491231002X", "yellow", Some(20), &[]),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let d = &p["decision"];
    assert_eq!(d["outcome"], "test_on_site", "{d}");
    assert_eq!(d["policy_version"], may.to_string());
    assert_eq!(d["reasons"][0]["rule"], "yellow_code");
    assert_eq!(d["reasons"][0]["occupant"], 0);
    assert_eq!(
        d["reasons"][0]["facts"][0],
        json!({"name": "health_code", "value": "yellow"})
    );
    assert_eq!(d["actions"], json!(["pcr_sample"]));
    // No test at a capital-ring checkpoint: persuaded to return.
    let (_, p) = app
        .post(
            "/api/v1/passages",
            &passage("11010519491231002X", "green", None, &[]),
        )
        .await;
    assert_eq!(p["decision"]["outcome"], "persuade_return", "{p}");
    assert_eq!(p["decision"]["reasons"][0]["rule"], "capital_ring_no_test");

    // The decision taken before publication is kept as it was.
    let (_, again) = app
        .get(&format!(
            "/api/v1/passages/{}",
            before["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(again["decision"], before["decision"]);

    // December, then roll back to May. December is sent with a clock 30 s behind (before May
    // took effect): it means now, and takes over.
    let behind = Utc::now() - Duration::seconds(30);
    let (s, d) = app
        .post(
            &format!("/api/v1/policies/{december}/publish"),
            &json!({"reason": "十二月 / December", "effective_at": behind.to_rfc3339()}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let (_, list) = app.get("/api/v1/policies").await;
    assert_eq!(list["in_force"], december, "{list}");
    let (_, p) = app
        .post(
            "/api/v1/passages",
            &passage("11010519491231002X", "yellow", Some(20), &[]),
        )
        .await;
    assert_eq!(
        (
            p["decision"]["outcome"].as_str(),
            p["decision"]["policy_version"].as_str()
        ),
        (Some("pass"), Some(december.to_string().as_str()))
    );
    let (s, r) = app
        .post(
            "/api/v1/policies/rollback",
            &json!({"reason": "回滚 / roll back"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    assert_eq!(
        (r["version"].as_i64(), r["action"].as_str()),
        (Some(may), Some("rollback"))
    );
    let (_, p) = app
        .post(
            "/api/v1/passages",
            &passage("11010519491231002X", "yellow", Some(20), &[]),
        )
        .await;
    assert_eq!(p["decision"]["outcome"], "test_on_site");
    let (_, log) = app.get("/api/v1/policies/publications").await;
    assert_eq!(log["publications"].as_array().unwrap().len(), 3);
    assert_eq!(log["in_force"]["seq"], log["publications"][2]["seq"]);
    let (_, got) = app.get(&format!("/api/v1/policies/{may}")).await;
    assert_eq!(got["source"], examples::STANDARD_2022_05);
}

pub async fn risk_areas_declare_end_and_import(app: TestApp) {
    let may = store_version(&app, examples::STANDARD_2022_05).await;
    publish(&app, may).await;
    let from = (now() - Duration::days(3)).to_rfc3339();
    let (s, declared) = app
        .post(
            "/api/v1/risk-areas",
            &json!({"areas": [{"division": "130104", "level": "high", "valid_from": from}]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{declared}");
    let id = declared["areas"][0]["id"].as_i64().unwrap();
    // A visit to the city that holds the high-risk district: referred, and the area is named.
    let (_, p) = app
        .post(
            "/api/v1/passages",
            &passage("11010519491231002X", "green", Some(20), &["130100"]),
        )
        .await;
    assert_eq!(p["decision"]["outcome"], "refer", "{p}");
    assert_eq!(p["decision"]["reasons"][0]["rule"], "high_risk_visit");
    assert_eq!(
        p["decision"]["reasons"][0]["facts"][0]["value"],
        "130104: high (within 14 days)"
    );
    // A bad declaration writes nothing.
    let (s, e) = app
        .post(
            "/api/v1/risk-areas",
            &json!({"areas": [{"division": "130104", "level": "severe", "valid_from": from}]}),
        )
        .await;
    assert_eq!(
        (s, e["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("areas[0].level"))
    );
    // Ended a day ago: the visit no longer matches.
    let (s, ended) = app
        .post(&format!("/api/v1/risk-areas/{id}/end"), &json!({"at": (now() - Duration::days(1) - Duration::hours(14 * 24)).to_rfc3339(), "reason": "降级"}))
        .await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "an end before the start is refused: {ended}"
    );
    let (s, ended) = app
        .post(
            &format!("/api/v1/risk-areas/{id}/end"),
            &json!({"reason": "降为低风险 / lowered"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{ended}");
    let (_, p) = app
        .post(
            "/api/v1/passages",
            &passage("11010519491231002X", "green", Some(20), &["130100"]),
        )
        .await;
    assert_eq!(
        p["decision"]["outcome"], "refer",
        "a visit within 14 days of the high-risk days still counts"
    );
    let (_, now_list) = app
        .get(&format!(
            "/api/v1/risk-areas?at={}",
            urlencode(&now().to_rfc3339())
        ))
        .await;
    assert_eq!(now_list["areas"].as_array().unwrap().len(), 0, "{now_list}");
    let (_, all) = app.get("/api/v1/risk-areas").await;
    assert_eq!(all["areas"].as_array().unwrap().len(), 1, "history is kept");

    // CSV import: a bad row stops it, with its line; skipping bad rows imports the rest.
    let csv = "区划代码,区域,风险等级,开始时间,结束时间\n110105,,中风险,2022-05-01,\n110106,,extreme,2022-05-01,\n";
    let (s, e) = post_file(
        &app,
        "commander",
        "/api/v1/risk-areas/import?name=list.csv",
        "text/csv",
        csv.as_bytes().to_vec(),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(
        (
            e["error"]["code"].as_str(),
            e["problems"][0]["line"].as_i64()
        ),
        (Some("invalid_import"), Some(3))
    );
    let (_, all) = app.get("/api/v1/risk-areas").await;
    assert_eq!(
        all["areas"].as_array().unwrap().len(),
        1,
        "nothing imported"
    );
    let (s, r) = post_file(
        &app,
        "commander",
        "/api/v1/risk-areas/import?skip_bad_rows=true",
        "text/csv",
        csv.as_bytes().to_vec(),
    )
    .await;
    assert_eq!(
        (
            s,
            r["imported"].as_i64(),
            r["skipped"].as_array().unwrap().len()
        ),
        (StatusCode::CREATED, Some(1), 1),
        "{r}"
    );
    // Excel.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["division", "area", "level", "valid_from", "valid_to"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    sheet.write_number(1, 0, 410102.0).unwrap();
    sheet.write_string(1, 1, "某小区").unwrap();
    sheet.write_string(1, 2, "高").unwrap();
    sheet.write_string(1, 3, "2022-05-02 08:00").unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let (s, r) = post_file(
        &app,
        "commander",
        "/api/v1/risk-areas/import?name=list.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        bytes,
    )
    .await;
    assert_eq!(
        (s, r["imported"].as_i64()),
        (StatusCode::CREATED, Some(1)),
        "{r}"
    );
    let (_, within) = app.get("/api/v1/risk-areas?within=410100").await;
    assert_eq!(within["areas"][0]["area"], "某小区");
    assert_eq!(within["areas"][0]["source"], "import:list.xlsx");
    let (s, _) = post_file(
        &app,
        "commander",
        "/api/v1/risk-areas/import",
        "application/pdf",
        vec![1, 2, 3],
    )
    .await;
    assert_eq!(s, StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

pub async fn dry_run_and_diff(app: TestApp) {
    let may = store_version(&app, examples::STANDARD_2022_05).await;
    let december = store_version(&app, examples::OPEN_2022_12).await;
    publish(&app, may).await;
    let mut kept = Vec::new();
    for (code, test) in [
        ("green", Some(20)),
        ("yellow", Some(20)),
        ("green", None),
        ("red", Some(20)),
    ] {
        let (s, p) = app
            .post(
                "/api/v1/passages",
                &passage("11010519491231002X", code, test, &[]),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{p}");
        kept.push(p);
    }
    let outcomes: Vec<&str> = kept
        .iter()
        .map(|p| p["decision"]["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(
        outcomes,
        ["pass", "test_on_site", "persuade_return", "refer"]
    );
    let (s, r) = app
        .post(
            &format!("/api/v1/policies/{december}/dry-run"),
            &json!({"examples": 2}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(
        (
            r["passages"].as_i64(),
            r["changed"].as_i64(),
            r["unreadable"].as_i64()
        ),
        (Some(4), Some(3), Some(0)),
        "{r}"
    );
    assert_eq!(r["before"]["refer"], 1);
    assert_eq!(r["after"]["pass"], 4);
    let t = r["transitions"].as_array().unwrap();
    assert_eq!(t.len(), 3);
    let yellow = t.iter().find(|x| x["from"] == "test_on_site").unwrap();
    assert_eq!(yellow["examples"], json!([kept[1]["id"]]));
    assert_eq!(r["checkpoints"][0]["checkpoint"], "CP-130100-0001");
    assert_eq!(r["checkpoints"][0]["changed"], 3);
    // The same version replayed over its own decisions changes nothing.
    let (_, same) = app
        .post(&format!("/api/v1/policies/{may}/dry-run"), &json!({}))
        .await;
    assert_eq!(
        (same["passages"].as_i64(), same["changed"].as_i64()),
        (Some(4), Some(0)),
        "{same}"
    );
    // An unknown field, or a period the wrong way round, is refused.
    let (s, e) = app
        .post(
            &format!("/api/v1/policies/{may}/dry-run"),
            &json!({"since": "yesterday"}),
        )
        .await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("unknown_field")),
        "{e}"
    );
    let (s, _) = app
        .post(
            &format!("/api/v1/policies/{may}/dry-run"),
            &json!({"from": "2022-05-03T00:00:00+08:00", "to": "2022-05-01T00:00:00+08:00"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, d) = app
        .get(&format!("/api/v1/policies/diff?from={may}&to={december}"))
        .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(d["rules"].as_array().unwrap().len(), 13);
    assert!(d["rules"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["change"] == "removed"));
}

fn urlencode(s: &str) -> String {
    s.replace('+', "%2B").replace(':', "%3A")
}

on_both!(
    publish_decide_explain_and_roll_back,
    risk_areas_declare_end_and_import,
    dry_run_and_diff,
);

/// The rows of policies and risk areas in the access matrix.
pub fn rows() -> Vec<Row> {
    let draft = || json!({"source": "not toml ["});
    let reason = || json!({"reason": "测试"});
    vec![
        row("GET /api/v1/policies", SIGNED_IN, Value::Null),
        row("POST /api/v1/policies", PROVINCE, draft()),
        row("POST /api/v1/policies/validate", SIGNED_IN, draft()),
        row("GET /api/v1/policies/publications", SIGNED_IN, Value::Null),
        row("POST /api/v1/policies/rollback", PROVINCE, reason()),
        Row {
            query: "?from=1&to=1",
            ..row("GET /api/v1/policies/diff", SIGNED_IN, Value::Null)
        },
        row("GET /api/v1/policies/{version}", SIGNED_IN, Value::Null),
        row(
            "POST /api/v1/policies/{version}/publish",
            PROVINCE,
            reason(),
        ),
        row(
            "POST /api/v1/policies/{version}/dry-run",
            PROVINCE,
            json!({}),
        ),
        row("GET /api/v1/risk-areas", SIGNED_IN, Value::Null),
        row("POST /api/v1/risk-areas", PROVINCE, json!({"areas": []})),
        Row {
            body: Body::Csv("division,level\n"),
            ..row("POST /api/v1/risk-areas/import", PROVINCE, Value::Null)
        },
        row("POST /api/v1/risk-areas/{id}/end", PROVINCE, reason()),
    ]
}
