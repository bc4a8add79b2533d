//! A freight pass from the command's desk to the lane: a commander issues one (a city's code for
//! a county refused beside its field in Chinese) and gets its page to print with the QR code;
//! an officer on a phone scans the code at the lane, which says the green channel is open and
//! fills the truck's plate; the registration carries the pass. Seen next off its route, the
//! truck raises an alert the city's command reads on its phone.

use super::*;

pub async fn a_pass_is_issued_and_checked_at_the_lane(app: TestApp) {
    let Some(browser) = Browser::start().await else {
        return;
    };
    browser.goto(&format!("{}/lang/zh", app.base)).await;
    browser.set_window(1440, 1000).await;
    sign_in(&browser, &app, "city", "/passes").await;
    browser.type_into("#pass-plate", "鄂A12345").await;
    browser.type_into("#pass-origin", "420100").await;
    browser.type_into("#pass-destination", "130102").await;
    browser
        .type_into("#pass-via", "cp-130100-0001 cp-130100-0003")
        .await;
    browser
        .type_into("#pass-drivers .driver-name", "王五")
        .await;
    browser
        .type_into("#pass-drivers .driver-phone", "13912345678")
        .await;
    browser.click("#pass-save").await;
    browser
        .wait_until("document.querySelector('#pass-form .field-error[data-for=\"origin\"]').textContent.includes('县区')")
        .await;
    browser
        .eval("document.getElementById('pass-origin').value = ''")
        .await;
    browser.type_into("#pass-origin", "420102").await;
    // Planned to arrive when the pass ends.
    browser
        .eval("document.getElementById('pass-arrival').value = document.getElementById('pass-until').value")
        .await;
    browser.click("#pass-save").await;
    browser
        .wait_until("location.pathname === '/passes/130100000001' && document.querySelector('#pass-qr svg') !== null")
        .await;
    let facts = browser.text("#pass-facts").await;
    assert!(
        facts.contains("防疫物资") && facts.contains("计划到达"),
        "{facts}"
    );
    keep(&browser, "pass").await;
    let (_, pass) = app
        .get_as("city", "/api/v1/freight-passes/130100000001")
        .await;
    let code = pass["code"].as_str().unwrap().to_owned();

    // At the lane, on a phone: the code is scanned, the plate comes from the pass.
    browser.click("#signout").await;
    browser.wait_until("location.pathname === '/signin'").await;
    sign_in(&browser, &app, "officer", "/lane").await;
    browser.set_window(390, 900).await;
    scan(&browser, &code).await;
    browser
        .wait_until("document.getElementById('scan-msg').textContent.includes('绿色通道')")
        .await;
    assert_eq!(
        browser.eval("document.getElementById('plate').value").await,
        "A12345"
    );
    keep(&browser, "lane-pass").await;
    scan(&browser, "11010519491231002X 王五").await;
    scan(&browser, "g").await;
    scan(&browser, "").await;
    browser
        .wait_until("!document.getElementById('decision').hidden")
        .await;
    let (_, hour) = app
        .get_as(
            "officer",
            "/api/v1/checkpoints/CP-130100-0001/passages?limit=5",
        )
        .await;
    assert!(hour.to_string().contains("\"freight_pass\":true"), "{hour}");

    // The truck is next seen at a checkpoint its route does not name: the city's command finds
    // the alert on its phone, with where it left the route and the checkpoint ahead.
    let mut off = crate::example();
    off["id"] = serde_json::json!(uuid::Uuid::now_v7());
    off["checkpoint"] = serde_json::json!("CP-130100-0002");
    off["observed_at"] = serde_json::json!(chrono::Utc::now()
        .with_timezone(&cordon_domain::time::china())
        .to_rfc3339());
    off["vehicle"] = serde_json::json!({"plate": "鄂A12345", "plate_color": "yellow", "class": "truck", "freight_pass_code": code});
    let (s, r) = app.post_as("officer", "/api/v1/passages", &off).await;
    assert_eq!(s, reqwest::StatusCode::CREATED, "{r}");
    browser.click("#signout").await;
    browser.wait_until("location.pathname === '/signin'").await;
    sign_in(&browser, &app, "city", "/lots").await;
    browser.set_window(390, 900).await;
    // The watch sweeps within a second or two; the page reads the alerts as it opens.
    for _ in 0..50 {
        if browser.text("#alerts").await.contains("偏离通行证路线") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        browser.goto(&format!("{}/lots", app.base)).await;
    }
    let alerts = browser.text("#alerts").await;
    assert!(
        alerts.contains("偏离通行证路线")
            && alerts.contains("CP-130100-0002")
            && alerts.contains("前方卡口: CP-130100-0003")
            && alerts.contains("130100000001"),
        "{alerts}"
    );
    keep(&browser, "route-alert").await;
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pass_is_issued_and_checked_at_the_lane_on_sqlite() {
    a_pass_is_issued_and_checked_at_the_lane(crate::sqlite_app().await).await;
}
