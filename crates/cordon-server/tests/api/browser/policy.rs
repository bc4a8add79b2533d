//! A policy drafted, mended at its line, compared, replayed and published.

use super::*;

/// Sets the policy draft's text as if typed (the page checks on input).
async fn set_draft(browser: &Browser, text: &str) {
    let text = serde_json::to_string(text).unwrap();
    browser
        .eval(&format!(
            "(() => {{ const s = document.getElementById('source'); s.value = {text}; s.dispatchEvent(new Event('input')); return 0; }})()"
        ))
        .await;
}

pub async fn a_province_commander_mends_a_draft_dry_runs_and_publishes_it(app: TestApp) {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let standard = cordon_domain::policy::examples::STANDARD_2022_05;
    let may = crate::policy::store_version(&app, standard).await;
    crate::policy::publish(&app, may).await;
    register(&app, "冀A12345", 30, &[("11010519491231002X", "张三")]).await;

    browser.goto(&format!("{}/lang/zh", app.base)).await;
    browser.set_window(1440, 1100).await;
    sign_in(&browser, &app, "commander", "/policies").await;
    browser
        .wait_until("document.getElementById('source').value.includes('fever')")
        .await;
    // A fever from 37.0 °C, with a typing error in the outcome: shown at its line.
    let lower = standard.replace("temperature_at_least = 37.3", "temperature_at_least = 37.0");
    let typo = lower.replacen(
        "outcome = \"refer\"\nactions = [\"fever_clinic\"]",
        "outcome = \"refr\"\nactions = [\"fever_clinic\"]",
        1,
    );
    assert_ne!(typo, lower, "the typo is made");
    let typo_line = typo.lines().position(|l| l.contains("\"refr\"")).unwrap() + 1;
    set_draft(&browser, &typo).await;
    browser
        .wait_until("document.querySelectorAll('#problems li').length > 0")
        .await;
    let at = browser
        .eval("document.querySelector('#problems a').dataset.line")
        .await;
    assert_eq!(at, typo_line.to_string(), "the problem at its line");
    let said = browser.text("#problems li").await;
    assert!(said.contains("取值不对：'refr'"), "said in Chinese: {said}");
    browser.click("#problems a").await;
    let selected = browser
        .eval("(() => { const s = document.getElementById('source'); return s.value.slice(s.selectionStart, s.selectionEnd); })()")
        .await;
    assert!(selected.as_str().unwrap().contains("refr"), "{selected}");
    assert!(browser
        .text("#gutter")
        .await
        .contains(&format!("● {typo_line}")));
    keep(&browser, "policy-problem").await;
    // Storing is refused until it is mended.
    browser.click("#save").await;
    browser
        .wait_until("document.getElementById('save-msg').classList.contains('bad')")
        .await;
    set_draft(&browser, &lower).await;
    browser
        .wait_until("document.getElementById('check-summary').classList.contains('ok')")
        .await;
    browser.type_into("#note", "发热门诊标准调整为 37.0℃").await;
    browser.click("#save").await;
    browser
        .wait_until("document.getElementById('save-msg').textContent.includes('版本 2')")
        .await;
    // The diff says which rule changed and how.
    browser.click("#compare").await;
    browser
        .wait_until("document.querySelectorAll('#diff tbody tr').length === 1")
        .await;
    assert!(browser.text("#diff").await.contains("fever"));
    // A dry run over the last day.
    browser.click("#run").await;
    browser
        .wait_until("!document.getElementById('run-result').hidden")
        .await;
    assert!(browser.text("#run-summary").await.contains("重放 1 辆次"));
    // Published at once with a reason (the confirmation answered yes).
    browser.eval("(window.confirm = () => true, 0)").await;
    browser
        .type_into("#publish-reason", "省指挥部 5 月 13 日通知")
        .await;
    browser.click("#publish").await;
    browser
        .wait_until("document.getElementById('publish-msg').classList.contains('ok')")
        .await;
    keep(&browser, "policies").await;
    let published = browser.text("#publish-msg").await;
    assert!(published.contains("已发布版本 2"), "{published}");
    // The lane decides by it: 37.1 °C goes to a fever clinic under version 2.
    let mut p = crate::example();
    p["id"] = serde_json::json!(uuid::Uuid::now_v7());
    p["observed_at"] = serde_json::json!(chrono::Utc::now()
        .with_timezone(&cordon_domain::time::china())
        .to_rfc3339());
    p["occupants"][0]["temperature_c"] = serde_json::json!(37.1);
    p["occupants"][0]["latest_test"]["taken_at"] = p["observed_at"].clone();
    let (s, b) = app.post_as("officer", "/api/v1/passages", &p).await;
    assert_eq!(s, reqwest::StatusCode::CREATED, "{b}");
    assert_eq!(b["decision"]["policy_version"], "2", "{b}");
    assert_eq!(b["decision"]["outcome"], "refer", "{b}");
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_province_commander_mends_a_draft_dry_runs_and_publishes_it_on_sqlite() {
    a_province_commander_mends_a_draft_dry_runs_and_publishes_it(crate::sqlite_app().await).await;
}
