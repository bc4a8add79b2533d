//! The lane, the driver's declaration and the dashboard in one officer's and one commander's day.

use super::*;

pub async fn the_lane_the_declaration_and_the_dashboard_in_a_browser(app: TestApp) {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let before = app.count().await;
    // The May 2022 rules, so that decisions have reasons per person and actions.
    let may =
        crate::policy::store_version(&app, cordon_domain::policy::examples::STANDARD_2022_05).await;
    crate::policy::publish(&app, may).await;
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
    // Where from by name, where to by pinyin initials chosen from the suggestions: codes sent.
    browser.type_into("#origin", "石家庄").await;
    browser.type_into("#destination", "dcq").await;
    browser
        .wait_until("[...document.querySelectorAll('#destination-places option')].some((o) => o.value.includes('(110101)'))")
        .await;
    browser
        .eval("(() => { const d = document.getElementById('destination'); d.value = [...document.querySelectorAll('#destination-places option')].find((o) => o.value.includes('(110101)')).value; d.dispatchEvent(new Event('input')); return 0; })()")
        .await;
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
    let (_, verified) = app
        .post_as(
            "officer",
            "/api/v1/declarations/verify",
            &serde_json::json!({"token": token}),
        )
        .await;
    assert_eq!(verified["origin"], "130100", "{verified}");
    assert_eq!(verified["destination"], "110101", "{verified}");
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
    the_lane_the_declaration_and_the_dashboard_in_a_browser(crate::sqlite_app().await).await;
}

/// The lane by the keyboard alone, as a scanner and gloves use it: every key goes to whatever
/// has the focus (`\u{E007}` is WebDriver's Enter); nothing is clicked.
pub async fn the_lane_by_the_keyboard_alone(app: TestApp) {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let before = app.count().await;
    browser.goto(&format!("{}/lang/zh", app.base)).await;
    sign_in(&browser, &app, "officer", "/lane").await;
    browser.set_window(390, 900).await;
    let keys = |text: &'static str| {
        let browser = &browser;
        async move { browser.type_into(":focus", text).await }
    };
    assert_eq!(browser.eval("document.activeElement.id").await, "scan");
    keys("冀A54321\u{E007}").await;
    keys("11010519491231002X 张三\u{E007}").await;
    keys("130102199001011237 李四\u{E007}").await;
    // Everyone's code not yet set to green, then the second person's to red.
    keys("g\u{E007}").await;
    keys("2r\u{E007}").await;
    let codes = browser
        .eval("[...document.querySelectorAll('#occupants .hc .on')].map((b) => b.dataset.code)")
        .await;
    assert_eq!(codes, serde_json::json!(["green", "red"]));
    // Two mistakes in two persons: both said at once, each beside its field, nothing stored.
    browser
        .eval(
            "document.querySelector('#occupants li:nth-child(1) .phone').value = '12345',\
             document.querySelector('#occupants li:nth-child(2) .name').value = '', 0",
        )
        .await;
    keys("\u{E007}").await;
    browser
        .wait_until("document.querySelectorAll('#occupants .field-error:not(:empty)').length === 2")
        .await;
    let said = browser
        .eval("[...document.querySelectorAll('#occupants .field-error:not(:empty)')].map((e) => e.textContent)")
        .await;
    assert_eq!(
        said,
        serde_json::json!(["手机号应为 11 位，以 1 开头", "请填写姓名"]),
        "{said}"
    );
    assert_eq!(app.count().await, before);
    browser
        .eval(
            "document.querySelector('#occupants li:nth-child(1) .phone').value = '',\
             document.querySelector('#occupants li:nth-child(2) .name').value = '李四',\
             document.getElementById('scan').focus(), 0",
        )
        .await;
    keys("\u{E007}").await;
    browser
        .wait_until("!document.getElementById('decision').hidden")
        .await;
    assert_eq!(app.count().await, before + 1);
    let (_, listed) = app
        .get_as("commander", "/api/v1/checkpoints/CP-130100-0001/passages")
        .await;
    let last = listed["passages"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["occupants"][1]["health_code"], "red", "{last}");
    // Enter again: the next vehicle, the scan field ready.
    keys("\u{E007}").await;
    browser
        .wait_until(
            "!document.getElementById('entry').hidden && document.activeElement.id === 'scan'",
        )
        .await;
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lane_by_the_keyboard_alone_on_sqlite() {
    the_lane_by_the_keyboard_alone(crate::sqlite_app().await).await;
}
