//! Risk areas imported from a real file, added and ended.

use super::*;

pub async fn a_commander_imports_adds_and_ends_risk_areas(app: TestApp) {
    let Some(browser) = Browser::start().await else {
        return;
    };
    // A health commission's list as a real file, one row of it wrong.
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("risk-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("风险区域.csv");
    std::fs::write(
        &file,
        "区划代码,区域,风险等级,开始时间,结束时间\n130102,裕华小区,高,2022-05-13 08:00,\n130104,,中风险,2022-05-13,\n1301,幸福村,高,2022-05-13,\n",
    )
    .unwrap();
    browser.goto(&format!("{}/lang/zh", app.base)).await;
    browser.set_window(1440, 1000).await;
    sign_in(&browser, &app, "commander", "/risk-areas").await;
    browser.type_into("#file", file.to_str().unwrap()).await;
    browser.click("#import button").await;
    browser
        .wait_until("document.getElementById('import-msg').classList.contains('bad')")
        .await;
    let problems = browser.text("#import-problems").await;
    assert!(
        problems.contains("第 4 行"),
        "the bad row by its line: {problems}"
    );
    let (_, listed) = app.get_as("commander", "/api/v1/risk-areas").await;
    assert_eq!(
        listed["areas"].as_array().unwrap().len(),
        0,
        "nothing imported"
    );
    // Skipping the bad row imports the rest, and says which was skipped.
    browser.click("#skip").await;
    browser.click("#import button").await;
    browser
        .wait_until("document.getElementById('import-msg').classList.contains('ok')")
        .await;
    assert!(browser
        .text("#import-msg")
        .await
        .contains("已导入 2 个区域"));
    browser
        .wait_until("document.querySelectorAll('#areas tbody tr').length === 2")
        .await;
    // Added by hand, then ended with a reason.
    browser.type_into("#add-division", "130105").await;
    browser.type_into("#add-area", "和平路街道").await;
    browser.click("#add button[type=submit]").await;
    browser
        .wait_until("document.querySelectorAll('#areas tbody tr').length === 3")
        .await;
    keep(&browser, "risk-areas").await;
    browser
        .type_into("#areas tbody tr:first-child .end-reason", "解除管控")
        .await;
    browser.click("#areas tbody tr:first-child .end").await;
    browser
        .wait_until("document.querySelectorAll('#areas .end').length === 2")
        .await;
    let (_, listed) = app.get_as("commander", "/api/v1/risk-areas").await;
    let ended: Vec<_> = listed["areas"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| !a["valid_to_ms"].is_null())
        .collect();
    assert_eq!(ended.len(), 1, "{listed}");
    assert_eq!(ended[0]["area"], "和平路街道");
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_commander_imports_adds_and_ends_risk_areas_on_sqlite() {
    a_commander_imports_adds_and_ends_risk_areas(crate::sqlite_app().await).await;
}
