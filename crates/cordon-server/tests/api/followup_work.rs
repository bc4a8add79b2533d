//! Callers working through their persons over HTTP: the worklist, calls an hour apart, the
//! questionnaire's answers, home visits by the team's lead, and what a commander's board shows.

use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use super::TestApp;

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

on_both!(callers_work_through_their_persons);
