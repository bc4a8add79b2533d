//! A campaign's roster taken from a follow-up list: the persons known by a document are
//! expected where the list says they live, the one known by phone and name only is counted and
//! not taken; taken again, nothing is added; another city's commander finds neither the list nor
//! the campaign; a list that names nobody by a document is refused.

use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

use super::matrix::{row, Row, COMMANDERS};
use super::testing::{campaign_with_site, resident};
use super::TestApp;

pub async fn a_roster_is_taken_from_a_followup_list(app: TestApp) {
    campaign_with_site(&app, 10).await;
    let (_, list) = app.get_as("city", "/api/v1/testing/campaigns").await;
    let campaign = list["campaigns"][0]["id"].as_i64().unwrap();
    let id = Uuid::now_v7();
    let pushed = json!({"id": id, "label": "区内密接 2022-05-03", "rows": [
        {"row": 1, "name": "张三", "phone": "13812345678",
         "document": {"type": "resident_id", "number": resident(21)}, "address": "裕华小区 3-2-501"},
        {"row": 2, "name": "李四", "document": {"type": "resident_id", "number": resident(22)}},
        {"row": 3, "name": "王五", "phone": "13912345678"}]});
    let (s, made) = app.post_as("city", "/api/v1/followup/lists", &pushed).await;
    assert_eq!(s, StatusCode::CREATED, "{made}");
    let path = format!("/api/v1/testing/campaigns/{campaign}/roster/from-list");
    let (s, r) = app.post_as("city", &path, &json!({"list": id})).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(
        (
            r["added"].as_i64(),
            r["rows"].as_i64(),
            r["not_taken"].as_i64()
        ),
        (Some(2), Some(3), Some(1)),
        "{r}"
    );
    let (_, again) = app.post_as("city", &path, &json!({"list": id})).await;
    assert_eq!(
        (again["added"].as_i64(), again["already"].as_i64()),
        (Some(0), Some(2)),
        "{again}"
    );
    let (_, done) = app
        .get_as(
            "city",
            &format!("/api/v1/testing/campaigns/{campaign}/completeness"),
        )
        .await;
    assert_eq!(done["expected"].as_i64(), Some(2), "{done}");
    let compounds: Vec<&str> = done["buildings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["compound"].as_str().unwrap())
        .collect();
    assert!(
        compounds.contains(&"裕华小区 3-2-501") && compounds.contains(&"—"),
        "{done}"
    );
    let (s, _) = app.post_as("elsewhere", &path, &json!({"list": id})).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "another city's commander");
    let (s, _) = app
        .post_as("city", &path, &json!({"list": Uuid::now_v7()}))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // A list of phone numbers only gives nobody to expect.
    let phones = Uuid::now_v7();
    let body = json!({"id": phones, "label": "电话名单", "rows": [{"row": 1, "name": "赵六", "phone": "13700000000"}]});
    let (s, _) = app.post_as("city", "/api/v1/followup/lists", &body).await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, e) = app.post_as("city", &path, &json!({"list": phones})).await;
    assert_eq!(
        (s, e["error"]["code"].as_str(), e["error"]["field"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("no_documents"),
            Some("list")
        )
    );
}

on_both!(a_roster_is_taken_from_a_followup_list);

/// The route in the access matrix.
pub fn rows() -> Vec<Row> {
    vec![row(
        "POST /api/v1/testing/campaigns/{id}/roster/from-list",
        COMMANDERS,
        json!({"list": "0190f5c2-7d4e-7b2a-9c1e-3f6a2b8d9e01"}),
    )]
}
