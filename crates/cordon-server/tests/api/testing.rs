//! Mass testing over HTTP: a commander opens a campaign and a site; the county's sampler fills
//! a 5-in-1 tube by scanning persons (a scan repeated writes nothing, a sixth is refused, a
//! person in another open tube is refused), seals it, and a short tube needs a reason; every
//! scan is audited; bad input is refused whole, in the caller's language.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::matrix::{row, Body, Row, COMMANDERS, SAMPLERS, TESTING_READERS};
use super::TestApp;

/// Resident identity numbers of 长安区 that pass the check digit.
pub fn resident(seed: u32) -> String {
    let base = format!("13010219{:02}0101{:03}", 60 + seed % 40, seed % 1000);
    let w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = base
        .chars()
        .zip(w)
        .map(|(c, w)| c.to_digit(10).unwrap() * w)
        .sum();
    format!(
        "{base}{}",
        ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'][(sum % 11) as usize]
    )
}

/// A campaign over 长安区 (5 in 1) with one site, as the city's commander; the site's id.
pub async fn campaign_with_site(app: &TestApp, pool: u32) -> i64 {
    let deadline = (chrono::Utc::now() + chrono::Duration::days(1))
        .with_timezone(&cordon_domain::time::china())
        .to_rfc3339();
    let (s, c) = app
        .post_as(
            "city",
            "/api/v1/testing/campaigns",
            &json!({"name": "长安区全员核酸", "area": "130102", "deadline": deadline, "pool_size": pool}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    let path = format!("/api/v1/testing/campaigns/{}/sites", c["id"]);
    let (s, site) = app
        .post_as("city", &path, &json!({"name": "裕华路 1 号点", "lanes": 2}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{site}");
    site["id"].as_i64().unwrap()
}

fn person(seed: u32) -> Value {
    json!({"document": {"type": "resident_id", "number": resident(seed)}, "name": "张三"})
}

pub async fn a_sampler_fills_and_seals_tubes(app: TestApp) {
    let site = campaign_with_site(&app, 5).await;
    let (s, e) = app
        .post_as(
            "city",
            "/api/v1/testing/campaigns",
            &json!({"name": "", "area": "1301", "deadline": "yesterday", "pool_size": 7}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["problems"].as_array().unwrap().len(), 4, "{e}");
    let tube = json!({"site": site, "barcode": "hb2022050300001"});
    let (s, t) = app.post_as("sampler", "/api/v1/testing/tubes", &tube).await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    assert_eq!(
        (t["barcode"].as_str(), t["pool_size"].as_i64()),
        (Some("HB2022050300001"), Some(5))
    );
    let (s, e) = app.post_as("sampler", "/api/v1/testing/tubes", &tube).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("barcode_used"))
    );
    let members = "/api/v1/testing/tubes/HB2022050300001/members";
    for seed in 1..=5 {
        let (s, a) = app.post_as("sampler", members, &person(seed)).await;
        assert_eq!(s, StatusCode::CREATED, "{a}");
        assert_eq!(
            a["tube"]["members"].as_array().unwrap().len(),
            seed as usize
        );
    }
    let (s, a) = app.post_as("sampler", members, &person(5)).await;
    assert_eq!((s, a["already"].as_bool()), (StatusCode::OK, Some(true)));
    let (s, e) = app.post_as("sampler", members, &person(6)).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("tube_full"))
    );
    // A bad number and an empty name, both said, in Chinese.
    let bad =
        json!({"document": {"type": "resident_id", "number": "130102199001011238"}, "name": ""});
    let r = app
        .client("sampler")
        .post(format!("{}{members}", app.base))
        .header("accept-language", "zh-CN")
        .json(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let e: Value = r.json().await.unwrap();
    let fields: Vec<&str> = e["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["document.number", "name"], "{e}");
    assert!(
        e["problems"][0]["message"]
            .as_str()
            .unwrap()
            .contains("校验位"),
        "{e}"
    );
    // A second tube, 10 in 1: person 6 in it cannot be scanned into a third while it is open.
    let (s, _) = app
        .post_as(
            "sampler",
            "/api/v1/testing/tubes",
            &json!({"site": site, "barcode": "HB2022050300002", "pool_size": 10}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, _) = app
        .post_as(
            "sampler",
            "/api/v1/testing/tubes/HB2022050300002/members",
            &person(6),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, _) = app
        .post_as(
            "sampler",
            "/api/v1/testing/tubes",
            &json!({"site": site, "barcode": "HB2022050300003"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, e) = app
        .post_as(
            "sampler",
            "/api/v1/testing/tubes/HB2022050300003/members",
            &person(6),
        )
        .await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("in_open_tube"))
    );
    // A tube of the series skipped: number 4 is missing between 3 and 5.
    let (s, _) = app
        .post_as(
            "sampler",
            "/api/v1/testing/tubes",
            &json!({"site": site, "barcode": "HB2022050300005"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, series) = app
        .get_as("city", &format!("/api/v1/testing/sites/{site}/series"))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        series["series"][0]["gaps"],
        json!([{"from": 2022050300004_u64, "to": 2022050300004_u64}]),
        "{series}"
    );
    // Sealed: the full one at once, the short one only with a reason.
    let (s, t) = app
        .post_as(
            "sampler",
            "/api/v1/testing/tubes/HB2022050300001/seal",
            &json!({}),
        )
        .await;
    assert_eq!((s, t["state"].as_str()), (StatusCode::OK, Some("sealed")));
    let short = "/api/v1/testing/tubes/HB2022050300002/seal";
    let (s, e) = app.post_as("sampler", short, &json!({})).await;
    assert_eq!(
        (s, e["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("short_reason"))
    );
    let (s, t) = app
        .post_as("sampler", short, &json!({"short_reason": "队尾"}))
        .await;
    assert_eq!(
        (s, t["short_reason"].as_str()),
        (StatusCode::OK, Some("队尾"))
    );
    // The commander reads the tube, masked; another city's does not see it.
    let (s, t) = app
        .get_as("city", "/api/v1/testing/tubes/HB2022050300001")
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        !serde_json::to_string(&t).unwrap().contains(&resident(1)),
        "masked: {t}"
    );
    let (s, _) = app
        .get_as("elsewhere", "/api/v1/testing/tubes/HB2022050300001")
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, log) = app
        .get_as("auditor", "/api/v1/audit?action=testing.sample")
        .await;
    assert_eq!(
        log["entries"].as_array().unwrap().len(),
        7,
        "five, one repeated, one more: {log}"
    );
}

pub async fn the_roster_says_who_has_not_been_sampled(app: TestApp) {
    let site = campaign_with_site(&app, 10).await;
    let (_, list) = app.get_as("city", "/api/v1/testing/campaigns").await;
    let id = list["campaigns"][0]["id"].as_i64().unwrap();
    let path = format!("/api/v1/testing/campaigns/{id}/roster");
    // Four residents of two buildings; a fifth row with a wrong check digit.
    let mut csv = String::from("姓名,身份证号,小区,楼栋\n");
    for (seed, building) in [(1, "1号楼"), (2, "1号楼"), (3, "2号楼"), (4, "2号楼")] {
        csv.push_str(&format!("张三,{},裕华小区,{building}\n", resident(seed)));
    }
    csv.push_str("李四,130102199001011238,裕华小区,2号楼\n");
    let (s, e) = super::post_file(&app, "city", &path, "text/csv", csv.clone().into_bytes()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["problems"][0]["line"], 6, "{e}");
    let (s, r) = super::post_file(
        &app,
        "city",
        &format!("{path}?skip_bad_rows=true"),
        "text/csv",
        csv.clone().into_bytes(),
    )
    .await;
    assert_eq!(
        (s, r["added"].as_i64(), r["file_rows"].as_i64()),
        (StatusCode::OK, Some(4), Some(5)),
        "{r}"
    );
    let (_, r) = super::post_file(
        &app,
        "city",
        &format!("{path}?skip_bad_rows=true"),
        "text/csv",
        csv.into_bytes(),
    )
    .await;
    assert_eq!(
        (r["added"].as_i64(), r["already"].as_i64()),
        (Some(0), Some(4)),
        "sent again: {r}"
    );
    // Persons 1 and 3 sampled, and one who is not on the roster.
    let (s, _) = app
        .post_as(
            "sampler",
            "/api/v1/testing/tubes",
            &json!({"site": site, "barcode": "HB2022050300201"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    for seed in [1, 3, 9] {
        let (s, _) = app
            .post_as(
                "sampler",
                "/api/v1/testing/tubes/HB2022050300201/members",
                &person(seed),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED);
    }
    let (s, done) = app
        .get_as(
            "sampler",
            &format!("/api/v1/testing/campaigns/{id}/completeness"),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        (
            done["expected"].as_i64(),
            done["sampled"].as_i64(),
            done["walk_ins"].as_i64()
        ),
        (Some(4), Some(2), Some(1)),
        "{done}"
    );
    assert_eq!(
        done["buildings"][1],
        json!({"compound": "裕华小区", "building": "2号楼", "expected": 2, "sampled": 1})
    );
    let (s, m) = app
        .get_as("city", &format!("/api/v1/testing/campaigns/{id}/missing?compound=%E8%A3%95%E5%8D%8E%E5%B0%8F%E5%8C%BA&building=2%E5%8F%B7%E6%A5%BC"))
        .await;
    assert_eq!(s, StatusCode::OK, "{m}");
    assert_eq!(m["persons"].as_array().unwrap().len(), 1);
    // The one sampled without being on the roster, listed with the tube that took them.
    let (s, w) = app
        .get_as("city", &format!("/api/v1/testing/campaigns/{id}/walk-ins"))
        .await;
    assert_eq!(s, StatusCode::OK, "{w}");
    let walk_ins = w["persons"].as_array().unwrap();
    assert_eq!(walk_ins.len(), 1, "{w}");
    assert_eq!(
        (walk_ins[0]["tube"].as_str(), walk_ins[0]["site"].as_str()),
        (Some("HB2022050300201"), Some("裕华路 1 号点"))
    );
    assert!(walk_ins[0]["document"]["number"]
        .as_str()
        .unwrap()
        .contains('*'));
    let (s, _) = app
        .get_as(
            "elsewhere",
            &format!("/api/v1/testing/campaigns/{id}/walk-ins"),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "another city's commander");
    let (s, _) = app
        .get_as(
            "city",
            &format!("/api/v1/testing/campaigns/{id}/walk-ins?limit=0"),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        !serde_json::to_string(&m).unwrap().contains(&resident(4)),
        "masked"
    );
    let (s, _) = app
        .get_as(
            "elsewhere",
            &format!("/api/v1/testing/campaigns/{id}/completeness"),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

pub async fn persons_take_numbers_and_are_sampled_by_them(app: TestApp) {
    let site = campaign_with_site(&app, 10).await;
    let queue = format!("/api/v1/testing/sites/{site}/queue");
    let (s, first) = app.post_as("sampler", &queue, &person(1)).await;
    assert_eq!(
        (s, first["number"].as_i64()),
        (StatusCode::CREATED, Some(1)),
        "{first}"
    );
    let (s, second) = app.post_as("sampler", &queue, &person(2)).await;
    assert_eq!(
        (s, second["number"].as_i64()),
        (StatusCode::CREATED, Some(2))
    );
    let (s, again) = app.post_as("sampler", &queue, &person(1)).await;
    assert_eq!(
        (s, again["number"].as_i64(), again["already"].as_bool()),
        (StatusCode::OK, Some(1), Some(true)),
        "the same person, the same number"
    );
    let (s, _) = app
        .post_as(
            "sampler",
            "/api/v1/testing/tubes",
            &json!({"site": site, "barcode": "HB2022050300301"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let by = "/api/v1/testing/tubes/HB2022050300301/members/by-number";
    let (s, added) = app.post_as("sampler", by, &json!({"number": 2})).await;
    assert_eq!(s, StatusCode::CREATED, "{added}");
    let (_, direct) = app
        .post_as(
            "sampler",
            "/api/v1/testing/tubes/HB2022050300301/members",
            &person(2),
        )
        .await;
    assert_eq!(direct["already"], true, "number 2 is person 2: {direct}");
    let (s, e) = app.post_as("sampler", by, &json!({"number": 99})).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("unknown_number"))
    );
    let (_, log) = app
        .get_as("auditor", "/api/v1/audit?action=testing.queue")
        .await;
    assert_eq!(log["entries"].as_array().unwrap().len(), 3, "{log}");
}

on_both!(
    a_sampler_fills_and_seals_tubes,
    the_roster_says_who_has_not_been_sampled,
    persons_take_numbers_and_are_sampled_by_them
);

/// The rows of testing in the access matrix.
pub fn rows() -> Vec<Row> {
    const READERS: &[&str] = TESTING_READERS;
    vec![
        row(
            "POST /api/v1/testing/campaigns",
            COMMANDERS,
            json!({"name": "x", "area": "130102", "deadline": "x"}),
        ),
        row("GET /api/v1/testing/campaigns", READERS, Value::Null),
        Row {
            body: Body::Csv("姓名\n"),
            ..row(
                "POST /api/v1/testing/campaigns/{id}/roster",
                COMMANDERS,
                Value::Null,
            )
        },
        row(
            "GET /api/v1/testing/campaigns/{id}/board",
            READERS,
            Value::Null,
        ),
        row(
            "GET /api/v1/testing/campaigns/{id}/completeness",
            READERS,
            Value::Null,
        ),
        row(
            "GET /api/v1/testing/campaigns/{id}/walk-ins",
            READERS,
            Value::Null,
        ),
        Row {
            query: "?compound=x",
            ..row(
                "GET /api/v1/testing/campaigns/{id}/missing",
                READERS,
                Value::Null,
            )
        },
        row(
            "POST /api/v1/testing/campaigns/{id}/sites",
            COMMANDERS,
            json!({"name": "x"}),
        ),
        row(
            "POST /api/v1/testing/tubes",
            SAMPLERS,
            json!({"site": 999999, "barcode": "NOSUCH000001"}),
        ),
        row("GET /api/v1/testing/tubes/{barcode}", READERS, Value::Null),
        row(
            "GET /api/v1/testing/sites/{id}/series",
            READERS,
            Value::Null,
        ),
        row(
            "POST /api/v1/testing/tubes/{barcode}/members",
            SAMPLERS,
            json!({"document": {"type": "resident_id", "number": "x"}, "name": "x"}),
        ),
        row(
            "POST /api/v1/testing/sites/{id}/queue",
            SAMPLERS,
            json!({"document": {"type": "resident_id", "number": "x"}, "name": "x"}),
        ),
        row(
            "POST /api/v1/testing/tubes/{barcode}/members/by-number",
            SAMPLERS,
            json!({"number": 1}),
        ),
        row(
            "POST /api/v1/testing/tubes/{barcode}/seal",
            SAMPLERS,
            json!({}),
        ),
    ]
}
