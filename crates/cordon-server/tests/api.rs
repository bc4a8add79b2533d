//! The HTTP API against a real server on a loopback port, on SQLite (and on PostgreSQL when
//! `CORDON_TEST_POSTGRES` is set), one module per capability: the registry ([`passage`]: the
//! registration contract, idempotency, every kind of bad input, reads and trajectories), the
//! network, access control and the audit trail (with the role x route matrix, whose rows each
//! module lists), statuses, traces, declarations, the dashboard, stations' sync, policies and
//! risk areas, and the pages in a browser.

use std::collections::HashMap;
use std::sync::Arc;

use cordon_store::{Store, StoreOptions};
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

struct TestApp {
    base: String,
    /// A client that presents no credentials.
    http: reqwest::Client,
    /// A signed-in client per test account (see [`ACCOUNTS`]).
    clients: HashMap<&'static str, reqwest::Client>,
    /// The same sessions presented as the web UI's cookie, following no redirects: for pages.
    pages: HashMap<&'static str, reqwest::Client>,
    store: Arc<dyn Store>,
}

/// The test accounts: name, role, scope. The network of [`TestApp::network`] is in 130100.
const ACCOUNTS: &[(&str, &str, &str)] = &[
    ("commander", "commander", "130000"),
    ("city", "commander", "130100"),
    ("elsewhere", "commander", "130200"),
    // Bound also to two codes with no checkpoint (yet), to test unknown checkpoints.
    (
        "officer",
        "officer",
        "CP-130100-0001,CP-130100-0002,CP-130100-0003,CP-130100-0009,CP-130100-0099",
    ),
    ("officer2", "officer", "CP-130100-0002"),
    ("tracer", "tracer", "130000"),
    ("auditor", "auditor", "130000"),
    ("admin", "admin", "130000"),
    ("station", "station", "CP-130100-0001"),
    // Callers of a county; `lead` leads their team.
    ("caller", "caller", "130102"),
    ("lead", "caller", "130102"),
    // A sampler of the same county.
    ("sampler", "sampler", "130102"),
    // Two lab accounts of the county: one runs a plate, the other releases it.
    ("lab", "lab", "130102"),
    ("lab2", "lab", "130102"),
    // A holding lot's staff of the county.
    ("lot", "lot", "130102"),
];

/// The password of every test account; hashed once per test binary.
const PASSWORD: &str = "test-password-1";

fn password_hash() -> String {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| cordon_server::auth::password::hash_blocking(PASSWORD))
        .clone()
}

/// Creates the test accounts and a session for each (straight in the store: the sign-in route
/// has its own tests).
type Clients = HashMap<&'static str, reqwest::Client>;

/// Every test account signed in: as an API client (bearer) and as a browser (cookie).
async fn sign_in_all(store: &dyn Store) -> (Clients, Clients) {
    use cordon_server::auth::sessions::{new_secret, token_hash, COOKIE};
    let (mut clients, mut pages) = (HashMap::new(), HashMap::new());
    for (name, role, scope) in ACCOUNTS {
        let account = store
            .create_account(cordon_store::access::NewAccount {
                username: cordon_domain::access::Username::parse(name).unwrap(),
                role: cordon_domain::access::Role::parse(role).unwrap(),
                scope: cordon_domain::access::Scope::parse(scope).unwrap(),
                password_hash: password_hash(),
                created_by: "test".into(),
            })
            .await
            .unwrap();
        let token = new_secret();
        let now = cordon_domain::time::now_ms();
        store
            .create_session(cordon_store::access::NewSession {
                token_hash: token_hash(&token),
                account: account.id,
                csrf: new_secret(),
                address: "test".into(),
                created_at_ms: now,
                expires_at_ms: now + 3_600_000,
            })
            .await
            .unwrap();
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            reqwest::header::AUTHORIZATION,
            format!("Bearer {token}").parse().unwrap(),
        );
        let client = reqwest::Client::builder()
            .default_headers(headers)
            .build()
            .unwrap();
        clients.insert(*name, client);
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            reqwest::header::COOKIE,
            format!("{COOKIE}={token}").parse().unwrap(),
        );
        let page = reqwest::Client::builder()
            .default_headers(headers)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        pages.insert(*name, page);
    }
    (clients, pages)
}

