//! An escort from the command's desk to the officer's phone: a city commander assigns returning
//! workers' buses to be escorted (a plate that does not parse refused beside its field in
//! Chinese); the officer of the checkpoint, on a phone, sets off, is asked who received them at
//! the destination (refused beside the field while it is empty) and records the hand-over.

use super::*;

pub async fn an_escort_is_assigned_and_handed_over_on_a_phone(app: TestApp) {
    let Some(browser) = Browser::start().await else {
        return;
    };
    browser.goto(&format!("{}/lang/zh", app.base)).await;
    browser.set_window(1440, 1000).await;
    sign_in(&browser, &app, "city", "/escorts").await;
    browser
        .wait_until("document.querySelector('#escorts li') !== null")
        .await;
    browser
        .eval("document.getElementById('escort-kind').value = 'returning_workers'")
        .await;
    browser
        .type_into("#escort-checkpoint", "cp-130100-0001")
        .await;
    browser
        .type_into("#escort-destination", "石家庄市集中隔离点")
        .await;
    browser
        .type_into("#escort-route", "京港澳高速 → 二环 → 隔离点")
        .await;
    browser.type_into("#escort-vehicles", "冀A12345 冀").await;
    browser
        .type_into("#escort-officers", "王警官，李警官")
        .await;
    browser.type_into("#escort-persons", "419").await;
    browser.click("#escort-save").await;
    browser
        .wait_until("document.querySelector('#escort-form .field-error[data-for=\"vehicles\"]').textContent.length > 0")
        .await;
    browser
        .eval("document.getElementById('escort-vehicles').value = ''")
        .await;
    browser
        .type_into("#escort-vehicles", "冀A12345 冀A12346")
        .await;
    browser.click("#escort-save").await;
    browser
        .wait_until("document.querySelector('#escorts li.s-assigned') !== null")
        .await;
    assert!(browser.text("#escorts").await.contains("返乡人员车队"));
    keep(&browser, "escorts").await;

    // The escorting officer, on a phone.
    browser.click("#signout").await;
    browser.wait_until("location.pathname === '/signin'").await;
    sign_in(&browser, &app, "officer", "/escorts").await;
    browser.set_window(390, 900).await;
    browser
        .wait_until("document.querySelector('#escorts button[data-step=\"start\"]') !== null")
        .await;
    assert_eq!(
        browser
            .eval("document.querySelector('#escorts button[data-step=\"cancel\"]') === null")
            .await,
        true,
        "an officer does not cancel"
    );
    browser.click("#escorts button[data-step=\"start\"]").await;
    browser
        .wait_until("document.querySelector('#escorts li.s-under_way button[data-step=\"hand_over\"]') !== null")
        .await;
    // The first tap asks who received it; an empty answer is refused beside the field.
    browser
        .click("#escorts button[data-step=\"hand_over\"]")
        .await;
    browser
        .click("#escorts button[data-step=\"hand_over\"]")
        .await;
    browser
        .wait_until("document.querySelector('#escorts .escort-step .field-error').textContent.includes('必填')")
        .await;
    browser
        .type_into("#escorts .escort-step input.said", "隔离点 张医生")
        .await;
    browser
        .click("#escorts button[data-step=\"hand_over\"]")
        .await;
    browser
        .wait_until("document.querySelector('#escorts li.s-handed_over') !== null")
        .await;
    let shown = browser.text("#escorts").await;
    assert!(
        shown.contains("已交接") && shown.contains("隔离点 张医生"),
        "{shown}"
    );
    keep(&browser, "escort-phone").await;
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_escort_is_assigned_and_handed_over_on_a_phone_on_sqlite() {
    an_escort_is_assigned_and_handed_over_on_a_phone(crate::sqlite_app().await).await;
}
