//! The web UI in a real browser (headless Chromium through chromedriver), against a real server:
//! an officer registers a three-occupant vehicle from the lane page with scans and sees the
//! decision; a driver pre-declares and the officer registers the vehicle with a scan and a
//! confirm; a tampered code is refused; the commander's dashboard counts the new vehicles.
//! The phone pages are driven at 390 pixels wide. Screenshots go to the test's target directory, and to `docs/screenshots/` when
//! `CORDON_SCREENSHOTS=docs`.

use super::{TestApp, PASSWORD};
use cordon_webdriver::{Browser, ENTER};

async fn keep(browser: &Browser, name: &str) {
    let png = browser.screenshot().await;
    assert!(png.starts_with(b"\x89PNG"), "{name} is a PNG");
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("{name}.png")), &png).unwrap();
    if std::env::var("CORDON_SCREENSHOTS").as_deref() == Ok("docs") {
        let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/screenshots");
        std::fs::create_dir_all(&docs).unwrap();
        std::fs::write(docs.join(format!("{name}.png")), &png).unwrap();
    }
}

async fn sign_in(browser: &Browser, app: &TestApp, user: &str, next: &str) {
    sign_in_with(browser, app, user, PASSWORD, next).await;
}

async fn sign_in_with(browser: &Browser, app: &TestApp, user: &str, password: &str, next: &str) {
    browser
        .goto(&format!("{}/signin?next={next}", app.base))
        .await;
    keep(browser, "signin").await;
    browser.type_into("#username", user).await;
    browser.type_into("#password", password).await;
    browser.type_into("#password", ENTER).await;
    browser
        .wait_until(&format!("location.pathname === '{next}'"))
        .await;
    assert_eq!(browser.current_url().await, format!("{}{next}", app.base));
}

/// Scans one line into the lane's scan field, as a scanner does (text, then Enter).
async fn scan(browser: &Browser, line: &str) {
    browser.type_into("#scan", &format!("{line}{ENTER}")).await;
}

