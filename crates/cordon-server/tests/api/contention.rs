//! Writes under contention: every kind of write the API has (policies and their publications,
//! risk areas, checkpoints opened and closed, person statuses, accounts, station credentials,
//! declarations and their revocation) sent from several clients at once while officers register
//! vehicles. None may answer 5xx, and every change acknowledged must be there afterwards.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use cordon_domain::identity::check_char;
use cordon_domain::policy::examples;
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::task::JoinHandle;

use super::policy::{passage, store_version};
use super::TestApp;

/// What one writer was answered: each route and status, and the acknowledged changes' keys.
#[derive(Default)]
struct Answers {
    seen: Vec<(String, StatusCode, Value)>,
    acknowledged: Vec<String>,
}

impl Answers {
    async fn post(&mut self, app: &TestApp, who: &str, path: &str, body: Value) -> Option<Value> {
        let (s, b) = app.post_as(who, path, &body).await;
        self.seen.push((format!("POST {path}"), s, b.clone()));
        s.is_success().then_some(b)
    }
}

fn resident_id(n: u32) -> String {
    let mut s = format!(
        "1301021985{:02}{:02}{:03}",
        1 + n % 12,
        1 + n % 28,
        n % 1000
    )
    .into_bytes();
    s.push(check_char(&s));
    String::from_utf8(s).unwrap()
}

type Writer = JoinHandle<Answers>;

fn spawn<F, Fut>(app: &Arc<TestApp>, f: F) -> Writer
where
    F: FnOnce(Arc<TestApp>) -> Fut,
    Fut: std::future::Future<Output = Answers> + Send + 'static,
{
    tokio::spawn(f(app.clone()))
}

