//! The daily report over HTTP: today's figures counted now for the city (a line per county, the
//! total, the positives), a checkpoint's own, drill-down refused beyond the jurisdiction, a day
//! not yet begun refused beside its field, and the same report as an Excel workbook.

use reqwest::StatusCode;
use serde_json::Value;

use super::matrix::{row, Row, COMMANDERS};
use super::{register, TestApp};

fn today() -> String {
    cordon_domain::time::today_china().to_string()
}

async fn the_daily_report_counts_the_day_and_exports_it(app: TestApp) {
    register(&app, "冀A12345", 0, &[("11010519491231002X", "张三")]).await;
    let (s, r) = app
        .get_as("city", &format!("/api/v1/daily-reports?day={}", today()))
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(
        (r["level"].as_str(), r["name"].as_str()),
        (Some("city"), Some("石家庄市"))
    );
    assert_eq!(r["kept_at"], Value::Null, "today is counted now");
    assert_eq!(r["lines"][0]["code"], "130102");
    assert_eq!(r["lines"][0]["figures"]["vehicles"], 1);
    assert_eq!(r["total"]["persons"], 1);
    assert_eq!(r["total"]["checkpoints"], 3);
    assert_eq!(r["positives"]["pcr_tubes"], 0);

    let (s, cp) = app
        .get_as(
            "commander",
            &format!("/api/v1/daily-reports?day={}&scope=CP-130100-0001", today()),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{cp}");
    assert_eq!(cp["level"], "checkpoint");
    assert_eq!(cp["total"]["vehicles"], 1);
    assert_eq!(cp["positives"], Value::Null);

    for (who, query, status, field) in [
        ("elsewhere", "scope=130100", StatusCode::FORBIDDEN, ""),
        (
            "city",
            "scope=13",
            StatusCode::UNPROCESSABLE_ENTITY,
            "scope",
        ),
        (
            "city",
            "day=2999-01-01",
            StatusCode::UNPROCESSABLE_ENTITY,
            "day",
        ),
    ] {
        let (s, b) = app
            .get_as(who, &format!("/api/v1/daily-reports?{query}"))
            .await;
        assert_eq!(s, status, "{query}: {b}");
        if !field.is_empty() {
            assert_eq!(b["error"]["field"], field);
        }
    }
    let (s, none) = app
        .get_as("elsewhere", "/api/v1/daily-reports?scope=CP-130100-0001")
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{none}");

    // As a workbook: a line per county, then the total, and the note of when it was counted.
    let r = app
        .client("city")
        .get(format!(
            "{}/api/v1/daily-reports.xlsx?day={}",
            app.base,
            today()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let bytes = r.bytes().await.unwrap().to_vec();
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let sheet = book.worksheet_range("daily").unwrap();
    let rows: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(rows[0][1], "名称");
    assert_eq!(rows[1][0], "130102");
    assert_eq!((rows[2][0].as_str(), rows[2][3].as_str()), ("130100", "1"));
    assert!(
        rows[3..].iter().any(|r| r[0].contains("实时统计")),
        "the note below: {rows:?}"
    );
}

/// The keeper keeps the week's days once each, and a kept day answers as kept. It keeps at
/// midnight here (China time): kept at 00:30, yesterday is not due in the half hour after
/// midnight, when the report still asks for it.
async fn each_day_is_kept_once(app: TestApp) {
    use cordon_server::command::daily_api::keep_due;
    let now = cordon_domain::time::now_ms();
    assert_eq!(keep_due(app.store.as_ref(), 0, now).await.unwrap(), 7);
    assert_eq!(keep_due(app.store.as_ref(), 0, now).await.unwrap(), 0);
    let (s, r) = app.get_as("city", "/api/v1/daily-reports").await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert!(r["kept_at"].is_string(), "yesterday was kept: {r}");
    let (_, live) = app.get_as("city", "/api/v1/daily-reports?live=true").await;
    assert_eq!(live["kept_at"], Value::Null);
}

on_both!(
    the_daily_report_counts_the_day_and_exports_it,
    each_day_is_kept_once
);

pub fn rows() -> Vec<Row> {
    vec![
        row("GET /api/v1/daily-reports", COMMANDERS, Value::Null),
        row("GET /api/v1/daily-reports.xlsx", COMMANDERS, Value::Null),
    ]
}
