//! The dashboard's figures over the API: they follow registrations, in the caller's scope.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::matrix::{row, Row, PASSAGE_READERS};
use super::TestApp;

pub async fn the_dashboard_counts_in_scope(app: TestApp) {
    let (s, d) = app.get_as("commander", "/api/v1/dashboard?hours=2").await;
    assert_eq!(s, StatusCode::OK, "{d}");
    let before = d["passages"].as_i64().unwrap();
    assert_eq!(d["hours"], 2);
    let mut p = super::example();
    p["id"] = json!(uuid::Uuid::now_v7());
    p["observed_at"] = json!(chrono::Utc::now()
        .with_timezone(&cordon_domain::time::china())
        .to_rfc3339());
    p["occupants"][0]["latest_test"]["taken_at"] = p["observed_at"].clone();
    let (s, b) = app.post("/api/v1/passages", &p).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    // The cache lets a figure be a few seconds old.
    tokio::time::sleep(std::time::Duration::from_millis(
        cordon_server::dashboard::figures::CACHE_MS as u64 + 100,
    ))
    .await;
    let (_, d) = app.get_as("commander", "/api/v1/dashboard?hours=2").await;
    assert_eq!(d["passages"].as_i64().unwrap(), before + 1);
    let cp = d["checkpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "CP-130100-0001")
        .unwrap()
        .clone();
    assert_eq!(cp["passages"], 1);
    assert_eq!(cp["handled"], 1, "registered at the lane within minutes");
    assert!(cp["handling_seconds"].as_f64().unwrap() < 60.0);
    // Another city's commander sees none of it; an officer sees only their checkpoints.
    let (_, d) = app.get_as("elsewhere", "/api/v1/dashboard?hours=2").await;
    assert_eq!(d["passages"], 0);
    assert!(d["checkpoints"].as_array().unwrap().is_empty());
    let (_, d) = app.get_as("officer2", "/api/v1/dashboard?hours=2").await;
    assert_eq!(d["checkpoints"].as_array().unwrap().len(), 1);
    let (s, e) = app.get_as("commander", "/api/v1/dashboard?hours=0").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["error"]["field"], "hours");
}

/// A record entered hours after its vehicle passed (from paper) is counted in its hour, which
/// the hub keeps summed between reads: the sums are read again once the counts changed.
pub async fn a_late_record_reaches_the_kept_hours(app: TestApp) {
    let path = "/api/v1/dashboard?hours=6";
    let (s, first) = app.get_as("commander", path).await;
    assert_eq!(s, StatusCode::OK, "{first}");
    let before = first["passages"].as_i64().unwrap();
    let china = cordon_domain::time::china();
    let observed = chrono::Utc::now() - chrono::Duration::hours(4);
    let mut p = super::example();
    p["id"] = json!(uuid::Uuid::now_v7());
    p["observed_at"] = json!(observed.with_timezone(&china).to_rfc3339());
    p["occupants"][0]["latest_test"]["taken_at"] = p["observed_at"].clone();
    let (s, b) = app.post("/api/v1/passages", &p).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    // Each computed dashboard is served again for a few seconds.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let d = loop {
        let (_, d) = app.get_as("commander", path).await;
        if d["passages"].as_i64().unwrap() == before + 1 {
            break d;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the late record never counted: {before} then {}",
            d["passages"]
        );
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    };
    assert_eq!(in_hour(&d, observed), in_hour(&first, observed) + 1);
}

/// The vehicles a dashboard counts in the hour of `at`.
fn in_hour(d: &Value, at: chrono::DateTime<chrono::Utc>) -> i64 {
    let hour = at.timestamp() / 3600;
    let slot = d["hourly"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| {
            let start = chrono::DateTime::parse_from_rfc3339(h["hour"].as_str().unwrap());
            start.unwrap().timestamp() / 3600 == hour
        })
        .unwrap_or_else(|| panic!("no hour {hour}: {}", d["hourly"]));
    slot["passages"].as_i64().unwrap()
}

/// The dashboard's row of the access matrix: counts only, filtered by scope.
pub fn rows() -> Vec<Row> {
    vec![row("GET /api/v1/dashboard", PASSAGE_READERS, Value::Null)]
}

/// Pages and answers are compressed by `Accept-Encoding`: brotli preferred, gzip, or none.
pub async fn answers_are_compressed_by_accept_encoding(app: TestApp) {
    let fetch = |path: &'static str, encoding: &'static str| {
        let r = app
            .client("commander")
            .get(format!("{}{path}", app.base))
            .header("accept-encoding", encoding);
        async move {
            let r = r.send().await.unwrap();
            assert_eq!(r.status(), StatusCode::OK, "{path}");
            let used = r
                .headers()
                .get("content-encoding")
                .map(|v| v.to_str().unwrap().to_owned());
            (used, r.bytes().await.unwrap().len())
        }
    };
    for path in ["/api/v1/dashboard", "/api/openapi.json", "/lane"] {
        let (none, plain) = fetch(path, "identity").await;
        assert_eq!(none, None, "{path}");
        let (gzip, gzipped) = fetch(path, "gzip").await;
        assert_eq!(gzip.as_deref(), Some("gzip"), "{path}");
        let (br, brotli) = fetch(path, "gzip, deflate, br").await;
        assert_eq!(br.as_deref(), Some("br"), "{path}");
        assert!(
            gzipped < plain && brotli < plain,
            "{path}: {plain} {gzipped} {brotli}"
        );
    }
}

on_both!(
    the_dashboard_counts_in_scope,
    answers_are_compressed_by_accept_encoding,
    a_late_record_reaches_the_kept_hours
);
