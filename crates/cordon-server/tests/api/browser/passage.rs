//! A passage opened from its checkpoint and revealed for a purpose.

use super::*;

pub async fn a_passage_is_opened_from_its_checkpoint_and_revealed_for_a_purpose(app: TestApp) {
    let Some(browser) = Browser::start().await else {
        return;
    };
    register(
        &app,
        "冀A12345",
        20,
        &[
            ("11010519491231002X", "张三"),
            ("130102199001011237", "李四"),
        ],
    )
    .await;
    browser.goto(&format!("{}/lang/zh", app.base)).await;
    browser.set_window(1440, 1000).await;
    sign_in(&browser, &app, "commander", "/checkpoints/CP-130100-0001").await;
    browser
        .wait_until("document.querySelector('#passages a') !== null")
        .await;
    browser.click("#passages a").await;
    browser
        .wait_until("!document.getElementById('passage-body').hidden")
        .await;
    assert_eq!(browser.text("#decided-plate").await, "冀A12345");
    let persons = browser.text("#persons").await;
    assert!(
        persons.contains("110105********002X") && !persons.contains("11010519491231002X"),
        "{persons}"
    );
    // A reveal needs a purpose; then the persons in clear.
    browser.click("#reveal button").await;
    browser
        .wait_until("document.querySelector('#reveal .field-error').textContent !== ''")
        .await;
    browser
        .type_into("#purpose", "病例 2022-0317 密接核查")
        .await;
    browser.click("#reveal button").await;
    browser
        .wait_until("!document.getElementById('revealed').hidden")
        .await;
    assert!(browser
        .text("#revealed")
        .await
        .contains("130102199001011237"));
    keep(&browser, "passage").await;
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_passage_is_opened_from_its_checkpoint_and_revealed_for_a_purpose_on_sqlite() {
    a_passage_is_opened_from_its_checkpoint_and_revealed_for_a_purpose(crate::sqlite_app().await)
        .await;
}
