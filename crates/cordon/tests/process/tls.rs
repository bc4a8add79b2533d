//! HTTPS between a station and its hub, as real processes: the hub serves a certificate signed
//! by a private authority (`--tls-cert`, `--tls-key`); a station that trusts the authority
//! (`--upstream-ca`) learns its checkpoint and pushes its registrations over TLS; one that does
//! not refuses the hub at its first start.

use std::time::Duration;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use uuid::Uuid;

use super::edge::credential;
use super::{add_user, cli, registration_at, setup_network, start};

/// A private authority and a certificate it signed for `localhost`: the authority's PEM, the
/// hub's certificate and key PEMs.
fn private_authority() -> (String, String, String) {
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "Cordon test authority");
    let ca_key = KeyPair::generate().unwrap();
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca, ca_key);
    let hub_key = KeyPair::generate().unwrap();
    let hub_cert = CertificateParams::new(vec!["localhost".to_owned()])
        .unwrap()
        .signed_by(&hub_key, &issuer)
        .unwrap();
    (ca_cert.pem(), hub_cert.pem(), hub_key.serialize_pem())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_station_reaches_its_hub_over_https_only_with_the_authority() {
    let root = std::env::temp_dir().join(format!("cordon-tls-{}", Uuid::now_v7().simple()));
    std::fs::create_dir_all(&root).unwrap();
    let (ca_pem, cert_pem, key_pem) = private_authority();
    let (ca, cert, key) = (
        root.join("ca.pem"),
        root.join("hub.pem"),
        root.join("hub.key"),
    );
    std::fs::write(&ca, &ca_pem).unwrap();
    std::fs::write(&cert, &cert_pem).unwrap();
    std::fs::write(&key, &key_pem).unwrap();
    let path = |p: &std::path::Path| p.to_str().unwrap().to_owned();
    let hub_data = path(&root.join("hub"));
    let (_hub, printed) = start(&[
        "--data",
        &hub_data,
        "--tls-cert",
        &path(&cert),
        "--tls-key",
        &path(&key),
    ])
    .await;
    assert!(printed.starts_with("https://127.0.0.1:"), "{printed}");
    let hub = printed.replace("127.0.0.1", "localhost");

    // Plain HTTP to the TLS port, and a client that does not trust the authority, get nothing.
    let plain = hub.replace("https://", "http://");
    let answered = reqwest::Client::new()
        .get(format!("{plain}/healthz"))
        .send()
        .await;
    assert!(
        answered.is_err() || !answered.unwrap().status().is_success(),
        "plain HTTP on the TLS port"
    );
    assert!(reqwest::Client::new()
        .get(format!("{hub}/healthz"))
        .send()
        .await
        .is_err());

    add_user(&["--data", &hub_data], "commander", "commander", "130000").await;
    let trusting = || {
        reqwest::Client::builder()
            .add_root_certificate(reqwest::Certificate::from_pem(ca_pem.as_bytes()).unwrap())
    };
    let commander = super::signed_in_with(trusting, &hub, "commander", "a-test-password-9").await;
    setup_network(&commander, &hub).await;
    // Without the authority the station's first start cannot learn its checkpoint.
    let untrusting = path(&root.join("untrusting"));
    credential(&commander, &hub, "CP-130100-0001", &untrusting).await;
    let (ok, out) = cli(
        &[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--data",
            &untrusting,
            "--upstream",
            &hub,
            "--checkpoint",
            "CP-130100-0001",
        ],
        "",
    )
    .await;
    assert!(!ok, "a station started against an untrusted hub: {out}");
    assert!(out.contains("cannot be reached"), "{out}");

    // With it, the station starts and what it registers reaches the hub.
    let station_data = path(&root.join("station"));
    credential(&commander, &hub, "CP-130100-0001", &station_data).await;
    let (_station, station) = start(&[
        "--data",
        &station_data,
        "--upstream",
        &hub,
        "--upstream-ca",
        &path(&ca),
        "--checkpoint",
        "CP-130100-0001",
    ])
    .await;
    add_user(
        &["--data", &station_data],
        "officer",
        "officer",
        "CP-130100-0001",
    )
    .await;
    let officer = super::signed_in(&station, "officer", "a-test-password-9").await;
    let ids: Vec<Uuid> = (0..5).map(|_| Uuid::now_v7()).collect();
    for (k, id) in ids.iter().enumerate() {
        let r = officer
            .post(format!("{station}/api/v1/passages"))
            .json(&registration_at(*id, k as u32, "CP-130100-0001"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), reqwest::StatusCode::CREATED);
    }
    let mut found = 0;
    for _ in 0..100 {
        found = 0;
        for id in &ids {
            let r = commander
                .get(format!("{hub}/api/v1/passages/{id}"))
                .send()
                .await
                .unwrap();
            found += usize::from(r.status().is_success());
        }
        if found == ids.len() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        found,
        ids.len(),
        "every registration reached the hub over TLS"
    );
    let _ = std::fs::remove_dir_all(&root);
}
