//! A follow-up list uploaded from a real file: a bad row refused at its line, then skipped;
//! the list's persons shown masked, one person counted once across two lists.

use super::*;

pub async fn a_city_uploads_a_list_with_a_bad_row(app: TestApp) {
    let Some(browser) = Browser::start().await else {
        return;
    };
    // A list pushed earlier names 张三 already.
    let (s, _) = app
        .post_as(
            "city",
            "/api/v1/followup/lists",
            &serde_json::json!({"id": uuid::Uuid::now_v7(), "label": "省指推送", "rows": [
                {"row": 1, "name": "张三", "document": {"type": "resident_id", "number": "11010519491231002X"}}]}),
        )
        .await;
    assert_eq!(s, reqwest::StatusCode::CREATED);
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("followup-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("北京返石人员.csv");
    std::fs::write(
        &file,
        "姓名,证件号码,手机号,来源地,抵达日期,现住址\n张三,11010519491231002X,13812345678,北京市朝阳区,2022-05-02,长安区某小区\n李四,130102199001011238,,北京市海淀区,2022-05-01,\n王五,,13912345678,北京市丰台区,2022/5/2,桥西区某小区\n",
    )
    .unwrap();
    browser.goto(&format!("{}/lang/zh", app.base)).await;
    browser.set_window(1440, 1000).await;
    sign_in(&browser, &app, "city", "/followup").await;
    browser
        .wait_until("document.querySelectorAll('#lists tbody tr').length === 1")
        .await;
    browser.type_into("#file", file.to_str().unwrap()).await;
    browser.click("#upload button[type=submit]").await;
    browser
        .wait_until("document.getElementById('upload-msg').classList.contains('bad')")
        .await;
    let problems = browser.text("#upload-problems").await;
    assert!(
        problems.contains("第 3 行") && problems.contains("校验位"),
        "the bad row by its line, in Chinese: {problems}"
    );
    let (_, lists) = app.get_as("city", "/api/v1/followup/lists").await;
    assert_eq!(lists["lists"].as_array().unwrap().len(), 1, "nothing taken");
    // Skipping the bad row takes the rest; 张三 was on the earlier list: 1 new person of 2.
    browser.click("#skip").await;
    browser.click("#upload button[type=submit]").await;
    browser
        .wait_until("document.getElementById('upload-msg').classList.contains('ok')")
        .await;
    let said = browser.text("#upload-msg").await;
    assert!(said.contains("2 人，其中新增 1 人"), "{said}");
    let skipped = browser.text("#upload-problems").await;
    assert!(
        skipped.contains("校验位"),
        "the skipped row said in Chinese: {skipped}"
    );
    browser
        .wait_until("document.querySelectorAll('#persons tbody tr').length === 2")
        .await;
    let persons = browser.text("#persons").await;
    assert!(
        persons.contains("张*") && persons.contains("王*"),
        "{persons}"
    );
    assert!(persons.contains("未核实"), "王五 by phone only: {persons}");
    assert!(!persons.contains("13912345678"), "masked: {persons}");
    assert!(
        persons.contains("北京市"),
        "张三's document's area: {persons}"
    );
    keep(&browser, "followup").await;
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_city_uploads_a_list_with_a_bad_row_on_sqlite() {
    a_city_uploads_a_list_with_a_bad_row(crate::sqlite_app().await).await;
}