pub async fn the_lane_the_declaration_and_the_dashboard_in_a_browser(app: TestApp) {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let before = app.count().await;
    // The May 2022 rules, so that decisions have reasons per person and actions.
    let may =
        super::policy::store_version(&app, cordon_domain::policy::examples::STANDARD_2022_05).await;
    super::policy::publish(&app, may).await;
    // Chinese, whatever the browser's language: the default the lanes see.
    browser.goto(&format!("{}/lang/zh", app.base)).await;

    // An undeclared vehicle with three occupants: the plate, three ID scans, a confirm.
    sign_in(&browser, &app, "officer", "/lane").await;
    browser.set_window(390, 900).await;
    assert!(
        browser
            .eval("document.getElementById('closed-banner').hidden")
            .await
            .as_bool()
            .unwrap(),
        "an open checkpoint has no closed banner"
    );
    // Digits that are no identity number, and a code typed in lower case, are not plates.
    scan(&browser, "1301021990010112").await;
    let said = browser.text("#scan-msg").await;
    assert!(said.contains("证件号码位数不对"), "{said}");
    scan(&browser, "cd1.abc").await;
    browser
        .wait_until("document.getElementById('scan-msg').textContent.includes('申报码')")
        .await;
    scan(&browser, "冀A12345").await;
    scan(&browser, "11010519491231002X 张三").await;
    // A number scanned without its name: the name is typed, and Enter goes back to the scan field.
    scan(&browser, "130102199001011237").await;
    browser
        .type_into("#occupants li:nth-child(2) .name", &format!("李四{ENTER}"))
        .await;
    assert_eq!(browser.eval("document.activeElement.id").await, "scan");
    scan(&browser, "130102198506151230,王五").await;
    browser
        .wait_until("document.querySelectorAll('#occupants li').length === 3")
        .await;
    // Nobody's health code is preset: registering without looking is refused beside each person.
    scan(&browser, "").await;
    browser
        .wait_until("document.querySelectorAll('#occupants .hc-error:not(:empty)').length === 3")
        .await;
    assert!(browser
        .eval("document.getElementById('decision').hidden")
        .await
        .as_bool()
        .unwrap());
    assert_eq!(app.count().await, before);
    keep(&browser, "lane-codes-unset").await;
    browser
        .eval("document.querySelectorAll('#occupants li .hc .g').forEach((b) => b.click()), 0")
        .await;
    browser.click("#scan").await;
    browser
        .wait_until(&format!(
            "document.getElementById('link').textContent.includes('策略版本 {may}')"
        ))
        .await;
    keep(&browser, "lane-entry").await;
    scan(&browser, "").await;
    browser
        .wait_until("!document.getElementById('decision').hidden")
        .await;
    let outcome = browser.text("#outcome").await;
    assert!(!outcome.is_empty(), "the decision is shown");
    let reasons = browser.text("#reasons").await;
    for name in ["张三", "李四", "王五"] {
        assert!(reasons.contains(name), "each person's reasons: {reasons}");
    }
    let (_, listed) = app
        .get_as("commander", "/api/v1/checkpoints/CP-130100-0001/passages")
        .await;
    let decision = &listed["passages"][0]["decision"];
    assert_eq!(
        browser
            .eval("document.getElementById('decision').className")
            .await,
        format!("decision o-{}", decision["outcome"].as_str().unwrap()),
        "the decision in its colour"
    );
    // What to do, in words: as many as the decision lists (none for a return).
    let actions = decision["actions"].as_array().unwrap().len() as i64;
    let shown = browser
        .eval("(document.getElementById('actions').textContent.split(': ')[1] || '').split('、').filter((x) => x).length")
        .await;
    assert_eq!(shown, actions, "{decision}");
    assert_eq!(outcome, "劝返", "{decision}");
    assert_eq!(
        browser.text("#decided-plate").await,
        "冀A12345",
        "the plate with the decision"
    );
    // The decision is in view, whatever the officer had scrolled to.
    let top = browser
        .eval("document.getElementById('decision').getBoundingClientRect().top")
        .await
        .as_f64()
        .unwrap();
    assert!(
        (0.0..200.0).contains(&top),
        "the decision at the top of the screen: {top}"
    );
    keep(&browser, "lane-decision").await;
    assert_eq!(app.count().await, before + 1);

    // A closed checkpoint says so on the lane before anything is scanned.
    let (s, b) = app
        .post_as(
            "commander",
            "/api/v1/checkpoints/status",
            &serde_json::json!({"codes": ["CP-130100-0003"], "status": "closed", "reason": "政策调整"}),
        )
        .await;
    assert_eq!(s, reqwest::StatusCode::OK, "{b}");
    browser.click("#next").await;
    browser
        .eval("(() => { const s = document.getElementById('checkpoint'); s.value = 'CP-130100-0003'; s.dispatchEvent(new Event('change')); return 0; })()")
        .await;
    browser
        .wait_until("!document.getElementById('closed-banner').hidden")
        .await;
    keep(&browser, "lane-closed").await;
    browser
        .eval("(() => { const s = document.getElementById('checkpoint'); s.value = 'CP-130100-0001'; s.dispatchEvent(new Event('change')); return 0; })()")
        .await;
    browser
        .wait_until("document.getElementById('closed-banner').hidden")
        .await;

    // A driver declares (no account), gets a code.
    browser.set_window(390, 1200).await;
    browser.goto(&format!("{}/declare", app.base)).await;
    browser.type_into("#plate", "B54321").await;
    browser
        .type_into("#occupants li .doc-number", "11010519491231002X")
        .await;
    browser.type_into("#occupants li .name", "张三").await;
    browser
        .type_into("#occupants li .phone", "13812345678")
        .await;
    // The driver must set their health code: it is not preset.
    browser.click("#submit").await;
    browser
        .wait_until("document.querySelector('#occupants .hc-error').textContent !== ''")
        .await;
    browser.click("#occupants li .hc .g").await;
    browser.click("#submit").await;
    browser
        .wait_until("!document.getElementById('issued').hidden")
        .await;
    let token = browser
        .eval("document.getElementById('token').value")
        .await
        .as_str()
        .unwrap()
        .to_owned();
    assert!(token.starts_with("CD1."), "{token}");
    let declaration_id = browser.text("#declaration-id").await;
    assert!(
        browser
            .eval("document.querySelector('#qr svg') !== null")
            .await
            .as_bool()
            .unwrap(),
        "the QR code is drawn"
    );
    keep(&browser, "declare").await;

    // At the lane: a tampered code is refused with a message, and nothing is registered.
    browser.set_window(390, 900).await;
    browser.goto(&format!("{}/lane", app.base)).await;
    let cut = token.len() - 10;
    let flipped = if &token[cut..cut + 1] == "A" {
        "B"
    } else {
        "A"
    };
    let tampered = format!("{}{flipped}{}", &token[..cut], &token[cut + 1..]);
    scan(&browser, &tampered).await;
    browser
        .wait_until("document.getElementById('scan-msg').classList.contains('bad')")
        .await;
    let refused = browser.text("#scan-msg").await;
    assert!(refused.contains("申报码无效"), "{refused}");
    assert_eq!(
        browser
            .eval("document.querySelectorAll('#occupants li').length")
            .await,
        0
    );

    // The genuine code: scan, confirm.
    scan(&browser, &token).await;
    browser
        .wait_until("document.querySelectorAll('#occupants li').length === 1")
        .await;
    assert_eq!(
        browser.eval("document.getElementById('plate').value").await,
        "B54321"
    );
    keep(&browser, "lane-declared").await;
    scan(&browser, "").await;
    browser
        .wait_until("!document.getElementById('decision').hidden")
        .await;
    assert_eq!(app.count().await, before + 2);

    // The commander's dashboard counts both.
    browser.set_window(1280, 1000).await;
    sign_in(&browser, &app, "commander", "/dashboard").await;
    let shown: i64 = browser.text("#n-passages").await.parse().unwrap();
    assert_eq!(shown, before + 2);
    assert!(
        browser
            .eval("document.querySelectorAll('svg.map circle').length")
            .await
            .as_i64()
            .unwrap()
            >= 3,
        "every checkpoint is on the map"
    );
    keep(&browser, "dashboard").await;

    // The commander revokes the declaration from the dashboard: the lanes refuse it from then on.
    browser.type_into("#revoke-id", &declaration_id).await;
    browser.type_into("#revoke-reason", "车辆信息有误").await;
    browser.click("#revoke button").await;
    browser
        .wait_until("document.getElementById('revoke-msg').classList.contains('ok')")
        .await;
    let (s, e) = app
        .post_as(
            "officer",
            "/api/v1/declarations/verify",
            &serde_json::json!({"token": token}),
        )
        .await;
    assert_eq!(s, reqwest::StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["error"]["code"], "declaration_revoked");
    browser
        .goto(&format!("{}/checkpoints/CP-130100-0001", app.base))
        .await;
    browser
        .wait_until("document.querySelectorAll('#passages tr').length === 2")
        .await;
    keep(&browser, "checkpoint").await;
    browser.quit().await;
}

