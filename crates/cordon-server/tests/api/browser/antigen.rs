//! A sampler on a 390 px phone with gloves: a person swabbed 16 minutes ago waits with
//! "可判读" and three large buttons; a new person's ID is scanned (number and name on one line)
//! and their 15 minutes count down; the ready cassette is read positive with one press, the
//! page says what to do next and the test moves to "read today".

use super::*;
use crate::antigen::swabbed_before;
use crate::testing::{campaign_with_site, resident};

pub async fn a_sampler_times_and_reads_antigen_tests_on_a_phone(app: TestApp) {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let site = campaign_with_site(&app, 10).await;
    let ready = swabbed_before(&app, site, 3, 16).await;
    browser.goto(&format!("{}/lang/zh", app.base)).await;
    browser.set_window(390, 844).await;
    sign_in(&browser, &app, "sampler", "/sampling").await;
    let item = format!("#antigen-waiting li[data-id='{ready}']");
    browser
        .wait_until(&format!(
            "document.querySelector(\"{item} .ag-timer\")?.textContent === '可判读'"
        ))
        .await;
    // A new person, number and name on one line as a scanner sends them.
    browser
        .type_into("#ag-number", &format!("{} 赵六{ENTER}", resident(4)))
        .await;
    browser
        .wait_until("document.getElementById('antigen-msg').textContent.includes('已采样')")
        .await;
    browser
        .wait_until("document.querySelectorAll('#antigen-waiting li[data-id]').length === 2")
        .await;
    let timer = browser
        .text("#antigen-waiting li[data-id]:last-child .ag-timer")
        .await;
    assert!(
        timer.starts_with("还剩 14:") || timer == "还剩 15:00",
        "{timer}"
    );
    assert!(browser
        .eval("document.querySelector('#antigen-waiting li[data-id]:last-child .ag-read').hidden")
        .await
        .as_bool()
        .unwrap());
    keep(&browser, "sampling-antigen").await;
    // The ready one read positive with one press.
    browser.click(&format!("{item} button.ag-positive")).await;
    browser
        .wait_until(
            "document.getElementById('antigen-msg').textContent.includes('阳性 · 请就地管控')",
        )
        .await;
    browser
        .wait_until("document.querySelectorAll('#antigen-read li').length === 1")
        .await;
    let read = browser.text("#antigen-read li").await;
    assert!(read.contains("阳性"), "{read}");
    keep(&browser, "sampling-antigen-read").await;
    let (_, l) = app
        .get_as("sampler", &format!("/api/v1/testing/sites/{site}/antigen"))
        .await;
    assert_eq!(l["read"][0]["result"], "positive", "{l}");
    // In English by the switch: the card's words and the result's.
    browser.goto(&format!("{}/lang/en", app.base)).await;
    browser.goto(&format!("{}/sampling", app.base)).await;
    browser
        .wait_until("document.querySelectorAll('#antigen-read li').length === 1")
        .await;
    assert!(browser.text("#antigen-card h2").await.contains("Antigen"));
    assert!(browser.text("#antigen-read li").await.contains("Positive"));
    browser
        .eval("document.getElementById('antigen-card').scrollIntoView(), 0")
        .await;
    keep(&browser, "sampling-antigen-en").await;
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sampler_times_and_reads_antigen_tests_on_a_phone_on_sqlite() {
    a_sampler_times_and_reads_antigen_tests_on_a_phone(crate::sqlite_app().await).await;
}
