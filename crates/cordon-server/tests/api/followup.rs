//! Follow-up lists over HTTP: pushed twice (nothing new the second time), a changed row refused,
//! bad rows each named; uploaded as CSV and Excel (all or nothing, or with bad rows skipped and
//! reported); made from a case trace; read by the jurisdiction that holds them, masked, audited.

use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use super::matrix::{row, Body, Row, CALLERS, COMMANDERS, SIGNED_IN, TRACERS};
use super::{post_file, register, TestApp};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn pushed(id: Uuid, phone_of_first: &str) -> Value {
    json!({"id": id, "label": "北京市推送 2022-05-03", "rows": [
        {"row": 1, "name": "张三", "phone": phone_of_first,
         "document": {"type": "resident_id", "number": "11010519491231002X"},
         "from": "北京市朝阳区", "arrived_on": "2022-05-02", "address": "长安区某小区 3-2-501"},
        {"row": 2, "name": "王五", "phone": "13912345678"}]})
}

pub async fn lists_are_pushed_uploaded_and_read(app: TestApp) {
    // Pushed into the city (130100) by its commander.
    let id = Uuid::now_v7();
    let (s, first) = app
        .post_as("city", "/api/v1/followup/lists", &pushed(id, "13812345678"))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{first}");
    assert_eq!(
        (
            first["rows_added"].as_i64(),
            first["list"]["unverified"].as_i64()
        ),
        (Some(2), Some(1))
    );
    // The same list again: nothing new, and said so.
    let (s, again) = app
        .post_as("city", "/api/v1/followup/lists", &pushed(id, "13812345678"))
        .await;
    assert_eq!(
        (s, again["rows_already"].as_i64()),
        (StatusCode::OK, Some(2))
    );
    // A row changed under the same number: refused whole.
    let (s, e) = app
        .post_as("city", "/api/v1/followup/lists", &pushed(id, "13800000000"))
        .await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("row_conflict"))
    );
    // Bad rows: every problem with its row and field, nothing written, in Chinese on asking.
    let bad = json!({"id": Uuid::now_v7(), "label": "x", "rows": [
        {"row": 1, "name": "张三", "document": {"type": "resident_id", "number": "11010519491231002Y"}},
        {"row": 2, "name": "", "phone": "123"}]});
    let r = app
        .client("city")
        .post(format!("{}/api/v1/followup/lists", app.base))
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
    assert_eq!(
        fields,
        ["rows[0].document.number", "rows[1].name", "rows[1].phone"]
    );
    assert_eq!(e["problems"][2]["message"], "手机号应为 11 位，以 1 开头");

    // An upload with a bad row: refused whole, the row named; then with the bad row skipped.
    let csv = "姓名,证件号码,手机号,抵达日期\n张三,11010519491231002X,13812345678,2022-05-02\n李四,130102199001011238,,\n赵六,,13700000001,2022/5/1\n";
    let (s, e) = post_file(
        &app,
        "city",
        "/api/v1/followup/lists/import?name=a.csv",
        "text/csv",
        csv.into(),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(
        (
            e["problems"][0]["line"].as_i64(),
            e["problems"][0]["field"].as_str()
        ),
        (Some(3), Some("document_number"))
    );
    let (s, up) = post_file(
        &app,
        "city",
        "/api/v1/followup/lists/import?name=a.csv&skip_bad_rows=true",
        "text/csv",
        csv.into(),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{up}");
    assert_eq!(
        (up["file_rows"].as_i64(), up["rows_added"].as_i64()),
        (Some(3), Some(2))
    );
    assert_eq!(up["list"]["skipped"], 1);
    // 张三 was on the pushed list: one person, on two lists.
    assert_eq!(
        (
            up["list"]["subjects"].as_i64(),
            up["list"]["new_subjects"].as_i64()
        ),
        (Some(2), Some(1))
    );
    let upload = up["list"]["id"].as_str().unwrap().to_owned();
    // Excel, with the English header names.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["name", "document_type", "document_number", "phone"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    sheet.write_string(1, 0, "孙七").unwrap();
    sheet.write_string(1, 1, "护照").unwrap();
    sheet.write_string(1, 2, "E12345678").unwrap();
    sheet.write_number(1, 3, 13600000001.0).unwrap();
    let (s, x) = post_file(
        &app,
        "city",
        "/api/v1/followup/lists/import?label=excel",
        XLSX,
        book.save_to_buffer().unwrap(),
    )
    .await;
    assert_eq!(
        (s, x["list"]["label"].as_str()),
        (StatusCode::CREATED, Some("excel")),
        "{x}"
    );

    // Read: the city's lists, its persons masked; another city sees none; the reads audited.
    let (_, lists) = app.get_as("city", "/api/v1/followup/lists").await;
    assert_eq!(lists["lists"].as_array().unwrap().len(), 3);
    let (_, elsewhere) = app.get_as("elsewhere", "/api/v1/followup/lists").await;
    assert_eq!(elsewhere["lists"].as_array().unwrap().len(), 0);
    let path = format!("/api/v1/followup/lists/{upload}/subjects?limit=1");
    let (s, page) = app.get_as("tracer", &path).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    let first = &page["subjects"][0];
    assert_eq!(
        (first["name"].as_str(), first["lists"].as_i64()),
        (Some("张*"), Some(2))
    );
    assert_eq!(first["document"]["number"], "110105********002X");
    assert_eq!(page["next"], 1);
    let (s, _) = app.get_as("elsewhere", &path).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // 张三 of the upload was not the pushed 张三 after all: split off, nothing deleted.
    let split = format!("/api/v1/followup/subjects/{}/split", first["subject"]);
    let body = json!({"list": upload, "row": 1, "reason": "同名同号但非同一人，经核实"});
    let (s, e) = app.post_as("elsewhere", &split, &body).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "another city's list: {e}");
    let (s, parted) = app.post_as("city", &split, &body).await;
    assert_eq!(s, StatusCode::CREATED, "{parted}");
    let (_, again) = app.get_as("tracer", &path).await;
    assert_ne!(again["subjects"][0]["subject"], first["subject"]);
    assert_eq!(again["subjects"][0]["lists"], 1);
    let (_, pushed_list) = app
        .get_as("tracer", &format!("/api/v1/followup/lists/{id}/subjects"))
        .await;
    assert_eq!(pushed_list["subjects"][0]["lists"], 1, "{pushed_list}");
    let text = serde_json::to_string(&page).unwrap();
    assert!(!text.contains("13812345678") && !text.contains("张三"));
    let (_, log) = app
        .get_as("auditor", "/api/v1/audit?action=followup.list")
        .await;
    assert_eq!(log["entries"].as_array().unwrap().len(), 4, "{log}");
}