pub async fn every_kind_of_write_holds_under_contention(app: TestApp) {
    let first = store_version(&app, examples::STANDARD_2022_05).await;
    let app = Arc::new(app);
    let stop = Arc::new(AtomicBool::new(false));

    // The lanes: officers registering vehicles the whole time.
    let lanes: Vec<JoinHandle<(usize, Vec<StatusCode>)>> = (0..3)
        .map(|_| {
            let (app, stop) = (app.clone(), stop.clone());
            tokio::spawn(async move {
                let (mut ok, mut other) = (0, Vec::new());
                while !stop.load(Ordering::Relaxed) {
                    let (s, _) = app
                        .post(
                            "/api/v1/passages",
                            &passage("11010519491231002X", "green", Some(20), &[]),
                        )
                        .await;
                    if s == StatusCode::CREATED {
                        ok += 1;
                    } else {
                        other.push(s);
                    }
                }
                (ok, other)
            })
        })
        .collect();

    let mut writers: Vec<Writer> = Vec::new();
    // Two loops publishing the same version, and one storing and publishing new versions.
    for _ in 0..2 {
        writers.push(spawn(&app, move |app| async move {
            let mut a = Answers::default();
            for _ in 0..12 {
                let path = format!("/api/v1/policies/{first}/publish");
                if a.post(&app, "commander", &path, json!({"reason": "并发发布"}))
                    .await
                    .is_some()
                {
                    a.acknowledged.push("publication".into());
                }
            }
            a
        }));
    }
    writers.push(spawn(&app, |app| async move {
        let mut a = Answers::default();
        for n in 0..6 {
            let body = json!({"source": examples::STANDARD_2022_05, "note": format!("v{n}")});
            let Some(v) = a.post(&app, "commander", "/api/v1/policies", body).await else {
                continue;
            };
            let path = format!("/api/v1/policies/{}/publish", v["version"]);
            if a.post(&app, "commander", &path, json!({"reason": "新版本"}))
                .await
                .is_some()
            {
                a.acknowledged.push("publication".into());
            }
        }
        a
    }));
    // Risk areas declared, then ended.
    writers.push(spawn(&app, |app| async move {
        let mut a = Answers::default();
        for n in 0..8 {
            let body = json!({"areas": [{"division": "130104", "area": format!("片区{n}"),
                "level": "high", "valid_from": "2022-05-01T00:00:00+08:00"}]});
            if let Some(d) = a.post(&app, "commander", "/api/v1/risk-areas", body).await {
                a.acknowledged.push(format!("片区{n}"));
                let path = format!("/api/v1/risk-areas/{}/end", d["areas"][0]["id"]);
                a.post(&app, "commander", &path, json!({"reason": "解除"}))
                    .await;
            }
        }
        a
    }));
    // Two commanders opening and closing the same checkpoints, in opposite orders.
    for (who, codes) in [
        ("commander", ["CP-130100-0002", "CP-130100-0003"]),
        ("city", ["CP-130100-0003", "CP-130100-0002"]),
    ] {
        writers.push(spawn(&app, move |app| async move {
            let mut a = Answers::default();
            for n in 0..12 {
                let status = if n % 2 == 0 { "closed" } else { "open" };
                let body = json!({"codes": codes, "status": status, "reason": "并发切换"});
                if let Some(s) = a.post(&app, who, "/api/v1/checkpoints/status", body).await {
                    for code in s["changed"].as_array().unwrap() {
                        a.acknowledged.push(code.as_str().unwrap().to_owned());
                    }
                }
            }
            a
        }));
    }
    // Person statuses: requested by the tracer, approved by a commander.
    writers.push(spawn(&app, |app| async move {
        let mut a = Answers::default();
        for n in 0..6 {
            let body = json!({"document": {"type": "resident_id", "number": resident_id(n)},
                "status": "close_contact", "reason": "同车", "evidence": {"kind": "case", "reference": "C-1"}});
            let Some(c) = a.post(&app, "tracer", "/api/v1/status-changes", body).await else {
                continue;
            };
            let path = format!("/api/v1/status-changes/{}/approve", c["id"]);
            if a.post(&app, "commander", &path, json!({})).await.is_some() {
                a.acknowledged.push(c["id"].to_string());
            }
        }
        a
    }));
    // Accounts, station credentials, declarations and their revocation.
    writers.push(spawn(&app, |app| async move {
        let mut a = Answers::default();
        for n in 0..8 {
            let name = format!("tracer-load-{n}");
            let body = json!({"username": name, "role": "tracer", "scope": "130100",
                "password": "long-enough-password"});
            if a.post(&app, "admin", "/api/v1/accounts", body)
                .await
                .is_some()
            {
                a.acknowledged.push(name);
            }
        }
        a
    }));
    writers.push(spawn(&app, |app| async move {
        let mut a = Answers::default();
        for _ in 0..6 {
            let body = json!({"checkpoint": "CP-130100-0001"});
            if let Some(c) = a.post(&app, "city", "/api/v1/stations", body).await {
                a.acknowledged
                    .push(c["account"].as_str().unwrap().to_owned());
            }
        }
        a
    }));
    writers.push(spawn(&app, |app| async move {
        let mut a = Answers::default();
        let declared = json!({"vehicle": {"plate": "冀A12345", "plate_color": "blue", "class": "car"},
            "origin": "130100", "destination": "110105",
            "occupants": [{"document": {"type": "resident_id", "number": "11010519491231002X"},
                "name": "张三", "role": "driver", "health_code": "green"}]});
        for _ in 0..8 {
            let Some(d) = a.post(&app, "-", "/api/v1/declarations", declared.clone()).await else {
                continue;
            };
            let path = format!("/api/v1/declarations/{}/revoke", d["id"].as_str().unwrap());
            if a.post(&app, "commander", &path, json!({"reason": "作废"})).await.is_some() {
                a.acknowledged.push(d["id"].as_str().unwrap().to_owned());
            }
        }
        a
    }));

    let mut answers = Vec::new();
    for w in writers {
        answers.push(w.await.unwrap());
    }
    stop.store(true, Ordering::Relaxed);
    let mut registered = 0;
    for l in lanes {
        let (ok, other) = l.await.unwrap();
        assert!(other.is_empty(), "registrations answered {other:?}");
        registered += ok;
    }
    assert!(registered > 0, "the lanes registered under the load");

    // No 5xx, and nothing refused but for a reason of its own.
    for a in &answers {
        for (route, status, body) in &a.seen {
            assert!(
                !status.is_server_error(),
                "{route} answered {status}: {body}"
            );
            assert!(status.is_success(), "{route} answered {status}: {body}");
        }
    }
    let acknowledged = |i: usize| answers[i].acknowledged.clone();
    // Every publication acknowledged is in the log (the first version's, once each).
    let (_, log) = app
        .get_as("commander", "/api/v1/policies/publications")
        .await;
    let published = acknowledged(0).len() + acknowledged(1).len() + acknowledged(2).len();
    assert_eq!(
        log["publications"].as_array().unwrap().len(),
        published,
        "{log}"
    );
    assert_eq!(published, 12 + 12 + 6);
    // Every area declared is in the register.
    let (_, areas) = app.get_as("commander", "/api/v1/risk-areas").await;
    let areas = areas.to_string();
    for name in acknowledged(3) {
        assert!(areas.contains(&name), "{name}");
    }
    // Each checkpoint's history holds every change acknowledged, and its state is the last one.
    for code in ["CP-130100-0002", "CP-130100-0003"] {
        let changed = [4, 5]
            .iter()
            .flat_map(|i| acknowledged(*i))
            .filter(|c| c == code)
            .count();
        let (_, h) = app
            .get_as("commander", &format!("/api/v1/checkpoints/{code}/history"))
            .await;
        assert_eq!(
            h["events"].as_array().unwrap().len(),
            1 + changed,
            "{code}: {h}"
        );
    }
    let (_, changes) = app
        .get_as("tracer", "/api/v1/status-changes?state=approved")
        .await;
    assert_eq!(
        changes["changes"].as_array().unwrap().len(),
        acknowledged(6).len()
    );
    assert_eq!(acknowledged(6).len(), 6);
    let (_, accounts) = app.get_as("admin", "/api/v1/accounts").await;
    let accounts = accounts.to_string();
    for name in acknowledged(7).iter().chain(&acknowledged(8)) {
        assert!(accounts.contains(name.as_str()), "{name}");
    }
    let (_, revoked) = app.get_as("officer", "/api/v1/declarations/revoked").await;
    let revoked = revoked.to_string();
    for id in acknowledged(9) {
        assert!(revoked.contains(&id), "{id}");
    }
    assert_eq!(acknowledged(9).len(), 8);
}

on_both!(every_kind_of_write_holds_under_contention);
