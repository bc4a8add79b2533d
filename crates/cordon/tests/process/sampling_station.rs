//! A sampling site as an edge station, as real processes: the site's samplers fill a 10-in-1
//! tube, seal it and swab a person for an antigen test on the station's own disk while the hub
//! is down; the station is killed (SIGKILL) with the events still in its outbox; once both are
//! back, every event reaches the hub exactly once: the tube sealed with its ten persons at the
//! station's times, the swab, and nothing more after further restarts.

use std::time::Duration;

use serde_json::{json, Value};
use uuid::Uuid;

use super::{add_user, resident_id, setup_network, signed_in, staff, start, start_at};

async fn post(client: &reqwest::Client, url: String, body: &Value) -> (reqwest::StatusCode, Value) {
    let r = client.post(url).json(body).send().await.unwrap();
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

async fn get(client: &reqwest::Client, url: String) -> Value {
    match client.get(url).send().await {
        Ok(r) => r.json().await.unwrap_or(Value::Null),
        Err(_) => Value::Null,
    }
}

fn person(seed: u32) -> Value {
    json!({"document": {"type": "resident_id", "number": resident_id(seed)}, "name": "孙七"})
}

/// The hub's view of a tube (Null while the hub cannot answer).
async fn hub_tube(commander: &reqwest::Client, hub: &str, barcode: &str) -> Value {
    get(commander, format!("{hub}/api/v1/testing/tubes/{barcode}")).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_offline_sampling_site_reaches_the_hub_exactly_once() {
    let root = std::env::temp_dir().join(format!("cordon-site-{}", Uuid::now_v7().simple()));
    let hub_data = root.join("hub").to_str().unwrap().to_owned();
    let station_data = root.join("station").to_str().unwrap().to_owned();
    let hub_at = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().to_string()
    };
    let (mut hub, hub_base, _) = start_at(&hub_at, &["--data", &hub_data]).await;
    let (commander, _) = staff(&["--data", &hub_data], &hub_base).await;
    setup_network(&commander, &hub_base).await;
    let deadline = (chrono::Utc::now() + chrono::Duration::days(1))
        .with_timezone(&cordon_domain::time::china())
        .to_rfc3339();
    let (s, campaign) = post(
        &commander,
        format!("{hub_base}/api/v1/testing/campaigns"),
        &json!({"name": "长安区全员核酸", "area": "130102", "deadline": deadline, "pool_size": 10}),
    )
    .await;
    assert!(s.is_success(), "{campaign}");
    let (s, site) = post(
        &commander,
        format!(
            "{hub_base}/api/v1/testing/campaigns/{}/sites",
            campaign["id"]
        ),
        &json!({"name": "西山村委会", "lanes": 1}),
    )
    .await;
    assert!(s.is_success(), "{site}");
    let site_id = site["id"].as_i64().unwrap().to_string();
    let (s, issued) = post(
        &commander,
        format!("{hub_base}/api/v1/stations"),
        &json!({"site": site["id"]}),
    )
    .await;
    assert!(s.is_success(), "{issued}");
    std::fs::create_dir_all(&station_data).unwrap();
    std::fs::write(
        root.join("station/station.token"),
        issued["token"].as_str().unwrap(),
    )
    .unwrap();
    let station_args = [
        "--data",
        &station_data,
        "--upstream",
        &hub_base,
        "--site",
        &site_id,
    ];

    // The station learns its site from the hub at its first start; then the hub goes down.
    let (mut station, station_base) = start(&station_args).await;
    add_user(&["--data", &station_data], "sampler", "sampler", "130102").await;
    let sampler = signed_in(&station_base, "sampler", "a-test-password-9").await;
    hub.start_kill().unwrap();
    hub.wait().await.unwrap();

    // A 10-in-1 tube filled and sealed, and an antigen swab, with no link.
    let (s, t) = post(
        &sampler,
        format!("{station_base}/api/v1/testing/tubes"),
        &json!({"site": site["id"], "barcode": "HB8000000001"}),
    )
    .await;
    assert_eq!(s, reqwest::StatusCode::CREATED, "{t}");
    for k in 1..=10 {
        let (s, a) = post(
            &sampler,
            format!("{station_base}/api/v1/testing/tubes/HB8000000001/members"),
            &person(k),
        )
        .await;
        assert_eq!(s, reqwest::StatusCode::CREATED, "{a}");
    }
    let (s, t) = post(
        &sampler,
        format!("{station_base}/api/v1/testing/tubes/HB8000000001/seal"),
        &json!({}),
    )
    .await;
    assert_eq!(s, reqwest::StatusCode::OK, "{t}");
    let (s, a) = post(
        &sampler,
        format!("{station_base}/api/v1/testing/sites/{site_id}/antigen"),
        &person(11),
    )
    .await;
    assert_eq!(s, reqwest::StatusCode::CREATED, "{a}");
    let link = get(&sampler, format!("{station_base}/api/v1/link")).await;
    assert_eq!(link["sampling"]["pending"], 13, "{link}");

    // The station is killed with all of it in its outbox; both come back.
    station.start_kill().unwrap();
    station.wait().await.unwrap();
    let (_hub, hub_base, _) = start_at(&hub_at, &["--data", &hub_data]).await;
    let commander = signed_in(&hub_base, "commander", "a-test-password-9").await;
    let (mut station, _) = start(&station_args).await;
    let mut tube = Value::Null;
    for _ in 0..300 {
        tube = hub_tube(&commander, &hub_base, "HB8000000001").await;
        if tube["state"] == "sealed" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(tube["state"], "sealed", "{tube}");
    assert_eq!(tube["members"].as_array().map(Vec::len), Some(10), "{tube}");
    assert_eq!(tube["opened_by"], "sampler");

    // Restarted once more: nothing is sent twice; the page's link says all is at the hub.
    station.start_kill().unwrap();
    station.wait().await.unwrap();
    let (mut station, station_base) = start(&station_args).await;
    let sampler = signed_in(&station_base, "sampler", "a-test-password-9").await;
    let mut link = Value::Null;
    for _ in 0..100 {
        link = get(&sampler, format!("{station_base}/api/v1/link")).await;
        if link["sampling"]["pending"] == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(link["sampling"]["pending"], 0, "{link}");
    assert_eq!(link["sampling"]["refused"], json!([]), "{link}");
    let stations = get(&commander, format!("{hub_base}/api/v1/stations")).await;
    let ours = stations["stations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["site"] == site["id"])
        .cloned()
        .unwrap_or(Value::Null);
    assert_eq!(ours["high_water"], 13, "{stations}");
    let tube = hub_tube(&commander, &hub_base, "HB8000000001").await;
    assert_eq!(tube["members"].as_array().map(Vec::len), Some(10), "{tube}");
    station.start_kill().unwrap();
    let _ = std::fs::remove_dir_all(&root);
}