/// The browser drives the UI, which does not depend on the backend: SQLite only.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lane_the_declaration_and_the_dashboard_in_a_browser_on_sqlite() {
    the_lane_the_declaration_and_the_dashboard_in_a_browser(super::sqlite_app().await).await;
}

/// Registers a vehicle at CP-130100-0001 `minutes` ago with these occupants (number, name).
async fn register(app: &TestApp, plate: &str, minutes: i64, people: &[(&str, &str)]) {
    let mut p = super::example();
    p["id"] = serde_json::json!(uuid::Uuid::now_v7());
    p["vehicle"]["plate"] = serde_json::json!(plate);
    let when = chrono::Utc::now().with_timezone(&cordon_domain::time::china())
        - chrono::Duration::minutes(minutes);
    p["observed_at"] = serde_json::json!(when.to_rfc3339());
    let template = p["occupants"][0].clone();
    p["occupants"] = people
        .iter()
        .enumerate()
        .map(|(i, (number, name))| {
            let mut o = template.clone();
            o["document"]["number"] = serde_json::json!(number);
            o["name"] = serde_json::json!(name);
            o["role"] = serde_json::json!(if i == 0 { "driver" } else { "passenger" });
            o
        })
        .collect();
    let (s, b) = app.post_as("officer", "/api/v1/passages", &p).await;
    assert_eq!(s, reqwest::StatusCode::CREATED, "{b}");
}

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
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tracer_traces_a_case_reveals_a_contact_and_exports_on_sqlite() {
    a_tracer_traces_a_case_reveals_a_contact_and_exports(super::sqlite_app().await).await;
}

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
    a_status_change_is_requested_and_approved_by_a_second_commander(super::sqlite_app().await)
        .await;
}

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
    an_admin_creates_an_officer_who_signs_in_and_changes_their_password(super::sqlite_app().await)
        .await;
}

