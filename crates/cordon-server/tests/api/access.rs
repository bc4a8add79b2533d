//! Access control over HTTP: signing in and out (bearer and cookie with CSRF), lockout, scopes
//! that filter reads, the audit trail that records reads and refusals, and the pages each role
//! opens. The route x role matrix is in `matrix.rs`.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

use super::matrix::{audit_counts, row, Row, ANYONE, SIGNED_IN};
use super::{example, TestApp, ACCOUNTS, PASSWORD};

async fn sign_in(app: &TestApp, username: &str, password: &str) -> (StatusCode, Value) {
    app.post_as(
        "-",
        "/api/v1/sessions",
        &json!({"username": username, "password": password}),
    )
    .await
}

pub async fn sign_in_bearer_cookie_and_sign_out(app: TestApp) {
    let (s, wrong) = sign_in(&app, "tracer", "not-the-password").await;
    let (s2, unknown) = sign_in(&app, "nobody", "not-the-password").await;
    assert_eq!(
        (s, s2),
        (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED)
    );
    assert_eq!(
        wrong, unknown,
        "the answer must not tell whether the account exists"
    );
    assert_eq!(wrong["error"]["code"], "bad_credentials");

    let r = app
        .http
        .post(format!("{}/api/v1/sessions", app.base))
        .json(&json!({"username": "tracer", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    let session: Value = r.json().await.unwrap();
    let token = session["token"].as_str().unwrap().to_owned();
    let csrf = session["csrf"].as_str().unwrap().to_owned();
    assert_eq!(session["account"]["role"], "tracer");

    let bearer = |m: Method, p: &str| {
        app.http
            .request(m, format!("{}{p}", app.base))
            .bearer_auth(&token)
    };
    let me: Value = bearer(Method::GET, "/api/v1/sessions/current")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["account"]["username"], "tracer");

    // The cookie signs the web UI in; a change needs the CSRF header too.
    let pair = cookie.split(';').next().unwrap().to_owned();
    let with_cookie = |m: Method, p: &str| {
        app.http
            .request(m, format!("{}{p}", app.base))
            .header("cookie", pair.clone())
    };
    let r = with_cookie(Method::GET, "/api/v1/sessions/current")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body = json!({"document": {"type": "resident_id", "number": "11010519491231002X"}});
    let r = with_cookie(Method::POST, "/api/v1/trajectories/person")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "a cookie without CSRF");
    let r = with_cookie(Method::POST, "/api/v1/trajectories/person")
        .header("x-csrf-token", &csrf)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    // Malformed, forged and ended tokens are all 401.
    for bad in ["abc", &"0".repeat(64), "Bearer"] {
        let r = app
            .http
            .get(format!("{}/api/v1/checkpoints", app.base))
            .bearer_auth(bad)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{bad}");
    }
    let r = bearer(Method::DELETE, "/api/v1/sessions/current")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = bearer(Method::GET, "/api/v1/sessions/current")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    // A password change ends every session of the account.
    let (_, s) = sign_in(&app, "auditor", PASSWORD).await;
    let t = s["token"].as_str().unwrap().to_owned();
    let change = |body: Value| {
        app.http
            .post(format!("{}/api/v1/sessions/current/password", app.base))
            .bearer_auth(&t)
            .json(&body)
            .send()
    };
    let r = change(json!({"current": "wrong-password", "new": "a-new-password-2"}))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = change(json!({"current": PASSWORD, "new": "short"}))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = change(json!({"current": PASSWORD, "new": "a-new-password-2"}))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let (s, _) = app.get_as("auditor", "/api/v1/audit").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "the older session ended too");
    assert_eq!(
        sign_in(&app, "auditor", PASSWORD).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        sign_in(&app, "auditor", "a-new-password-2").await.0,
        StatusCode::CREATED
    );
}

