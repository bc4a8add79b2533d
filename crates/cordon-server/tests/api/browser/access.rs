//! Accounts: an admin creates an officer, who signs in and changes their password.

use super::*;

pub async fn an_admin_creates_an_officer_who_signs_in_and_changes_their_password(app: TestApp) {
    let Some(browser) = Browser::start().await else {
        return;
    };
    browser.goto(&format!("{}/lang/zh", app.base)).await;
    browser.set_window(1440, 1000).await;
    sign_in(&browser, &app, "admin", "/accounts").await;
    browser
        .wait_until("document.querySelector('#accounts tr[data-username=\\'officer2\\']') !== null")
        .await;
    // A user name that is no user name: refused beside it, in Chinese.
    browser.type_into("#username", "7 bad").await;
    browser.type_into("#scope", "CP-130100-0002").await;
    browser
        .type_into("#new-password", "冀A检查站-2022-春")
        .await;
    browser.click("#create-submit").await;
    browser
        .wait_until("document.querySelector('.field-error[data-for=\\'username\\']').textContent.includes('账号名')")
        .await;
    browser
        .eval("document.getElementById('username').value = ''")
        .await;
    browser.type_into("#username", "wang.wu").await;
    browser.click("#create-submit").await;
    browser
        .wait_until("document.querySelector('#accounts tr[data-username=\\'wang.wu\\']') !== null")
        .await;
    keep(&browser, "accounts").await;
    browser.click("#signout").await;
    browser.wait_until("location.pathname === '/signin'").await;

    // The new officer signs in at their lane, and changes their password.
    sign_in_with(&browser, &app, "wang.wu", "冀A检查站-2022-春", "/lane").await;
    browser.goto(&format!("{}/password", app.base)).await;
    browser.type_into("#current", "冀A检查站-2022-春").await;
    browser.type_into("#new", "新的口令-2022-0513").await;
    browser.type_into("#repeat", "新的口令-2022-0514").await;
    browser.click("#password-submit").await;
    let said = browser.text(".field-error[data-for='repeat']").await;
    assert!(said.contains("不一致"), "{said}");
    browser
        .eval("document.getElementById('repeat').value = ''")
        .await;
    browser.type_into("#repeat", "新的口令-2022-0513").await;
    browser.click("#password-submit").await;
    browser.wait_until("location.pathname === '/signin'").await;
    sign_in_with(&browser, &app, "wang.wu", "新的口令-2022-0513", "/lane").await;
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_creates_an_officer_who_signs_in_and_changes_their_password_on_sqlite() {
    an_admin_creates_an_officer_who_signs_in_and_changes_their_password(crate::sqlite_app().await)
        .await;
}
