//! A video patrol at the command's desk: a channel added (a bad stream address refused beside
//! its field in Chinese), a plan made, a round started; on a phone, a problem recorded (its
//! note asked for beside the box) and sent to the checkpoint as a directive in one action.

use super::*;

pub async fn a_patrol_records_a_problem_and_sends_a_directive(app: TestApp) {
    let Some(browser) = Browser::start().await else {
        return;
    };
    browser.goto(&format!("{}/lang/zh", app.base)).await;
    browser.set_window(1440, 1000).await;
    sign_in(&browser, &app, "city", "/patrols").await;
    browser.type_into("#ch-checkpoint", "cp-130100-0001").await;
    browser.type_into("#ch-name", "1号道口 北向").await;
    browser.type_into("#ch-stream", "10.1.2.3/live").await;
    browser.click("#channel-add").await;
    browser
        .wait_until("document.querySelector('#channel-form .field-error[data-for=\"stream\"]').textContent.includes('rtsp://')")
        .await;
    browser
        .eval("document.getElementById('ch-stream').value = ''")
        .await;
    browser
        .type_into("#ch-stream", "rtsp://10.1.2.3:554/Streaming/Channels/101")
        .await;
    browser.click("#channel-add").await;
    browser
        .wait_until("document.querySelectorAll('#channels tbody tr[data-id]').length === 1 && document.querySelectorAll('#plan-channels input').length === 1")
        .await;
    browser.type_into("#plan-name", "夜间巡查").await;
    browser.click("#plan-channels input").await;
    browser.click("#plan-save").await;
    browser
        .wait_until("document.querySelectorAll('#plans li[data-id]').length === 1")
        .await;
    keep(&browser, "patrols").await;
    browser.click("#plans .start-round").await;
    browser
        .wait_until("location.pathname.startsWith('/patrols/') && document.querySelectorAll('#stops .stop').length === 1")
        .await;

    // On a phone: a problem needs its note, then goes to the checkpoint as a directive.
    browser.set_window(390, 844).await;
    browser.click("#stops .sight-problem").await;
    browser
        .wait_until("document.querySelector('#stops .field-error[data-for=\"remark\"]').textContent === '请说明发现的问题'")
        .await;
    browser
        .type_into("#stops .remark", "排队超过1公里，请增开车道")
        .await;
    browser.click("#stops .sight-problem").await;
    browser
        .wait_until("document.getElementById('round-findings').textContent === '发现问题 1' && document.querySelector('#stops .to-directive') !== null")
        .await;
    browser.click("#stops .to-directive").await;
    browser
        .wait_until("document.querySelector('#stops a[href^=\"/directives/\"]') !== null")
        .await;
    keep(&browser, "patrol-round").await;
    let (_, lane) = app
        .get_as("officer", "/api/v1/checkpoints/CP-130100-0001/directives")
        .await;
    assert!(lane.to_string().contains("排队超过1公里"), "{lane}");
    browser.click("#round-finish").await;
    browser
        .wait_until("document.getElementById('round-finish').hidden")
        .await;
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_patrol_records_a_problem_and_sends_a_directive_on_sqlite() {
    a_patrol_records_a_problem_and_sends_a_directive(crate::sqlite_app().await).await;
}
