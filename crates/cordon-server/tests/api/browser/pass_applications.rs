//! A carrier's application from its phone, in Chinese, with no account: a mobile number that
//! does not parse refused beside the contact's field; sent, the carrier lands on its reference's
//! page (pending). The city's commander sees it on the passes page and approves it; the
//! carrier's page then shows the pass with its QR code to print.

use super::*;

pub async fn a_carrier_applies_and_prints_the_approved_pass(app: TestApp) {
    let Some(browser) = Browser::start().await else {
        return;
    };
    browser.goto(&format!("{}/lang/zh", app.base)).await;
    browser.set_window(390, 900).await;
    browser.goto(&format!("{}/passes/apply", app.base)).await;
    browser
        .type_into("#apply-carrier", "武汉顺达物流有限公司")
        .await;
    browser.type_into("#apply-contact-name", "刘经理").await;
    browser.type_into("#apply-contact-phone", "1380013").await;
    browser.type_into("#pass-plate", "鄂A12345").await;
    browser.type_into("#pass-origin", "130102").await;
    browser.type_into("#pass-destination", "420102").await;
    browser
        .type_into("#pass-drivers .driver-name", "张师傅")
        .await;
    browser
        .type_into("#pass-drivers .driver-phone", "13900139000")
        .await;
    browser.click("#pass-save").await;
    browser
        .wait_until("document.querySelector('#pass-form .field-error[data-for=\"contact.phone\"]').textContent !== ''")
        .await;
    keep(&browser, "apply-refused").await;
    browser
        .eval("document.getElementById('apply-contact-phone').value = ''")
        .await;
    browser
        .type_into("#apply-contact-phone", "13800138000")
        .await;
    browser.click("#pass-save").await;
    browser
        .wait_until("location.pathname.startsWith('/passes/apply/') && document.getElementById('applied-state').textContent.includes('待审批')")
        .await;
    let reference = browser.eval("location.pathname").await;
    let reference = reference.as_str().unwrap().to_owned();

    // The city's commander approves it at the desk.
    let desk = Browser::start().await.unwrap();
    desk.goto(&format!("{}/lang/zh", app.base)).await;
    desk.set_window(1440, 1000).await;
    sign_in(&desk, &app, "city", "/passes").await;
    desk.wait_until("document.querySelector('#applications li.application.s-pending button[data-act=\"approve\"]') !== null")
        .await;
    assert!(desk
        .text("#applications li.application")
        .await
        .contains("武汉顺达物流有限公司"));
    desk.set_window(390, 900).await;
    keep(&desk, "pass-applications").await;
    desk.click("#applications button[data-act=\"approve\"]")
        .await;
    desk.wait_until("document.querySelector('#applications li.application.s-approved a') !== null")
        .await;
    desk.quit().await;

    // The carrier's page shows the pass to print.
    browser.goto(&format!("{}{reference}", app.base)).await;
    browser
        .wait_until("document.querySelector('#pass-qr svg') !== null && document.getElementById('applied-state').textContent.includes('已批准')")
        .await;
    assert!(browser.text("#applied-number").await.starts_with("130100"));
    keep(&browser, "pass-applied").await;
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_carrier_applies_and_prints_the_approved_pass_on_sqlite() {
    a_carrier_applies_and_prints_the_approved_pass(crate::sqlite_app().await).await;
}
