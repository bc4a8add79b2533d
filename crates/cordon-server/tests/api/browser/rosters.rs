//! A station's lead plans a shift on a 390 px phone in Chinese: a volunteer's bad number refused
//! beside it, then the shift on the roster with the volunteer masked; the duty board flags the
//! checkpoints nobody holds now, and the lane says so.

use reqwest::Method;
use serde_json::json;

use super::*;

pub async fn a_lead_plans_a_shift_and_the_board_flags_the_gaps(app: TestApp) {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let (s, _) = app
        .request_as(
            "city",
            Method::PUT,
            "/api/v1/checkpoints/CP-130100-0001/leads",
            Some(&json!({"leads": ["officer"]})),
        )
        .await;
    assert_eq!(s, reqwest::StatusCode::OK);
    browser.goto(&format!("{}/lang/zh", app.base)).await;
    browser.set_window(390, 844).await;
    sign_in(&browser, &app, "officer", "/duty/CP-130100-0001").await;
    browser
        .wait_until("!document.getElementById('plan-card').hidden && document.getElementById('s-lead').options.length === 1 && document.getElementById('s-start').value !== ''")
        .await;
    browser.click("#add-volunteer").await;
    browser.type_into("#s-volunteers .v-name", "王五").await;
    browser.type_into("#s-volunteers .v-phone", "12345").await;
    browser.click("#plan-submit").await;
    browser
        .wait_until("document.querySelector('.field-error[data-for=\"volunteers[0].phone\"]').textContent === '手机号应为 11 位，以 1 开头'")
        .await;
    let (_, none) = app
        .get_as("officer", "/api/v1/checkpoints/CP-130100-0001/roster")
        .await;
    assert_eq!(none["shifts"], json!([]));
    browser
        .eval("document.querySelector('#s-volunteers .v-phone').value = ''")
        .await;
    browser
        .type_into("#s-volunteers .v-phone", "139 1234 5678")
        .await;
    browser.click("#plan-submit").await;
    browser
        .wait_until("document.querySelectorAll('#days .shift').length === 1")
        .await;
    let shown = browser.text("#days .shift").await;
    assert!(
        shown.contains("未开始") && shown.contains("王*") && shown.contains("139****5678"),
        "{shown}"
    );
    assert!(!shown.contains("13912345678"));
    keep(&browser, "roster").await;

    // Nobody holds any checkpoint now: the board says so, and so does the lane.
    browser.goto(&format!("{}/duty", app.base)).await;
    browser
        .wait_until("document.getElementById('uncovered-count').textContent === '无人值班 3'")
        .await;
    assert_eq!(
        browser
            .eval("document.querySelectorAll('#duty tr.uncovered').length")
            .await,
        3
    );
    keep(&browser, "duty").await;
    browser.goto(&format!("{}/lane", app.base)).await;
    browser
        .wait_until("!document.getElementById('duty-line').hidden && document.getElementById('duty-line').textContent === '无人值班'")
        .await;
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lead_plans_a_shift_and_the_board_flags_the_gaps_on_sqlite() {
    a_lead_plans_a_shift_and_the_board_flags_the_gaps(crate::sqlite_app().await).await;
}
