//! Antigen tests over HTTP: a sampler swabs a person (a repeated scan answers the same test),
//! reads the cassette too early (refused in Chinese, with the minutes left), reads a test
//! swabbed 16 minutes before as positive (once: another result is a conflict), sees the site's
//! lists; the lane then refers the person by that antigen result and says where it came from.

use reqwest::StatusCode;
use serde_json::{json, Value};

use cordon_domain::access::{Principal, Role, Scope, Username};
use cordon_domain::identity::{DocumentType, IdentityDocument};
use cordon_domain::person::PersonName;
use cordon_domain::policy::examples;
use cordon_store::testing::antigen::antigen_context;
use cordon_store::testing::NewMember;

use super::matrix::{row, Row, SAMPLERS};
use super::policy::{passage, publish, store_version};
use super::testing::{campaign_with_site, resident};
use super::TestApp;

fn person(seed: u32) -> Value {
    json!({"document": {"type": "resident_id", "number": resident(seed)}, "name": "李四"})
}

/// Person `seed` swabbed at `site` `minutes` ago, through the store (the clock of a test does
/// not wait 15 minutes); the test's id.
pub async fn swabbed_before(app: &TestApp, site: i64, seed: u32, minutes: i64) -> i64 {
    let grant = Principal {
        account: 1,
        username: Username::parse("sampler").unwrap(),
        role: Role::Sampler,
        scope: Scope::parse("130102").unwrap(),
    }
    .may_sample()
    .unwrap();
    let doc = IdentityDocument::parse(DocumentType::ResidentId, &resident(seed)).unwrap();
    let name = PersonName::parse("王五").unwrap();
    let m = NewMember::sealed(app.store.keyring(), &doc, &name, |k| {
        antigen_context(site, k)
    });
    let at = cordon_domain::time::now_ms() - minutes * 60_000;
    app.store.swab(&grant, site, m, at).await.unwrap().test.id
}

pub async fn a_sampler_swabs_and_reads_antigen_tests(app: TestApp) {
    let site = campaign_with_site(&app, 10).await;
    let swab = format!("/api/v1/testing/sites/{site}/antigen");
    let (s, t) = app.post_as("sampler", &swab, &person(1)).await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    let test = t["test"]["id"].as_i64().unwrap();
    assert_eq!(
        t["test"]["read_after_ms"].as_i64().unwrap() - t["test"]["swabbed_at_ms"].as_i64().unwrap(),
        15 * 60_000
    );
    assert_eq!(t["test"]["name"], "李*", "masked");
    let (s, again) = app.post_as("sampler", &swab, &person(1)).await;
    assert_eq!(
        (s, again["test"]["id"].as_i64()),
        (StatusCode::OK, Some(test))
    );

    // Read at once: refused beside the result, in Chinese, with the minutes left.
    let r = app
        .client("sampler")
        .post(format!("{}/api/v1/testing/antigen/{test}/result", app.base))
        .header("accept-language", "zh-CN")
        .json(&json!({"result": "negative"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let e: Value = r.json().await.unwrap();
    assert_eq!(
        (e["error"]["code"].as_str(), e["error"]["field"].as_str()),
        (Some("too_early"), Some("result"))
    );
    let said = e["error"]["message"].as_str().unwrap();
    assert!(
        said.starts_with("抗原采样 15 分钟后才能判读：还剩 1") && said.ends_with("分钟"),
        "{said}"
    );

    // A test swabbed 16 minutes ago is read positive, once.
    let older = swabbed_before(&app, site, 2, 16).await;
    let read = format!("/api/v1/testing/antigen/{older}/result");
    let (s, e) = app
        .post_as("sampler", &read, &json!({"result": "maybe"}))
        .await;
    assert_eq!(
        (s, e["error"]["code"].as_str(), e["error"]["field"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("invalid_result"),
            Some("result")
        )
    );
    let (s, r) = app
        .post_as("sampler", &read, &json!({"result": "positive"}))
        .await;
    assert_eq!(
        (
            s,
            r["test"]["result"].as_str(),
            r["test"]["read_by"].as_str()
        ),
        (StatusCode::CREATED, Some("positive"), Some("sampler")),
        "{r}"
    );
    let (s, _) = app
        .post_as("sampler", &read, &json!({"result": "positive"}))
        .await;
    assert_eq!(s, StatusCode::OK, "the same read again");
    let (s, e) = app
        .post_as("sampler", &read, &json!({"result": "negative"}))
        .await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("already_read"))
    );
    let (s, e) = app
        .post_as(
            "sampler",
            "/api/v1/testing/antigen/999999/result",
            &json!({"result": "negative"}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{e}");

    // The site's lists: person 1 waits, person 2 was read positive today.
    let (s, l) = app.get_as("sampler", &swab).await;
    assert_eq!(s, StatusCode::OK, "{l}");
    assert_eq!(l["waiting"][0]["id"].as_i64(), Some(test));
    assert_eq!(l["waiting"].as_array().unwrap().len(), 1);
    assert_eq!(
        (l["read"][0]["id"].as_i64(), l["read"][0]["result"].as_str()),
        (Some(older), Some("positive"))
    );
    // The campaign's board counts them.
    let (_, list) = app.get_as("city", "/api/v1/testing/campaigns").await;
    let campaign = list["campaigns"][0]["id"].as_i64().unwrap();
    let (s, b) = app
        .get_as(
            "city",
            &format!("/api/v1/testing/campaigns/{campaign}/board"),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(
        b["antigen"],
        json!({"waiting": 1, "read": 1, "positive": 1}),
        "{b}"
    );
    let (s, e) = app
        .post_as(
            "sampler",
            &swab,
            &json!({"document": {"type": "resident_id", "number": "123"}, "name": ""}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["problems"].as_array().unwrap().len(), 2, "{e}");

    // The lane refers person 2 by the antigen result read after their declared PCR.
    let version = store_version(&app, examples::STANDARD_2022_05).await;
    publish(&app, version).await;
    let (s, p) = app
        .post(
            "/api/v1/passages",
            &passage(&resident(2), "green", Some(20), &[]),
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
    assert!(
        facts.contains("antigen positive") && facts.contains("Cordon sampling site"),
        "{facts}"
    );
}

on_both!(a_sampler_swabs_and_reads_antigen_tests);

/// The antigen routes in the access matrix.
pub fn rows() -> Vec<Row> {
    vec![
        row(
            "POST /api/v1/testing/sites/{id}/antigen",
            SAMPLERS,
            json!({"document": {"type": "resident_id", "number": "x"}, "name": "x"}),
        ),
        row(
            "GET /api/v1/testing/sites/{id}/antigen",
            SAMPLERS,
            Value::Null,
        ),
        row(
            "POST /api/v1/testing/antigen/{id}/result",
            SAMPLERS,
            json!({"result": "negative"}),
        ),
    ]
}
