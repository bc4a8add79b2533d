//! Follow-up persons handed on over HTTP: a person whose list address lies outside the province
//! is transferred out on arrival, one who "lives elsewhere" is taken over by another county of
//! the province or transferred out, the day's transfers listed and taken away as a list the
//! other province pushes; and a team's lead hands persons between the team's callers.

use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

use super::TestApp;

pub async fn persons_elsewhere_are_handed_on(app: TestApp) {
    let team =
        json!({"name": "长安区一组", "county": "130102", "lead": "lead", "members": ["caller"]});
    let (s, _) = app.post_as("city", "/api/v1/followup/teams", &team).await;
    assert_eq!(s, StatusCode::CREATED);
    // 张三 lives in Beijing by the list: transferred out on arrival. 李四 and 王五 live here.
    let list = json!({"id": Uuid::now_v7(), "label": "省指推送", "rows": [
        {"row": 1, "name": "张三", "phone": "13812345678", "address": "北京市海淀区中关村 1 号",
         "document": {"type": "resident_id", "number": "11010519491231002X"}},
        {"row": 2, "name": "李四", "phone": "13812345679", "address": "长安区裕华路 2 号"},
        {"row": 3, "name": "王五", "phone": "13812345670", "address": "长安区裕华路 3 号"}]});
    let (s, _) = app.post_as("city", "/api/v1/followup/lists", &list).await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, work) = app.get_as("caller", "/api/v1/followup/worklist").await;
    let items = work["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "张三 is not called here: {work}");
    let id_of = |name: &str| {
        items.iter().find(|i| i["name"] == name).unwrap()["subject"]
            .as_i64()
            .unwrap()
    };
    let attempt = |id: i64| format!("/api/v1/followup/subjects/{id}/attempts");
    // 李四 moved to Beijing; 王五 to 保定 in the province: handed to that county, not out.
    let told = json!({"kind": "call", "outcome": "lives_elsewhere", "moved_to": "北京市朝阳区某街道 8 号"});
    let (s, r) = app.post_as("caller", &attempt(id_of("李*")), &told).await;
    assert_eq!(
        (s, r["state"].as_str()),
        (StatusCode::CREATED, Some("transferred")),
        "{r}"
    );
    let told =
        json!({"kind": "call", "outcome": "lives_elsewhere", "moved_to": "保定市竞秀区某小区"});
    let (s, r) = app.post_as("caller", &attempt(id_of("王*")), &told).await;
    assert_eq!(
        (s, r["state"].as_str()),
        (StatusCode::CREATED, Some("pending")),
        "{r}"
    );
    let wrong = json!({"kind": "call", "outcome": "no_answer", "moved_to": "北京"});
    let (s, e) = app.post_as("caller", &attempt(id_of("王*")), &wrong).await;
    assert_eq!(
        (s, e["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("moved_to")),
        "a new address only for a person who moved: {e}"
    );
    let call = json!({"kind": "call", "outcome": "no_answer"});
    let (s, _) = app.post_as("caller", &attempt(id_of("王*")), &call).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "王五 is 保定's now");
    // The day's transfers: two to Beijing, one handed within the province.
    let (s, day) = app.get_as("city", "/api/v1/followup/transfers").await;
    assert_eq!(s, StatusCode::OK, "{day}");
    assert_eq!(
        day["groups"],
        json!([{"province": "110000", "name": "北京市", "persons": 2}])
    );
    assert_eq!(day["transfers"].as_array().unwrap().len(), 3);
    assert!(
        !serde_json::to_string(&day).unwrap().contains("张三"),
        "masked"
    );
    let (s, _) = app
        .get_as("elsewhere", "/api/v1/followup/transfers/list?to=110000")
        .await;
    assert_eq!(
        s,
        StatusCode::NOT_FOUND,
        "another city's commander has none"
    );
    // As a list Beijing takes: the same list however often fetched, and pushed twice, once.
    let path = "/api/v1/followup/transfers/list?to=110105";
    let (s, out) = app.get_as("city", path).await;
    assert_eq!(s, StatusCode::OK, "{out}");
    let (_, again) = app.get_as("city", path).await;
    assert_eq!(out, again);
    let rows = out["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "{out}");
    let li = rows.iter().find(|r| r["name"] == "李四").unwrap();
    assert_eq!(
        li["address"], "北京市朝阳区某街道 8 号",
        "the address told: {out}"
    );
    assert_eq!(li["phone"], "13812345679");
    let (s, taken) = app.post_as("tracer", "/api/v1/followup/lists", &out).await;
    assert_eq!(s, StatusCode::CREATED, "{taken}");
    let (s, _) = app.post_as("tracer", "/api/v1/followup/lists", &out).await;
    assert_eq!(s, StatusCode::OK);
    let r = app
        .client("city")
        .get(format!(
            "{}/api/v1/followup/transfers/list.csv?to=110000",
            app.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let csv = r.text().await.unwrap();
    assert!(
        csv.starts_with("\u{feff}姓名,证件类型,证件号码,手机号"),
        "{csv}"
    );
    assert!(csv.contains("11010519491231002X"), "{csv}");
    let (s, _) = app.get_as("tracer", path).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "a commander's export");
    let (_, log) = app
        .get_as("auditor", "/api/v1/audit?action=followup.transfer")
        .await;
    assert_eq!(log["entries"].as_array().unwrap().len(), 3, "{log}");
}

pub async fn a_lead_hands_persons_within_the_team(app: TestApp) {
    let team = json!({"name": "长安区一组", "county": "130102", "lead": "lead",
        "members": ["caller", "lead"]});
    let (s, _) = app.post_as("city", "/api/v1/followup/teams", &team).await;
    assert_eq!(s, StatusCode::CREATED);
    let list = json!({"id": Uuid::now_v7(), "label": "省指推送", "rows": [
        {"row": 1, "name": "李四", "phone": "13812345679", "address": "长安区裕华路 2 号"},
        {"row": 2, "name": "王五", "phone": "13812345670", "address": "长安区裕华路 3 号"}]});
    let (s, _) = app.post_as("city", "/api/v1/followup/lists", &list).await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, mine) = app.get_as("caller", "/api/v1/followup/worklist").await;
    assert_eq!(
        mine["items"].as_array().unwrap().len(),
        1,
        "one each: {mine}"
    );
    let theirs = mine["items"][0]["subject"].as_i64().unwrap();
    let (s, led) = app.get_as("lead", "/api/v1/followup/team").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        (
            led["teams"].as_array().unwrap().len(),
            led["items"].as_array().unwrap().len()
        ),
        (1, 2),
        "{led}"
    );
    let (_, none) = app.get_as("caller", "/api/v1/followup/team").await;
    assert_eq!(none["teams"], json!([]), "caller leads no team");
    let path = "/api/v1/followup/team/reassign";
    let (s, e) = app
        .post_as("caller", path, &json!({"subjects": [theirs], "to": "lead"}))
        .await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("unknown_caller")),
        "only a lead hands over: {e}"
    );
    let (s, e) = app
        .post_as(
            "lead",
            path,
            &json!({"subjects": [theirs], "to": "officer"}),
        )
        .await;
    assert_eq!(
        (s, e["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("to"))
    );
    let (s, r) = app
        .post_as("lead", path, &json!({"subjects": [theirs], "to": "lead"}))
        .await;
    assert_eq!((s, r["handed"].as_i64()), (StatusCode::OK, Some(1)), "{r}");
    let (_, mine) = app.get_as("caller", "/api/v1/followup/worklist").await;
    assert_eq!(mine["items"], json!([]));
    let (_, log) = app
        .get_as("auditor", "/api/v1/audit?action=followup.reassign")
        .await;
    assert_eq!(log["entries"].as_array().unwrap().len(), 1, "{log}");
}

on_both!(
    a_lead_hands_persons_within_the_team,
    persons_elsewhere_are_handed_on
);
