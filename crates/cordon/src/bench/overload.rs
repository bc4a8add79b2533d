//! `cordon bench overload`: whether the lanes keep their pace while the command centre reads.
//! On a fresh SQLite hub holding the demo province (`--scale`, `--days`), two phases of the same
//! registrations from `--lanes` keep-alive clients (a signed-in officer bound to every open
//! checkpoint), each with a probe of `/healthz` every 20 ms:
//!
//! 1. the lanes alone (the baseline);
//! 2. the lanes while `--dashboards` clients read the province commander's dashboard in a loop.
//!
//! It prints the registrations' rate and latency, the probe's latency, and the dashboards'
//! answers (200, or 429 when the hub sheds them) in each phase, and the second phase's p99 against
//! the first's.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Args;
use cordon_store::Store;
use serde_json::json;

use super::http1;
use super::ingest::{demo_store, generate, percentile, request, serve, session_token};

#[derive(Debug, Args)]
pub struct OverloadArgs {
    /// Demo traffic per day, as `cordon demo --scale` (1.0: a province, about a million
    /// vehicles a day).
    #[arg(long, default_value_t = 0.2)]
    pub scale: f64,
    /// Days of demo traffic stored before the run.
    #[arg(long, default_value_t = 1)]
    pub days: u32,
    /// Registering clients (lanes).
    #[arg(long, default_value_t = 64)]
    pub lanes: usize,
    /// Registrations per lane in each phase.
    #[arg(long, default_value_t = 100)]
    pub per_lane: usize,
    /// Clients reading the province dashboard in the second phase.
    #[arg(long, default_value_t = 16)]
    pub dashboards: usize,
}

/// What a phase measured.
struct Phase {
    seconds: f64,
    registrations: Vec<Duration>,
    health: Vec<Duration>,
    dashboards: Vec<Duration>,
    shed: usize,
    other: Vec<u16>,
}

impl Phase {
    fn print(&self, what: &str) {
        let sorted = |v: &[Duration]| {
            let mut v = v.to_vec();
            v.sort();
            v
        };
        let (r, h, d) = (
            sorted(&self.registrations),
            sorted(&self.health),
            sorted(&self.dashboards),
        );
        println!(
            "{what:<22} registrations {:>6.0}/s p50 {:>6.1} ms p99 {:>7.1} ms | /healthz p50 {:>5.1} ms p99 {:>6.1} ms max {:>6.1} ms | dashboards {:>3} answered p50 {:>6.0} ms p99 {:>6.0} ms, {} shed (429){}",
            self.registrations.len() as f64 / self.seconds,
            percentile(&r, 0.5),
            percentile(&r, 0.99),
            percentile(&h, 0.5),
            percentile(&h, 0.99),
            h.last().map_or(0.0, |m| m.as_secs_f64() * 1000.0),
            d.len(),
            percentile(&d, 0.5),
            percentile(&d, 0.99),
            self.shed,
            if self.other.is_empty() {
                String::new()
            } else {
                format!(", other answers {:?}", self.other)
            },
        );
    }
}

/// Loops `GET path` until `stop`, answering each 2xx's latency, the 429s, and any other status.
async fn reader(
    base: String,
    path: &'static str,
    token: Option<String>,
    pause: Duration,
    stop: Arc<AtomicBool>,
) -> (Vec<Duration>, usize, Vec<u16>) {
    let http = reqwest::Client::new();
    let (mut ok, mut shed, mut other) = (Vec::new(), 0, Vec::new());
    while !stop.load(Ordering::Relaxed) {
        let mut r = http.get(format!("{base}{path}"));
        if let Some(t) = &token {
            r = r.bearer_auth(t);
        }
        let t = Instant::now();
        match r.send().await {
            Ok(resp) => {
                let status = resp.status().as_u16();
                let _ = resp.bytes().await;
                match status {
                    200..=299 => ok.push(t.elapsed()),
                    429 => shed += 1,
                    s => other.push(s),
                }
            }
            Err(_) => other.push(0),
        }
        tokio::time::sleep(pause).await;
    }
    (ok, shed, other)
}

