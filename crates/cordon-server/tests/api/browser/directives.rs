//! A directive from the city's command to its lanes: issued on the desk page (a refusal beside
//! its field first), seen on a 390 px lane in Chinese, opened and acknowledged with a reply,
//! and counted on the board, where the stations still silent are reminded.

use super::*;

pub async fn a_directive_is_issued_acknowledged_at_a_lane_and_counted(app: TestApp) {
    let Some(browser) = Browser::start().await else {
        return;
    };
    browser.goto(&format!("{}/lang/zh", app.base)).await;
    browser.set_window(1440, 1000).await;
    sign_in(&browser, &app, "city", "/directives").await;
    // Without a title: refused beside it, in Chinese; nothing issued.
    browser
        .type_into(
            "#d-text",
            "自今日20时起，来自中风险地区的人员须查验48小时核酸。",
        )
        .await;
    browser.click("#issue-submit").await;
    browser
        .wait_until("document.querySelector('.field-error[data-for=\"title\"]').textContent === '请填写标题'")
        .await;
    let (_, none) = app.get_as("city", "/api/v1/directives").await;
    assert_eq!(none["directives"].as_array().unwrap().len(), 0);
    browser.type_into("#d-title", "20时起执行新规则").await;
    browser
        .eval("document.getElementById('d-priority').value = 'flash'")
        .await;
    browser.click("#issue-submit").await;
    browser
        .wait_until("document.getElementById('issue-msg').textContent === '已下达到 3 个卡口'")
        .await;
    browser
        .wait_until("document.querySelectorAll('#directives tbody tr[data-id]').length === 1")
        .await;
    let row = browser.text("#directives tbody tr[data-id]").await;
    assert!(row.contains("特急") && row.contains("0 / 3"), "{row}");
    keep(&browser, "directives").await;
    let (_, listed) = app.get_as("city", "/api/v1/directives").await;
    let id = listed["directives"][0]["id"].as_i64().unwrap();
    browser.click("#signout").await;
    browser.wait_until("location.pathname === '/signin'").await;

    // The officer's lane on a phone: the directive waits at the top until acknowledged.
    browser.set_window(390, 844).await;
    sign_in(&browser, &app, "officer", "/lane").await;
    browser
        .wait_until("!document.getElementById('directives').hidden && document.getElementById('directives-count').textContent === '1'")
        .await;
    let shown = browser.text("#directive-list li").await;
    assert!(
        shown.contains("20时起执行新规则") && shown.contains("特急"),
        "{shown}"
    );
    browser.click("#directive-list .toggle").await;
    browser
        .wait_until("!document.querySelector('#directive-list .directive-body').hidden")
        .await;
    browser
        .type_into("#directive-list .reply", "已传达到每个班组")
        .await;
    keep(&browser, "lane-directive").await;
    browser.click("#directive-list .ack").await;
    browser
        .wait_until("document.querySelector('#directive-list li.acked') !== null && document.getElementById('directives-count').textContent === ''")
        .await;
    assert!(browser
        .text("#directive-list li.acked")
        .await
        .contains("已签收"));
    // The scan field is still the lane's: a scanner's next line goes there.
    keep(&browser, "lane-directive-acknowledged").await;
    browser.click("#signout").await;
    browser.wait_until("location.pathname === '/signin'").await;

    // The board: one acknowledged with its reply, two silent, reminded.
    browser.set_window(1440, 1000).await;
    sign_in(&browser, &app, "city", &format!("/directives/{id}")).await;
    browser
        .wait_until("document.querySelectorAll('#done tbody tr').length === 1 && document.getElementById('pending-count').textContent === '(2)'")
        .await;
    assert!(browser
        .text("#done tbody tr")
        .await
        .contains("已传达到每个班组"));
    browser.click("#remind").await;
    browser
        .wait_until("document.getElementById('remind-msg').textContent === '已提醒 2 个卡口'")
        .await;
    browser
        .wait_until("[...document.querySelectorAll('#pending tbody tr')].every((tr) => tr.children[3].textContent !== '')")
        .await;
    keep(&browser, "directive-board").await;
    // A directive drafted from a policy's publication arrives filled in.
    browser
        .goto(&format!(
            "{}/directives?title=%E7%AC%AC2%E7%89%88&text=%E8%AF%B7%E4%BC%A0%E8%BE%BE",
            app.base
        ))
        .await;
    browser
        .wait_until("document.getElementById('d-title').value === '第2版' && document.getElementById('d-text').value === '请传达'")
        .await;
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_directive_is_issued_acknowledged_at_a_lane_and_counted_on_sqlite() {
    a_directive_is_issued_acknowledged_at_a_lane_and_counted(crate::sqlite_app().await).await;
}

/// A problem reported from a lane on a phone (a refusal beside its field first), answered from
/// the command's inbox, and the answer on the lane.
pub async fn a_lane_reports_a_problem_and_reads_the_answer(app: TestApp) {
    let Some(browser) = Browser::start().await else {
        return;
    };
    browser.goto(&format!("{}/lang/zh", app.base)).await;
    browser.set_window(390, 844).await;
    sign_in(&browser, &app, "officer", "/lane").await;
    browser.click("#report-open").await;
    browser
        .type_into("#report-text", "抗原试剂只剩20人份，请尽快补充")
        .await;
    browser.click("#report-send").await;
    browser
        .wait_until("document.querySelector('#report-form .field-error[data-for=\"category\"]').textContent === '请选择上报类别'")
        .await;
    browser.click("#report-form [data-cat='supplies']").await;
    browser.click("#report-form [data-urg='flash']").await;
    browser.click("#report-send").await;
    browser
        .wait_until("document.querySelectorAll('#report-list li').length === 1")
        .await;
    assert!(browser.text("#report-list li").await.contains("等待答复"));
    browser.click("#signout").await;
    browser.wait_until("location.pathname === '/signin'").await;

    browser.set_window(1440, 1000).await;
    sign_in(&browser, &app, "city", "/reports").await;
    browser
        .wait_until("document.querySelectorAll('#inbox li[data-id]').length === 1")
        .await;
    let shown = browser.text("#inbox li[data-id]").await;
    assert!(
        shown.contains("物资短缺") && shown.contains("特急"),
        "{shown}"
    );
    browser.click("#inbox .send").await;
    browser
        .wait_until("document.querySelector('#inbox .field-error').textContent === '请填写答复'")
        .await;
    browser
        .type_into("#inbox .answer", "已从市仓库调拨500人份，1小时内送到")
        .await;
    browser.click("#inbox .send").await;
    browser
        .wait_until("document.querySelectorAll('#inbox li[data-id]').length === 0")
        .await;
    keep(&browser, "reports").await;
    browser.click("#signout").await;
    browser.wait_until("location.pathname === '/signin'").await;

    browser.set_window(390, 844).await;
    sign_in(&browser, &app, "officer", "/lane").await;
    browser
        .wait_until("document.querySelector('#report-list .answer-line') !== null")
        .await;
    // An answer that comes while the lane is open is announced at its top.
    let (_, filed) = app
        .post_as(
            "officer",
            "/api/v1/reports",
            &serde_json::json!({"id": uuid::Uuid::now_v7(), "checkpoint": "CP-130100-0001",
                "category": "staff", "urgency": "urgent", "text": "夜班只有2人"}),
        )
        .await;
    let id = filed["id"].as_str().unwrap();
    app.post_as(
        "city",
        &format!("/api/v1/reports/{id}/answer"),
        &serde_json::json!({"answer": "已派2名民警21时到岗"}),
    )
    .await;
    browser
        .wait_until("!document.getElementById('answer-banner').hidden && document.getElementById('answer-banner').textContent.includes('已派2名民警21时到岗')")
        .await;
    keep(&browser, "lane-answer-banner").await;
    assert_eq!(
        browser
            .eval("[...document.querySelectorAll('#report-list .answer-line')].some((e) => e.textContent.includes('已从市仓库调拨500人份'))")
            .await,
        true
    );
    browser
        .eval("document.getElementById('reports').scrollIntoView()")
        .await;
    keep(&browser, "lane-report-answered").await;
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lane_reports_a_problem_and_reads_the_answer_on_sqlite() {
    a_lane_reports_a_problem_and_reads_the_answer(crate::sqlite_app().await).await;
}