pub async fn a_list_is_made_from_a_trace(app: TestApp) {
    register(
        &app,
        "冀A12345",
        30,
        &[
            ("11010519491231002X", "张三"),
            ("130102199001011237", "李四"),
        ],
    )
    .await;
    register(&app, "冀A54321", 32, &[("130102198506151230", "王五")]).await;
    let id = Uuid::now_v7();
    let body = json!({"id": id, "trace": {"subject": {"document": {"type": "resident_id", "number": "11010519491231002X"}},
        "purpose": "冀石-2022-017"}});
    let (s, made) = app
        .post_as("tracer", "/api/v1/followup/lists/from-trace", &body)
        .await;
    assert_eq!(s, StatusCode::CREATED, "{made}");
    assert_eq!(made["list"]["source"], "trace");
    assert_eq!(
        made["rows_added"], 2,
        "the passenger and the driver nearby: {made}"
    );
    assert!(made["list"]["label"]
        .as_str()
        .unwrap()
        .contains("冀石-2022-017"));
    // Pressed twice: one list.
    let (s, again) = app
        .post_as("tracer", "/api/v1/followup/lists/from-trace", &body)
        .await;
    assert_eq!((s, again["rows_added"].as_i64()), (StatusCode::OK, Some(0)));
    let (_, page) = app
        .get_as("tracer", &format!("/api/v1/followup/lists/{id}/subjects"))
        .await;
    assert!(page["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["verified"] == true));
    // A trace of nobody known makes no list.
    let nobody = json!({"id": Uuid::now_v7(), "trace": {"subject": {"plate": "冀Z99999"}}});
    let (s, e) = app
        .post_as("tracer", "/api/v1/followup/lists/from-trace", &nobody)
        .await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("no_contacts"))
    );
    let (_, log) = app
        .get_as("auditor", "/api/v1/audit?action=trace.list")
        .await;
    assert_eq!(log["entries"][0]["purpose"], "冀石-2022-017", "{log}");
}

