//! The access matrix: every route of the OpenAPI document against every account (each
//! capability's test module lists its rows), each refusal audited once.

use std::collections::{BTreeMap, BTreeSet};

use reqwest::{Method, StatusCode};
use serde_json::Value;

use super::{TestApp, ACCOUNTS};

/// (denied entries, all entries) in the audit trail, read a page at a time.
pub async fn audit_counts(app: &TestApp) -> (usize, usize) {
    let (mut denied, mut all, mut after) = (0, 0, 0);
    loop {
        let page = app
            .store
            .query_audit(&cordon_store::audit::AuditQuery {
                after_seq: Some(after),
                limit: 1_000,
                ..Default::default()
            })
            .await
            .unwrap();
        let Some(last) = page.last() else {
            return (denied, all);
        };
        after = last.seq;
        all += page.len();
        denied += page.iter().filter(|e| e.entry.outcome == "denied").count();
    }
}
/// Who may call a route: every signed-in account.
pub const SIGNED_IN: &[&str] = &[
    "commander",
    "city",
    "elsewhere",
    "officer",
    "officer2",
    "tracer",
    "auditor",
    "admin",
    "station",
    "caller",
    "lead",
    "sampler",
    "lab",
    "lab2",
    "lot",
];
/// Anyone, signed in or not (`-`).
pub const ANYONE: &[&str] = &[
    "-",
    "commander",
    "city",
    "elsewhere",
    "officer",
    "officer2",
    "tracer",
    "auditor",
    "admin",
    "station",
    "caller",
    "lead",
    "sampler",
    "lab",
    "lab2",
    "lot",
];
/// The commanders whose scope holds the test network (130100).
pub const NETWORK_CITY: &[&str] = &["commander", "city"];
/// Who reads the passages of CP-130100-0001.
pub const PASSAGES_0001: &[&str] = &["commander", "city", "officer", "tracer"];
/// Every account that reads passages somewhere (a passage outside the scope is "not found").
pub const PASSAGE_READERS: &[&str] = &[
    "commander",
    "city",
    "elsewhere",
    "officer",
    "officer2",
    "tracer",
];
/// Who traces and reveals.
pub const TRACERS: &[&str] = &["commander", "city", "elsewhere", "tracer"];
/// The province commander alone.
pub const PROVINCE: &[&str] = &["commander"];
/// Every commander.
pub const COMMANDERS: &[&str] = &["commander", "city", "elsewhere"];
/// The officers.
pub const OFFICERS: &[&str] = &["officer", "officer2"];
/// The callers.
pub const CALLERS: &[&str] = &["caller", "lead"];
/// The samplers.
pub const SAMPLERS: &[&str] = &["sampler"];

pub const LABS: &[&str] = &["lab", "lab2"];

/// Who reads testing: commanders, samplers and labs.
pub const TESTING_READERS: &[&str] = &["commander", "city", "elsewhere", "sampler", "lab", "lab2"];

/// One route of the access matrix: who may call it (by account name, [`ACCOUNTS`]; `-` is
/// anonymous), with a plausible body. Each capability's test module lists its own rows.
pub struct Row {
    /// `METHOD /path/{param}` as the OpenAPI document names it.
    pub route: &'static str,
    pub who: &'static [&'static str],
    pub body: Body,
    /// A query string to add, for routes that need one.
    pub query: &'static str,
}