/// `officer2`'s lock as the admin's list shows it (0: none).
async fn locked_until(app: &TestApp) -> i64 {
    let (_, list) = app.get_as("admin", "/api/v1/accounts").await;
    list["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["username"] == "officer2")
        .unwrap()["locked_until_ms"]
        .as_i64()
        .unwrap()
}

/// A refusal's time.
async fn timed_refusal(app: &TestApp, username: &str) -> std::time::Duration {
    let started = std::time::Instant::now();
    let (s, _) = sign_in(app, username, "guessing-again").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    started.elapsed()
}

pub async fn repeated_failures_lock_the_account(app: TestApp) {
    // Every request comes from 127.0.0.1, where officer2 has never signed in.
    let started = std::time::Instant::now();
    for _ in 0..10 {
        let (s, _) = sign_in(&app, "officer2", "guessing-again").await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    let mut failures = 10;
    assert!(
        started.elapsed() >= std::time::Duration::from_millis(1500),
        "failures after the third are slowed"
    );
    // The lock is written after the answer.
    let mut lock = 0;
    for _ in 0..100 {
        lock = locked_until(&app).await;
        if lock > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(
        lock > cordon_domain::time::now_ms(),
        "locked after 10 failures"
    );
    let (s, e) = sign_in(&app, "officer2", PASSWORD).await;
    failures += 1;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("bad_credentials")),
        "locked: even the right password is refused from an address it is not known at"
    );
    // Tries during the lock do not extend it: it ends at its time.
    sign_in(&app, "officer2", "guessing-again").await;
    failures += 1;
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert_eq!(locked_until(&app).await, lock);
    // An admin ends it.
    let (s, _) = app
        .post_as("admin", "/api/v1/accounts/officer2/unlock", &json!({}))
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(locked_until(&app).await, 0);
    assert_eq!(
        sign_in(&app, "officer2", PASSWORD).await.0,
        StatusCode::CREATED
    );
    // Now officer2 is known at this address: a lock set by failures from elsewhere does not
    // keep it out here.
    let account = app
        .store
        .credentials("officer2")
        .await
        .unwrap()
        .unwrap()
        .account
        .id;
    let now = cordon_domain::time::now_ms();
    for _ in 0..10 {
        app.store
            .signin_failed(account, now, cordon_server::access::sessions::LOCKOUT)
            .await
            .unwrap();
    }
    assert!(locked_until(&app).await > now);
    assert_eq!(
        sign_in(&app, "officer2", PASSWORD).await.0,
        StatusCode::CREATED,
        "an attacker elsewhere cannot lock the owner out where the owner works"
    );
    // The pause after repeated failures is the address's: an unknown name waits as long as a
    // real one (the 14th failure from here is slowed 800 ms either way).
    let unknown = timed_refusal(&app, "no-such-user").await;
    let real = timed_refusal(&app, "tracer").await;
    failures += 2;
    for (who, took) in [("unknown", unknown), ("real", real)] {
        assert!(
            took >= std::time::Duration::from_millis(750),
            "{who}: {took:?}"
        );
    }
    // Failures from this address (a success does not clear them) up to the limit lock the
    // address itself.
    for _ in failures..cordon_server::auth::throttle::LOCK_AFTER {
        sign_in(&app, "no-such-user", "whatever-it-is").await;
    }
    let (s, e) = sign_in(&app, "tracer", PASSWORD).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("too_many_attempts"))
    );
    let (denied, _) = audit_counts(&app).await;
    assert!(denied >= 21, "every failed sign-in is audited: {denied}");
}

