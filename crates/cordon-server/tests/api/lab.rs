//! The lab over HTTP: a commander registers a lab; a lab account makes an assay version,
//! receives two sealed 10-in-1 tubes (an open one refused), plates them, records the steps in
//! order, imports the instrument's file (a bad one refused line by line, in Chinese), and a
//! second lab account releases the run: the positive pool's ten persons are a recall list with
//! a two-hour deadline at once, released again it is the same list; the release is audited;
//! the lane then decides by the released result and says it used it.

use reqwest::StatusCode;
use serde_json::{json, Value};

use cordon_domain::policy::examples;

use super::matrix::{row, Body, Row, COMMANDERS, LABS, SAMPLERS, TESTING_READERS};
use super::policy::{passage, publish, store_version};
use super::testing::{campaign_with_site, resident};
use super::TestApp;

/// Opens, fills with `seeds` and seals a tube at `site` as the sampler.
pub async fn sealed_tube(
    app: &TestApp,
    site: i64,
    barcode: &str,
    seeds: std::ops::RangeInclusive<u32>,
) {
    let (s, t) = app
        .post_as(
            "sampler",
            "/api/v1/testing/tubes",
            &json!({"site": site, "barcode": barcode}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    for seed in seeds {
        let person =
            json!({"document": {"type": "resident_id", "number": resident(seed)}, "name": "王五"});
        let path = format!("/api/v1/testing/tubes/{barcode}/members");
        let (s, a) = app.post_as("sampler", &path, &person).await;
        assert_eq!(s, StatusCode::CREATED, "{a}");
    }
    let path = format!("/api/v1/testing/tubes/{barcode}/seal");
    let (s, t) = app.post_as("sampler", &path, &json!({})).await;
    assert_eq!(s, StatusCode::OK, "{t}");
}

/// A lab registered by the city's commander and an assay (ORF1ab and N below 40) made by
/// `lab`: their ids.
pub async fn lab_and_assay(app: &TestApp) -> (i64, i64) {
    let (s, lab) = app
        .post_as(
            "city",
            "/api/v1/testing/labs",
            &json!({"name": "长安区疾控中心实验室", "area": "130102"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{lab}");
    let assay = json!({"name": "双靶标 PCR", "targets": [{"name": "ORF1ab", "cutoff": 40}, {"name": "N", "cutoff": 40}], "positive_when": "all"});
    let (s, a) = app.post_as("lab", "/api/v1/testing/assays", &assay).await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    (lab["id"].as_i64().unwrap(), a["id"].as_i64().unwrap())
}

/// Receives `barcodes` (sealed) at a new lab, plates them down the columns (A1, B1, …), reads
/// the instrument's `file` (with H11 and H12 as the controls) and has a second lab account
/// release the run: its id.
pub async fn released_run(app: &TestApp, barcodes: &[&str], file: &str) -> i64 {
    let (lab, assay) = lab_and_assay(app).await;
    let received = format!("/api/v1/testing/labs/{lab}/received");
    let (s, run) = app
        .post_as(
            "lab",
            "/api/v1/testing/runs",
            &json!({"lab": lab, "assay": assay}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{run}");
    let id = run["id"].as_i64().unwrap();
    for b in barcodes {
        let (s, r) = app.post_as("lab", &received, &json!({"barcode": b})).await;
        assert_eq!(s, StatusCode::CREATED, "{r}");
        let path = format!("/api/v1/testing/runs/{id}/tubes");
        let (s, v) = app.post_as("lab", &path, &json!({"barcode": b})).await;
        assert_eq!(s, StatusCode::OK, "{v}");
    }
    let steps = format!("/api/v1/testing/runs/{id}/steps");
    for step in ["inactivated", "sorted", "amplified"] {
        let (s, v) = app.post_as("lab", &steps, &json!({"step": step})).await;
        assert_eq!(s, StatusCode::OK, "{v}");
    }
    let results = format!("/api/v1/testing/runs/{id}/results");
    let (s, v) = super::post_file(app, "lab", &results, "text/csv", file.as_bytes().to_vec()).await;
    assert_eq!(
        (s, &v["controls_ok"]),
        (StatusCode::OK, &json!(true)),
        "{v}"
    );
    let release = format!("/api/v1/testing/runs/{id}/release");
    let (s, r) = app.post_as("lab2", &release, &Value::Null).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    id
}

fn code(e: &Value) -> Option<&str> {
    e["error"]["code"].as_str()
}

pub async fn a_second_person_releases_a_run_and_its_positive_pool_is_recalled(app: TestApp) {
    let site = campaign_with_site(&app, 10).await;
    sealed_tube(&app, site, "HB0000000001", 1..=10).await;
    sealed_tube(&app, site, "HB0000000002", 11..=20).await;
    let (lab, assay) = lab_and_assay(&app).await;
    let (s, e) = app
        .post_as(
            "city",
            "/api/v1/testing/labs",
            &json!({"name": "长安区疾控中心实验室", "area": "130102"}),
        )
        .await;
    assert_eq!((s, code(&e)), (StatusCode::CONFLICT, Some("duplicate")));
    let (s, e) = app
        .post_as(
            "lab",
            "/api/v1/testing/assays",
            &json!({"name": "x", "targets": [], "positive_when": "most"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["problems"].as_array().unwrap().len(), 2, "{e}");

    // The door: sealed tubes, once; an open one is refused.
    let received = format!("/api/v1/testing/labs/{lab}/received");
    for b in ["HB0000000001", "HB0000000002"] {
        let (s, r) = app.post_as("lab", &received, &json!({"barcode": b})).await;
        assert_eq!(
            (s, r["persons"].as_i64()),
            (StatusCode::CREATED, Some(10)),
            "{r}"
        );
    }
    let (s, r) = app
        .post_as("lab2", &received, &json!({"barcode": "hb0000000001"}))
        .await;
    assert_eq!((s, r["already"].as_bool()), (StatusCode::OK, Some(true)));
    let (s, _) = app
        .post_as(
            "sampler",
            "/api/v1/testing/tubes",
            &json!({"site": site, "barcode": "HB0000000003"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, e) = app
        .post_as("lab", &received, &json!({"barcode": "HB0000000003"}))
        .await;
    assert_eq!((s, code(&e)), (StatusCode::CONFLICT, Some("not_sealed")));

    // The plate, the steps in order.
    let (s, run) = app
        .post_as(
            "lab",
            "/api/v1/testing/runs",
            &json!({"lab": lab, "assay": assay}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{run}");
    let id = run["id"].as_i64().unwrap();
    let tubes = format!("/api/v1/testing/runs/{id}/tubes");
    for b in ["HB0000000001", "HB0000000002"] {
        let (s, v) = app.post_as("lab", &tubes, &json!({"barcode": b})).await;
        assert_eq!(s, StatusCode::OK, "{v}");
    }
    let (s, e) = app
        .post_as(
            "lab",
            &tubes,
            &json!({"barcode": "HB0000000003", "well": "Z9"}),
        )
        .await;
    assert_eq!(
        (s, e["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("well"))
    );
    let steps = format!("/api/v1/testing/runs/{id}/steps");
    let (s, e) = app
        .post_as("lab", &steps, &json!({"step": "amplified"}))
        .await;
    assert_eq!(
        (s, code(&e)),
        (StatusCode::CONFLICT, Some("step_out_of_order"))
    );
    let results = format!("/api/v1/testing/runs/{id}/results");
    let file = "Well,ORF1ab,N\nA1,30.2,31.5\nB1,Undetermined,Undetermined\nH11,,\nH12,28.1,27.9\n";
    let (s, e) = super::post_file(&app, "lab", &results, "text/csv", file.into()).await;
    assert_eq!((s, code(&e)), (StatusCode::CONFLICT, Some("not_amplified")));
    for step in ["inactivated", "sorted", "amplified"] {
        let (s, v) = app.post_as("lab", &steps, &json!({"step": step})).await;
        assert_eq!((s, v["step"].as_str()), (StatusCode::OK, Some(step)), "{v}");
    }

    // A bad file is refused line by line, in Chinese, and nothing is read.
    let bad = "Well,ORF1ab,N\nA1,30.2,abc\nQ1,,\n";
    let r = app
        .client("lab")
        .post(format!("{}{results}", app.base))
        .header("content-type", "text/csv")
        .header("accept-language", "zh-CN")
        .body(bad)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let e: Value = r.json().await.unwrap();
    let lines: Vec<(i64, &str)> = e["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["line"].as_i64().unwrap(), p["code"].as_str().unwrap()))
        .collect();
    assert_eq!(lines, [(2, "invalid_ct"), (3, "invalid_well")], "{e}");
    assert!(
        e["problems"][0]["message"].as_str().unwrap().contains("Ct"),
        "{e}"
    );
    let missing = "Well,ORF1ab,N\nA1,30.2,31.5\nH11,,\nH12,28.1,27.9\n";
    let (s, e) = super::post_file(&app, "lab", &results, "text/csv", missing.into()).await;
    assert_eq!(
        (s, code(&e)),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("missing_well"))
    );
    let (s, v) = super::post_file(&app, "lab", &results, "text/csv", file.into()).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["controls_ok"], true);
    assert_eq!(v["wells"][0]["reading"], "positive");

    // Released by a second person; the positive pool's ten persons are recalled at once.
    let release = format!("/api/v1/testing/runs/{id}/release");
    let (s, e) = app.post_as("lab", &release, &Value::Null).await;
    assert_eq!((s, code(&e)), (StatusCode::CONFLICT, Some("own_run")));
    let (s, r) = app.post_as("lab2", &release, &Value::Null).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(
        (
            r["tubes"].as_i64(),
            r["persons"].as_i64(),
            r["recalled"].as_i64()
        ),
        (Some(2), Some(20), Some(10))
    );
    let list = r["recall_list"].as_str().unwrap().to_owned();
    let (s, again) = app.post_as("lab2", &release, &Value::Null).await;
    assert_eq!(
        (s, again["already"].as_bool()),
        (StatusCode::OK, Some(true))
    );
    assert_eq!(
        again["recall_list"].as_str(),
        Some(list.as_str()),
        "the same list"
    );
    let (_, lists) = app.get_as("city", "/api/v1/followup/lists").await;
    let recall: Vec<&Value> = lists["lists"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["id"] == list.as_str())
        .collect();
    assert_eq!(recall.len(), 1, "{lists}");
    assert_eq!(recall[0]["rows"], 10);
    let hours = (recall[0]["deadline_ms"].as_i64().unwrap() - cordon_domain::time::now_ms()) as f64
        / 3_600_000.0;
    assert!((1.9..=2.0).contains(&hours), "a two-hour deadline: {hours}");
    let (_, subjects) = app
        .get_as("city", &format!("/api/v1/followup/lists/{list}/subjects"))
        .await;
    let persons = subjects["subjects"].as_array().unwrap();
    assert_eq!(persons.len(), 10, "{subjects}");
    assert!(persons.iter().all(|p| p["verified"] == true), "{subjects}");
    let (_, log) = app
        .get_as("auditor", "/api/v1/audit?action=testing.release")
        .await;
    assert_eq!(log["entries"].as_array().unwrap().len(), 2, "{log}");

    // The campaign's board: two tubes resulted, one positive recalling ten, one still open.
    let (_, campaigns) = app.get_as("city", "/api/v1/testing/campaigns").await;
    let campaign = campaigns["campaigns"][0]["id"].as_i64().unwrap();
    let (s, b) = app
        .get_as(
            "city",
            &format!("/api/v1/testing/campaigns/{campaign}/board"),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(
        (
            b["tubes"]["resulted"].as_i64(),
            b["tubes"]["open"].as_i64(),
            b["recalled"].as_i64()
        ),
        (Some(2), Some(1), Some(10)),
        "{b}"
    );
    let (s, e) = app
        .get_as(
            "city",
            &format!("/api/v1/testing/campaigns/{campaign}/board?late_after_hours=0"),
        )
        .await;
    assert_eq!(
        (s, e["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("late_after_hours"))
    );

    // The lane decides by the released result, newer than the test declared 20 hours ago, and
    // says so: person 1's pool read positive; person 11's negative.
    let version = store_version(&app, examples::STANDARD_2022_05).await;
    publish(&app, version).await;
    let (s, p) = app
        .post(
            "/api/v1/passages",
            &passage(&resident(1), "green", Some(20), &[]),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let d = &p["decision"];
    assert_eq!(
        (d["outcome"].as_str(), d["reasons"][0]["rule"].as_str()),
        (Some("refer"), Some("positive_test")),
        "{d}"
    );
    let facts = d["reasons"][0]["facts"].to_string();
    assert!(facts.contains("pool positive, recalled"), "{facts}");
    let (_, p) = app
        .post(
            "/api/v1/passages",
            &passage(&resident(11), "green", Some(20), &[]),
        )
        .await;
    assert_eq!(p["decision"]["outcome"], "pass", "{p}");

    // The recall as the command sees it: ten persons, masked, and where person 1 has passed.
    let (s, v) = app
        .get_as("city", &format!("/api/v1/testing/runs/{id}/recall"))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["list"].as_str(), Some(list.as_str()));
    let persons = v["persons"].as_array().unwrap();
    assert_eq!(persons.len(), 10);
    assert!(
        persons
            .iter()
            .all(|p| p["result"] == "recall" && p["name"] == "王*"),
        "{v}"
    );
    let travelled: Vec<&Value> = persons
        .iter()
        .filter(|p| !p["passages"].as_array().unwrap().is_empty())
        .collect();
    assert_eq!(travelled.len(), 1, "{v}");
    assert_eq!(travelled[0]["passages"][0]["checkpoint"], "CP-130100-0001");
    assert!(persons.iter().all(|p| p["retest"].is_null()), "{v}");
    let (s, _) = app
        .get_as("elsewhere", &format!("/api/v1/testing/runs/{id}/recall"))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "another city's commander");

    // Person 1 is re-tested alone: a pooled tube refuses them, a tube of one takes them, and the
    // recall shows the re-test waiting for its result.
    let (s, t) = app
        .post_as(
            "sampler",
            "/api/v1/testing/tubes",
            &json!({"site": site, "barcode": "HB0000099"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    let person =
        json!({"document": {"type": "resident_id", "number": resident(1)}, "name": "王五"});
    let (s, e) = app
        .post_as(
            "sampler",
            "/api/v1/testing/tubes/HB0000099/members",
            &person,
        )
        .await;
    assert_eq!(
        (s, e["error"]["code"].as_str(), e["error"]["field"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("recalled_alone"),
            Some("document")
        ),
        "{e}"
    );
    let (s, t) = app
        .post_as(
            "sampler",
            "/api/v1/testing/tubes",
            &json!({"site": site, "barcode": "HB0000100", "pool_size": 1}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    let (s, a) = app
        .post_as(
            "sampler",
            "/api/v1/testing/tubes/HB0000100/members",
            &person,
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    let (_, v) = app
        .get_as("city", &format!("/api/v1/testing/runs/{id}/recall"))
        .await;
    let retested: Vec<&Value> = v["persons"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| !p["retest"].is_null())
        .collect();
    assert_eq!(retested.len(), 1, "{v}");
    assert_eq!(
        (
            retested[0]["retest"]["tube"].as_str(),
            &retested[0]["retest"]["result"]
        ),
        (Some("HB0000100"), &Value::Null)
    );
}

pub async fn a_box_carries_sealed_tubes_from_the_site_to_the_lab(app: TestApp) {
    let site = campaign_with_site(&app, 10).await;
    sealed_tube(&app, site, "HB0000000011", 1..=10).await;
    sealed_tube(&app, site, "HB0000000012", 11..=20).await;
    let (lab, _) = lab_and_assay(&app).await;
    let (s, b) = app
        .post_as(
            "sampler",
            "/api/v1/testing/boxes",
            &json!({"site": site, "barcode": "box0001"}),
        )
        .await;
    assert_eq!(
        (s, b["barcode"].as_str()),
        (StatusCode::OK, Some("BOX0001")),
        "{b}"
    );
    let (s, e) = app
        .post_as(
            "sampler",
            "/api/v1/testing/boxes",
            &json!({"site": site, "barcode": "HB0000000011"}),
        )
        .await;
    assert_eq!((s, code(&e)), (StatusCode::CONFLICT, Some("barcode_used")));
    let handover = "/api/v1/testing/boxes/BOX0001/handover";
    let r = app
        .client("sampler")
        .post(format!("{}{handover}", app.base))
        .header("accept-language", "zh-CN")
        .json(&json!({"to": "李师傅 冀A12345"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["message"], "空箱不能交接：请先装管", "{e}");
    for t in ["HB0000000011", "hb0000000012"] {
        let (s, b) = app
            .post_as(
                "sampler",
                "/api/v1/testing/boxes/BOX0001/tubes",
                &json!({"tube": t}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{b}");
    }
    let (s, b) = app
        .post_as("sampler", handover, &json!({"to": "李师傅 冀A12345"}))
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(
        (b["persons"].as_i64(), b["handed_to"].as_str()),
        (Some(20), Some("李师傅 冀A12345"))
    );
    let (s, e) = app
        .post_as(
            "sampler",
            "/api/v1/testing/boxes/BOX0001/tubes",
            &json!({"tube": "HB0000000011"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "packed before: {e}");
    let received = format!("/api/v1/testing/labs/{lab}/received");
    let (s, r) = app
        .post_as("lab", &received, &json!({"barcode": "BOX0001"}))
        .await;
    assert_eq!(
        (s, r["tubes"].as_i64(), r["persons"].as_i64()),
        (StatusCode::CREATED, Some(2), Some(20)),
        "{r}"
    );
    let (s, r) = app
        .post_as("lab2", &received, &json!({"barcode": "HB0000000012"}))
        .await;
    assert_eq!(
        (s, r["already"].as_bool()),
        (StatusCode::OK, Some(true)),
        "{r}"
    );
}

on_both!(
    a_second_person_releases_a_run_and_its_positive_pool_is_recalled,
    a_box_carries_sealed_tubes_from_the_site_to_the_lab
);

/// The lab's rows in the access matrix.
pub fn rows() -> Vec<Row> {
    vec![
        row(
            "POST /api/v1/testing/boxes",
            SAMPLERS,
            json!({"site": 999999, "barcode": "NOSUCH000001"}),
        ),
        row(
            "POST /api/v1/testing/boxes/{barcode}/tubes",
            SAMPLERS,
            json!({"tube": "NOSUCH000002"}),
        ),
        row(
            "POST /api/v1/testing/boxes/{barcode}/handover",
            SAMPLERS,
            json!({"to": "x"}),
        ),
        row(
            "POST /api/v1/testing/labs",
            COMMANDERS,
            json!({"name": "x", "area": "x"}),
        ),
        row("GET /api/v1/testing/labs", TESTING_READERS, Value::Null),
        row(
            "POST /api/v1/testing/assays",
            LABS,
            json!({"name": "", "targets": [], "positive_when": "x"}),
        ),
        row("GET /api/v1/testing/assays", TESTING_READERS, Value::Null),
        row(
            "POST /api/v1/testing/labs/{id}/received",
            LABS,
            json!({"barcode": "NOSUCH000001"}),
        ),
        row(
            "GET /api/v1/testing/labs/{id}/runs",
            TESTING_READERS,
            Value::Null,
        ),
        row(
            "POST /api/v1/testing/runs",
            LABS,
            json!({"lab": 999999, "assay": 1}),
        ),
        row(
            "GET /api/v1/testing/runs/{id}",
            TESTING_READERS,
            Value::Null,
        ),
        row(
            "POST /api/v1/testing/runs/{id}/tubes",
            LABS,
            json!({"barcode": "NOSUCH000001"}),
        ),
        row(
            "POST /api/v1/testing/runs/{id}/steps",
            LABS,
            json!({"step": "inactivated"}),
        ),
        Row {
            body: Body::Csv("Well\n"),
            ..row("POST /api/v1/testing/runs/{id}/results", LABS, Value::Null)
        },
        row("POST /api/v1/testing/runs/{id}/release", LABS, Value::Null),
        row(
            "GET /api/v1/testing/runs/{id}/recall",
            COMMANDERS,
            Value::Null,
        ),
    ]
}
