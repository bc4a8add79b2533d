//! A sampling site as an edge station, at the hub's API: a commander issues a site's credential
//! (and is refused one naming both a checkpoint and a site, or an unknown site); the station
//! learns its site; it pushes its tubes, scans, seals, antigen swabs and reads in series order,
//! taken at the station's times; a barcode the hub gave another site's tube, a scan into it and
//! an event the station lost are refused with their reasons, and count as taken; a push sent
//! again is replayed, and the same events under a second credential's series write nothing
//! twice; a gap is refused; a checkpoint's station may not push sampling; a revoked site
//! credential pushes no more.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::matrix::{row, Row};
use super::testing::{campaign_with_site, resident};
use super::TestApp;

async fn as_station(
    app: &TestApp,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut r = app
        .http
        .request(method, format!("{}{path}", app.base))
        .bearer_auth(token);
    if let Some(b) = body {
        r = r.json(&b);
    }
    let r = r.send().await.unwrap();
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

async fn push(app: &TestApp, token: &str, records: &[Value]) -> (StatusCode, Value) {
    let body = json!({ "records": records });
    as_station(
        app,
        token,
        reqwest::Method::POST,
        "/api/v1/sync/sampling",
        Some(body),
    )
    .await
}

fn person(seed: u32) -> Value {
    json!({"document": {"type": "resident_id", "number": resident(seed)}, "name": "赵六"})
}

async fn issue(app: &TestApp, site: i64) -> String {
    let (s, issued) = app
        .post_as("city", "/api/v1/stations", &json!({ "site": site }))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{issued}");
    assert_eq!(issued["site"], site);
    issued["token"].as_str().unwrap().to_owned()
}

pub async fn a_sampling_station_pushes_its_site_exactly_once(app: TestApp) {
    let site = campaign_with_site(&app, 10).await;
    // A second site of the same campaign, where the hub's own sampler has used a barcode.
    let (_, campaigns) = app.get_as("city", "/api/v1/testing/campaigns").await;
    let campaign = campaigns["campaigns"][0]["id"].as_i64().unwrap();
    let (s, other) = app
        .post_as(
            "city",
            &format!("/api/v1/testing/campaigns/{campaign}/sites"),
            &json!({"name": "裕华路 2 号点"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{other}");
    let (s, t) = app
        .post_as(
            "sampler",
            "/api/v1/testing/tubes",
            &json!({"site": other["id"], "barcode": "HB7000000099"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");

    for bad in [
        json!({"checkpoint": "CP-130100-0001", "site": site}),
        json!({}),
        json!({"site": 999_999}),
    ] {
        let (s, e) = app.post_as("city", "/api/v1/stations", &bad).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {e}");
    }
    let (s, _) = app
        .post_as("elsewhere", "/api/v1/stations", &json!({ "site": site }))
        .await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "another city's commander sees no such site"
    );
    let token = issue(&app, site).await;

    let (s, bound) = as_station(
        &app,
        &token,
        reqwest::Method::GET,
        "/api/v1/sync/site",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{bound}");
    assert_eq!(
        (bound["site"]["id"].as_i64(), bound["high_water"].as_i64()),
        (Some(site), Some(0))
    );
    assert_eq!(bound["campaign"]["area"], "130102");

    let now = cordon_domain::time::now_ms();
    let swabbed = now - 20 * 60_000;
    let events = [
        json!({"kind": "tube", "barcode": "HB7000000001", "pool_size": 10, "by": "sampler", "at_ms": now - 60_000}),
        json!({"kind": "member", "barcode": "HB7000000001", "person": person(1), "by": "sampler", "at_ms": now - 50_000}),
        json!({"kind": "member", "barcode": "HB7000000001", "person": person(2), "by": "sampler", "at_ms": now - 40_000}),
        json!({"kind": "seal", "barcode": "HB7000000001", "short_reason": "队尾最后两人", "by": "sampler", "at_ms": now - 30_000}),
        json!({"kind": "swab", "person": person(3), "by": "sampler", "at_ms": swabbed}),
        json!({"kind": "read", "person": person(3), "swabbed_at_ms": swabbed, "result": "negative", "by": "sampler", "at_ms": now - 10_000}),
        json!({"kind": "tube", "barcode": "HB7000000099", "pool_size": 10, "by": "sampler", "at_ms": now}),
        json!({"kind": "member", "barcode": "HB7000000099", "person": person(4), "by": "sampler", "at_ms": now}),
        json!({"kind": "lost", "what": "event 9", "reason": "the person's data was purged before it reached the hub"}),
    ];
    let records: Vec<Value> = events
        .iter()
        .enumerate()
        .map(|(i, e)| json!({"seq": i + 1, "event": e}))
        .collect();
    let (s, a) = push(&app, &token, &records).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    assert_eq!(
        (
            a["high_water"].as_i64(),
            a["applied"].as_i64(),
            a["replayed"].as_i64()
        ),
        (Some(9), Some(6), Some(0)),
        "{a}"
    );
    let codes: Vec<&str> = a["refused"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        ["barcode_used", "other_site", "lost_at_station"],
        "{a}"
    );
    assert_eq!(a["refused"][0]["seq"], 7);

    // The hub holds the tube as the station left it, at the station's times.
    let (s, tube) = app
        .get_as("city", "/api/v1/testing/tubes/HB7000000001")
        .await;
    assert_eq!(s, StatusCode::OK, "{tube}");
    assert_eq!(
        (
            tube["state"].as_str(),
            tube["members"].as_array().map(Vec::len)
        ),
        (Some("sealed"), Some(2))
    );
    assert_eq!(tube["short_reason"], "队尾最后两人");
    assert_eq!(tube["opened_at_ms"].as_i64(), Some(now - 60_000));
    // The other site's tube took nobody.
    let (_, theirs) = app
        .get_as("city", "/api/v1/testing/tubes/HB7000000099")
        .await;
    assert_eq!(theirs["members"].as_array().map(Vec::len), Some(0));
    // The antigen test was read negative at the hub too.
    let (_, tests) = app
        .get_as("sampler", &format!("/api/v1/testing/sites/{site}/antigen"))
        .await;
    let read = tests["read"].as_array().cloned().unwrap_or_default();
    assert!(
        read.iter()
            .any(|t| t["result"] == "negative" && t["swabbed_at_ms"].as_i64() == Some(swabbed)),
        "{tests}"
    );

    // Sent again: replayed, nothing refused again or written twice.
    let (_, a) = push(&app, &token, &records).await;
    assert_eq!(
        (
            a["high_water"].as_i64(),
            a["applied"].as_i64(),
            a["replayed"].as_i64()
        ),
        (Some(9), Some(0), Some(9)),
        "{a}"
    );
    assert_eq!(a["refused"], json!([]));
    // The same events under a new credential's series (what a push repeated after a crash
    // between the writes and the mark does): each is recognised, nothing twice.
    let (s, issued) = app
        .post_as("city", "/api/v1/stations", &json!({ "site": site }))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{issued}");
    let second = issued["token"].as_str().unwrap().to_owned();
    let (_, a) = push(&app, &second, &records[..6]).await;
    assert_eq!(
        (a["applied"].as_i64(), a["replayed"].as_i64()),
        (Some(0), Some(6)),
        "{a}"
    );
    let (_, tube) = app
        .get_as("city", "/api/v1/testing/tubes/HB7000000001")
        .await;
    assert_eq!(tube["members"].as_array().map(Vec::len), Some(2));

    // A gap, a malformed event and a checkpoint's station are refused; nothing moves.
    let (s, e) = push(&app, &token, &[json!({"seq": 12, "event": events[0]})]).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("series_gap"))
    );
    let (s, _) = push(
        &app,
        &token,
        &[json!({"seq": 10, "event": {"kind": "pool_of_pools"}})],
    )
    .await;
    assert!(
        s == StatusCode::BAD_REQUEST || s == StatusCode::UNPROCESSABLE_ENTITY,
        "{s}"
    );
    let (s, _) = app
        .post_as("station", "/api/v1/sync/sampling", &json!({"records": []}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (_, bound) = as_station(
        &app,
        &token,
        reqwest::Method::GET,
        "/api/v1/sync/site",
        None,
    )
    .await;
    assert_eq!(bound["high_water"], 9);

    // The commander sees the site's stations beside the checkpoints'.
    let (_, list) = app.get_as("city", "/api/v1/stations").await;
    let sites: Vec<&Value> = list["stations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["site"] == site)
        .collect();
    assert_eq!(sites.len(), 2, "{list}");
    assert_eq!(sites[0]["high_water"], 9);

    // The second credential revoked (by another city's commander: not found; by its own: done)
    // pushes no more.
    let revoke = format!(
        "/api/v1/stations/{}/revoke",
        issued["account"].as_str().unwrap()
    );
    let (s, _) = app.post_as("elsewhere", &revoke, &json!({})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app.post_as("city", &revoke, &json!({})).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = push(&app, &second, &[]).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (_, list) = app.get_as("city", "/api/v1/stations").await;
    let revoked = list["stations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["site"] == site && s["revoked"] == true)
        .count();
    assert_eq!(revoked, 1, "{list}");
}

on_both!(a_sampling_station_pushes_its_site_exactly_once);

/// The sampling stations' rows of the access matrix: only a site's own credential may (none of
/// the matrix's accounts is one; the test above is).
pub fn rows() -> Vec<Row> {
    vec![
        row("GET /api/v1/sync/site", &[], Value::Null),
        row("POST /api/v1/sync/sampling", &[], json!({"records": []})),
    ]
}