pub async fn an_auditor_finds_a_publication_and_a_reveal_and_verifies_the_chain(app: TestApp) {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let may =
        super::policy::store_version(&app, cordon_domain::policy::examples::STANDARD_2022_05).await;
    super::policy::publish(&app, may).await;
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
    an_auditor_finds_a_publication_and_a_reveal_and_verifies_the_chain(super::sqlite_app().await)
        .await;
}

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
    let may = super::policy::store_version(&app, standard).await;
    super::policy::publish(&app, may).await;
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
    let mut p = super::example();
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
    a_province_commander_mends_a_draft_dry_runs_and_publishes_it(super::sqlite_app().await).await;
}

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
    a_commander_imports_adds_and_ends_risk_areas(super::sqlite_app().await).await;
}

pub async fn a_commander_closes_checkpoints_after_a_confirmation_and_sees_their_history(
    app: TestApp,
) {
    let Some(browser) = Browser::start().await else {
        return;
    };
    browser.goto(&format!("{}/lang/zh", app.base)).await;
    browser.set_window(1440, 1000).await;
    sign_in(&browser, &app, "commander", "/network").await;
    browser
        .wait_until("document.querySelectorAll('#checkpoints tbody tr').length >= 3")
        .await;
    // Kinds and lines in words, not codes.
    let table = browser.text("#checkpoints").await;
    assert!(
        !table.contains("toll_station") && !table.contains("capital_ring"),
        "{table}"
    );
    // The confirmation says how many will change; declining changes nothing.
    browser
        .eval("(window.asked = [], window.confirm = (m) => { window.asked.push(m); return window.answer; }, 0)")
        .await;
    browser.eval("(window.answer = false, 0)").await;
    browser
        .click("#checkpoints tr[data-code='CP-130100-0001'] .pick")
        .await;
    browser
        .click("#checkpoints tr[data-code='CP-130100-0002'] .pick")
        .await;
    browser.type_into("#bulk-reason", "疫情形势变化").await;
    browser.click("#bulk button[data-status='closed']").await;
    let asked = browser.eval("window.asked[0]").await;
    assert!(asked.as_str().unwrap().contains("关闭 2 个卡口"), "{asked}");
    let (_, cp) = app
        .get_as("commander", "/api/v1/checkpoints/CP-130100-0001")
        .await;
    assert_eq!(cp["status"], "open", "declined: nothing changed");
    browser.eval("(window.answer = true, 0)").await;
    browser.click("#bulk button[data-status='closed']").await;
    browser
        .wait_until("document.getElementById('bulk-msg').classList.contains('ok')")
        .await;
    let (_, cp) = app
        .get_as("commander", "/api/v1/checkpoints/CP-130100-0001")
        .await;
    assert_eq!(cp["status"], "closed");
    keep(&browser, "network").await;
    // The checkpoint's page: who closed it, when and why; opened again from there.
    browser
        .goto(&format!("{}/checkpoints/CP-130100-0001", app.base))
        .await;
    browser
        .wait_until("document.getElementById('history').textContent.includes('疫情形势变化')")
        .await;
    let history = browser.text("#history").await;
    assert!(
        history.contains("疫情形势变化") && history.contains("commander"),
        "{history}"
    );
    browser.eval("(window.confirm = () => true, 0)").await;
    browser.type_into("#cp-reason", "恢复通行").await;
    browser.click("#cp-toggle").await;
    browser
        .wait_until("document.getElementById('cp-msg').classList.contains('ok')")
        .await;
    let (_, cp) = app
        .get_as("commander", "/api/v1/checkpoints/CP-130100-0001")
        .await;
    assert_eq!(cp["status"], "open");
    browser
        .wait_until("document.getElementById('history').textContent.includes('恢复通行')")
        .await;
    keep(&browser, "checkpoint-history").await;
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_commander_closes_checkpoints_after_a_confirmation_and_sees_their_history_on_sqlite() {
    a_commander_closes_checkpoints_after_a_confirmation_and_sees_their_history(
        super::sqlite_app().await,
    )
    .await;
}

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
    a_commander_issues_a_station_credential_once_and_revokes_it(super::sqlite_app().await).await;
}

