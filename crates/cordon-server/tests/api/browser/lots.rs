//! A holding lot's staff on a phone, in Chinese: the truck a lane sent is one tap from the
//! gate, checked in, parked (a bay the lot lacks refused beside its field) and sampled; a truck
//! sampled earlier is read negative and released with its PCR pending; the lab releases its
//! tube positive, the card in hand shows it and the command's alert names where it came from;
//! a driver asks for water from the bay's QR page.

use super::*;
use cordon_domain::freight::truck::{CheckIn, Step};
use reqwest::StatusCode;
use serde_json::json;

pub async fn a_truck_goes_from_the_lane_through_the_lot(app: TestApp) {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let v = crate::policy::store_version(&app, crate::lots::POLICY).await;
    crate::policy::publish(&app, v).await;
    let lot = json!({"name": "长安货车滞留场", "division": "130102", "address": "京港澳高速石家庄出口东 500 米",
        "zones": [{"kind": "parking", "name": "停车A区", "capacity": 40}, {"kind": "isolation", "name": "隔离区", "capacity": 4}],
        "checkpoints": ["CP-130100-0001"]});
    let (s, made) = app.post_as("city", "/api/v1/lots", &lot).await;
    assert_eq!(s, StatusCode::CREATED, "{made}");
    let id = made["id"].as_i64().unwrap();
    let now = chrono::Utc::now().with_timezone(&cordon_domain::time::china());
    for (plate, minutes) in [("豫B54321", 40), ("鄂A12345", 3)] {
        let mut p = crate::example();
        p["id"] = json!(uuid::Uuid::now_v7());
        p["observed_at"] = json!((now - chrono::Duration::minutes(minutes)).to_rfc3339());
        p["vehicle"] = json!({"plate": plate, "plate_color": "yellow", "class": "truck"});
        let (s, b) = app.post_as("officer", "/api/v1/passages", &p).await;
        assert_eq!(
            (s, &b["decision"]["outcome"]),
            (StatusCode::CREATED, &json!("hold")),
            "{b}"
        );
    }
    // The first truck came in half an hour ago and its driver was swabbed twenty minutes ago
    // into a tube of the testing records.
    let site = crate::testing::campaign_with_site(&app, 1).await;
    crate::lab::sealed_tube(&app, site, "HB2212050002", 1..=1).await;
    let work = cordon_domain::access::Principal {
        account: 0,
        username: cordon_domain::access::Username::parse("lot").unwrap(),
        role: cordon_domain::access::Role::Lot,
        scope: cordon_domain::access::Scope::parse("130102").unwrap(),
    }
    .may_work_lots()
    .unwrap();
    let ms = |m: i64| (now - chrono::Duration::minutes(m)).timestamp_millis();
    let plate = cordon_domain::plate::Plate::parse("豫B54321").unwrap();
    let early = app
        .store
        .check_in(
            &work,
            id,
            &CheckIn {
                plate,
                driver: None,
            },
            ms(30),
        )
        .await
        .unwrap();
    for (step, at) in [
        (Step::Park { bay: 2 }, 28),
        (
            Step::Sample {
                pcr_tube: Some("HB2212050002".into()),
            },
            20,
        ),
    ] {
        app.store
            .take_step(&work, id, early.id, &step, None, ms(at))
            .await
            .unwrap();
    }

    browser.goto(&format!("{}/lang/zh", app.base)).await;
    browser.set_window(390, 844).await;
    sign_in(&browser, &app, "lot", &format!("/lots/{id}")).await;
    browser
        .wait_until("document.querySelector('#sent button.chip[data-plate=\"鄂A12345\"]') !== null")
        .await;
    browser.click("#sent button.chip").await;
    browser.click("#gate-go").await;
    browser
        .wait_until("!document.getElementById('truck-card').hidden && document.getElementById('truck-title').textContent.startsWith('鄂A12345')")
        .await;
    assert!(browser.text("#truck-facts").await.contains("卡口送来"));
    browser
        .type_into("#step-fields input[data-name=\"bay\"]", "41")
        .await;
    browser.click("fieldset[data-step=\"park\"] button").await;
    browser
        .wait_until("document.querySelector('#step-form .field-error[data-for=\"bay\"]').textContent === '本场没有这个车位'")
        .await;
    browser
        .eval("document.querySelector('#step-fields input[data-name=\"bay\"]').value = ''")
        .await;
    browser
        .type_into("#step-fields input[data-name=\"bay\"]", "7")
        .await;
    browser.click("fieldset[data-step=\"park\"] button").await;
    browser
        .wait_until("document.getElementById('truck-title').textContent.includes('已停靠')")
        .await;
    browser.click("fieldset[data-step=\"sample\"] button").await;
    browser
        .wait_until("document.getElementById('truck-title').textContent.includes('已采样') && document.getElementById('truck-facts').textContent.includes('分钟后可判读')")
        .await;

    // The truck sampled earlier: read negative, released with its PCR pending.
    browser
        .wait_until("document.querySelector('#trucks tr[data-id] a.plate') !== null")
        .await;
    browser
        .eval(&format!(
            "document.querySelector('#trucks tr[data-id=\"{}\"] a.plate').click()",
            early.id
        ))
        .await;
    browser
        .wait_until("document.getElementById('truck-title').textContent.startsWith('豫B54321')")
        .await;
    browser
        .click("#step-buttons button[data-step=\"antigen\"][data-result=\"negative\"]")
        .await;
    browser
        .wait_until("document.getElementById('truck-title').textContent.includes('抗原阴性')")
        .await;
    keep(&browser, "lot-truck").await;
    browser
        .click("fieldset[data-step=\"release\"] button")
        .await;
    browser
        .wait_until("document.getElementById('truck-facts').textContent.includes('核酸待出')")
        .await;
    // Its tube is at the lab: no result by hand; the lab releases it positive and the card in
    // hand shows it.
    assert!(browser.text("#truck-facts").await.contains("送检中"));
    assert_eq!(
        browser
            .eval("document.querySelectorAll('#step-buttons button[data-step=\"pcr\"]').length")
            .await,
        json!(0)
    );
    let file = "Well,ORF1ab,N\nA1,30.2,31.5\nH11,,\nH12,28.1,27.9\n";
    crate::lab::released_run(&app, &["HB2212050002"], file).await;
    browser
        .wait_until(
            "document.getElementById('truck-facts').textContent.includes('阳性（实验室发布）')",
        )
        .await;
    keep(&browser, "lot-board").await;
    browser.goto(&format!("{}/lots", app.base)).await;
    browser
        .wait_until("document.querySelector('#alerts li.open') !== null")
        .await;
    let alert = browser.text("#alerts li.open").await;
    assert!(
        alert.contains("豫B54321") && alert.contains("石家庄1号收费站"),
        "{alert}"
    );
    keep(&browser, "lots").await;

    // A driver at bay 7 asks for water.
    let (_, codes) = app
        .get_as("lot", &format!("/api/v1/lots/{id}/bay-codes?from=7&to=7"))
        .await;
    let path = codes["codes"][0]["path"].as_str().unwrap().to_owned();
    browser.goto(&format!("{}{path}", app.base)).await;
    browser
        .wait_until("document.getElementById('bay-where').textContent.includes('车位 7')")
        .await;
    browser.click("button.need[data-need=\"water\"]").await;
    browser
        .wait_until("document.querySelector('#bay-requests li.open') !== null && document.querySelector('#bay-requests li.open').textContent.includes('已通知工作人员')")
        .await;
    keep(&browser, "bay").await;
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_truck_goes_from_the_lane_through_the_lot_on_sqlite() {
    a_truck_goes_from_the_lane_through_the_lot(crate::sqlite_app().await).await;
}
