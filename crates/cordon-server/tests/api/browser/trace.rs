//! A tracer traces a case, reveals a contact, exports the list and makes it a follow-up list.

use super::*;

pub async fn a_tracer_traces_a_case_reveals_a_contact_and_exports(app: TestApp) {
    let Some(browser) = Browser::start().await else {
        return;
    };
    // The case rode with one person; another vehicle crossed the same checkpoint 10 minutes
    // later; a third, hours later, is no contact.
    register(
        &app,
        "冀A12345",
        70,
        &[
            ("11010519491231002X", "张三"),
            ("130102199001011237", "李四"),
        ],
    )
    .await;
    register(&app, "冀A54321", 60, &[("130102198506151230", "王五")]).await;
    register(&app, "冀A67890", 400, &[("130102198506151249", "赵六")]).await;
    browser.goto(&format!("{}/lang/zh", app.base)).await;
    browser.set_window(1440, 1100).await;
    sign_in(&browser, &app, "tracer", "/trace").await;
    // The bar shows what a tracer may do: the trace page, not the lane or the dashboard.
    let nav = browser.text(".bar nav").await;
    assert!(
        nav.contains("流调追踪") && !nav.contains("通道登记") && !nav.contains("指挥看板"),
        "{nav}"
    );

    // A wrong check character is refused beside the field, before anything is sent.
    browser.type_into("#doc-number", "110105194912310021").await;
    browser.click("#run").await;
    let refused = browser
        .text(".field-error[data-for='subject.document']")
        .await;
    assert!(!refused.is_empty(), "the refusal is beside the number");
    browser
        .eval("document.getElementById('doc-number').value = ''")
        .await;
    browser.type_into("#doc-number", "11010519491231002X").await;
    browser.type_into("#purpose", "病例 2022-0317").await;
    browser.click("#run").await;
    browser
        .wait_until("document.querySelectorAll('#contacts tbody tr:not(.evidence)').length === 2")
        .await;
    assert_eq!(
        browser
            .text(".field-error[data-for='subject.document']")
            .await,
        ""
    );
    let table = browser.text("#contacts").await;
    assert!(
        table.contains("李*") && table.contains("王*"),
        "masked contacts: {table}"
    );
    assert!(
        !table.contains("130102199001011237"),
        "nothing in clear: {table}"
    );
    assert!(!table.contains("赵"), "no contact hours away: {table}");
    assert_eq!(
        browser
            .eval("document.querySelectorAll('#graph circle').length")
            .await,
        3,
        "the case and two contacts in the graph"
    );
    browser
        .wait_until("document.querySelectorAll('#map circle.r-case').length === 1")
        .await;
    keep(&browser, "trace").await;

    // Reveal the first contact (the one who rode along) for the stated purpose: audited.
    browser
        .click("#contacts tbody tr:first-child button:nth-of-type(2)")
        .await;
    browser
        .wait_until("document.querySelector('.revealed') !== null")
        .await;
    let revealed = browser.text(".revealed").await;
    assert!(revealed.contains("130102199001011237 "), "{revealed}");
    assert!(
        !revealed.contains("11010519491231002X"),
        "only the contact: {revealed}"
    );
    let (_, trail) = app.get_as("auditor", "/api/v1/audit?action=reveal").await;
    let entry = &trail["entries"][0];
    assert_eq!(entry["actor"], "tracer", "{trail}");
    assert_eq!(entry["purpose"], "病例 2022-0317", "{trail}");

    // Both exports leave.
    browser.click("#export-csv").await;
    browser
        .wait_until("document.getElementById('export-msg').textContent.includes('contacts.csv')")
        .await;
    browser.click("#export-xlsx").await;
    browser
        .wait_until("document.getElementById('export-msg').textContent.includes('contacts.xlsx')")
        .await;

    // The case's trajectory as a table.
    browser.click("#trajectory").await;
    browser
        .wait_until("document.querySelectorAll('#points tbody tr').length === 1")
        .await;
    assert!(browser.text("#points").await.contains("冀A12345"));

    // The contacts become a follow-up list; pressed twice, it is one list, which opens with
    // both persons on it.
    browser.click("#make-list").await;
    browser
        .wait_until("!document.getElementById('open-list').hidden")
        .await;
    browser.click("#make-list").await;
    browser
        .wait_until("document.getElementById('export-msg').textContent.includes('2 人')")
        .await;
    let (_, lists) = app.get_as("tracer", "/api/v1/followup/lists").await;
    assert_eq!(lists["lists"].as_array().unwrap().len(), 1, "{lists}");
    browser.click("#open-list").await;
    browser
        .wait_until("location.pathname === '/followup' && document.querySelectorAll('#persons tbody tr').length === 2")
        .await;
    let persons = browser.text("#persons").await;
    assert!(
        persons.contains("李*") && persons.contains("王*"),
        "{persons}"
    );
    assert!(browser.text("#lists").await.contains("流调生成"));
    keep(&browser, "followup-from-trace").await;
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tracer_traces_a_case_reveals_a_contact_and_exports_on_sqlite() {
    a_tracer_traces_a_case_reveals_a_contact_and_exports(crate::sqlite_app().await).await;
}
