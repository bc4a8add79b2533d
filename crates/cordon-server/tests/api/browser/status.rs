//! A person's status changed by two commanders.

use super::*;

pub async fn a_status_change_is_requested_and_approved_by_a_second_commander(app: TestApp) {
    let Some(browser) = Browser::start().await else {
        return;
    };
    browser.goto(&format!("{}/lang/zh", app.base)).await;
    browser.set_window(1440, 1000).await;
    sign_in(&browser, &app, "city", "/statuses").await;
    // Without a reason: refused beside the field, nothing recorded.
    browser.type_into("#doc-number", "130102199001011237").await;
    browser
        .type_into("#reference", "冀石疾控-2022-0513-017")
        .await;
    browser.click("#submit").await;
    browser
        .wait_until(
            "document.querySelector('.field-error[data-for=\"reason\"]').textContent !== ''",
        )
        .await;
    let (_, listed) = app.get_as("commander", "/api/v1/status-changes").await;
    assert_eq!(listed["changes"].as_array().unwrap().len(), 0);
    browser.type_into("#reason", "与确诊病例同车").await;
    browser.click("#submit").await;
    browser
        .wait_until("document.getElementById('request-msg').textContent !== ''")
        .await;
    browser
        .wait_until("document.querySelectorAll('#pending tbody tr[data-id]').length === 1")
        .await;
    let row = browser.text("#pending tbody tr[data-id]").await;
    assert!(
        row.contains("130102********1237") && row.contains("密切接触者"),
        "{row}"
    );
    assert!(!row.contains("130102199001011237"), "masked: {row}");
    // The one who asked cannot approve it: the refusal is shown on its row.
    browser.click("#pending .approve").await;
    browser
        .wait_until("document.querySelector('#pending .field-error').textContent !== ''")
        .await;
    keep(&browser, "statuses").await;
    browser.click("#signout").await;
    browser.wait_until("location.pathname === '/signin'").await;

    // A second commander: rejecting needs a note; approving does not.
    sign_in(&browser, &app, "commander", "/statuses").await;
    browser
        .wait_until("document.querySelectorAll('#pending tbody tr[data-id]').length === 1")
        .await;
    browser.click("#pending .reject").await;
    browser
        .wait_until("document.querySelector('#pending .field-error').textContent !== ''")
        .await;
    browser.type_into("#pending .note", "依据已核实").await;
    browser.click("#pending .approve").await;
    browser
        .wait_until("document.querySelectorAll('#pending tbody tr[data-id]').length === 0")
        .await;
    browser
        .wait_until("document.querySelector('#history tbody tr[data-id]') !== null && document.querySelector('#history tbody tr[data-id]').textContent.includes('已批准')")
        .await;
    let (_, listed) = app.get_as("commander", "/api/v1/status-changes").await;
    let change = &listed["changes"][0];
    assert_eq!(change["state"], "approved", "{listed}");
    assert_eq!(change["requested_by"], "city");
    assert_eq!(change["decided_by"], "commander");
    assert_eq!(change["decision_note"], "依据已核实");
    // The person's changes, found by their number in a form.
    browser
        .type_into("#person-number", "130102199001011237")
        .await;
    browser.click("#person-form button").await;
    browser
        .wait_until("!document.getElementById('person-changes').hidden && document.querySelectorAll('#person-changes tbody tr[data-id]').length === 1")
        .await;
    keep(&browser, "statuses-decided").await;
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_status_change_is_requested_and_approved_by_a_second_commander_on_sqlite() {
    a_status_change_is_requested_and_approved_by_a_second_commander(crate::sqlite_app().await)
        .await;
}
