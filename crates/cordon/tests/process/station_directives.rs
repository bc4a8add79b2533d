//! Directives through an edge station, real processes over a faulty link: a directive issued
//! at the hub reaches the station's lane; with the link down an officer there opens and
//! acknowledges it; when the link returns the hub records the acknowledgement once, by that
//! officer, with the reply; a revision and a cancellation at the hub reach the lane too.

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use uuid::Uuid;

use super::edge::credential;
use super::proxy::FaultyLink;
use super::{add_user, setup_network, signed_in, staff, start, until};

async fn get(client: &reqwest::Client, url: String) -> Value {
    let r = client.get(url).send().await.unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    r.json().await.unwrap()
}

async fn post(client: &reqwest::Client, url: String, body: &Value) -> Value {
    let r = client.post(url).json(body).send().await.unwrap();
    let status = r.status();
    let body: Value = r.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "{status}: {body}");
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_offline_station_acknowledges_and_the_hub_records_it_once() {
    let root = std::env::temp_dir().join(format!("cordon-directives-{}", Uuid::now_v7().simple()));
    let hub_data = root.join("hub").to_str().unwrap().to_owned();
    let station_data = root.join("station").to_str().unwrap().to_owned();
    let (_hub, hub) = start(&["--data", &hub_data]).await;
    let (commander, _) = staff(&["--data", &hub_data], &hub).await;
    setup_network(&commander, &hub).await;
    credential(&commander, &hub, "CP-130100-0001", &station_data).await;
    let link = FaultyLink::start(hub.trim_start_matches("http://").to_owned(), 7).await;
    let (_station, base) = start(&[
        "--data",
        &station_data,
        "--upstream",
        &format!("http://{}", link.addr),
        "--checkpoint",
        "CP-130100-0001",
    ])
    .await;
    add_user(
        &["--data", &station_data],
        "zhang.wei",
        "officer",
        "CP-130100-0001",
    )
    .await;
    let officer = signed_in(&base, "zhang.wei", "a-test-password-9").await;
    let lane = format!("{base}/api/v1/checkpoints/CP-130100-0001/directives");

    // Issued at the hub to the checkpoint: on the station's lane within seconds.
    let d = post(
        &commander,
        format!("{hub}/api/v1/directives"),
        &json!({"title": "20时起执行新规则", "text": "查验48小时核酸。", "priority": "urgent",
            "target": {"division": "130100"}}),
    )
    .await;
    let id = d["id"].as_i64().unwrap();
    let shown: Value = until(30, "the directive at the station's lane", || async {
        let feed = get(&officer, lane.clone()).await;
        (feed["directives"].as_array().map(Vec::len) == Some(1))
            .then(|| feed["directives"][0].clone())
    })
    .await;
    assert_eq!(
        (shown["id"].as_i64(), shown["revision"].as_i64()),
        (Some(id), Some(1))
    );
    let board = format!("{hub}/api/v1/directives/{id}");
    until(30, "delivered, at the hub", || async {
        let b = get(&commander, board.clone()).await;
        (b["directive"]["counts"]["delivered"] == 1).then_some(())
    })
    .await;

    // A shift planned at the hub is in the station's roster, for its lanes' duty line.
    let at = |hours: i64| {
        (chrono::Utc::now() + chrono::Duration::hours(hours))
            .with_timezone(&cordon_domain::time::china())
            .to_rfc3339()
    };
    let planned = post(
        &commander,
        format!("{hub}/api/v1/checkpoints/CP-130100-0001/shifts"),
        &json!({"starts_at": at(-1), "ends_at": at(7), "lead": "officer",
            "volunteers": [{"name": "王五", "phone": "13912345678"}]}),
    )
    .await;
    let roster = format!("{base}/api/v1/checkpoints/CP-130100-0001/roster");
    let copied: Value = until(30, "the shift in the station's roster", || async {
        let r = get(&officer, roster.clone()).await;
        (r["shifts"].as_array().map(Vec::len) == Some(1)).then(|| r["shifts"][0].clone())
    })
    .await;
    assert_eq!(copied["id"], planned["id"]);
    assert_eq!(
        (copied["lead"].as_str(), copied["state"].as_str()),
        (Some("officer"), Some("on_duty"))
    );
    assert_eq!(
        copied["volunteers"][0]["phone"], "139****5678",
        "masked, never in the clear"
    );

    // The link goes down: the officer opens and acknowledges it at the station all the same.
    link.set_up(false);
    let at = json!({"checkpoint": "CP-130100-0001", "revision": 1});
    post(&officer, format!("{base}/api/v1/directives/{id}/read"), &at).await;
    let mut ack = at.clone();
    ack["reply"] = json!("已传达到两个班组");
    let acked = post(
        &officer,
        format!("{base}/api/v1/directives/{id}/acknowledge"),
        &ack,
    )
    .await;
    assert_eq!(acked["acknowledged_by"], "zhang.wei");
    post(
        &officer,
        format!("{base}/api/v1/directives/{id}/acknowledge"),
        &ack,
    )
    .await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let b = get(&commander, board.clone()).await;
    assert_eq!(
        b["directive"]["counts"]["acknowledged"], 0,
        "not at the hub while the link is down"
    );

    // Back up: the hub records it once, by that officer, with the reply, at the station's time.
    link.set_up(true);
    let recorded: Value = until(60, "the acknowledgement at the hub", || async {
        let b = get(&commander, board.clone()).await;
        (b["directive"]["counts"]["acknowledged"] == 1).then_some(b)
    })
    .await;
    let mine = recorded["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["checkpoint"] == "CP-130100-0001")
        .unwrap()
        .clone();
    assert_eq!(mine["acknowledged_by"], "zhang.wei");
    assert_eq!(mine["reply"], "已传达到两个班组");
    assert_eq!(mine["acknowledged_at"], acked["acknowledged_at"]);
    assert_eq!(recorded["directive"]["counts"]["read"], 1);
    // A few more exchanges change nothing.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let later = get(&commander, board.clone()).await;
    assert_eq!(later["recipients"], recorded["recipients"]);

    // With the link down again, the officer reports a problem; back up, the hub has it once,
    // and the command's answer comes back to the station's lane.
    link.set_up(false);
    let report = json!({"id": Uuid::now_v7(), "checkpoint": "CP-130100-0001", "category": "supplies",
        "urgency": "flash", "text": "抗原试剂只剩20人份"});
    post(&officer, format!("{base}/api/v1/reports"), &report).await;
    post(&officer, format!("{base}/api/v1/reports"), &report).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let inbox = get(&commander, format!("{hub}/api/v1/reports")).await;
    assert_eq!(
        inbox["reports"],
        json!([]),
        "not at the hub while the link is down"
    );
    link.set_up(true);
    let at_hub: Value = until(60, "the report at the hub", || async {
        let inbox = get(&commander, format!("{hub}/api/v1/reports")).await;
        (inbox["reports"].as_array().map(Vec::len) == Some(1)).then(|| inbox["reports"][0].clone())
    })
    .await;
    assert_eq!(
        (at_hub["reported_by"].as_str(), at_hub["text"].as_str()),
        (Some("zhang.wei"), Some("抗原试剂只剩20人份"))
    );
    post(
        &commander,
        format!(
            "{hub}/api/v1/reports/{}/answer",
            report["id"].as_str().unwrap()
        ),
        &json!({"answer": "已调拨500人份，1小时内送到"}),
    )
    .await;
    until(30, "the answer on the station's lane", || async {
        let feed = get(&officer, lane.clone()).await;
        (feed["reports"][0]["answer"] == "已调拨500人份，1小时内送到").then_some(())
    })
    .await;
    let inbox = get(&commander, format!("{hub}/api/v1/reports")).await;
    assert_eq!(
        inbox["reports"].as_array().map(Vec::len),
        Some(1),
        "filed once"
    );

    // A revision reaches the lane, to be acknowledged again; a cancellation takes it off.
    post(
        &commander,
        format!("{hub}/api/v1/directives/{id}/revise"),
        &json!({"text": "查验24小时核酸。", "note": "时限改为24小时"}),
    )
    .await;
    until(30, "the revision at the station", || async {
        let feed = get(&officer, lane.clone()).await;
        let d = &feed["directives"][0];
        (d["revision"] == 2 && d["acknowledged_at"].is_null() && d["text"] == "查验24小时核酸。")
            .then_some(())
    })
    .await;
    post(
        &commander,
        format!("{hub}/api/v1/directives/{id}/cancel"),
        &json!({"reason": "规则已撤回"}),
    )
    .await;
    until(30, "the cancellation at the station", || async {
        let feed = get(&officer, lane.clone()).await;
        (feed["directives"] == json!([])).then_some(())
    })
    .await;
    // The station's commander cannot issue its own.
    add_user(&["--data", &station_data], "lead", "commander", "130100").await;
    let lead = signed_in(&base, "lead", "a-test-password-9").await;
    let r = lead
        .post(format!("{base}/api/v1/directives"))
        .json(&json!({"title": "t", "text": "x", "priority": "routine", "target": {}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::CONFLICT);
    let _ = std::fs::remove_dir_all(&root);
}

/// A stop does not wait for the lanes' long polls: each is answered at once (the lane asks
/// again, of the restarted hub), and the process ends within a few seconds, not after the
/// polls' 25 s.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stop_answers_the_lanes_long_polls_at_once() {
    let dir = std::env::temp_dir().join(format!("cordon-stop-{}", Uuid::now_v7().simple()));
    let data = dir.to_str().unwrap().to_owned();
    let (mut hub, base) = start(&["--data", &data]).await;
    let (commander, officer) = staff(&["--data", &data], &base).await;
    setup_network(&commander, &base).await;
    let feed = format!("{base}/api/v1/checkpoints/CP-130100-0001/directives");
    let first = get(&officer, feed.clone()).await;
    let clock = first["clock"].as_i64().unwrap();
    let poll = tokio::spawn(async move {
        let r = officer
            .get(format!("{feed}?known={clock}&wait=25"))
            .send()
            .await
            .unwrap();
        (r.status(), r.json::<Value>().await.unwrap())
    });
    // The poll is held at the hub: nothing changes for it to answer.
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(!poll.is_finished(), "the long poll waits");
    let t = Instant::now();
    let pid = hub.id().unwrap().to_string();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(killed.success());
    let (status, answer) = poll.await.unwrap();
    assert!(status.is_success(), "{status}");
    assert_eq!(answer["unchanged"], true);
    tokio::time::timeout(Duration::from_secs(8), hub.wait())
        .await
        .expect("the hub stops without waiting for the long poll")
        .unwrap();
    assert!(t.elapsed() < Duration::from_secs(8));
    let _ = std::fs::remove_dir_all(&dir);
}