/// Every field of every page has a label a screen reader reads (a `<label>` around it or for
/// it, or `aria-label`), on each page as its users see it, after its script has drawn it.
pub async fn every_field_of_every_page_is_labelled(app: TestApp) {
    let Some(browser) = Browser::start().await else {
        return;
    };
    super::policy::store_version(&app, cordon_domain::policy::examples::STANDARD_2022_05).await;
    register(&app, "冀A12345", 30, &[("11010519491231002X", "张三")]).await;
    browser.goto(&format!("{}/lang/zh", app.base)).await;
    browser.set_window(1440, 1000).await;
    let account = |role: cordon_domain::access::Role| match role {
        cordon_domain::access::Role::Officer => "officer",
        cordon_domain::access::Role::Commander => "commander",
        cordon_domain::access::Role::Tracer => "tracer",
        cordon_domain::access::Role::Auditor => "auditor",
        _ => "admin",
    };
    let mut signed_in = None;
    let mut pages: Vec<(String, Option<cordon_domain::access::Role>)> =
        cordon_server::ui::site::PAGES
            .iter()
            .flat_map(|p| p.nav.iter())
            .map(|i| (i.href.to_owned(), i.roles.first().copied()))
            .collect();
    pages.push((
        "/checkpoints/CP-130100-0001".into(),
        Some(cordon_domain::access::Role::Commander),
    ));
    for (href, role) in pages {
        if let Some(role) = role {
            if signed_in != Some(role) {
                if signed_in.is_some() {
                    browser.click("#signout").await;
                    browser.wait_until("location.pathname === '/signin'").await;
                }
                sign_in(&browser, &app, account(role), &href).await;
                signed_in = Some(role);
            } else {
                browser.goto(&format!("{}{href}", app.base)).await;
            }
        } else {
            browser.goto(&format!("{}{href}", app.base)).await;
        }
        browser
            .wait_until("document.readyState === 'complete' && performance.getEntriesByType('resource').every((r) => r.responseEnd > 0)")
            .await;
        let unlabelled = browser
            .eval("[...document.querySelectorAll('input:not([type=hidden]),select,textarea')].filter((e) => !(e.getAttribute('aria-label') || (e.labels && e.labels.length))).map((e) => e.id || e.className || e.outerHTML.slice(0, 80))")
            .await;
        assert_eq!(
            unlabelled,
            serde_json::json!([]),
            "{href}: fields without a label"
        );
    }
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_field_of_every_page_is_labelled_on_sqlite() {
    every_field_of_every_page_is_labelled(super::sqlite_app().await).await;
}

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
    a_passage_is_opened_from_its_checkpoint_and_revealed_for_a_purpose(super::sqlite_app().await)
        .await;
}
