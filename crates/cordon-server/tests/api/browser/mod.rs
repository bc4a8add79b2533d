//! The web UI in a real browser (headless Chromium through chromedriver), against a real server:
//! one module per capability's pages, each a user's errand from sign-in to the result (the lane,
//! a trace, a status change, a policy, risk areas, the network, stations, accounts, the audit
//! trail, a passage), and every field of every page checked for its label. Phone pages are
//! driven at 390 pixels wide, desk pages at 1440. Screenshots go to the test's target directory,
//! and to `docs/screenshots/` when `CORDON_SCREENSHOTS=docs`.

use super::{register, TestApp, PASSWORD};
use cordon_webdriver::{Browser, ENTER};

mod access;
mod antigen;
mod audit;
mod directives;
mod escorts;
mod followup;
mod lab;
mod labels;
mod lane;
mod lots;
mod network;
mod pass_applications;
mod passage;
mod passes;
mod patrols;
mod policy;
mod risk;
mod rosters;
mod sampling_station;
mod station;
mod status;
mod testing;
mod trace;

async fn keep(browser: &Browser, name: &str) {
    let png = browser.screenshot().await;
    assert!(png.starts_with(b"\x89PNG"), "{name} is a PNG");
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("{name}.png")), &png).unwrap();
    if std::env::var("CORDON_SCREENSHOTS").as_deref() == Ok("docs") {
        let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/screenshots");
        std::fs::create_dir_all(&docs).unwrap();
        std::fs::write(docs.join(format!("{name}.png")), &png).unwrap();
    }
}

async fn sign_in(browser: &Browser, app: &TestApp, user: &str, next: &str) {
    sign_in_with(browser, app, user, PASSWORD, next).await;
}

async fn sign_in_with(browser: &Browser, app: &TestApp, user: &str, password: &str, next: &str) {
    browser
        .goto(&format!("{}/signin?next={next}", app.base))
        .await;
    keep(browser, "signin").await;
    browser.type_into("#username", user).await;
    browser.type_into("#password", password).await;
    browser.type_into("#password", ENTER).await;
    browser
        .wait_until(&format!("location.pathname === '{next}'"))
        .await;
    assert_eq!(browser.current_url().await, format!("{}{next}", app.base));
}

/// Scans one line into the lane's scan field, as a scanner does (text, then Enter).
async fn scan(browser: &Browser, line: &str) {
    browser.type_into("#scan", &format!("{line}{ENTER}")).await;
}