/// Registers at CP-130100-0001 a vehicle from `origin`, its occupants (number, name, visited).
pub async fn crossed(app: &TestApp, origin: &str, people: &[(&str, &str, &str)]) {
    let mut p = crate::example();
    p["id"] = json!(Uuid::now_v7());
    p["origin"] = json!(origin);
    p["observed_at"] = json!((chrono::Utc::now() - chrono::Duration::minutes(20))
        .with_timezone(&cordon_domain::time::china())
        .to_rfc3339());
    let template = p["occupants"][0].clone();
    p["occupants"] = people
        .iter()
        .enumerate()
        .map(|(i, (number, name, visited))| {
            let mut o = template.clone();
            o["document"]["number"] = json!(number);
            o["name"] = json!(name);
            o["role"] = json!(if i == 0 { "driver" } else { "passenger" });
            o["visited"] = json!([visited]);
            o
        })
        .collect();
    let (s, b) = app.post_as("officer", "/api/v1/passages", &p).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
}

pub async fn a_list_is_made_from_the_passages(app: TestApp) {
    crossed(
        &app,
        "110105",
        &[
            ("11010519491231002X", "张三", "130100"),
            ("130102199001011237", "李四", "130100"),
        ],
    )
    .await;
    crossed(&app, "130100", &[("130102198506151230", "王五", "110108")]).await;
    crossed(&app, "130100", &[("130102197811200030", "赵六", "130100")]).await;
    let path = "/api/v1/followup/lists/from-passages";
    let id = Uuid::now_v7();
    let body = json!({"id": id, "division": "110000", "days": 3});
    let (s, made) = app.post_as("tracer", path, &body).await;
    assert_eq!(s, StatusCode::CREATED, "{made}");
    assert_eq!(made["list"]["source"], "query");
    assert_eq!(
        made["rows_added"], 3,
        "two came from Beijing, one was there: {made}"
    );
    assert!(made["list"]["label"].as_str().unwrap().contains("北京市"));
    let (s, again) = app.post_as("tracer", path, &body).await;
    assert_eq!(
        (s, again["rows_added"].as_i64()),
        (StatusCode::OK, Some(0)),
        "{again}"
    );
    let (_, page) = app
        .get_as("tracer", &format!("/api/v1/followup/lists/{id}/subjects"))
        .await;
    let mut names: Vec<&str> = page["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["张*", "李*", "王*"],
        "not 赵六, who was in Beijing neither: {page}"
    );
    let only_from =
        json!({"id": Uuid::now_v7(), "division": "110105", "kind": "entered_from", "days": 1});
    let (s, made) = app.post_as("city", path, &only_from).await;
    assert_eq!(
        (s, made["rows_added"].as_i64()),
        (StatusCode::CREATED, Some(2)),
        "{made}"
    );
    // Another city's commander cannot trace at this checkpoint: nobody is found.
    let theirs = json!({"id": Uuid::now_v7(), "division": "110000"});
    let (s, e) = app.post_as("elsewhere", path, &theirs).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("no_passages")),
        "{e}"
    );
    let bad = json!({"id": Uuid::now_v7(), "division": "1101", "days": 30});
    let (s, e) = app.post_as("tracer", path, &bad).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = e["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["division", "days"], "{e}");
}

