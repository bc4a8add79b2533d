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

pub async fn callers_work_through_their_persons(app: TestApp) {
    // The city makes a team of 长安区 (130102); only caller accounts may be in it.
    let team =
        json!({"name": "长安区一组", "county": "130102", "lead": "lead", "members": ["caller"]});
    let not_callers =
        json!({"name": "x", "county": "130102", "lead": "lead", "members": ["officer"]});
    let (s, e) = app
        .post_as("city", "/api/v1/followup/teams", &not_callers)
        .await;
    assert_eq!(
        (s, e["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("members[0]"))
    );
    let (s, t) = app.post_as("city", "/api/v1/followup/teams", &team).await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    // The questionnaire: a draft with a problem is refused at its line; the standard one is
    // stored, and published later.
    let draft = "name = \"q\"\n[[questions]]\nid = \"a\"\ntext = \"t\"\nkind = \"colour\"\n";
    let (_, check) = app
        .post_as(
            "city",
            "/api/v1/questionnaires/validate",
            &json!({"source": draft}),
        )
        .await;
    assert_eq!(
        (
            check["valid"].as_bool(),
            check["problems"][0]["line"].as_i64()
        ),
        (Some(false), Some(5))
    );
    let standard = cordon_domain::followup::questionnaire::STANDARD;
    let (s, v) = app
        .post_as(
            "city",
            "/api/v1/questionnaires",
            &json!({"source": standard}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let version = v["version"].as_i64().unwrap();
    // A high-risk area in Wuhan from ten days ago.
    let since = chrono::Utc::now() - chrono::Duration::days(10);
    let area = json!({"areas": [{"division": "420102", "level": "high", "valid_from": since.to_rfc3339()}]});
    let (s, r) = app.post_as("commander", "/api/v1/risk-areas", &area).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    // Three persons living in 长安区.
    let list = json!({"id": Uuid::now_v7(), "label": "武汉返石人员", "rows": [
        {"row": 1, "name": "张三", "phone": "13812345678", "address": "长安区裕华路 1 号",
         "document": {"type": "resident_id", "number": "11010519491231002X"}},
        {"row": 2, "name": "李四", "phone": "13812345679", "address": "长安区裕华路 2 号"},
        {"row": 3, "name": "王五", "phone": "13812345670", "address": "长安区裕华路 3 号"}]});
    let (s, _) = app.post_as("city", "/api/v1/followup/lists", &list).await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, work) = app.get_as("caller", "/api/v1/followup/worklist").await;
    let items = work["items"].as_array().unwrap();
    assert_eq!(items.len(), 3, "{work}");
    let id_of = |name: &str| {
        items.iter().find(|i| i["name"] == name).unwrap()["subject"]
            .as_i64()
            .unwrap()
    };
    let (zhang, li, wang) = (id_of("张*"), id_of("李*"), id_of("王*"));
    let attempts = |id: i64| format!("/api/v1/followup/subjects/{id}/attempts");
    // Opened for the call: the phone in clear, audited with its purpose.
    let (s, opened) = app
        .get_as("caller", &format!("/api/v1/followup/subjects/{zhang}"))
        .await;
    assert_eq!(s, StatusCode::OK, "{opened}");
    assert_eq!(opened["sources"][0]["facts"]["phone"], "13812345678");
    assert_eq!(
        opened["questionnaire"],
        Value::Null,
        "nothing published yet"
    );
    let (_, log) = app
        .get_as("auditor", "/api/v1/audit?action=followup.open")
        .await;
    assert_eq!(log["entries"][0]["purpose"], "follow-up", "{log}");
    // Not the lead's to call.
    let call = |outcome: &str| json!({"kind": "call", "outcome": outcome});
    let (s, _) = app
        .post_as("lead", &attempts(zhang), &call("no_answer"))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // Reached: answers to an unpublished version are refused; published, they are taken.
    let day = (chrono::Utc::now() - chrono::Duration::days(3))
        .format("%Y-%m-%d")
        .to_string();
    let reached = json!({"kind": "call", "outcome": "reached", "questionnaire": version, "answers": {
        "visited": [{"division": "420100", "date": day}], "returned_on": day,
        "address": "长安区裕华路 1 号", "temperature": 36.6}});
    let (s, e) = app.post_as("caller", &attempts(zhang), &reached).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("not_published"))
    );
    let publish = format!("/api/v1/questionnaires/{version}/publish");
    let (s, _) = app.post_as("city", &publish, &json!({})).await;
    assert_eq!(s, StatusCode::OK);
    let (s, done) = app.post_as("caller", &attempts(zhang), &reached).await;
    assert_eq!(
        (s, done["state"].as_str()),
        (StatusCode::CREATED, Some("closed")),
        "{done}"
    );
    // Wuhan was high-risk on the day: a status change is proposed, pending two commanders.
    let proposed = done["proposed_status_change"].as_i64().expect("a proposal");
    let (_, pending) = app
        .get_as("commander", "/api/v1/status-changes?state=pending")
        .await;
    let change = pending["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == proposed)
        .cloned()
        .unwrap();
    assert_eq!(
        (
            change["status"].as_str(),
            change["evidence"]["kind"].as_str()
        ),
        (Some("secondary_contact"), Some("followup"))
    );
    // No answer, then again at once: too soon.
    let (s, a) = app
        .post_as("caller", &attempts(li), &call("no_answer"))
        .await;
    assert_eq!(
        (s, a["state"].as_str()),
        (StatusCode::CREATED, Some("in_progress"))
    );
    let (s, e) = app
        .post_as("caller", &attempts(li), &call("no_answer"))
        .await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("too_soon"))
    );
    // Lives elsewhere now: transferred; nothing more on it.
    let moved = json!({"kind": "call", "outcome": "lives_elsewhere", "note": "已去北京"});
    let (s, a) = app.post_as("caller", &attempts(wang), &moved).await;
    assert_eq!(
        (s, a["state"].as_str()),
        (StatusCode::CREATED, Some("transferred"))
    );
    let (s, e) = app
        .post_as("caller", &attempts(wang), &call("no_answer"))
        .await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("subject_closed"))
    );
    // The board counts them all.
    let (_, board) = app.get_as("city", "/api/v1/followup/board?by=list").await;
    let line = &board["lines"][0];
    assert_eq!(
        (
            line["total"].as_i64(),
            line["closed"].as_i64(),
            line["in_progress"].as_i64(),
            line["transferred"].as_i64()
        ),
        (Some(3), Some(1), Some(1), Some(1)),
        "{board}"
    );
    let (_, by_team) = app.get_as("city", "/api/v1/followup/board?by=team").await;
    assert_eq!(by_team["lines"][0]["label"], "长安区一组");
    // The persons behind a team's line and a county's, masked; not another city's.
    let team_id = by_team["lines"][0]["key"].as_str().unwrap().to_owned();
    let (s, line) = app
        .get_as(
            "city",
            &format!("/api/v1/followup/board/persons?by=team&key={team_id}"),
        )
        .await;
    assert_eq!(
        (s, line["items"].as_array().map(Vec::len)),
        (StatusCode::OK, Some(3)),
        "{line}"
    );
    let (_, county) = app
        .get_as(
            "city",
            "/api/v1/followup/board/persons?by=county&key=130102&limit=2",
        )
        .await;
    assert_eq!(
        (
            county["items"].as_array().map(Vec::len),
            county["next"].is_i64()
        ),
        (Some(2), true)
    );
    let (s, _) = app
        .get_as(
            "elsewhere",
            &format!("/api/v1/followup/board/persons?by=team&key={team_id}"),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app
        .get_as("city", "/api/v1/followup/board/persons?by=list&key=1")
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    // Taken away as files: the board, and the list's answers one column per question.
    let text = |path: String| {
        let client = app.client("city");
        async move {
            let r = client.get(path).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::OK);
            let kind = r.headers()["content-type"].to_str().unwrap().to_owned();
            (kind, r.bytes().await.unwrap().to_vec())
        }
    };
    let (kind, board_csv) = text(format!("{}/api/v1/followup/board.csv?by=list", app.base)).await;
    let board_csv = String::from_utf8(board_csv).unwrap();
    assert!(kind.starts_with("text/csv"), "{kind}");
    assert!(
        board_csv.contains("武汉返石人员,3,0,1,0,1,1,1,0"),
        "{board_csv}"
    );
    let list_id = list["id"].as_str().unwrap();
    let (_, answers) = text(format!(
        "{}/api/v1/followup/lists/{list_id}/answers.csv",
        app.base
    ))
    .await;
    let answers = String::from_utf8(answers).unwrap();
    let header = answers.lines().next().unwrap();
    assert!(
        header.ends_with(
            ",visited,returned_on,transport,latest_test,address,symptoms,temperature,note"
        ),
        "{header}"
    );
    assert!(answers.contains(&format!("420100 {day}")), "{answers}");
    assert!(
        !answers.contains("13812345678") && !answers.contains("张三"),
        "masked: {answers}"
    );
    let (kind, book) = text(format!(
        "{}/api/v1/followup/lists/{list_id}/answers.xlsx",
        app.base
    ))
    .await;
    assert!(
        kind.contains("spreadsheetml") && book.starts_with(b"PK"),
        "{kind}"
    );
    let (_, log) = app
        .get_as("auditor", "/api/v1/audit?action=followup.export")
        .await;
    assert_eq!(log["entries"].as_array().unwrap().len(), 2, "{log}");
    // Handed out again: not to the lead, who is no member; to the caller, one.
    let to_lead = json!({"subjects": [li], "to": "lead"});
    let (s, _) = app
        .post_as("city", "/api/v1/followup/reassign", &to_lead)
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let to_caller = json!({"subjects": [li], "to": "caller"});
    let (s, r) = app
        .post_as("city", "/api/v1/followup/reassign", &to_caller)
        .await;
    assert_eq!((s, r["handed"].as_i64()), (StatusCode::OK, Some(1)));
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
    lists_are_pushed_uploaded_and_read,
    a_lead_hands_persons_within_the_team,
    persons_elsewhere_are_handed_on,
    a_list_is_made_from_a_trace,
    a_list_is_made_from_the_passages,
    callers_work_through_their_persons
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
