//! Freight passes over HTTP: a city commander issues passes numbered by the city (a bad plate,
//! a city for a county and a month-long validity each refused beside its field in Chinese); an
//! officer checks a pass's code at the lane (on the route or not, another vehicle refused, an
//! altered code refused as forged); a registration carries the code, checked where it is
//! recorded (claimed without it refused, off the route recorded without the pass); revoked
//! once, then refused at the lane and with a registration; a number that is
//! not 12 digits or not of this network's divisions refused; another city sees none of it; the
//! stations are told of the revocation. The green channel: a medical-supplies truck with its pass
//! is waved through first under the May 2022 rules, and the dashboard counts it. A passage off
//! the pass's route raises one alert for the issuing city.

use cordon_domain::policy::examples;
use reqwest::StatusCode;
use serde_json::{json, Value};

use super::matrix::{row, Row, COMMANDERS};
use super::TestApp;

/// Who checks a pass's code: commanders, officers and the lots' staff.
const CHECKERS: &[&str] = &[
    "commander",
    "city",
    "elsewhere",
    "officer",
    "officer2",
    "lot",
];

fn code(b: &Value) -> (&str, &str) {
    (
        b["error"]["code"].as_str().unwrap_or(""),
        b["error"]["field"].as_str().unwrap_or(""),
    )
}

fn request(plate: &str) -> Value {
    let now = chrono::Utc::now().with_timezone(&cordon_domain::time::china());
    json!({"plate": plate, "tractor_plate": null, "origin": "420102", "destination": "130102",
        "via": ["CP-130100-0001", "CP-130100-0003"], "goods": "medical",
        "drivers": [{"name": "王五", "phone": "13912345678"}],
        "valid_from": (now - chrono::Duration::hours(1)).to_rfc3339(),
        "valid_until": (now + chrono::Duration::hours(48)).to_rfc3339()})
}

/// A registration at the lane a minute ago (its vehicle set by each case).
fn truck() -> Value {
    let mut p = crate::example();
    p["id"] = json!(uuid::Uuid::now_v7());
    let at = chrono::Utc::now().with_timezone(&cordon_domain::time::china())
        - chrono::Duration::minutes(1);
    p["observed_at"] = json!(at.to_rfc3339());
    p
}