/// The rows of accounts, sessions and the audit trail.
pub fn rows() -> Vec<Row> {
    vec![
        row("GET /healthz", ANYONE, Value::Null),
        row(
            "POST /api/v1/sessions",
            ANYONE,
            json!({"username": "nobody-here", "password": "x"}),
        ),
        row("GET /api/v1/sessions/current", SIGNED_IN, Value::Null),
        row("DELETE /api/v1/sessions/current", SIGNED_IN, Value::Null),
        row(
            "POST /api/v1/sessions/current/password",
            SIGNED_IN,
            json!({"current": "not-it-at-all", "new": "whatever-new-1"}),
        ),
        row("GET /api/v1/accounts", &["admin"], Value::Null),
        row(
            "POST /api/v1/accounts",
            &["admin"],
            json!({"username": "Bad Name", "role": "tracer", "scope": "130000", "password": "long-enough-pw"}),
        ),
        row(
            "POST /api/v1/accounts/{username}/disable",
            &["admin"],
            Value::Null,
        ),
        row(
            "POST /api/v1/accounts/{username}/enable",
            &["admin"],
            Value::Null,
        ),
        row(
            "POST /api/v1/accounts/{username}/unlock",
            &["admin"],
            Value::Null,
        ),
        row(
            "POST /api/v1/accounts/{username}/password",
            &["admin"],
            json!({"password": "long-enough-pw"}),
        ),
        row("GET /api/v1/audit", &["auditor"], Value::Null),
        row(
            "POST /api/v1/audit/subject",
            &["auditor"],
            json!({"plate": "冀A12345"}),
        ),
        row("GET /api/v1/audit/verify", &["auditor"], Value::Null),
    ]
}