async fn phase(
    addr: &str,
    bodies: &[Vec<u8>],
    officer: &str,
    commander: &str,
    args: &OverloadArgs,
    dashboards: usize,
) -> anyhow::Result<Phase> {
    let base = format!("http://{addr}");
    let stop = Arc::new(AtomicBool::new(false));
    let health = tokio::spawn(reader(
        base.clone(),
        "/healthz",
        None,
        Duration::from_millis(20),
        stop.clone(),
    ));
    let readers: Vec<_> = (0..dashboards)
        .map(|_| {
            tokio::spawn(reader(
                base.clone(),
                "/api/v1/dashboard?hours=24",
                Some(commander.to_owned()),
                Duration::ZERO,
                stop.clone(),
            ))
        })
        .collect();
    let requests: Vec<Vec<u8>> = bodies
        .iter()
        .map(|b| http1::post(addr, "/api/v1/passages", officer, b))
        .collect();
    let started = Instant::now();
    let registered = http1::run(addr, &requests, args.lanes, 201).await;
    let seconds = started.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    let (health, _, _) = health.await?;
    let (mut dash, mut shed, mut other) = (Vec::new(), 0, Vec::new());
    for r in readers {
        let (ok, s, o) = r.await?;
        dash.extend(ok);
        shed += s;
        other.extend(o);
    }
    Ok(Phase {
        seconds,
        registrations: registered?,
        health,
        dashboards: dash,
        shed,
        other,
    })
}

/// Registrations as a lane sends them, at the store's open checkpoints, observed now.
fn bodies(open: &[String], n: usize) -> anyhow::Result<Vec<Vec<u8>>> {
    generate(n)
        .passages
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut body = request(p);
            body["checkpoint"] = json!(open[i % open.len()]);
            body["lane"] = json!(1);
            Ok(serde_json::to_vec(&body)?)
        })
        .collect()
}

pub async fn run(args: OverloadArgs) -> anyhow::Result<()> {
    let (store, fresh, open) = demo_store(args.scale, args.days, true).await?;
    let officer = session_token(
        store.as_ref(),
        "bench-officer",
        cordon_domain::access::Role::Officer,
        &open.join(","),
    )
    .await?;
    let commander = session_token(
        store.as_ref(),
        "bench-commander",
        cordon_domain::access::Role::Commander,
        "130000",
    )
    .await?;
    let n = args.lanes * args.per_lane;
    let passages = store.count_passages().await?;
    println!(
        "hub: the demo province at --scale {} with {passages} passages stored; {} lanes registering {n} vehicles per phase; {} dashboard readers in the second",
        args.scale, args.lanes, args.dashboards
    );
    let server = serve(store.clone()).await?;
    let alone = phase(
        &server.addr,
        &bodies(&open, n)?,
        &officer,
        &commander,
        &args,
        0,
    )
    .await?;
    let loaded = phase(
        &server.addr,
        &bodies(&open, n)?,
        &officer,
        &commander,
        &args,
        args.dashboards,
    )
    .await?;
    alone.print("lanes alone");
    loaded.print(&format!("lanes + {} dashboards", args.dashboards));
    let p99 = |v: &[Duration]| {
        let mut v = v.to_vec();
        v.sort();
        percentile(&v, 0.99)
    };
    println!(
        "registrations' p99 with the dashboards read: {:.1} ms = {:.2} of the 50 ms target, {:.2}x the lanes alone",
        p99(&loaded.registrations),
        p99(&loaded.registrations) / 50.0,
        p99(&loaded.registrations) / p99(&alone.registrations).max(0.001)
    );
    server.stop().await;
    drop::<Arc<dyn Store>>(store);
    fresh.remove().await;
    Ok(())
}
