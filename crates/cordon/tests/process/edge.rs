//! Edge stations as real processes: a station registers on its own disk and its outbox gets
//! every record to the hub exactly once, across SIGKILLs of the station and of the hub, and over
//! a link that drops, stalls and cuts connections at random.

use std::time::Duration;

use serde_json::{json, Value};
use uuid::Uuid;

use super::proxy::FaultyLink;
use super::{add_user, registration_at, setup_network, signed_in, staff, start, start_at, until};

/// The officer of `checkpoint` at the station at `base` (data in `data`), created from the
/// console and signed in.
async fn station_officer(data: &str, base: &str, checkpoint: &str) -> reqwest::Client {
    add_user(&["--data", data], "officer", "officer", checkpoint).await;
    signed_in(base, "officer", "a-test-password-9").await
}

/// GET as `client`: the answer's JSON.
async fn get_json(client: &reqwest::Client, url: String) -> Value {
    client
        .get(url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap_or(Value::Null)
}

/// POST `body` as `client`: the status and the answer's JSON.
async fn post_json(
    client: &reqwest::Client,
    url: String,
    body: &Value,
) -> (reqwest::StatusCode, Value) {
    let r = client.post(url).json(body).send().await.unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// A free loopback address, so that a restarted hub comes back where its stations look for it.
fn free_address() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().to_string()
}

/// Vehicles the hub holds at a checkpoint on the day the registrations are dated.
async fn hub_count(commander: &reqwest::Client, base: &str, checkpoint: &str) -> i64 {
    let r = commander
        .get(format!(
            "{base}/api/v1/checkpoints/{checkpoint}/hourly?{}",
            super::registration_day()
        ))
        .send()
        .await;
    let Ok(r) = r else { return -1 };
    let v: Value = r.json().await.unwrap_or(Value::Null);
    v["hours"]
        .as_array()
        .or(v.as_array())
        .map(|a| a.iter().map(|h| h["passages"].as_i64().unwrap_or(0)).sum())
        .unwrap_or(-1)
}

/// Registers `n` vehicles at the station, numbered from `from`, 16 at a time; every one must be
/// acknowledged.
async fn register_at(station: &reqwest::Client, base: &str, checkpoint: &str, from: u32, n: u32) {
    let mut tasks = Vec::new();
    for chunk in (from..from + n)
        .collect::<Vec<_>>()
        .chunks(((n as usize) / 16).max(1))
    {
        let (station, base, chunk, checkpoint) = (
            station.clone(),
            base.to_owned(),
            chunk.to_vec(),
            checkpoint.to_owned(),
        );
        tasks.push(tokio::spawn(async move {
            for k in chunk {
                let r = post_json(
                    &station,
                    format!("{base}/api/v1/passages"),
                    &registration_at(Uuid::now_v7(), k, &checkpoint),
                )
                .await;
                assert_eq!(r.0, reqwest::StatusCode::CREATED);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_station_pushes_to_the_hub_exactly_once_across_kills() {
    let root = std::env::temp_dir().join(format!("cordon-edge-{}", Uuid::now_v7().simple()));
    let hub_data = root.join("hub").to_str().unwrap().to_owned();
    let station_data = root.join("station").to_str().unwrap().to_owned();
    let hub_at = free_address();
    let (mut hub, hub_base, _) = start_at(&hub_at, &["--data", &hub_data]).await;
    let (commander, _) = staff(&["--data", &hub_data], &hub_base).await;
    setup_network(&commander, &hub_base).await;
    let issued: Value = post_json(
        &commander,
        format!("{hub_base}/api/v1/stations"),
        &json!({"checkpoint": "CP-130100-0001"}),
    )
    .await
    .1;
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
        "--checkpoint",
        "CP-130100-0001",
    ];

    // The station learns its checkpoint from the hub at its first start, then registers on its
    // own disk; a SIGKILL of the station loses nothing it acknowledged.
    let (mut station, station_base) = start(&station_args).await;
    let officer = station_officer(&station_data, &station_base, "CP-130100-0001").await;

    // A driver's code from the hub is checked at the station with the hub's key; declaring is
    // done at the hub.
    let declared = json!({"vehicle": {"plate": "冀A12345", "plate_color": "blue", "class": "car"},
        "occupants": [{"document": {"type": "resident_id", "number": "11010519491231002X"},
            "name": "张三", "role": "driver", "health_code": "green"}]});
    let issued: Value = post_json(
        &reqwest::Client::new(),
        format!("{hub_base}/api/v1/declarations"),
        &declared,
    )
    .await
    .1;
    let r = post_json(
        &officer,
        format!("{station_base}/api/v1/declarations/verify"),
        &json!({"token": issued["token"]}),
    )
    .await;
    assert_eq!(r.0, reqwest::StatusCode::OK, "{}", r.1);
    let r = post_json(
        &reqwest::Client::new(),
        format!("{station_base}/api/v1/declarations"),
        &declared,
    )
    .await;
    assert_eq!(r.0, reqwest::StatusCode::CONFLICT);

    register_at(&officer, &station_base, "CP-130100-0001", 0, 300).await;
    station.start_kill().unwrap();
    station.wait().await.unwrap();

    // The restarted station pushes what it holds; the hub is killed in the middle of that, and
    // the station keeps registering with the hub down: the outbox holds it.
    let (mut station, station_base) = start(&station_args).await;
    hub.start_kill().unwrap();
    hub.wait().await.unwrap();
    let officer = signed_in(&station_base, "officer", "a-test-password-9").await;
    register_at(&officer, &station_base, "CP-130100-0001", 300, 200).await;

    // The hub comes back where it was; every record reaches it, once.
    let (_hub, hub_base, _) = start_at(&hub_at, &["--data", &hub_data]).await;
    let commander = signed_in(&hub_base, "commander", "a-test-password-9").await;
    let mut held = 0;
    for _ in 0..300 {
        held = hub_count(&commander, &hub_base, "CP-130100-0001").await;
        if held >= 500 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        held, 500,
        "the hub holds every registration of the station once"
    );
    // The station's high-water mark is stored after its passages, in the same request: a read
    // between the two sees the passages first.
    let mut stations = Value::Null;
    for _ in 0..50 {
        stations = get_json(&commander, format!("{hub_base}/api/v1/stations")).await;
        if stations["stations"][0]["high_water"] == 500 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(stations["stations"][0]["high_water"], 500, "{stations}");
    // Nothing more arrives: the count stays; the lane page's link state says all is at the hub.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        hub_count(&commander, &hub_base, "CP-130100-0001").await,
        500
    );
    let link: Value = get_json(&officer, format!("{station_base}/api/v1/link")).await;
    assert_eq!(link["station"], true, "{link}");
    assert_eq!(link["pending"], 0, "{link}");
    assert!(link["last_sync_at"].is_string(), "{link}");
    station.start_kill().unwrap();
    let _ = std::fs::remove_dir_all(&root);
}

/// Issues a station credential for `checkpoint` and writes it where the station reads it.
pub(super) async fn credential(
    commander: &reqwest::Client,
    hub: &str,
    checkpoint: &str,
    data: &str,
) {
    let issued: Value = post_json(
        commander,
        format!("{hub}/api/v1/stations"),
        &json!({ "checkpoint": checkpoint }),
    )
    .await
    .1;
    std::fs::create_dir_all(data).unwrap();
    std::fs::write(
        std::path::Path::new(data).join("station.token"),
        issued["token"].as_str().unwrap(),
    )
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_stations_over_a_flapping_link_deliver_every_record_once() {
    // 10,000 at each station in CI; fewer when a developer asks for a quick run.
    let n: u32 = std::env::var("CORDON_EDGE_RECORDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let root = std::env::temp_dir().join(format!("cordon-flap-{}", Uuid::now_v7().simple()));
    let hub_data = root.join("hub").to_str().unwrap().to_owned();
    let (_hub, hub_base) = start(&["--data", &hub_data]).await;
    let (commander, _) = staff(&["--data", &hub_data], &hub_base).await;
    setup_network(&commander, &hub_base).await;
    let second = json!({"code": "CP-130100-0002", "name": "石家庄西收费站", "jurisdiction": "130102",
        "kind": "toll_station", "defence_line": "capital_ring", "location": {"lat": 38.03, "lon": 114.40}, "lanes": 8});
    let r = post_json(
        &commander,
        format!("{hub_base}/api/v1/checkpoints"),
        &second,
    )
    .await;
    assert!(r.0.is_success());

    let link = FaultyLink::start(hub_base.trim_start_matches("http://").to_owned(), 7).await;
    let upstream = format!("http://{}", link.addr);
    let codes = ["CP-130100-0001", "CP-130100-0002"];
    let mut stations = Vec::new();
    for code in codes {
        let data = root.join(code).to_str().unwrap().to_owned();
        credential(&commander, &hub_base, code, &data).await;
        let (child, base) = start(&[
            "--data",
            &data,
            "--upstream",
            &upstream,
            "--checkpoint",
            code,
        ])
        .await;
        let officer = station_officer(&data, &base, code).await;
        stations.push((child, base, officer, code));
    }

    // The link flaps while both stations register.
    let flapping = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let link = std::sync::Arc::new(link);
    let flapper = {
        let (link, flapping) = (link.clone(), flapping.clone());
        tokio::spawn(async move {
            use rand::{Rng, SeedableRng};
            let mut rng = rand::rngs::StdRng::seed_from_u64(11);
            while flapping.load(std::sync::atomic::Ordering::SeqCst) {
                tokio::time::sleep(Duration::from_millis(rng.gen_range(100..600))).await;
                link.set_up(false);
                tokio::time::sleep(Duration::from_millis(rng.gen_range(50..400))).await;
                link.set_up(true);
            }
        })
    };
    let started = std::time::Instant::now();
    let loads: Vec<_> = stations
        .iter()
        .map(|(_, base, officer, code)| {
            let (officer, base, code) = (officer.clone(), base.clone(), code.to_string());
            tokio::spawn(async move { register_at(&officer, &base, &code, 0, n).await })
        })
        .collect();
    for l in loads {
        l.await.unwrap();
    }
    let registered = started.elapsed();
    flapping.store(false, std::sync::atomic::Ordering::SeqCst);
    flapper.await.unwrap();
    link.set_up(true);

    // Healed: the hub holds exactly n from each station, none twice, and has marked each
    // series whole (a push cut off after its passages were written but before the mark is
    // answered again on the station's next try, after its backoff).
    let mut held = [0i64; 2];
    let marks = |list: &Value| -> Vec<i64> {
        list["stations"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|s| s["high_water"].as_i64().unwrap_or(0))
                    .collect()
            })
            .unwrap_or_default()
    };
    for _ in 0..1200 {
        for (i, code) in codes.iter().enumerate() {
            held[i] = hub_count(&commander, &hub_base, code).await;
        }
        let list: Value = get_json(&commander, format!("{hub_base}/api/v1/stations")).await;
        let marked = marks(&list);
        if held.iter().all(|h| *h >= i64::from(n))
            && marked.len() == 2
            && marked.iter().all(|m| *m >= i64::from(n))
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    eprintln!(
        "{} registrations at two stations in {registered:?}; all at the hub {:?} after the start; the link failed {} times",
        2 * n,
        started.elapsed(),
        link.faults.load(std::sync::atomic::Ordering::Relaxed)
    );
    assert_eq!(held, [i64::from(n); 2], "every record at the hub, once");
    assert!(
        link.faults.load(std::sync::atomic::Ordering::Relaxed) > 0,
        "the link did fail"
    );
    let list: Value = get_json(&commander, format!("{hub_base}/api/v1/stations")).await;
    for s in list["stations"].as_array().unwrap() {
        assert_eq!(s["high_water"], i64::from(n), "{s}");
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    for code in codes {
        assert_eq!(hub_count(&commander, &hub_base, code).await, i64::from(n));
    }
    for (mut child, ..) in stations {
        let _ = child.start_kill();
    }
    let _ = std::fs::remove_dir_all(&root);
}

/// The decision's policy version of a passage the hub holds, by id.
async fn version_at_hub(commander: &reqwest::Client, hub: &str, id: &str) -> Value {
    let p: Value = get_json(commander, format!("{hub}/api/v1/passages/{id}")).await;
    p["decision"]["policy_version"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_offline_station_applies_the_policy_published_meanwhile() {
    let root = std::env::temp_dir().join(format!("cordon-offline-{}", Uuid::now_v7().simple()));
    let hub_data = root.join("hub").to_str().unwrap().to_owned();
    let station_data = root.join("station").to_str().unwrap().to_owned();
    let (_hub, hub_base) = start(&["--data", &hub_data]).await;
    let (commander, _) = staff(&["--data", &hub_data], &hub_base).await;
    setup_network(&commander, &hub_base).await;
    credential(&commander, &hub_base, "CP-130100-0001", &station_data).await;
    let args = [
        "--data",
        &station_data,
        "--upstream",
        &hub_base,
        "--checkpoint",
        "CP-130100-0001",
    ];
    let register = |officer: reqwest::Client, base: String, n: u32| async move {
        let id = Uuid::now_v7();
        let r: Value = post_json(
            &officer,
            format!("{base}/api/v1/passages"),
            &registration_at(id, n, "CP-130100-0001"),
        )
        .await
        .1;
        (id.to_string(), r["decision"]["policy_version"].clone())
    };

    // Before: no policy anywhere; the station decides so.
    let (mut station, base) = start(&args).await;
    let officer = station_officer(&station_data, &base, "CP-130100-0001").await;
    let (before, version) = register(officer.clone(), base.clone(), 1).await;
    assert_eq!(version, Value::Null);
    station.start_kill().unwrap();
    station.wait().await.unwrap();

    // A driver declared at the hub before; while the station is off, the hub revokes that
    // declaration, declares a risk area and publishes the May 2022 rules.
    let declared: Value = post_json(
        &reqwest::Client::new(),
        format!("{hub_base}/api/v1/declarations"),
        &json!({"vehicle": {"plate": "冀A12345", "plate_color": "blue", "class": "car"},
            "occupants": [{"document": {"type": "resident_id", "number": "11010519491231002X"},
                "name": "张三", "role": "driver", "health_code": "green"}]}),
    )
    .await
    .1;
    let r = post_json(
        &commander,
        format!(
            "{hub_base}/api/v1/declarations/{}/revoke",
            declared["id"].as_str().unwrap()
        ),
        &json!({"reason": "信息有误"}),
    )
    .await;
    assert!(r.0.is_success());
    // Two freight passes; one is revoked while the station is off.
    let now = chrono::Utc::now().with_timezone(&cordon_domain::time::china());
    let mut passes = Vec::new();
    for plate in ["鄂A12345", "鄂A54321"] {
        let (s, p) = post_json(
            &commander,
            format!("{hub_base}/api/v1/freight-passes"),
            &json!({"plate": plate, "origin": "420102", "destination": "130104", "goods": "medical",
                "drivers": [{"name": "王五", "phone": "13912345678"}],
                "valid_from": (now - chrono::Duration::hours(1)).to_rfc3339(),
                "valid_until": (now + chrono::Duration::hours(48)).to_rfc3339()}),
        )
        .await;
        assert_eq!(s, reqwest::StatusCode::CREATED, "{p}");
        passes.push(p);
    }
    let r = post_json(
        &commander,
        format!(
            "{hub_base}/api/v1/freight-passes/{}/revoke",
            passes[0]["number"].as_str().unwrap()
        ),
        &json!({"reason": "车辆更换"}),
    )
    .await;
    assert!(r.0.is_success(), "{}", r.1);
    let r = post_json(&commander, format!("{hub_base}/api/v1/risk-areas"), &json!({"areas": [{"division": "130104", "level": "high", "valid_from": "2022-05-01T00:00:00+08:00"}]})).await;
    assert!(r.0.is_success(), "{}", r.1);
    let v: Value = post_json(
        &commander,
        format!("{hub_base}/api/v1/policies"),
        &json!({"source": cordon_domain::policy::examples::STANDARD_2022_05, "note": "五月"}),
    )
    .await
    .1;
    let version = v["version"].as_i64().unwrap();
    let r = post_json(
        &commander,
        format!("{hub_base}/api/v1/policies/{version}/publish"),
        &json!({"reason": "五月规则"}),
    )
    .await;
    assert!(r.0.is_success());

    // Back on: the station copies the rules and its lanes apply them from then on.
    let (mut station, base) = start(&args).await;
    let officer = signed_in(&base, "officer", "a-test-password-9").await;
    let mut applied = Value::Null;
    for _ in 0..200 {
        let link: Value = get_json(&officer, format!("{base}/api/v1/link")).await;
        applied = link["policy_version"].clone();
        if applied == json!(version) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        applied,
        json!(version),
        "the station applies the hub's version"
    );
    let (after, decided) = register(officer.clone(), base.clone(), 2).await;
    assert_eq!(decided, json!(version.to_string()));
    // The hub's risk area and revocation are at the station too.
    let areas: Value = get_json(&officer, format!("{base}/api/v1/risk-areas")).await;
    assert!(areas.to_string().contains("130104"), "{areas}");
    let r: Value = post_json(
        &officer,
        format!("{base}/api/v1/declarations/verify"),
        &json!({"token": declared["token"]}),
    )
    .await
    .1;
    assert_eq!(r["error"]["code"], "declaration_revoked", "{r}");
    // The passes are checked at the station with the hub's key; the revoked one is refused.
    let r: Value = post_json(
        &officer,
        format!("{base}/api/v1/freight-passes/verify"),
        &json!({"token": passes[0]["code"], "plate": "鄂A12345"}),
    )
    .await
    .1;
    assert_eq!(r["error"]["code"], "pass_revoked", "{r}");
    let (s, r) = post_json(
        &officer,
        format!("{base}/api/v1/freight-passes/verify"),
        &json!({"token": passes[1]["code"], "plate": "鄂A54321", "checkpoint": "CP-130100-0001"}),
    )
    .await;
    assert_eq!(
        (s, &r["on_route"]),
        (reqwest::StatusCode::OK, &json!(true)),
        "{r}"
    );

    // The station's own commander cannot fork the hub's policies.
    add_user(
        &["--data", &station_data],
        "commander",
        "commander",
        "130000",
    )
    .await;
    let local = signed_in(&base, "commander", "a-test-password-9").await;
    let r = post_json(
        &local,
        format!("{base}/api/v1/policies"),
        &json!({"source": cordon_domain::policy::examples::OPEN_2022_12}),
    )
    .await;
    assert_eq!(r.0, reqwest::StatusCode::CONFLICT);

    // A correction made at the station travels as a new record naming the one it replaces.
    let correction = Uuid::now_v7();
    let mut body = registration_at(correction, 1, "CP-130100-0001");
    body["supersedes"] = json!(before);
    let (s, _) = post_json(&officer, format!("{base}/api/v1/passages"), &body).await;
    assert_eq!(s, reqwest::StatusCode::CREATED);

    // At the hub, each decision keeps the version it was taken under. The hub notes the
    // correction's link after it writes the record: wait for both (a busy machine's debug
    // build takes seconds over a push; the station's uplink is in the message if it times out).
    let what = format!("the hub links the correction of {before}");
    let mut tries = 0u32;
    let (commander, officer) = (&commander, &officer);
    let (hub_base, base, before) = (&hub_base, &base, &before);
    until(60, &what, || {
        tries += 1;
        let tries = tries;
        async move {
            let old = get_json(commander, format!("{hub_base}/api/v1/passages/{before}")).await;
            let linked = old["superseded_by"] == json!(correction.to_string());
            let counted = hub_count(commander, hub_base, "CP-130100-0001").await >= 2;
            if !(linked && counted) && tries.is_multiple_of(20) {
                let link: Value = get_json(officer, format!("{base}/api/v1/link")).await;
                eprintln!("waiting: linked {linked}, counted {counted}; station's link {link}");
            }
            (linked && counted).then_some(())
        }
    })
    .await;
    assert_eq!(
        version_at_hub(commander, hub_base, before).await,
        Value::Null
    );
    assert_eq!(
        version_at_hub(commander, hub_base, &after).await,
        json!(version.to_string())
    );
    station.start_kill().unwrap();
    let _ = std::fs::remove_dir_all(&root);
}
