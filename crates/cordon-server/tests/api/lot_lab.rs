//! A lot's PCR from the lab: two drivers are swabbed into tubes of one at the testing records'
//! site; the lot's staff name each tube at the truck's sampling. A result by hand is refused for
//! such a tube (in Chinese). The lab releases the run: the truck released on its antigen takes
//! its positive PCR by the releasing account and the command's alert is raised; the truck
//! sampled after the release takes its negative at once; a release repeated doubles nothing.

use cordon_domain::freight::truck::{CheckIn, Step};
use reqwest::StatusCode;
use serde_json::{json, Value};

use super::TestApp;

fn lot_worker() -> cordon_domain::access::freight::LotWork {
    cordon_domain::access::Principal {
        account: 0,
        username: cordon_domain::access::Username::parse("lot").unwrap(),
        role: cordon_domain::access::Role::Lot,
        scope: cordon_domain::access::Scope::parse("130102").unwrap(),
    }
    .may_work_lots()
    .unwrap()
}

async fn a_lot_takes_its_pcr_from_the_lab(app: TestApp) {
    let site = super::testing::campaign_with_site(&app, 1).await;
    super::lab::sealed_tube(&app, site, "LT0000000001", 1..=1).await;
    super::lab::sealed_tube(&app, site, "LT0000000002", 2..=2).await;
    let lot = json!({"name": "长安货车滞留场", "division": "130102", "address": "京港澳高速石家庄出口东 500 米",
        "zones": [{"kind": "parking", "name": "停车A区", "capacity": 40}], "checkpoints": ["CP-130100-0001"]});
    let (s, made) = app.post_as("city", "/api/v1/lots", &lot).await;
    assert_eq!(s, StatusCode::CREATED, "{made}");
    let id = made["id"].as_i64().unwrap();

    // The first truck came in half an hour ago and was swabbed twenty minutes ago (the tube
    // code as scanned, in lower case).
    let (work, now) = (lot_worker(), cordon_domain::time::now_ms());
    let ms = |m: i64| now - m * 60_000;
    let plate = |p: &str| CheckIn {
        plate: cordon_domain::plate::Plate::parse(p).unwrap(),
        driver: None,
    };
    let first = app
        .store
        .check_in(&work, id, &plate("豫B54321"), ms(30))
        .await
        .unwrap();
    let sample = Step::Sample {
        pcr_tube: Some("LT0000000001".into()),
    };
    for (step, at) in [(Step::Park { bay: 2 }, 28), (sample, 20)] {
        app.store
            .take_step(&work, id, first.id, &step, None, ms(at))
            .await
            .unwrap();
    }
    let steps = format!("/api/v1/lots/{id}/trucks/{}/steps", first.id);
    for body in [
        json!({"step": "antigen", "result": "negative"}),
        json!({"step": "release"}),
    ] {
        let (s, t) = app.post_as("lot", &steps, &body).await;
        assert_eq!(s, StatusCode::OK, "{t}");
    }
    let truck = format!("/api/v1/lots/{id}/trucks/{}", first.id);
    let (_, t) = app.get_as("lot", &truck).await;
    assert_eq!(
        (&t["pcr_at_lab"], &t["released_on"], &t["next"]),
        (
            &json!(true),
            &json!("antigen_negative_pcr_pending"),
            &json!([])
        ),
        "{t}"
    );
    let (s, b) = app
        .post_zh("lot", &steps, &json!({"step": "pcr", "result": "negative"}))
        .await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("pcr_at_lab")),
        "{b}"
    );
    assert!(
        b["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("此管已在检测系统中"),
        "{b}"
    );

    // The lab: the first tube positive, the second negative.
    let file = "Well,ORF1ab,N\nA1,30.2,31.5\nB1,Undetermined,Undetermined\nH11,,\nH12,28.1,27.9\n";
    let run = super::lab::released_run(&app, &["LT0000000001", "LT0000000002"], file).await;
    let (_, t) = app.get_as("lot", &truck).await;
    assert_eq!(t["pcr"], "positive", "{t}");
    let last = t["steps"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (&last["step"], &last["by"], &last["detail"]),
        (&json!("pcr"), &json!("lab2"), &json!("positive")),
        "{t}"
    );
    let (_, alerts) = app.get_as("lot", "/api/v1/freight-alerts").await;
    let raised: Vec<&Value> = alerts["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["plate"] == "豫B54321")
        .collect();
    assert_eq!(raised.len(), 1, "{alerts}");
    assert_eq!(raised[0]["kind"], "pcr_positive_after_release");

    // A truck swabbed into the second tube is sampled at the lot after the release: its
    // negative comes at once.
    let (s, second) = app
        .post_as(
            "lot",
            &format!("/api/v1/lots/{id}/trucks"),
            &json!({"plate": "鄂A12345"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{second}");
    let steps2 = format!("/api/v1/lots/{id}/trucks/{}/steps", second["id"]);
    let (s, _) = app
        .post_as("lot", &steps2, &json!({"step": "park", "bay": 3}))
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, t2) = app
        .post_as(
            "lot",
            &steps2,
            &json!({"step": "sample", "pcr_tube": "lt0000000002"}),
        )
        .await;
    assert_eq!(
        (s, &t2["pcr_tube"], &t2["pcr"]),
        (StatusCode::OK, &json!("LT0000000002"), &json!("negative")),
        "{t2}"
    );

    // Released again: nothing doubled.
    let release = format!("/api/v1/testing/runs/{run}/release");
    let (s, _) = app.post_as("lab2", &release, &Value::Null).await;
    assert_eq!(s, StatusCode::OK);
    let (_, again) = app.get_as("lot", &truck).await;
    assert_eq!(again["steps"], t["steps"]);
    let (_, alerts) = app.get_as("lot", "/api/v1/freight-alerts").await;
    assert_eq!(alerts["alerts"].as_array().unwrap().len(), 1, "{alerts}");
}

on_both!(a_lot_takes_its_pcr_from_the_lab);
