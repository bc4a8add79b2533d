//! An edge station's credential issued once and revoked.

use super::*;

pub async fn a_commander_issues_a_station_credential_once_and_revokes_it(app: TestApp) {
    let Some(browser) = Browser::start().await else {
        return;
    };
    browser.goto(&format!("{}/lang/zh", app.base)).await;
    browser.set_window(1440, 1000).await;
    sign_in(&browser, &app, "commander", "/stations").await;
    browser
        .type_into("#issue-checkpoint", "CP-130100-0099")
        .await;
    browser.click("#issue button").await;
    browser
        .wait_until("document.querySelector('#issue .field-error').textContent !== ''")
        .await;
    browser
        .eval("document.getElementById('issue-checkpoint').value = ''")
        .await;
    browser
        .type_into("#issue-checkpoint", "CP-130100-0002")
        .await;
    browser.click("#issue button").await;
    browser
        .wait_until("!document.getElementById('issued').hidden")
        .await;
    let token = browser.eval("document.getElementById('token').value").await;
    let token = token.as_str().unwrap().to_owned();
    assert!(browser
        .text("#start")
        .await
        .contains("--checkpoint CP-130100-0002"));
    let state = |token: String| {
        let url = format!("{}/api/v1/sync/state", app.base);
        async move {
            reqwest::Client::new()
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(
        state(token.clone()).await,
        reqwest::StatusCode::OK,
        "the credential works"
    );
    browser
        .wait_until("[...document.querySelectorAll('#stations tr[data-account]')].some((r) => r.textContent.includes('CP-130100-0002'))")
        .await;
    keep(&browser, "stations").await;
    // Revoked after a confirmation: the station is refused from then on.
    browser.eval("(window.confirm = () => true, 0)").await;
    browser
        .eval("([...document.querySelectorAll('#stations tr[data-account]')].find((r) => r.textContent.includes('CP-130100-0002')).querySelector('.revoke').click(), 0)")
        .await;
    browser
        .wait_until("document.getElementById('row-msg').classList.contains('ok')")
        .await;
    assert_eq!(state(token).await, reqwest::StatusCode::UNAUTHORIZED);
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_commander_issues_a_station_credential_once_and_revokes_it_on_sqlite() {
    a_commander_issues_a_station_credential_once_and_revokes_it(crate::sqlite_app().await).await;
}
