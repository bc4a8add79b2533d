//! Checkpoints closed after a confirmation, and their history.

use super::*;

pub async fn a_commander_closes_checkpoints_after_a_confirmation_and_sees_their_history(
    app: TestApp,
) {
    let Some(browser) = Browser::start().await else {
        return;
    };
    browser.goto(&format!("{}/lang/zh", app.base)).await;
    browser.set_window(1440, 1000).await;
    sign_in(&browser, &app, "commander", "/network").await;
    browser
        .wait_until("document.querySelectorAll('#checkpoints tbody tr').length >= 3")
        .await;
    // Kinds and lines in words, not codes.
    let table = browser.text("#checkpoints").await;
    assert!(
        !table.contains("toll_station") && !table.contains("capital_ring"),
        "{table}"
    );
    // The confirmation says how many will change; declining changes nothing.
    browser
        .eval("(window.asked = [], window.confirm = (m) => { window.asked.push(m); return window.answer; }, 0)")
        .await;
    browser.eval("(window.answer = false, 0)").await;
    browser
        .click("#checkpoints tr[data-code='CP-130100-0001'] .pick")
        .await;
    browser
        .click("#checkpoints tr[data-code='CP-130100-0002'] .pick")
        .await;
    browser.type_into("#bulk-reason", "疫情形势变化").await;
    browser.click("#bulk button[data-status='closed']").await;
    let asked = browser.eval("window.asked[0]").await;
    assert!(asked.as_str().unwrap().contains("关闭 2 个卡口"), "{asked}");
    let (_, cp) = app
        .get_as("commander", "/api/v1/checkpoints/CP-130100-0001")
        .await;
    assert_eq!(cp["status"], "open", "declined: nothing changed");
    browser.eval("(window.answer = true, 0)").await;
    browser.click("#bulk button[data-status='closed']").await;
    browser
        .wait_until("document.getElementById('bulk-msg').classList.contains('ok')")
        .await;
    let (_, cp) = app
        .get_as("commander", "/api/v1/checkpoints/CP-130100-0001")
        .await;
    assert_eq!(cp["status"], "closed");
    keep(&browser, "network").await;
    // The checkpoint's page: who closed it, when and why; opened again from there.
    browser
        .goto(&format!("{}/checkpoints/CP-130100-0001", app.base))
        .await;
    browser
        .wait_until("document.getElementById('history').textContent.includes('疫情形势变化')")
        .await;
    let history = browser.text("#history").await;
    assert!(
        history.contains("疫情形势变化") && history.contains("commander"),
        "{history}"
    );
    browser.eval("(window.confirm = () => true, 0)").await;
    browser.type_into("#cp-reason", "恢复通行").await;
    browser.click("#cp-toggle").await;
    browser
        .wait_until("document.getElementById('cp-msg').classList.contains('ok')")
        .await;
    let (_, cp) = app
        .get_as("commander", "/api/v1/checkpoints/CP-130100-0001")
        .await;
    assert_eq!(cp["status"], "open");
    browser
        .wait_until("document.getElementById('history').textContent.includes('恢复通行')")
        .await;
    keep(&browser, "checkpoint-history").await;
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_commander_closes_checkpoints_after_a_confirmation_and_sees_their_history_on_sqlite() {
    a_commander_closes_checkpoints_after_a_confirmation_and_sees_their_history(
        crate::sqlite_app().await,
    )
    .await;
}