/// Who a test request is made as when the test does not say: the role a real client of that
/// route would have.
fn default_caller(method: &reqwest::Method, path: &str) -> &'static str {
    if path.starts_with("/api/v1/passages") && method == reqwest::Method::POST {
        "officer"
    } else if path.starts_with("/api/v1/trajectories") {
        "tracer"
    } else if path.starts_with("/api/v1/audit") {
        "auditor"
    } else if path.starts_with("/api/v1/accounts") {
        "admin"
    } else {
        "commander"
    }
}

/// A second server on `app`'s store, as a sampling site's station of `site` pushing to `app`
/// (its pages and routes as a station serves them; the push itself is the binary's, tested
/// with real processes).
async fn station_of(app: &TestApp, site: i64) -> TestApp {
    let settings = cordon_server::Settings {
        upstream: Some(app.base.clone()),
        site: Some(site),
        ..cordon_server::Settings::default()
    };
    let (tx, rx) = tokio::sync::oneshot::channel();
    let s = app.store.clone();
    tokio::spawn(async move {
        cordon_server::serve(
            s,
            &settings,
            "127.0.0.1:0".parse().unwrap(),
            |a| tx.send(a).unwrap(),
            std::future::pending(),
        )
        .await
        .unwrap();
    });
    TestApp {
        base: format!("http://{}", rx.await.unwrap()),
        http: app.http.clone(),
        clients: app.clients.clone(),
        pages: app.pages.clone(),
        store: app.store.clone(),
    }
}

/// A second hub on `app`'s store with `settings`, and what stops it: send on the sender, then
/// await the task (the hub has then finished its stop, its trace index saved).
async fn hub_of(
    app: &TestApp,
    settings: cordon_server::Settings,
) -> (
    TestApp,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<()>,
) {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let s = app.store.clone();
    let task = tokio::spawn(async move {
        cordon_server::serve(
            s,
            &settings,
            "127.0.0.1:0".parse().unwrap(),
            |a| tx.send(a).unwrap(),
            async move {
                let _ = stopped.await;
            },
        )
        .await
        .unwrap();
    });
    let hub = TestApp {
        base: format!("http://{}", rx.await.unwrap()),
        http: app.http.clone(),
        clients: app.clients.clone(),
        pages: app.pages.clone(),
        store: app.store.clone(),
    };
    (hub, stop, task)
}

async fn spawn_with(store: Arc<dyn Store>) -> TestApp {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let s = store.clone();
    tokio::spawn(async move {
        cordon_server::serve(
            s,
            &cordon_server::Settings::default(),
            "127.0.0.1:0".parse().unwrap(),
            |a| tx.send(a).unwrap(),
            std::future::pending(),
        )
        .await
        .unwrap();
    });
    let addr = rx.await.unwrap();
    let (clients, pages) = sign_in_all(store.as_ref()).await;
    let app = TestApp {
        base: format!("http://{addr}"),
        http: reqwest::Client::new(),
        clients,
        pages,
        store,
    };
    app.network().await;
    app
}

