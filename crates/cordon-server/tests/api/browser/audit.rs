//! The audit trail searched and its chain verified.

use super::*;

pub async fn an_auditor_finds_a_publication_and_a_reveal_and_verifies_the_chain(app: TestApp) {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let may =
        crate::policy::store_version(&app, cordon_domain::policy::examples::STANDARD_2022_05).await;
    crate::policy::publish(&app, may).await;
    register(&app, "冀A12345", 30, &[("11010519491231002X", "张三")]).await;
    let (_, listed) = app
        .get_as("commander", "/api/v1/checkpoints/CP-130100-0001/passages")
        .await;
    let passage = listed["passages"][0]["id"].as_str().unwrap().to_owned();
    let (s, b) = app
        .post_as(
            "tracer",
            &format!("/api/v1/passages/{passage}/reveal"),
            &serde_json::json!({"purpose": "病例 2022-0317"}),
        )
        .await;
    assert_eq!(s, reqwest::StatusCode::OK, "{b}");

    browser.goto(&format!("{}/lang/zh", app.base)).await;
    browser.set_window(1440, 1000).await;
    sign_in(&browser, &app, "auditor", "/audit").await;
    browser
        .wait_until("document.querySelectorAll('#entries tr.entry-row').length > 0")
        .await;
    // The publication, by its action.
    browser
        .type_into("#action", "POST /api/v1/policies/{version}/publish")
        .await;
    browser.click("#search-submit").await;
    browser
        .wait_until("document.querySelectorAll('#entries tr.entry-row').length === 1")
        .await;
    let entry = browser.text("#entries tr.entry-row").await;
    assert!(
        entry.contains("commander") && entry.contains("成功"),
        "{entry}"
    );
    browser.click("#entries tr.entry-row td").await;
    browser
        .wait_until("!document.querySelector('#entries tr.details').hidden")
        .await;
    // The reveal, by the person's document typed in (turned into its keyed hash).
    browser
        .eval("document.getElementById('action').value = ''")
        .await;
    browser
        .eval("(() => { const s = document.getElementById('subject-kind'); s.value = 'document'; s.dispatchEvent(new Event('change')); return 0; })()")
        .await;
    browser.type_into("#subject", "11010519491231002X").await;
    browser.click("#search-submit").await;
    browser
        .wait_until("[...document.querySelectorAll('#entries tr.entry-row')].some((r) => r.textContent.includes('reveal') && r.textContent.includes('病例 2022-0317'))")
        .await;
    assert!(!browser.current_url().await.contains("11010519491231002X"));
    keep(&browser, "audit").await;
    browser.click("#verify").await;
    browser
        .wait_until("document.getElementById('verdict').classList.contains('ok')")
        .await;
    assert!(browser.text("#verdict").await.contains("哈希链完整"));
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_auditor_finds_a_publication_and_a_reveal_and_verifies_the_chain_on_sqlite() {
    an_auditor_finds_a_publication_and_a_reveal_and_verifies_the_chain(crate::sqlite_app().await)
        .await;
}
