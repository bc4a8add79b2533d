//! Custody and the lab: a sampler on a phone packs two sealed 10-in-1 tubes in a box and hands
//! it to a driver; at its desk a lab account receives the box with one scan, makes a
//! run, scans both onto the plate (A1, B1), records inactivation, sorting and amplification,
//! imports a result file with a bad row (refused, its line named, in Chinese) and then the good
//! one (one well positive, the plate shows it), and is refused when it tries to release its own
//! run; a second lab account releases it, and the city's commander finds the ten persons of the
//! positive pool on a recall list, and the campaign's board with the tubes resulted and the
//! persons recalled. The lab's page also fits a 390 px phone.

use super::*;
use crate::lab::{lab_and_assay, sealed_tube};
use crate::testing::campaign_with_site;

fn results_file(name: &str, text: &str) -> String {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("results-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(name);
    std::fs::write(&file, text).unwrap();
    file.to_str().unwrap().to_owned()
}

pub async fn a_lab_reads_a_plate_and_a_second_person_releases_it(app: TestApp) {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let site = campaign_with_site(&app, 10).await;
    sealed_tube(&app, site, "HB0000000001", 1..=10).await;
    sealed_tube(&app, site, "HB0000000002", 11..=20).await;
    lab_and_assay(&app).await;
    browser.goto(&format!("{}/lang/zh", app.base)).await;
    // At the site, on a phone: the two sealed tubes packed in a box and handed to the driver.
    browser.set_window(390, 844).await;
    sign_in(&browser, &app, "sampler", "/sampling").await;
    browser
        .wait_until("document.querySelectorAll('#site option').length === 1")
        .await;
    browser
        .type_into("#box-code-in", &format!("box0001{ENTER}"))
        .await;
    browser
        .wait_until("!document.getElementById('box-fill').hidden")
        .await;
    for b in ["HB0000000001", "HB0000000002"] {
        browser
            .type_into("#pack-tube", &format!("{b}{ENTER}"))
            .await;
        browser
            .wait_until(&format!(
                "document.getElementById('box-msg').textContent.includes('{b} 已装箱')"
            ))
            .await;
    }
    browser
        .type_into("#hand-to", &format!("李师傅 冀A12345{ENTER}"))
        .await;
    browser
        .wait_until("document.getElementById('box-msg').textContent.includes('已交给 李师傅 冀A12345：2 管')")
        .await;
    keep(&browser, "sampling-box").await;
    browser.click("#signout").await;
    browser.wait_until("location.pathname === '/signin'").await;
    browser.set_window(1440, 1000).await;
    sign_in(&browser, &app, "lab", "/lab").await;
    browser
        .wait_until("document.querySelectorAll('#lab option').length === 1 && document.querySelectorAll('#run-assay option').length === 1")
        .await;
    // One scan of the box receives both tubes.
    browser
        .type_into("#receive-code", &format!("BOX0001{ENTER}"))
        .await;
    browser
        .wait_until("document.getElementById('receive-msg').textContent.includes('已接收箱 BOX0001：2 管 20 人')")
        .await;
    browser.click("#run-form button[type=submit]").await;
    browser
        .wait_until("!document.getElementById('run-card').hidden")
        .await;
    for b in ["HB0000000001", "HB0000000002"] {
        browser
            .type_into("#place-code", &format!("{b}{ENTER}"))
            .await;
        browser
            .wait_until(&format!(
                "document.getElementById('place-msg').textContent.includes('{b} 放入')"
            ))
            .await;
    }
    assert_eq!(
        browser
            .eval("document.querySelectorAll('#plate td.tube').length")
            .await
            .as_i64(),
        Some(2)
    );
    for done in 2..=4 {
        browser.click("#next-step").await;
        browser
            .wait_until(&format!(
                "document.querySelectorAll('#steps li.done').length === {done}"
            ))
            .await;
    }
    // A bad file: refused, its line named, nothing read.
    let bad = results_file("bad.csv", "Well,ORF1ab,N\nA1,30.2,abc\n");
    browser.type_into("#results-file", &bad).await;
    browser.click("#results-form button[type=submit]").await;
    browser
        .wait_until("document.getElementById('results-problems').textContent.includes('第 2 行')")
        .await;
    let said = browser.text("#results-problems").await;
    assert!(said.contains("不是有效的 Ct 值"), "{said}");
    let good = results_file(
        "7500-run.csv",
        "Well,ORF1ab,N\nA1,30.2,31.5\nB1,Undetermined,Undetermined\nH11,,\nH12,28.1,27.9\n",
    );
    browser
        .eval("document.getElementById('results-file').value = '', 0")
        .await;
    browser.type_into("#results-file", &good).await;
    browser.click("#results-form button[type=submit]").await;
    browser
        .wait_until("document.getElementById('run-msg').textContent.includes('1 孔阳性')")
        .await;
    assert_eq!(
        browser
            .eval("document.querySelectorAll('#plate td.tube.positive').length")
            .await
            .as_i64(),
        Some(1)
    );
    keep(&browser, "lab-plate").await;
    // Not by the one who ran it.
    browser.click("#release").await;
    browser
        .wait_until("document.getElementById('run-msg').textContent.includes('另一人')")
        .await;
    browser.click("#signout").await;
    browser.wait_until("location.pathname === '/signin'").await;
    // The second person, on a phone.
    browser.set_window(390, 844).await;
    sign_in(&browser, &app, "lab2", "/lab").await;
    browser
        .wait_until("document.querySelectorAll('#runs tbody tr').length === 1")
        .await;
    browser.click("#runs tbody tr button").await;
    browser
        .wait_until("!document.getElementById('release-box').hidden")
        .await;
    browser.click("#release").await;
    browser
        .wait_until("document.getElementById('run-msg').textContent.includes('召回 10 人')")
        .await;
    let width = browser
        .eval("document.documentElement.scrollWidth")
        .await
        .as_i64()
        .unwrap();
    assert!(width <= 390, "the page fits the phone: {width}");
    keep(&browser, "lab-released").await;
    // The same page in English by the switch, the run opened again.
    browser.goto(&format!("{}/lang/en", app.base)).await;
    browser.goto(&format!("{}/lab", app.base)).await;
    browser
        .wait_until("document.querySelectorAll('#runs tbody tr').length === 1")
        .await;
    browser.click("#runs tbody tr button").await;
    browser
        .wait_until("document.querySelectorAll('#plate td').length > 0")
        .await;
    let width = browser
        .eval("document.documentElement.scrollWidth")
        .await
        .as_i64()
        .unwrap();
    assert!(width <= 390, "the English page fits the phone too: {width}");
    keep(&browser, "lab-released-en").await;
    browser.goto(&format!("{}/lang/zh", app.base)).await;
    browser.click("#signout").await;
    browser.wait_until("location.pathname === '/signin'").await;
    browser.set_window(1440, 1000).await;
    sign_in(&browser, &app, "city", "/followup").await;
    browser
        .wait_until("document.getElementById('lists').textContent.includes('核酸阳性召回')")
        .await;
    let row = browser.text("#lists tbody tr").await;
    assert!(row.contains("10"), "{row}");
    keep(&browser, "lab-recall-list").await;
    // The campaign's board: where its tubes stand and what the lab found.
    browser.goto(&format!("{}/testing", app.base)).await;
    browser
        .wait_until(
            "(document.querySelector('.board .stages') || {}).textContent?.includes('已出结果 2')",
        )
        .await;
    let said = browser.text(".board").await;
    assert!(said.contains("召回 10 人"), "{said}");
    browser.click(".board p.row button").await;
    browser
        .wait_until("document.querySelectorAll('.board .recall tbody tr').length === 10")
        .await;
    keep(&browser, "testing-board").await;
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lab_reads_a_plate_and_a_second_person_releases_it_on_sqlite() {
    a_lab_reads_a_plate_and_a_second_person_releases_it(crate::sqlite_app().await).await;
}