/// A directory of its own for one test's SQLite file, under `cordon-api-tests` in the temp
/// directory. The server holds its store to the end of the run, so no test removes its own:
/// the first call of a run removes what runs a day old or more left there.
fn scratch_dir() -> std::path::PathBuf {
    static SWEPT: std::sync::Once = std::sync::Once::new();
    let root = std::env::temp_dir().join("cordon-api-tests");
    SWEPT.call_once(|| {
        let day = std::time::Duration::from_secs(86_400);
        for entry in std::fs::read_dir(&root).into_iter().flatten().flatten() {
            let old = entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| t.elapsed().is_ok_and(|age| age > day));
            if old {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    });
    let dir = root.join(Uuid::now_v7().simple().to_string());
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn sqlite_app() -> TestApp {
    let dir = scratch_dir();
    let store = cordon_store::open(
        &format!("sqlite://{}", dir.join("c.db").display()),
        &StoreOptions::default(),
        cordon_store::keyring::Keyring::random(),
    )
    .await
    .unwrap();
    spawn_with(store).await
}

async fn postgres_app() -> Option<TestApp> {
    let admin = match std::env::var("CORDON_TEST_POSTGRES") {
        Ok(u) if !u.is_empty() => u,
        _ => {
            assert!(
                std::env::var("CORDON_REQUIRE_POSTGRES").as_deref() != Ok("1"),
                "CORDON_REQUIRE_POSTGRES=1 but CORDON_TEST_POSTGRES is not set"
            );
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "NOTICE: PostgreSQL API tests skipped: set CORDON_TEST_POSTGRES to run them"
            );
            return None;
        }
    };
    let (_, url) = cordon_store::scratch::create_postgres_database(&admin, "test")
        .await
        .unwrap();
    Some(
        spawn_with(
            cordon_store::open(
                &url,
                &StoreOptions::default(),
                cordon_store::keyring::Keyring::random(),
            )
            .await
            .unwrap(),
        )
        .await,
    )
}

impl TestApp {
    /// The client signed in as `who` (an [`ACCOUNTS`] name), or the anonymous one for `-`.
    fn client(&self, who: &str) -> &reqwest::Client {
        if who == "-" {
            &self.http
        } else {
            &self.clients[who]
        }
    }

    async fn request_as(
        &self,
        who: &str,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> (StatusCode, Value) {
        let mut r = self
            .client(who)
            .request(method, format!("{}{path}", self.base));
        if let Some(b) = body {
            r = r.json(b);
        }
        let r = r.send().await.unwrap();
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    async fn post_as(&self, who: &str, path: &str, body: &Value) -> (StatusCode, Value) {
        self.request_as(who, reqwest::Method::POST, path, Some(body))
            .await
    }

    /// POST as `who` from a client that prefers Chinese (refusals come back in Chinese).
    async fn post_zh(&self, who: &str, path: &str, body: &Value) -> (StatusCode, Value) {
        let r = self
            .client(who)
            .post(format!("{}{path}", self.base))
            .header("accept-language", "zh-CN")
            .json(body)
            .send()
            .await
            .unwrap();
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    async fn get_as(&self, who: &str, path: &str) -> (StatusCode, Value) {
        self.request_as(who, reqwest::Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        let who = default_caller(&reqwest::Method::POST, path);
        self.post_as(who, path, body).await
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        let who = default_caller(&reqwest::Method::GET, path);
        self.get_as(who, path).await
    }

    async fn network(&self) {
        for (code, name) in [
            ("130000", "河北省"),
            ("130100", "石家庄市"),
            ("130102", "长安区"),
        ] {
            let (s, _) = self
                .post(
                    "/api/v1/jurisdictions",
                    &json!({"code": code, "name": name}),
                )
                .await;
            assert_eq!(s, StatusCode::CREATED);
        }
        for n in 1..=3 {
            let body = json!({"code": format!("CP-130100-000{n}"), "name": format!("石家庄{n}号收费站"), "jurisdiction": "130102",
                "kind": "toll_station", "defence_line": "capital_ring", "location": {"lat": 38.04, "lon": 114.51}, "lanes": 4});
            let (s, b) = self.post("/api/v1/checkpoints", &body).await;
            assert_eq!(s, StatusCode::CREATED, "{b}");
        }
    }

    async fn count(&self) -> i64 {
        self.store.count_passages().await.unwrap()
    }
}

/// `days` days from today (China time, negative: before) at `hour:minute`.
fn at(days: i64, hour: u32, minute: u32) -> chrono::DateTime<chrono::FixedOffset> {
    let china = cordon_domain::time::china();
    let today = chrono::Utc::now().with_timezone(&china).date_naive();
    (today + chrono::Duration::days(days))
        .and_hms_opt(hour, minute, 0)
        .unwrap()
        .and_local_timezone(china)
        .unwrap()
}

/// [`at`] as a query parameter's value.
fn at_query(days: i64, hour: u32, minute: u32) -> String {
    at(days, hour, minute).to_rfc3339().replace('+', "%2B")
}

/// The registration contract's example, observed two days ago (within what the hub keeps).
fn example() -> Value {
    json!({"id": "0190f5c2-7d4e-7b2a-9c1e-3f6a2b8d9e01", "checkpoint": "CP-130100-0001", "lane": 2,
       "direction": "in", "observed_at": at(-2, 8, 15).to_rfc3339(),
       "vehicle": {"plate": "冀A12345", "plate_color": "blue", "class": "car"},
       "origin": "130100", "destination": "110105",
       "occupants": [{"document": {"type": "resident_id", "number": "11010519491231002X"},
                      "name": "张三", "phone": "13812345678", "role": "driver", "temperature_c": 36.5,
                      "health_code": "green",
                      "latest_test": {"kind": "pcr", "taken_at": at(-3, 10, 0).to_rfc3339(), "result": "negative"},
                      "visited": ["130100"]}]})
}

/// Registers a vehicle at CP-130100-0001 `minutes` ago with these occupants (number, name).
async fn register(app: &TestApp, plate: &str, minutes: i64, people: &[(&str, &str)]) {
    let mut p = crate::example();
    p["id"] = serde_json::json!(uuid::Uuid::now_v7());
    p["vehicle"]["plate"] = serde_json::json!(plate);
    let when = chrono::Utc::now().with_timezone(&cordon_domain::time::china())
        - chrono::Duration::minutes(minutes);
    p["observed_at"] = serde_json::json!(when.to_rfc3339());
    let template = p["occupants"][0].clone();
    p["occupants"] = people
        .iter()
        .enumerate()
        .map(|(i, (number, name))| {
            let mut o = template.clone();
            o["document"]["number"] = serde_json::json!(number);
            o["name"] = serde_json::json!(name);
            o["role"] = serde_json::json!(if i == 0 { "driver" } else { "passenger" });
            o
        })
        .collect();
    let (s, b) = app.post_as("officer", "/api/v1/passages", &p).await;
    assert_eq!(s, reqwest::StatusCode::CREATED, "{b}");
}

/// Posts a file (CSV or Excel) as `account`.
async fn post_file(
    app: &TestApp,
    account: &str,
    path: &str,
    kind: &str,
    body: Vec<u8>,
) -> (StatusCode, Value) {
    let r = app
        .client(account)
        .post(format!("{}{path}", app.base))
        .header("content-type", kind)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// Runs each named test of a capability's module on SQLite and on PostgreSQL.
macro_rules! on_both {
    ($($name:ident),+ $(,)?) => {
        mod on_sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name(crate::sqlite_app().await).await; })+
        }
        mod on_postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { if let Some(app) = crate::postgres_app().await { super::$name(app).await; } })+
        }
    };
}

// Each capability's tests, in a module of this one binary.
#[path = "api/access.rs"]
mod access;
#[path = "api/antigen.rs"]
mod antigen;
#[path = "api/browser/mod.rs"]
mod browser;
#[path = "api/contention.rs"]
mod contention;
#[path = "api/daily.rs"]
mod daily;
#[path = "api/dashboard.rs"]
mod dashboard;
#[path = "api/declaration.rs"]
mod declaration;
#[path = "api/directives.rs"]
mod directives;
#[path = "api/escorts.rs"]
mod escorts;
#[path = "api/followup.rs"]
mod followup;
#[path = "api/followup_handover.rs"]
mod followup_handover;
#[path = "api/followup_work.rs"]
mod followup_work;
#[path = "api/lab.rs"]
mod lab;
#[path = "api/lot_lab.rs"]
mod lot_lab;
#[path = "api/lots.rs"]
mod lots;
#[path = "api/matrix.rs"]
mod matrix;
#[path = "api/network.rs"]
mod network;
#[path = "api/pass_applications.rs"]
mod pass_applications;
#[path = "api/passage.rs"]
mod passage;
#[path = "api/passes.rs"]
mod passes;
#[path = "api/patrols.rs"]
mod patrols;
#[path = "api/policy.rs"]
mod policy;
#[path = "api/roster_list.rs"]
mod roster_list;
#[path = "api/rosters.rs"]
mod rosters;
#[path = "api/sampling_station.rs"]
mod sampling_station;
#[path = "api/station.rs"]
mod station;
#[path = "api/status.rs"]
mod status;
#[path = "api/testing.rs"]
mod testing;
#[path = "api/trace.rs"]
mod trace;
#[path = "api/trace_saved.rs"]
mod trace_saved;

#[tokio::test]
async fn health_and_the_openapi_document() {
    let app = sqlite_app().await;
    let (s, h) = app.get("/healthz").await;
    assert_eq!(
        (s, h["status"].as_str(), h["backend"].as_str()),
        (StatusCode::OK, Some("ok"), Some("sqlite"))
    );
    let page = app.http.get(format!("{}/", app.base)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    // The start page sends a visitor to sign in; it links the API's document.
    assert!(page.url().path().ends_with("/signin"));
    let text = page.text().await.unwrap();
    assert!(text.contains(r#"id="signin""#) && text.contains("/api/openapi.json"));
    let (s, doc) = app.get("/api/openapi.json").await;
    assert_eq!(s, StatusCode::OK);
    // Which routes exist is held by matrix::every_route_against_every_role.
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    // The document says what the wire carries (the whole of it is checked against the server
    // by .ci/api-conformance).
    let schemas = &doc["components"]["schemas"];
    // Every reference the document makes is to a schema it holds.
    fn refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(o) => {
                if let Some(Value::String(r)) = o.get("$ref") {
                    out.push(r.clone());
                }
                o.values().for_each(|x| refs(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
            _ => {}
        }
    }
    let mut found = Vec::new();
    refs(&doc, &mut found);
    for r in &found {
        let name = r.trim_start_matches("#/components/schemas/");
        assert!(schemas.get(name).is_some(), "{r} is not in the document");
    }
    assert_eq!(schemas["Direction"]["enum"], json!(["in", "out"]));
    assert_eq!(
        schemas["OccupantRole"]["enum"],
        json!(["driver", "passenger", "pedestrian"])
    );
    assert_eq!(schemas["Reason"]["type"], "object", "the decision's reason");
    let public = [
        "POST /api/v1/sessions",
        "POST /api/v1/declarations",
        "GET /api/v1/declarations/key",
        "GET /api/v1/places",
        "GET /api/v1/bays/{token}",
        "POST /api/v1/bays/{token}/requests",
        "POST /api/v1/freight-pass-applications",
        "GET /api/v1/freight-pass-applications/{reference}",
        "GET /healthz",
    ];
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            let route = format!("{} {path}", method.to_uppercase());
            for p in op["parameters"].as_array().into_iter().flatten() {
                if p["in"] == "path" {
                    let name = p["name"].as_str().unwrap();
                    assert!(path.contains(&format!("{{{name}}}")), "{route}: {name}");
                }
            }
            let responses = op["responses"].as_object().unwrap();
            if public.contains(&route.as_str()) {
                assert_eq!(op["security"], json!([{}]), "{route} is public");
            } else {
                for status in ["401", "403"] {
                    assert!(responses.contains_key(status), "{route} documents {status}");
                }
            }
            if op.get("requestBody").is_some() {
                for status in ["400", "413", "415", "422"] {
                    assert!(responses.contains_key(status), "{route} documents {status}");
                }
            }
        }
    }
}