async fn a_pass_is_issued_checked_and_revoked(app: TestApp) {
    let mut bad = request("鄂");
    bad["origin"] = json!("420100");
    bad["valid_until"] = json!((chrono::Utc::now() + chrono::Duration::days(40)).to_rfc3339());
    let (s, b) = app.post_zh("city", "/api/v1/freight-passes", &bad).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    let fields: Vec<&str> = b["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["plate", "origin", "valid_until"], "{b}");
    assert_eq!(
        b["problems"][1]["message"],
        "线路从县区到县区：请填 6 位县区代码"
    );
    let (s, first) = app
        .post_as("city", "/api/v1/freight-passes", &request("鄂A12345"))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{first}");
    assert_eq!(first["number"], "130100000001");
    assert_eq!(first["drivers"][0]["name"], "王*", "masked: {first}");
    assert!(first["code"].as_str().unwrap().starts_with("FP1."));
    assert!(first["qr_svg"].as_str().unwrap().contains("<svg"));
    let (_, second) = app
        .post_as("city", "/api/v1/freight-passes", &request("鄂A54321"))
        .await;
    assert_eq!(second["number"], "130100000002");
    let (_, mine) = app
        .get_as("city", "/api/v1/freight-passes?plate=鄂A12345")
        .await;
    assert_eq!(mine["passes"].as_array().unwrap().len(), 1, "{mine}");
    let (_, theirs) = app.get_as("elsewhere", "/api/v1/freight-passes").await;
    assert_eq!(theirs["passes"], json!([]));
    let (s, _) = app
        .get_as("elsewhere", "/api/v1/freight-passes/130100000001")
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    for (number, expected) in [
        ("13010000001", "invalid_pass_number"),
        ("420100000001", "unknown_issuer"),
    ] {
        let (s, b) = app
            .get_as("city", &format!("/api/v1/freight-passes/{number}"))
            .await;
        assert_eq!(
            (s, code(&b)),
            (StatusCode::UNPROCESSABLE_ENTITY, (expected, "number")),
            "{number}"
        );
    }

    // At the lane.
    let token = first["code"].as_str().unwrap();
    let verify = "/api/v1/freight-passes/verify";
    let (s, ok) = app
        .post_as(
            "officer",
            verify,
            &json!({"token": token, "plate": "鄂A12345", "checkpoint": "CP-130100-0001"}),
        )
        .await;
    assert_eq!((s, &ok["on_route"]), (StatusCode::OK, &json!(true)), "{ok}");
    assert_eq!(ok["pass"]["goods"], "medical");
    let (_, off) = app
        .post_as(
            "officer",
            verify,
            &json!({"token": token, "plate": "鄂A12345", "checkpoint": "CP-130100-0002"}),
        )
        .await;
    assert_eq!(off["on_route"], false);
    let (s, b) = app
        .post_zh(
            "officer",
            verify,
            &json!({"token": token, "plate": "鄂A99999"}),
        )
        .await;
    assert_eq!(
        (s, code(&b)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            ("pass_other_vehicle", "plate")
        )
    );
    assert_eq!(b["error"]["message"], "这张通行证不是这辆车的");
    let mut altered = token.to_owned();
    let at = altered.len() / 2;
    let flip = if &altered[at..at + 1] == "A" {
        "B"
    } else {
        "A"
    };
    altered.replace_range(at..at + 1, flip);
    let (s, b) = app
        .post_as("officer", verify, &json!({"token": altered}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        ["pass_forged", "pass_malformed"].contains(&code(&b).0),
        "{b}"
    );

    // With a registration: the code is checked where it is recorded; a pass claimed without
    // its code is refused; off the route, the passage is recorded without it.
    let mut p = truck();
    p["vehicle"] = json!({"plate": "鄂A12345", "plate_color": "yellow", "class": "truck", "freight_pass": true});
    let (s, b) = app.post_zh("officer", "/api/v1/passages", &p).await;
    assert_eq!(
        (s, code(&b)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            ("pass_code_required", "vehicle.freight_pass")
        )
    );
    for (checkpoint, expected) in [("CP-130100-0001", Some(true)), ("CP-130100-0002", None)] {
        let mut p = truck();
        p["checkpoint"] = json!(checkpoint);
        p["vehicle"] = json!({"plate": "鄂A12345", "plate_color": "yellow", "class": "truck", "freight_pass_code": token});
        let (s, r) = app.post_as("officer", "/api/v1/passages", &p).await;
        assert_eq!(s, StatusCode::CREATED, "{r}");
        assert_eq!(
            r["vehicle"]["freight_pass"].as_bool(),
            expected,
            "{checkpoint}: {r}"
        );
    }

    // The route watch: the passage off the route raises one alert for the issuing city,
    // naming where the truck was seen and the checkpoint ahead on its route.
    let mut off = Value::Null;
    for _ in 0..200 {
        let (s, a) = app.get_as("city", "/api/v1/freight-alerts").await;
        assert_eq!(s, StatusCode::OK, "{a}");
        if let Some(found) = a["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["kind"] == "off_route")
        {
            off = found.clone();
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(off["pass"], "130100000001", "{off}");
    assert_eq!(off["plate"], "鄂A12345");
    assert_eq!(off["off_route_at"]["checkpoint"], "CP-130100-0002", "{off}");
    assert_eq!(off["ahead"], json!(["CP-130100-0003"]), "{off}");
    let (_, elsewhere) = app.get_as("elsewhere", "/api/v1/freight-alerts").await;
    assert!(elsewhere["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["kind"] != "off_route"));

    // The green channel: under the May 2022 rules a truck of epidemic-control supplies with its
    // pass and a fresh PCR is waved through first, its goods taken from the pass itself; goods
    // named without a pass are refused; the dashboard counts the green channel's vehicles.
    let may = crate::policy::store_version(&app, examples::STANDARD_2022_05).await;
    crate::policy::publish(&app, may).await;
    let fresh = chrono::Utc::now().with_timezone(&cordon_domain::time::china())
        - chrono::Duration::hours(5);
    let mut p = truck();
    p["vehicle"] = json!({"plate": "鄂A12345", "plate_color": "yellow", "class": "truck", "freight_pass_code": token});
    p["occupants"][0]["latest_test"]["taken_at"] = json!(fresh.to_rfc3339());
    let (s, r) = app.post_as("officer", "/api/v1/passages", &p).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    assert_eq!(r["vehicle"]["goods"], "medical", "{r}");
    assert_eq!(
        r["decision"]["reasons"][0]["code"], "medical_supplies",
        "{r}"
    );
    assert!(
        r["decision"]["actions"]
            .as_array()
            .unwrap()
            .contains(&json!("priority_lane")),
        "{r}"
    );
    let mut p = truck();
    p["vehicle"] =
        json!({"plate": "鄂A12345", "plate_color": "yellow", "class": "truck", "goods": "medical"});
    let (s, b) = app.post_zh("officer", "/api/v1/passages", &p).await;
    assert_eq!(
        (s, code(&b)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            ("goods_without_pass", "vehicle.goods")
        )
    );
    assert!(
        b["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("通行证")),
        "{b}"
    );
    let (s, d) = app.get_as("city", "/api/v1/dashboard").await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(d["green_channel"]["vehicles"], 2, "{}", d["green_channel"]);

    let mut p = truck();
    p["vehicle"] = json!({"plate": "鄂A99999", "plate_color": "yellow", "class": "truck", "freight_pass_code": token});
    let (s, b) = app.post_as("officer", "/api/v1/passages", &p).await;
    assert_eq!(
        (s, code(&b)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            ("pass_other_vehicle", "vehicle.freight_pass_code")
        )
    );

    // Revoked once; the lane refuses it; the stations are told.
    let revoke = "/api/v1/freight-passes/130100000001/revoke";
    let (s, r) = app
        .post_as("city", revoke, &json!({"reason": "车辆更换"}))
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["revoked_reason"], "车辆更换");
    let (s, b) = app
        .post_as("city", revoke, &json!({"reason": "again"}))
        .await;
    assert_eq!((s, code(&b).0), (StatusCode::CONFLICT, "pass_revoked"));
    let (s, b) = app
        .post_zh("officer", verify, &json!({"token": token}))
        .await;
    assert_eq!(
        (s, code(&b).0),
        (StatusCode::UNPROCESSABLE_ENTITY, "pass_revoked")
    );
    let mut p = truck();
    p["vehicle"] = json!({"plate": "鄂A12345", "plate_color": "yellow", "class": "truck", "freight_pass_code": token});
    let (s, b) = app.post_as("officer", "/api/v1/passages", &p).await;
    assert_eq!(
        (s, code(&b)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            ("pass_revoked", "vehicle.freight_pass_code")
        )
    );
    let (_, state) = app.get_as("station", "/api/v1/sync/state").await;
    assert_eq!(
        state["revoked_passes"][0]["number"], "130100000001",
        "{state}"
    );
    let (_, active) = app
        .get_as("city", "/api/v1/freight-passes?active=true")
        .await;
    assert_eq!(active["passes"].as_array().unwrap().len(), 1);
}

on_both!(a_pass_is_issued_checked_and_revoked);

pub fn rows() -> Vec<Row> {
    vec![
        row("GET /api/v1/freight-passes", COMMANDERS, Value::Null),
        row(
            "POST /api/v1/freight-passes",
            COMMANDERS,
            json!({"plate": "鄂", "origin": "1", "destination": "1", "goods": "medical", "drivers": [],
                "valid_from": "2022-04-20T08:00:00+08:00", "valid_until": "2022-04-20T07:00:00+08:00"}),
        ),
        row(
            "GET /api/v1/freight-passes/{number}",
            COMMANDERS,
            Value::Null,
        ),
        row(
            "POST /api/v1/freight-passes/{number}/revoke",
            COMMANDERS,
            json!({"reason": "x"}),
        ),
        row(
            "POST /api/v1/freight-passes/verify",
            CHECKERS,
            json!({"token": "FP1.x.y"}),
        ),
    ]
}
