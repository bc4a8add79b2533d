//! Directives over HTTP: a commander issues one to a city; its officers see it on their lane
//! (polled with the clock: unchanged costs nothing), open and acknowledge it once with a reply;
//! the board counts them and lists the rest, which fall overdue and are escalated; a revision is
//! acknowledged again; a cancelled one leaves the lanes. Bad input is refused with its field (in
//! Chinese for a Chinese client) and writes nothing.

use reqwest::StatusCode;
use serde_json::{json, Value};

use uuid::Uuid;

use super::matrix::{row, Row, COMMANDERS, OFFICERS};
use super::TestApp;

fn directive(target: Value) -> Value {
    json!({"title": "20时起执行新规则", "text": "自今日20时起，来自中风险地区的人员须查验48小时核酸。\n请各站传达到每个班组。",
        "priority": "flash", "target": target})
}

/// The lane's feed for a checkpoint as `who`: (status, body).
async fn lane(app: &TestApp, who: &str, code: &str, known: Option<i64>) -> (StatusCode, Value) {
    let q = known.map(|k| format!("?known={k}")).unwrap_or_default();
    app.get_as(who, &format!("/api/v1/checkpoints/{code}/directives{q}"))
        .await
}

async fn board(app: &TestApp, who: &str, id: i64) -> Value {
    let (s, b) = app.get_as(who, &format!("/api/v1/directives/{id}")).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b
}

fn code(b: &Value) -> (&str, &str) {
    (
        b["error"]["code"].as_str().unwrap_or(""),
        b["error"]["field"].as_str().unwrap_or(""),
    )
}

