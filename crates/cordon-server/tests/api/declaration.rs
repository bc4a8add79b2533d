//! Pre-declarations over the API: a driver declares with no account and gets a signed token and
//! its QR code; the lane's check answers what was declared; a tampered, foreign or revoked token
//! is refused with its own code; bad declarations are refused with the field's path and leave
//! nothing behind; one address gets a minute's allowance, then 429 with when to retry.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::matrix::{row, Row, ANYONE, COMMANDERS, OFFICERS};
use super::TestApp;

fn declared() -> Value {
    json!({"vehicle": {"plate": "冀A12345", "plate_color": "blue", "class": "car"},
        "origin": "130100", "destination": "110105",
        "occupants": [{"document": {"type": "resident_id", "number": "11010519491231002X"},
            "name": "张三", "phone": "13812345678", "role": "driver", "health_code": "green"}]})
}

pub async fn declarations_are_signed_checked_and_revoked(app: TestApp) {
    let (s, issued) = app.post_as("-", "/api/v1/declarations", &declared()).await;
    assert_eq!(s, StatusCode::CREATED, "{issued}");
    let token = issued["token"].as_str().unwrap().to_owned();
    assert!(token.starts_with("CD1."));
    assert!(
        issued["qr_svg"].as_str().unwrap().starts_with("<?xml")
            || issued["qr_svg"].as_str().unwrap().contains("<svg")
    );

    // The lane reads it back whole, to fill its form.
    let (s, d) = app
        .post_as(
            "officer",
            "/api/v1/declarations/verify",
            &json!({"token": token}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(d["vehicle"]["plate"], "冀A12345");
    assert_eq!(
        d["occupants"][0]["document"]["number"],
        "11010519491231002X"
    );
    assert_eq!(d["id"], issued["id"]);

    // A changed character, a token of another hub, junk: each refused with its code.
    let cut = token.find('.').unwrap() + 12;
    let flipped = if &token[cut..cut + 1] == "A" {
        "B"
    } else {
        "A"
    };
    let tampered = format!("{}{flipped}{}", &token[..cut], &token[cut + 1..]);
    let other_hub = {
        let d = cordon_domain::declaration::Declaration::new(
            serde_json::from_value(declared()).unwrap(),
            uuid::Uuid::now_v7(),
            chrono::Utc::now().with_timezone(&cordon_domain::time::china()),
        )
        .unwrap();
        d.sign(&cordon_domain::declaration::signing_key(&[9u8; 32]))
    };
    for (t, code) in [
        (
            tampered.as_str(),
            ["declaration_forged", "declaration_malformed"],
        ),
        (
            other_hub.as_str(),
            ["declaration_forged", "declaration_forged"],
        ),
        ("hello", ["declaration_malformed", "declaration_malformed"]),
    ] {
        let (s, e) = app
            .post_as(
                "officer",
                "/api/v1/declarations/verify",
                &json!({"token": t}),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert!(code.contains(&e["error"]["code"].as_str().unwrap()), "{e}");
        assert_eq!(e["error"]["field"], "token");
    }

    // Revoked by a commander: refused at the lane, listed for stations with the public key.
    let id = issued["id"].as_str().unwrap();
    let (s, r) = app
        .post_as(
            "city",
            &format!("/api/v1/declarations/{id}/revoke"),
            &json!({"reason": "  "}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{r}");
    let (s, r) = app
        .post_as(
            "city",
            &format!("/api/v1/declarations/{id}/revoke"),
            &json!({"reason": "车辆信息有误"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["revoked_by"], "city");
    let (s, e) = app
        .post_as(
            "officer",
            "/api/v1/declarations/verify",
            &json!({"token": token}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["error"]["code"], "declaration_revoked");
    let (s, offline) = app.get_as("officer", "/api/v1/declarations/revoked").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(offline["public_key"].as_str().unwrap().len(), 64);
    assert_eq!(offline["revoked"][0]["id"], issued["id"]);
    let (s, _) = app
        .post_as(
            "city",
            "/api/v1/declarations/0190f5c2-7d4e-7b2a-9c1e-3f6a2b8d9e01/revoke",
            &json!({"reason": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Bad declarations: the field's path, nothing kept.
    let mut bad = declared();
    bad["occupants"][0]["document"]["number"] = json!("110105194912310021");
    let (s, e) = app.post_as("-", "/api/v1/declarations", &bad).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["error"]["field"], "occupants[0].document.number");
    assert!(
        !e.to_string().contains("110105194912310021"),
        "the number is not echoed"
    );
    let mut bad = declared();
    bad["occupants"][0]["temperature_c"] = json!(36.6);
    let (s, e) = app.post_as("-", "/api/v1/declarations", &bad).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["error"]["field"], "occupants[0].temperature_c");
    let (_, offline) = app.get_as("officer", "/api/v1/declarations/revoked").await;
    assert_eq!(offline["revoked"].as_array().unwrap().len(), 1);
}

pub async fn declarations_are_limited_per_address(app: TestApp) {
    use cordon_server::auth::rate::DEFAULT_PER_MINUTE;
    let declare = || {
        app.http
            .post(format!("{}/api/v1/declarations", app.base))
            .json(&declared())
            .send()
    };
    let mut accepted = 0;
    let refused = loop {
        let r = declare().await.unwrap();
        if r.status() != StatusCode::CREATED {
            break r;
        }
        accepted += 1;
        assert!(accepted <= DEFAULT_PER_MINUTE + 2, "never limited");
    };
    // A minute's allowance at once (one more may have been earned while the loop ran).
    assert!(
        (DEFAULT_PER_MINUTE..=DEFAULT_PER_MINUTE + 1).contains(&accepted),
        "{accepted} accepted"
    );
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=2).contains(&retry), "retry after {retry} s");
    let e: Value = refused.json().await.unwrap();
    assert_eq!(e["error"]["code"], "rate_limited", "{e}");
    // Signed-in lanes are not held back by the public route's limit.
    let (s, _) = app
        .post_as(
            "officer",
            "/api/v1/declarations/verify",
            &json!({"token": "hello"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn declarations_are_limited_per_address_on_sqlite() {
    declarations_are_limited_per_address(super::sqlite_app().await).await;
}

/// The declarations' rows of the access matrix: each body is refused as invalid or unknown
/// after the access check, so the matrix creates nothing.
pub fn rows() -> Vec<Row> {
    vec![
        // A driver has no account.
        row(
            "POST /api/v1/declarations",
            ANYONE,
            json!({"occupants": []}),
        ),
        // The country's places, for the driver's form: public data.
        Row {
            query: "?q=sjz",
            ..row("GET /api/v1/places", ANYONE, Value::Null)
        },
        row(
            "POST /api/v1/declarations/verify",
            OFFICERS,
            json!({"token": "CD1.not-a-token"}),
        ),
        row("GET /api/v1/declarations/revoked", OFFICERS, Value::Null),
        row(
            "POST /api/v1/declarations/{id}/revoke",
            COMMANDERS,
            json!({"reason": "测试"}),
        ),
        row("GET /api/v1/declarations/key", ANYONE, Value::Null),
    ]
}

/// Places by name, pinyin initials or code, for anyone; a query out of range is refused by
/// field.
pub async fn places_are_found_by_name_initials_and_code(app: TestApp) {
    let find = |q: &str| {
        let url = format!("{}/api/v1/places?q={}", app.base, urlencode(q));
        async move {
            let r = reqwest::get(url).await.unwrap();
            (r.status(), r.json::<Value>().await.unwrap())
        }
    };
    for q in ["石家庄", "sjz", "1301"] {
        let (s, found) = find(q).await;
        assert_eq!(s, StatusCode::OK, "{found}");
        assert_eq!(found["places"][0]["code"], "130100", "{q}: {found}");
        assert_eq!(found["places"][0]["within"], "河北省");
    }
    let (_, found) = find("东城区").await;
    assert_eq!(
        found["places"][0]["code"], "110101",
        "the whole country: {found}"
    );
    let (s, e) = find(&"长".repeat(33)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["error"]["field"], "q");
    let r = reqwest::get(format!("{}/api/v1/places?q=sjz&limit=51", app.base))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

fn urlencode(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

on_both!(
    declarations_are_signed_checked_and_revoked,
    places_are_found_by_name_initials_and_code
);