pub enum Body {
    Empty,
    Json(Value),
    Csv(&'static str),
}

/// A row with a JSON body (`Value::Null`: none).
pub fn row(route: &'static str, who: &'static [&'static str], body: Value) -> Row {
    Row {
        route,
        who,
        body: if body.is_null() {
            Body::Empty
        } else {
            Body::Json(body)
        },
        query: "",
    }
}

/// Every capability's rows: one line each.
fn matrix() -> BTreeMap<&'static str, Row> {
    [
        super::access::rows(),
        super::network::rows(),
        super::passage::rows(),
        super::dashboard::rows(),
        super::declaration::rows(),
        super::station::rows(),
        super::sampling_station::rows(),
        super::trace::rows(),
        super::policy::rows(),
        super::status::rows(),
        super::directives::rows(),
        super::followup::rows(),
        super::testing::rows(),
        super::lab::rows(),
        super::antigen::rows(),
        super::roster_list::rows(),
        super::rosters::rows(),
        super::daily::rows(),
        super::patrols::rows(),
        super::lots::rows(),
        super::passes::rows(),
        super::pass_applications::rows(),
        super::escorts::rows(),
    ]
    .into_iter()
    .flatten()
    .map(|r| (r.route, r))
    .collect()
}

/// The path of a route with its parameters filled in (values that exist or that are refused
/// after the access check, so the matrix changes nothing).
fn concrete(route: &str) -> (Method, String) {
    let (method, path) = route.split_once(' ').unwrap();
    let path = path
        .replace("{username}", "nobody-here")
        .replace("{account}", "st-nobody-1")
        .replace(
            "{code}",
            if path.starts_with("/api/v1/jurisdictions") {
                "130102"
            } else {
                "CP-130100-0001"
            },
        )
        .replace("{version}", "1")
        .replace("{barcode}", "NOSUCH000001")
        .replace("{channel}", "1")
        .replace("{truck}", "1")
        .replace("{request}", "1")
        .replace("{token}", "1-1-00000000000000000000")
        .replace("{number}", "130100999999")
        .replace("{reference}", "00000000000000000000000000000000")
        .replace(
            "{id}",
            if path.contains("risk-areas") {
                "1"
            } else if path.contains("status-changes") {
                "999999"
            } else {
                "0190f5c2-7d4e-7b2a-9c1e-3f6a2b8d9e01"
            },
        );
    (method.parse().unwrap(), path)
}

pub async fn every_route_against_every_role(app: TestApp) {
    let (_, doc) = app.get_as("-", "/api/openapi.json").await;
    let documented: BTreeSet<String> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, ops)| {
            ops.as_object()
                .unwrap()
                .keys()
                .map(move |m| format!("{} {path}", m.to_uppercase()))
        })
        .collect();
    let matrix = matrix();
    let listed: BTreeSet<String> = matrix.keys().map(|k| k.to_string()).collect();
    assert_eq!(
        documented, listed,
        "every route of the OpenAPI document must be in the access matrix, and only those"
    );
    let mut who: Vec<&str> = ACCOUNTS.iter().map(|a| a.0).collect();
    who.push("-");
    let mut refusals = 0;
    // Sign-out last: it ends the session the other requests use.
    let mut routes: Vec<&&str> = matrix.keys().collect();
    routes.sort_by_key(|r| r.starts_with("DELETE /api/v1/sessions"));
    for route in routes {
        let row = &matrix[*route];
        let allowed = row.who;
        let (method, path) = concrete(route);
        let path = format!("{path}{}", row.query);
        for w in &who {
            let mut r = app
                .client(w)
                .request(method.clone(), format!("{}{path}", app.base));
            r = match &row.body {
                Body::Json(b) => r.json(b),
                Body::Csv(text) => r.header("content-type", "text/csv").body(*text),
                Body::Empty => r,
            };
            let status = r.send().await.unwrap().status();
            let refused = status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN;
            if allowed.contains(w) {
                let public_refusal =
                    *route == "POST /api/v1/sessions" && status == StatusCode::UNAUTHORIZED;
                assert!(
                    !refused || public_refusal,
                    "{w} should reach {route} ({path}): {status}"
                );
                // A public route's rate limit (the drivers' and the pre-declarations') refuses
                // the matrix's many calls from one address: audited as denied too.
                if public_refusal || status == StatusCode::TOO_MANY_REQUESTS {
                    refusals += 1;
                }
            } else if *w == "-" {
                assert_eq!(status, StatusCode::UNAUTHORIZED, "anonymous {route}");
                refusals += 1;
            } else {
                assert_eq!(
                    status,
                    StatusCode::FORBIDDEN,
                    "{w} must be refused {route} ({path})"
                );
                refusals += 1;
            }
        }
    }
    let (denied, _) = audit_counts(&app).await;
    assert_eq!(denied, refusals, "every refusal is audited once");
}

on_both!(every_route_against_every_role);