async fn directives_reach_the_lanes_and_are_acknowledged(app: TestApp) {
    // Bad input first: nothing is issued.
    let mut bad = directive(json!({"division": "130100"}));
    bad["title"] = json!(" ");
    let (s, e) = app.post_zh("city", "/api/v1/directives", &bad).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(code(&e), ("required", "title"));
    assert_eq!(e["error"]["message"], "请填写标题");
    for (who, target, expect) in [
        ("elsewhere", json!({}), ("empty_scope", "target")),
        (
            "city",
            json!({"division": "130200"}),
            ("scope_mismatch", "target.division"),
        ),
        (
            "city",
            json!({"checkpoints": ["CP-130100-0001", "CP-130100-0042"]}),
            ("unknown_checkpoint", "target.checkpoints[1]"),
        ),
        (
            "city",
            json!({"kind": "ferry"}),
            ("unknown_variant", "target.kind"),
        ),
    ] {
        let (s, b) = app
            .post_as(who, "/api/v1/directives", &directive(target))
            .await;
        assert!(s.is_client_error(), "{b}");
        if expect.0 != "unknown_variant" {
            assert_eq!(code(&b), expect, "{b}");
        } else {
            assert_eq!(code(&b).1, expect.1, "{b}");
        }
    }
    let (s, page) = app.get_as("commander", "/api/v1/directives").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(page["directives"], json!([]));

    // Issued to the city: its three checkpoints.
    let (s, d) = app
        .post_as("city", "/api/v1/directives", &directive(json!({})))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let id = d["id"].as_i64().unwrap();
    assert_eq!(
        (
            d["counts"]["recipients"].as_i64(),
            d["division"].as_str(),
            d["state"].as_str()
        ),
        (Some(3), Some("130100"), Some("active"))
    );

    // The officer's lane shows it; asked again with the clock, nothing changed.
    let (s, feed) = lane(&app, "officer", "CP-130100-0001", None).await;
    assert_eq!(s, StatusCode::OK, "{feed}");
    assert_eq!(feed["unchanged"], false);
    assert_eq!(feed["directives"][0]["id"], id);
    assert_eq!(feed["directives"][0]["read"], false);
    let clock = feed["clock"].as_i64();
    let (_, again) = lane(&app, "officer", "CP-130100-0001", clock).await;
    assert_eq!(
        (
            again["unchanged"].as_bool(),
            again["directives"].as_array().map(Vec::len)
        ),
        (Some(true), Some(0))
    );
    // A long poll is answered as soon as something changes: here, a directive to the city.
    let waiting = {
        let (client, base) = (app.client("officer").clone(), app.base.clone());
        let known = clock.unwrap();
        tokio::spawn(async move {
            let t = std::time::Instant::now();
            let r = client
                .get(format!(
                    "{base}/api/v1/checkpoints/CP-130100-0001/directives?known={known}&wait=20"
                ))
                .send()
                .await
                .unwrap();
            (t.elapsed(), r.json::<Value>().await.unwrap())
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let (s, second) = app
        .post_as(
            "city",
            "/api/v1/directives",
            &directive(json!({"checkpoints": ["CP-130100-0001"]})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{second}");
    let (waited, woken) = waiting.await.unwrap();
    assert_eq!(woken["unchanged"], false);
    assert_eq!(woken["directives"].as_array().unwrap().len(), 2);
    assert!(
        waited < std::time::Duration::from_secs(10),
        "answered on the change, not at the end: {waited:?}"
    );
    let clock = woken["clock"].as_i64();
    let (s, b) = app
        .get_as(
            "officer",
            "/api/v1/checkpoints/CP-130100-0001/directives?wait=26",
        )
        .await;
    assert_eq!(
        (s, code(&b)),
        (StatusCode::UNPROCESSABLE_ENTITY, ("out_of_range", "wait"))
    );
    let second = second["id"].as_i64().unwrap();
    let (s, _) = app
        .post_as(
            "city",
            &format!("/api/v1/directives/{second}/cancel"),
            &json!({"reason": "重复"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    // Not another station's officer, nor a commander.
    let (s, _) = lane(&app, "officer2", "CP-130100-0001", None).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let at = |rev: i64| json!({"checkpoint": "CP-130100-0001", "revision": rev});
    let (s, _) = app
        .post_as(
            "officer2",
            &format!("/api/v1/directives/{id}/acknowledge"),
            &at(1),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // Opened and acknowledged once, with a reply; the clock moves for the other lanes.
    let (s, _) = app
        .post_as("officer", &format!("/api/v1/directives/{id}/read"), &at(1))
        .await;
    assert_eq!(s, StatusCode::OK);
    let mut ack = at(1);
    ack["reply"] = json!("已传达到每个班组");
    let (s, first) = app
        .post_as(
            "officer",
            &format!("/api/v1/directives/{id}/acknowledge"),
            &ack,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{first}");
    assert_eq!(first["acknowledged_by"], "officer");
    ack["reply"] = json!("重复");
    let (s, second) = app
        .post_as(
            "officer",
            &format!("/api/v1/directives/{id}/acknowledge"),
            &ack,
        )
        .await;
    assert_eq!((s, &second), (StatusCode::OK, &first));
    let (_, moved) = lane(&app, "officer", "CP-130100-0001", clock).await;
    assert_eq!(moved["unchanged"], false);
    assert!(moved["directives"][0]["acknowledged_at"].is_string());

    let b = board(&app, "city", id).await;
    assert_eq!(b["directive"]["counts"]["acknowledged"], 1);
    assert_eq!(b["directive"]["counts"]["read"], 1);
    let acked: Vec<&str> = b["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["acknowledged_at"].is_string())
        .map(|r| r["reply"].as_str().unwrap())
        .collect();
    assert_eq!(acked, ["已传达到每个班组"]);
    let (s, _) = app
        .get_as("elsewhere", &format!("/api/v1/directives/{id}"))
        .await;
    assert_eq!(
        s,
        StatusCode::NOT_FOUND,
        "another city's commander does not see it"
    );

    // Reminded: the two not acknowledged.
    let (s, r) = app
        .post_as(
            "city",
            &format!("/api/v1/directives/{id}/remind"),
            &json!({}),
        )
        .await;
    assert_eq!((s, r["reminded"].as_i64()), (StatusCode::OK, Some(2)));

    // A revision is acknowledged again; the old one is refused.
    let (s, rev) = app
        .post_as(
            "city",
            &format!("/api/v1/directives/{id}/revise"),
            &json!({"text": "改为查验24小时核酸。", "note": "时限改为24小时"}),
        )
        .await;
    assert_eq!(
        (s, rev["revision"].as_i64()),
        (StatusCode::OK, Some(2)),
        "{rev}"
    );
    let (s, b) = app
        .post_as(
            "officer",
            &format!("/api/v1/directives/{id}/acknowledge"),
            &at(1),
        )
        .await;
    assert_eq!(
        (s, code(&b)),
        (StatusCode::CONFLICT, ("directive_updated", "revision"))
    );
    let (s, _) = app
        .post_as(
            "officer",
            &format!("/api/v1/directives/{id}/acknowledge"),
            &at(2),
        )
        .await;
    assert_eq!(s, StatusCode::OK);

    // Cancelled: off the lane; acknowledging or cancelling again is refused.
    let (s, c) = app
        .post_as(
            "city",
            &format!("/api/v1/directives/{id}/cancel"),
            &json!({"reason": "规则已撤回"}),
        )
        .await;
    assert_eq!(
        (s, c["state"].as_str()),
        (StatusCode::OK, Some("cancelled"))
    );
    let (_, feed) = lane(&app, "officer", "CP-130100-0001", None).await;
    assert_eq!(feed["directives"], json!([]));
    let (s, b) = app
        .post_as(
            "officer",
            &format!("/api/v1/directives/{id}/acknowledge"),
            &at(2),
        )
        .await;
    assert_eq!(
        (s, code(&b).0),
        (StatusCode::CONFLICT, "directive_cancelled")
    );
    let (s, _) = app
        .post_as(
            "city",
            &format!("/api/v1/directives/{id}/cancel"),
            &json!({"reason": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
}

async fn a_station_silent_at_the_deadline_is_escalated(app: TestApp) {
    let mut d = directive(json!({"checkpoints": ["CP-130100-0001", "CP-130100-0002"]}));
    let deadline = chrono::Utc::now().with_timezone(&cordon_domain::time::china())
        + chrono::Duration::milliseconds(1_500);
    d["ack_deadline"] = json!(deadline.to_rfc3339());
    let (s, d) = app.post_as("commander", "/api/v1/directives", &d).await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let id = d["id"].as_i64().unwrap();
    let (s, _) = app
        .post_as(
            "officer2",
            &format!("/api/v1/directives/{id}/acknowledge"),
            &json!({"checkpoint": "CP-130100-0002", "revision": 1}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    // Wait for the deadline to pass: the one silent station is overdue, to the city too.
    let overdue = loop {
        let (s, page) = app.get_as("city", "/api/v1/directives/overdue").await;
        assert_eq!(s, StatusCode::OK);
        let list = page["overdue"].as_array().unwrap().clone();
        if !list.is_empty() {
            break list;
        }
        assert!(chrono::Utc::now() < deadline + chrono::Duration::seconds(10));
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert_eq!(overdue.len(), 1);
    assert_eq!(overdue[0]["recipient"]["checkpoint"], "CP-130100-0001");
    assert_eq!(overdue[0]["directive"], id);
    let b = board(&app, "city", id).await;
    assert_eq!(b["directive"]["counts"]["overdue"], 1);
    let (_, none) = app.get_as("elsewhere", "/api/v1/directives/overdue").await;
    assert_eq!(none["overdue"], json!([]));
    // The city's commander sees the province's directive but may not change it.
    let (s, _) = app
        .post_as(
            "city",
            &format!("/api/v1/directives/{id}/remind"),
            &json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

/// GET the CAP export of a directive: the XML, parsed by an independent CAP library.
async fn cap_of(app: &TestApp, id: i64) -> (oasiscap::Alert, oasiscap::v1dot2::Alert) {
    let r = app
        .client("city")
        .get(format!("{}/api/v1/directives/{id}/cap", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/xml"));
    let xml = r.text().await.unwrap();
    let alert: oasiscap::Alert = xml.parse().unwrap_or_else(|e| panic!("{e}: {xml}"));
    assert!(matches!(alert, oasiscap::Alert::V1dot2(_)), "CAP 1.2");
    (alert.clone(), alert.into_latest())
}

async fn post_cap(app: &TestApp, xml: &str) -> (StatusCode, Value) {
    let r = app
        .client("city")
        .post(format!("{}/api/v1/directives/cap", app.base))
        .header("content-type", "application/xml")
        .body(xml.to_owned())
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn a_cap_export_parses_and_imports_to_the_same_directive(app: TestApp) {
    let mut body = directive(json!({"checkpoints": ["CP-130100-0001", "CP-130100-0003"]}));
    body["title"] = json!("20时起执行新规则 <第5版> & 附件");
    let (s, d) = app.post_as("city", "/api/v1/directives", &body).await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let id = d["id"].as_i64().unwrap();
    let (parsed, alert) = cap_of(&app, id).await;
    assert_eq!(
        alert.identifier.to_string(),
        format!("cordon-directive-{id}-r1")
    );
    assert_eq!(format!("{:?}", alert.message_type), "Alert");
    assert_eq!(alert.info[0].headline.as_deref(), d["title"].as_str());
    assert_eq!(alert.info[0].description.as_deref(), d["text"].as_str());
    assert_eq!(format!("{:?}", alert.info[0].urgency), "Immediate");

    // The library's own serialisation of the alert imports to the same directive.
    let (s, again) = post_cap(&app, &parsed.to_string()).await;
    assert_eq!(s, StatusCode::CREATED, "{again}");
    for field in [
        "title",
        "text",
        "priority",
        "target",
        "ack_deadline",
        "division",
    ] {
        assert_eq!(again[field], d[field], "{field}");
    }
    assert_eq!(again["counts"]["recipients"], 2);
    assert_ne!(again["id"], d["id"]);

    // A revision exports as an Update referencing the first; a cancellation as a Cancel. Only
    // an Alert makes a directive; what does not parse is refused with its reason.
    let (s, _) = app
        .post_as(
            "city",
            &format!("/api/v1/directives/{id}/revise"),
            &json!({"text": "改", "note": "改为24小时"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (xml, update) = cap_of(&app, id).await;
    assert_eq!(format!("{:?}", update.message_type), "Update");
    assert!(update.references.is_some(), "{xml:?}");
    let (s, e) = post_cap(&app, &xml.to_string()).await;
    assert_eq!(
        (s, code(&e)),
        (StatusCode::UNPROCESSABLE_ENTITY, ("unsupported", "msgType"))
    );
    app.post_as(
        "city",
        &format!("/api/v1/directives/{id}/cancel"),
        &json!({"reason": "撤回"}),
    )
    .await;
    let (_, cancel) = cap_of(&app, id).await;
    assert_eq!(format!("{:?}", cancel.message_type), "Cancel");
    let (s, e) = post_cap(&app, "<alert><headline>").await;
    assert_eq!(
        (s, code(&e).0),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_cap")
    );
    let (_, page) = app
        .get_as("city", "/api/v1/directives?cancelled=true")
        .await;
    assert_eq!(
        page["directives"].as_array().unwrap().len(),
        2,
        "nothing half-written"
    );
}

async fn a_station_reports_a_problem_and_reads_the_answer_on_its_lane(app: TestApp) {
    let id = Uuid::now_v7();
    let report = json!({"id": id, "checkpoint": "CP-130100-0001", "category": "supplies",
        "urgency": "flash", "text": "抗原试剂只剩20人份"});
    // Without a category: refused beside it, in Chinese; nothing filed.
    let mut bad = report.clone();
    bad["category"] = json!("");
    let (s, e) = app.post_zh("officer", "/api/v1/reports", &bad).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        (code(&e), e["error"]["message"].as_str()),
        (("invalid_value", "category"), Some("请选择上报类别"))
    );
    let (s, _) = app.post_as("officer2", "/api/v1/reports", &report).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "another station's officer");

    let (s, filed) = app.post_as("officer", "/api/v1/reports", &report).await;
    assert_eq!(
        (s, filed["state"].as_str()),
        (StatusCode::CREATED, Some("open")),
        "{filed}"
    );
    let (s, again) = app.post_as("officer", "/api/v1/reports", &report).await;
    assert_eq!(
        (s, &again),
        (StatusCode::OK, &filed),
        "a retry files nothing new"
    );
    let mut other = report.clone();
    other["text"] = json!("另一件事");
    let (s, b) = app.post_as("officer", "/api/v1/reports", &other).await;
    assert_eq!((s, code(&b).0), (StatusCode::CONFLICT, "report_conflict"));
    let queue = json!({"id": Uuid::now_v7(), "checkpoint": "CP-130100-0002", "category": "queue",
        "urgency": "routine", "text": "出口排队约1公里"});
    let (s, _) = app.post_as("officer", "/api/v1/reports", &queue).await;
    assert_eq!(s, StatusCode::CREATED);

    // The inbox: the flash first; another city's commander sees none.
    let (s, inbox) = app.get_as("city", "/api/v1/reports?open=true").await;
    assert_eq!(s, StatusCode::OK);
    let texts: Vec<&str> = inbox["reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["抗原试剂只剩20人份", "出口排队约1公里"]);
    let (_, none) = app.get_as("elsewhere", "/api/v1/reports").await;
    assert_eq!(none["reports"], json!([]));
    let (s, _) = app
        .post_as(
            "elsewhere",
            &format!("/api/v1/reports/{id}/answer"),
            &json!({"answer": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Taken, answered once; the answer is on the lane's next answer.
    let (s, taken) = app
        .post_as("city", &format!("/api/v1/reports/{id}/assign"), &json!({}))
        .await;
    assert_eq!(
        (s, taken["assigned_to"].as_str()),
        (StatusCode::OK, Some("city"))
    );
    let (_, feed) = lane(&app, "officer", "CP-130100-0001", None).await;
    let clock = feed["clock"].as_i64();
    let (s, answered) = app
        .post_as(
            "city",
            &format!("/api/v1/reports/{id}/answer"),
            &json!({"answer": "已从市仓库调拨500人份，1小时内送到"}),
        )
        .await;
    assert_eq!(
        (s, answered["state"].as_str()),
        (StatusCode::OK, Some("answered")),
        "{answered}"
    );
    let (s, b) = app
        .post_as(
            "city",
            &format!("/api/v1/reports/{id}/answer"),
            &json!({"answer": "again"}),
        )
        .await;
    assert_eq!((s, code(&b).0), (StatusCode::CONFLICT, "report_answered"));
    let (_, feed) = lane(&app, "officer", "CP-130100-0001", clock).await;
    assert_eq!(feed["unchanged"], false);
    assert_eq!(
        feed["reports"][0]["answer"],
        "已从市仓库调拨500人份，1小时内送到"
    );
    assert_eq!(feed["reports"][0]["answered_by"], "city");
}

on_both!(
    a_station_reports_a_problem_and_reads_the_answer_on_its_lane,
    a_cap_export_parses_and_imports_to_the_same_directive,
    directives_reach_the_lanes_and_are_acknowledged,
    a_station_silent_at_the_deadline_is_escalated
);

/// The directives' rows of the access matrix: each body is refused after the access check (an
/// empty title, an id that is not a directive), so the matrix issues nothing.
pub fn rows() -> Vec<Row> {
    let at = || json!({"checkpoint": "CP-130100-0001", "revision": 1});
    vec![
        row("GET /api/v1/directives", COMMANDERS, Value::Null),
        row(
            "POST /api/v1/directives",
            COMMANDERS,
            json!({"title": "", "text": "x", "priority": "routine", "target": {}}),
        ),
        row("GET /api/v1/directives/overdue", COMMANDERS, Value::Null),
        row("GET /api/v1/directives/{id}", COMMANDERS, Value::Null),
        row(
            "POST /api/v1/directives/{id}/revise",
            COMMANDERS,
            json!({"note": "改"}),
        ),
        row(
            "POST /api/v1/directives/{id}/cancel",
            COMMANDERS,
            json!({"reason": "撤回"}),
        ),
        row("POST /api/v1/directives/{id}/remind", COMMANDERS, json!({})),
        row("GET /api/v1/directives/{id}/cap", COMMANDERS, Value::Null),
        Row {
            body: super::matrix::Body::Csv("<alert/>"),
            ..row("POST /api/v1/directives/cap", COMMANDERS, Value::Null)
        },
        row("POST /api/v1/directives/{id}/read", OFFICERS, at()),
        row("POST /api/v1/directives/{id}/acknowledge", OFFICERS, at()),
        row(
            "GET /api/v1/checkpoints/{code}/directives",
            &["officer"],
            Value::Null,
        ),
        row("GET /api/v1/sync/directives", &["station"], Value::Null),
        row(
            "POST /api/v1/reports",
            OFFICERS,
            json!({"id": "0190f5c2-7d4e-7b2a-9c1e-3f6a2b8d9e01", "checkpoint": "CP-130100-0002",
                "category": "weather", "urgency": "routine", "text": "x"}),
        ),
        row("GET /api/v1/reports", COMMANDERS, Value::Null),
        row("POST /api/v1/reports/{id}/assign", COMMANDERS, json!({})),
        row(
            "POST /api/v1/reports/{id}/answer",
            COMMANDERS,
            json!({"answer": "收到"}),
        ),
        row(
            "POST /api/v1/sync/reports",
            &["station"],
            json!({"records": []}),
        ),
        row(
            "POST /api/v1/sync/directives",
            &["station"],
            json!({"records": []}),
        ),
    ]
}