on_both!(
    lists_are_pushed_uploaded_and_read,
    a_list_is_made_from_a_trace,
    a_list_is_made_from_the_passages
);

/// The rows of follow-up in the access matrix.
pub fn rows() -> Vec<Row> {
    let list = || json!({"id": Uuid::nil(), "label": "x", "rows": []});
    vec![
        row("GET /api/v1/followup/lists", TRACERS, Value::Null),
        row("POST /api/v1/followup/lists", TRACERS, list()),
        Row {
            body: Body::Csv("name\n"),
            ..row("POST /api/v1/followup/lists/import", TRACERS, Value::Null)
        },
        row(
            "POST /api/v1/followup/lists/from-trace",
            TRACERS,
            json!({"id": Uuid::nil(), "trace": {"subject": {"plate": "x"}}}),
        ),
        row(
            "POST /api/v1/followup/lists/from-passages",
            TRACERS,
            json!({"id": Uuid::nil(), "division": "110000"}),
        ),
        row(
            "GET /api/v1/followup/lists/{id}/subjects",
            TRACERS,
            Value::Null,
        ),
        row(
            "POST /api/v1/followup/teams",
            COMMANDERS,
            json!({"name": "x", "county": "130102", "lead": "nobody", "members": ["nobody"]}),
        ),
        row("GET /api/v1/followup/teams", TRACERS, Value::Null),
        row(
            "POST /api/v1/followup/reassign",
            COMMANDERS,
            json!({"subjects": [1], "to": "nobody"}),
        ),
        row(
            "POST /api/v1/followup/subjects/{id}/split",
            COMMANDERS,
            json!({"list": Uuid::nil(), "row": 1, "reason": "r"}),
        ),
        row("GET /api/v1/followup/transfers", TRACERS, Value::Null),
        Row {
            query: "?to=110000",
            ..row(
                "GET /api/v1/followup/transfers/list",
                COMMANDERS,
                Value::Null,
            )
        },
        Row {
            query: "?to=110000",
            ..row(
                "GET /api/v1/followup/transfers/list.csv",
                COMMANDERS,
                Value::Null,
            )
        },
        row("GET /api/v1/followup/team", CALLERS, Value::Null),
        row(
            "POST /api/v1/followup/team/reassign",
            CALLERS,
            json!({"subjects": [1], "to": "nobody"}),
        ),
        row("GET /api/v1/followup/worklist", CALLERS, Value::Null),
        row("GET /api/v1/followup/subjects/{id}", CALLERS, Value::Null),
        row(
            "POST /api/v1/followup/subjects/{id}/attempts",
            CALLERS,
            json!({"kind": "call", "outcome": "no_answer"}),
        ),
        row("GET /api/v1/followup/board", TRACERS, Value::Null),
        Row {
            query: "?by=county&key=130102",
            ..row("GET /api/v1/followup/board/persons", TRACERS, Value::Null)
        },
        row("GET /api/v1/followup/board.csv", TRACERS, Value::Null),
        row("GET /api/v1/followup/board.xlsx", TRACERS, Value::Null),
        row(
            "GET /api/v1/followup/lists/{id}/answers.csv",
            TRACERS,
            Value::Null,
        ),
        row(
            "GET /api/v1/followup/lists/{id}/answers.xlsx",
            TRACERS,
            Value::Null,
        ),
        row("GET /api/v1/questionnaires", SIGNED_IN, Value::Null),
        row(
            "POST /api/v1/questionnaires",
            COMMANDERS,
            json!({"source": ""}),
        ),
        row(
            "POST /api/v1/questionnaires/validate",
            COMMANDERS,
            json!({"source": ""}),
        ),
        row(
            "GET /api/v1/questionnaires/{version}",
            SIGNED_IN,
            Value::Null,
        ),
        row(
            "POST /api/v1/questionnaires/{version}/publish",
            COMMANDERS,
            json!({}),
        ),
    ]
}
