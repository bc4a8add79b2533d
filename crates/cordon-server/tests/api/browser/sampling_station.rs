//! A sampling site's station on a 390 px phone, in Chinese: the sampling page says how many of
//! the station's records wait for the hub and lists, in the page's language, what the hub
//! refused and why (here a barcode the hub had given another site's tube).

use reqwest::StatusCode;
use serde_json::json;

use super::*;
use crate::testing::campaign_with_site;
use cordon_domain::station::sampling::RefusedEvent;

pub async fn a_sampling_station_shows_what_the_hub_refused(app: TestApp) {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let site = campaign_with_site(&app, 10).await;
    let station = crate::station_of(&app, site).await;
    app.store.install_sampling_outbox().await.unwrap();
    for barcode in ["HB7100000050", "HB7100000001"] {
        let (s, t) = station
            .post_as(
                "sampler",
                "/api/v1/testing/tubes",
                &json!({"site": site, "barcode": barcode}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{t}");
    }
    // The hub took the first event and refused it; the second waits.
    let refused = RefusedEvent {
        seq: 1,
        what: "tube HB7100000050".into(),
        code: "barcode_used".into(),
        message: "this barcode was used for another tube: take a new tube".into(),
    };
    app.store
        .acknowledge_sampling(1, &[refused], cordon_domain::time::now_ms())
        .await
        .unwrap();

    browser.goto(&format!("{}/lang/zh", station.base)).await;
    browser.set_window(390, 844).await;
    sign_in(&browser, &station, "sampler", "/sampling").await;
    browser
        .wait_until("document.getElementById('link').textContent.includes('1 条待上传中心')")
        .await;
    browser
        .wait_until("!document.getElementById('refused-box').hidden")
        .await;
    let line = browser.text("#refused li[data-code='barcode_used']").await;
    assert!(
        line.contains("采样管 HB7100000050") && line.contains("此条码已用于另一支采样管"),
        "{line}"
    );
    browser.eval("window.scrollTo(0, 0), 0").await;
    keep(&browser, "sampling-station").await;
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sampling_station_shows_what_the_hub_refused_on_sqlite() {
    a_sampling_station_shows_what_the_hub_refused(crate::sqlite_app().await).await;
}