pub async fn scopes_filter_reads(app: TestApp) {
    let now = chrono::Utc::now().with_timezone(&cordon_domain::time::china());
    let mut recent = example();
    recent["id"] = json!(Uuid::now_v7());
    recent["observed_at"] = json!((now - chrono::Duration::hours(1)).to_rfc3339());
    let mut old = example();
    old["id"] = json!(Uuid::now_v7());
    old["observed_at"] = json!((now - chrono::Duration::hours(30)).to_rfc3339());
    for p in [&recent, &old] {
        let (s, b) = app.post("/api/v1/passages", p).await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
    }
    let mut foreign = example();
    foreign["id"] = json!(Uuid::now_v7());
    let (s, _) = app.post_as("officer2", "/api/v1/passages", &foreign).await;
    assert_eq!(
        s,
        StatusCode::FORBIDDEN,
        "officer2 is not bound to CP-130100-0001"
    );

    let from = (now - chrono::Duration::days(3))
        .to_rfc3339()
        .replace('+', "%2B");
    let page = format!("/api/v1/checkpoints/CP-130100-0001/passages?from={from}");
    let count = |v: &Value| v["passages"].as_array().map(Vec::len);
    let (_, all) = app.get_as("city", &page).await;
    assert_eq!(count(&all), Some(2));
    let (_, own) = app.get_as("officer", &page).await;
    assert_eq!(
        count(&own),
        Some(1),
        "an officer reads the last 24 hours only"
    );
    let (s, _) = app.get_as("elsewhere", &page).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    let old_id = old["id"].as_str().unwrap();
    let (s, _) = app
        .get_as("officer", &format!("/api/v1/passages/{old_id}"))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app
        .get_as("elsewhere", &format!("/api/v1/passages/{old_id}"))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app
        .get_as("city", &format!("/api/v1/passages/{old_id}"))
        .await;
    assert_eq!(s, StatusCode::OK);

    let person = json!({"document": {"type": "resident_id", "number": "11010519491231002X"},
        "from": (now - chrono::Duration::days(3)).to_rfc3339(), "purpose": "病例 2022-0513 流调"});
    let points = |v: &Value| v["points"].as_array().map(Vec::len);
    let (_, t) = app
        .post_as("tracer", "/api/v1/trajectories/person", &person)
        .await;
    assert_eq!(points(&t), Some(2));
    let (s, t) = app
        .post_as("elsewhere", "/api/v1/trajectories/person", &person)
        .await;
    assert_eq!(
        (s, points(&t)),
        (StatusCode::OK, Some(0)),
        "another city's commander sees nothing"
    );

    // A reveal shows the clear values, needs a purpose, and is for tracers and commanders.
    let reveal = format!("/api/v1/passages/{old_id}/reveal");
    let (s, e) = app
        .post_as("tracer", &reveal, &json!({"purpose": " "}))
        .await;
    assert_eq!(
        (s, e["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("purpose"))
    );
    let (s, _) = app
        .post_as("officer", &reveal, &json!({"purpose": "核对"}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app
        .post_as("elsewhere", &reveal, &json!({"purpose": "核对"}))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, clear) = app
        .post_as("tracer", &reveal, &json!({"purpose": "电话通知 2022-0513"}))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(clear["persons"][0]["number"], "11010519491231002X");
    assert_eq!(clear["persons"][0]["name"], "张三");
    assert_eq!(clear["persons"][0]["phone"], "13812345678");
    let (_, reveals) = app.get_as("auditor", "/api/v1/audit?action=reveal").await;
    let reveals = reveals["entries"].as_array().unwrap();
    assert_eq!(
        reveals.len(),
        1,
        "only the reveal that answered is a reveal"
    );
    assert_eq!(
        (
            reveals[0]["purpose"].as_str(),
            reveals[0]["persons"].as_i64()
        ),
        (Some("电话通知 2022-0513"), Some(1))
    );

    // The tracer's read is in the audit trail under the person's keyed hash, with its purpose.
    let (_, subject) = app
        .post_as(
            "auditor",
            "/api/v1/audit/subject",
            &json!({"document": {"type": "resident_id", "number": "11010519491231002X"}}),
        )
        .await;
    let hash = subject["subject"].as_str().unwrap();
    let (s, found) = app
        .get_as(
            "auditor",
            &format!("/api/v1/audit?subject={hash}&actor=tracer"),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let entries = found["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "the trajectory and the reveal: {found}");
    assert_eq!(entries[1]["action"], "reveal");
    assert_eq!(entries[0]["purpose"], "病例 2022-0513 流调");
    assert_eq!(entries[0]["persons"], 1);
    assert_eq!(entries[0]["action"], "POST /api/v1/trajectories/person");
    let text = found.to_string();
    assert!(!text.contains("11010519491231002X") && !text.contains("张三"));
    let (_, v) = app.get_as("auditor", "/api/v1/audit/verify").await;
    assert_eq!(v["intact"], true, "{v}");
    assert!(v["entries"].as_i64().unwrap() >= 6);
}

pub async fn retention_purges_and_is_audited(app: TestApp) {
    let mut old = example();
    old["id"] = json!(Uuid::now_v7());
    let (s, _) = app.post("/api/v1/passages", &old).await;
    assert_eq!(s, StatusCode::CREATED);
    let auditor = cordon_server::audit::Auditor::start(app.store.clone());
    let now = cordon_domain::time::now_ms();
    // Registered two days ago; kept one day.
    let purged = cordon_server::retention::purge_once(app.store.as_ref(), &auditor, 1, now)
        .await
        .unwrap();
    assert_eq!((purged.passages, purged.persons), (1, 1));
    let id = old["id"].as_str().unwrap();
    let (_, p) = app
        .get_as("commander", &format!("/api/v1/passages/{id}"))
        .await;
    assert_eq!(p["occupants"].as_array().map(Vec::len), Some(0));
    let (_, log) = app
        .get_as("auditor", "/api/v1/audit?action=retention.purge")
        .await;
    let entries = log["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(
        (entries[0]["actor"].as_str(), entries[0]["persons"].as_i64()),
        (Some("system"), Some(1))
    );
}

on_both!(
    sign_in_bearer_cookie_and_sign_out,
    scopes_filter_reads,
    retention_purges_and_is_audited,
    every_page_opens_to_its_roles,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_failures_lock_the_account_on_sqlite() {
    repeated_failures_lock_the_account(super::sqlite_app().await).await;
}

/// Refusals the framework makes come in the API's JSON shape too, and the bearer scheme's name
/// is case-insensitive.
pub async fn every_refusal_is_json(app: TestApp) {
    let url = |p: &str| format!("{}{p}", app.base);
    let officer = app.client("officer");
    let checks: Vec<(reqwest::RequestBuilder, StatusCode, &str)> = vec![
        (
            officer.get(url("/api/v1/checkpoints/%C0%AE")),
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            officer.delete(url("/api/v1/checkpoints")),
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
        ),
        (
            officer.get(url(&format!(
                "/api/v1/checkpoints?kind={}",
                "a".repeat(9_000)
            ))),
            StatusCode::URI_TOO_LONG,
            "uri_too_long",
        ),
        (
            (0..70).fold(officer.get(url("/api/v1/checkpoints")), |r, i| {
                r.header(format!("x-padding-{i}"), "x")
            }),
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "headers_too_large",
        ),
        (
            officer
                .get(url("/api/v1/checkpoints"))
                .header("x-big", "x".repeat(40_000)),
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "headers_too_large",
        ),
    ];
    for (request, status, code) in checks {
        let r = request.send().await.unwrap();
        assert_eq!(r.status(), status, "{code}");
        let kind = r.headers()["content-type"].to_str().unwrap().to_owned();
        assert!(kind.starts_with("application/json"), "{code}: {kind}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], code);
    }
    // A page keeps its own refusal (HTML), not the API's.
    let r = app.http.get(url("/lane")).send().await.unwrap();
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));

    let (_, session) = sign_in(&app, "tracer", PASSWORD).await;
    let token = session["token"].as_str().unwrap().to_owned();
    for scheme in ["bearer", "BEARER", "Bearer"] {
        let r = app
            .http
            .get(url("/api/v1/sessions/current"))
            .header("authorization", format!("{scheme} {token}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{scheme}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_refusal_is_json_on_sqlite() {
    every_refusal_is_json(super::sqlite_app().await).await;
}

/// Every page in the navigation bar opens to the roles it lists and to no one else: a visitor
/// without a session is sent to sign in, another role gets a page that says no (403), and the
/// bar of each role lists exactly the pages it may open.
pub async fn every_page_opens_to_its_roles(app: TestApp) {
    let items: Vec<_> = cordon_server::ui::site::PAGES
        .iter()
        .flat_map(|p| p.nav.iter())
        .collect();
    assert!(items.len() >= 4, "the pages are listed");
    let url = |path: &str| format!("{}{path}", app.base);
    let anonymous = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for item in &items {
        let r = anonymous.get(url(item.href)).send().await.unwrap();
        if item.roles.is_empty() {
            assert_eq!(r.status(), StatusCode::OK, "{}", item.href);
        } else {
            assert!(r.status().is_redirection(), "{}: {}", item.href, r.status());
            let to = r.headers()["location"].to_str().unwrap();
            assert!(to.starts_with("/signin?next="), "{}: {to}", item.href);
        }
    }
    for (name, role, _) in ACCOUNTS {
        if *role == "station" {
            continue;
        }
        let role = cordon_domain::access::Role::parse(role).unwrap();
        let client = &app.pages[name];
        for item in &items {
            let r = client.get(url(item.href)).send().await.unwrap();
            let expected = if item.shown_to(Some(role)) {
                StatusCode::OK
            } else {
                StatusCode::FORBIDDEN
            };
            assert_eq!(r.status(), expected, "{name} at {}", item.href);
        }
        let home = client
            .get(url("/declare"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let bar = &home[home.find("<nav>").unwrap()..home.find("</nav>").unwrap()];
        for item in &items {
            assert_eq!(
                bar.contains(&format!("href=\"{}\"", item.href)),
                item.shown_to(Some(role)),
                "{name}'s bar and {}",
                item.href
            );
        }
    }
}
