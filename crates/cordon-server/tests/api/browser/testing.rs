//! A sampler on a 390 px phone gives a person a queue number and fills a 10-in-1 tube by
//! scanning: the barcode, that person by their number, then nine ID numbers (one with its name
//! on the same line, as some scanners send it), the count growing
//! to "10 / 10"; an eleventh is not offered, a person scanned twice is said so, a wrong check
//! digit is refused beside the field in Chinese; the tube is sealed and the next one scanned.
//! The commander's campaign page shows the site's tubes and persons, takes the roster from a
//! file and a follow-up list, and says who of it has not been sampled.

use super::*;
use crate::testing::{campaign_with_site, resident};

pub async fn a_sampler_fills_a_ten_in_one_tube_on_a_phone(app: TestApp) {
    let Some(browser) = Browser::start().await else {
        return;
    };
    campaign_with_site(&app, 10).await;
    browser.goto(&format!("{}/lang/zh", app.base)).await;
    browser.set_window(390, 844).await;
    sign_in(&browser, &app, "sampler", "/sampling").await;
    browser
        .wait_until("document.querySelectorAll('#site option').length === 1")
        .await;
    // Person 1 registers on the spot and gets number 1, shown large.
    browser.type_into("#q-number", &resident(1)).await;
    browser.type_into("#q-name", &format!("张三{ENTER}")).await;
    browser
        .wait_until("document.getElementById('queue-number').textContent === '1 号'")
        .await;
    browser
        .type_into("#barcode", &format!("hb2022050300017{ENTER}"))
        .await;
    browser
        .wait_until("!document.getElementById('fill-card').hidden")
        .await;
    assert_eq!(browser.text("#count").await, "0 / 10");
    browser
        .wait_until("document.getElementById('gaps').textContent.includes('无缺号')")
        .await;
    // A wrong check digit, refused beside the number.
    browser.type_into("#doc-number", "130102199001011238").await;
    browser
        .type_into("#person-name", &format!("李四{ENTER}"))
        .await;
    browser
        .wait_until("document.querySelector('#person-form .field-error[data-for=document]').textContent !== ''")
        .await;
    let said = browser
        .text("#person-form .field-error[data-for=document]")
        .await;
    assert!(said.contains("校验位"), "{said}");
    browser
        .eval("document.getElementById('doc-number').value = '', 0")
        .await;
    browser
        .eval("document.getElementById('person-name').value = '', 0")
        .await;
    for seed in 1..=10u32 {
        if seed == 1 {
            // By the queue number.
            browser.type_into("#by-number", &format!("1{ENTER}")).await;
        } else if seed == 2 {
            // Number and name on one line, as a scanner may send them.
            browser
                .type_into("#doc-number", &format!("{} 张三{ENTER}", resident(seed)))
                .await;
        } else {
            browser
                .type_into("#doc-number", &format!("{}{ENTER}", resident(seed)))
                .await;
            browser
                .type_into("#person-name", &format!("张三{ENTER}"))
                .await;
        }
        browser
            .wait_until(&format!(
                "document.getElementById('count').textContent === '{seed} / 10'"
            ))
            .await;
        if seed == 5 {
            keep(&browser, "sampling").await;
        }
    }
    // Full: no more persons offered; sealed, and the next tube is scanned.
    assert!(browser
        .eval("document.getElementById('person-form').hidden")
        .await
        .as_bool()
        .unwrap());
    browser.click("#seal-form button[type=submit]").await;
    browser
        .wait_until("document.getElementById('person-msg').textContent.includes('已封管：10 人')")
        .await;
    keep(&browser, "sampling-sealed").await;
    let (_, tube) = app
        .get_as("city", "/api/v1/testing/tubes/HB2022050300017")
        .await;
    assert_eq!(
        (
            tube["state"].as_str(),
            tube["members"].as_array().unwrap().len()
        ),
        (Some("sealed"), 10),
        "{tube}"
    );
    // The commander's page counts the site's tube and persons.
    browser.click("#signout").await;
    browser.wait_until("location.pathname === '/signin'").await;
    browser.set_window(1440, 1000).await;
    sign_in(&browser, &app, "city", "/testing").await;
    browser
        .wait_until("document.querySelectorAll('#campaigns tbody tr').length === 1")
        .await;
    let row = browser.text("#campaigns tbody tr").await;
    assert!(row.contains("裕华路 1 号点") && row.contains("10"), "{row}");
    // The roster from a real file: the ten sampled and one more, in one building.
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("roster-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("裕华小区名单.csv");
    let mut csv = String::from("姓名,身份证号,小区,楼栋\n");
    for seed in 1..=11u32 {
        csv.push_str(&format!("张三,{},裕华小区,3号楼\n", resident(seed)));
    }
    std::fs::write(&file, csv).unwrap();
    browser
        .type_into(".roster-form input[type=file]", file.to_str().unwrap())
        .await;
    browser.click(".roster-form button[type=submit]").await;
    browser
        .wait_until("document.querySelector('p.progress').textContent.includes('未采 1 人')")
        .await;
    let said = browser.text("p.progress").await;
    assert!(said.contains("应采 11 人，已采 10 人"), "{said}");
    browser.click("table.buildings a").await;
    browser
        .wait_until("document.querySelectorAll('.missing li').length === 1")
        .await;
    keep(&browser, "testing").await;
    // A follow-up list's persons expected too: the one with a document taken, the other not.
    let list = uuid::Uuid::now_v7();
    let pushed = serde_json::json!({"id": list, "label": "区内密接", "rows": [
        {"row": 1, "name": "李四", "document": {"type": "resident_id", "number": resident(12)}, "address": "裕华小区 5号楼"},
        {"row": 2, "name": "王五", "phone": "13912345678"}]});
    let (s, made) = app.post_as("city", "/api/v1/followup/lists", &pushed).await;
    assert_eq!(s, reqwest::StatusCode::CREATED, "{made}");
    browser.goto(&format!("{}/testing", app.base)).await;
    browser
        .wait_until(&format!(
            "!!document.querySelector(\".from-list option[value='{list}']\")"
        ))
        .await;
    browser
        .eval(&format!(
            "document.querySelector('.from-list select').value = '{list}', 0"
        ))
        .await;
    browser.click(".from-list button").await;
    browser
        .wait_until("document.querySelector('.from-list .msg').textContent.includes('已导入 1 人')")
        .await;
    let said = browser.text(".from-list .msg").await;
    assert!(said.contains("无证件号码未导入 1 人"), "{said}");
    browser
        .wait_until("document.querySelector('p.progress').textContent.includes('应采 12 人')")
        .await;
    keep(&browser, "testing-from-list").await;
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sampler_fills_a_ten_in_one_tube_on_a_phone_on_sqlite() {
    a_sampler_fills_a_ten_in_one_tube_on_a_phone(crate::sqlite_app().await).await;
}
