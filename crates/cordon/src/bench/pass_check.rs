//! The freight pass's part of `cordon bench freight`: a pass's code checked at an edge station
//! with no link to its hub (the station holds the hub's key and a copy of `--revocations`
//! revocations, nothing else of the pass), one request after another over loopback, against
//! the station's `/healthz` (a request that also reads the store) in the same run; p99 against
//! 5 ms.

use std::time::{Duration, Instant};

use cordon_domain::access::Role;
use cordon_domain::freight::pass::PassNumber;
use cordon_store::freight::PassRevocation;
use serde_json::{json, Value};

use super::ingest::{generate, percentile, prepare, serve_with, session_token, Backend, Fresh};

const VERIFY_P99_MS: f64 = 5.0;

/// Checks `code` (a pass for `plate` with no route named) `checks` times at a fresh station.
pub async fn at_station(
    hub_key: cordon_domain::declaration::VerifyingKey,
    code: &str,
    plate: &str,
    checks: usize,
    revocations: usize,
) -> anyhow::Result<()> {
    let rows = generate(1);
    let (station, fresh) = Fresh::open(&Backend::Sqlite).await?;
    prepare(station.as_ref(), &rows).await?;
    let checkpoint = rows
        .checkpoints
        .iter()
        .find(|c| c.status == cordon_domain::checkpoint::CheckpointStatus::Open)
        .map(|c| c.code.to_string())
        .ok_or_else(|| anyhow::anyhow!("no open checkpoint"))?;
    let now = cordon_domain::time::now_ms();
    for n in 0..revocations {
        let number = PassNumber::parse(&format!("130100{:06}", 500_000 + n))?;
        station
            .copy_revocation(&PassRevocation {
                number,
                revoked_at_ms: now - 3_600_000,
                revoked_by: "bench".into(),
                reason: "车辆更换".into(),
                valid_until_ms: now + 86_400_000,
            })
            .await?;
    }
    let officer = session_token(
        station.as_ref(),
        "bench-officer",
        Role::Officer,
        &checkpoint,
    )
    .await?;
    // Its hub is nowhere: the link is down.
    let served = serve_with(
        station.clone(),
        cordon_server::Settings {
            upstream: Some("http://127.0.0.1:9".into()),
            hub_key: Some(hub_key),
            ..cordon_server::Settings::default()
        },
    )
    .await?;
    let base = format!("http://{}", served.addr);
    let http = reqwest::Client::new();
    let body = json!({"token": code, "plate": plate, "checkpoint": checkpoint});
    let (mut checked, mut health) = (Vec::with_capacity(checks), Vec::with_capacity(checks));
    for _ in 0..checks {
        let t = Instant::now();
        let r = http
            .post(format!("{base}/api/v1/freight-passes/verify"))
            .bearer_auth(&officer)
            .json(&body)
            .send()
            .await?;
        let status = r.status();
        let answer: Value = r.json().await?;
        checked.push(t.elapsed());
        anyhow::ensure!(
            status.is_success() && answer["on_route"] == true,
            "the station refused the pass: {status} {answer}"
        );
        let t = Instant::now();
        let r = http.get(format!("{base}/healthz")).send().await?;
        anyhow::ensure!(r.status().is_success(), "healthz: {}", r.status());
        r.bytes().await?;
        health.push(t.elapsed());
    }
    let ms = |mut v: Vec<Duration>| {
        v.sort();
        (percentile(&v, 0.5), percentile(&v, 0.99))
    };
    let (c50, c99) = ms(checked);
    let (h50, h99) = ms(health);
    println!(
        "  {:<50} {c50:>9.2} {c99:>9.2}            /5 ms: {:.2}  /healthz p99: {:.2}",
        format!("a pass checked at a station, no link ({revocations} revoked)"),
        c99 / VERIFY_P99_MS,
        c99 / h99.max(0.001)
    );
    println!(
        "  {:<50} {h50:>9.2} {h99:>9.2}",
        "the station's /healthz (baseline)"
    );
    served.stop().await;
    drop(station);
    fresh.remove().await;
    Ok(())
}
