//! `cordon bench command`: directives at a province's size, on a hub holding the demo province
//! (`--scale`, `--days`). `--lanes` simulated lanes (each an officer at its own checkpoint) ask
//! for their directives as the lane page does, a long poll of 15 s with the clock of the last
//! answer, and acknowledge each new one; beside them, `--pollers` lanes ask every 3 s without
//! waiting (the plain poll, as the baseline in the same run). The province commander issues
//! `--rounds` flash directives to every open checkpoint; printed: how long each lane took to
//! see each (p50, p99, max) against the 5 s, for both kinds of lane; the acknowledgement
//! latency; then the board of a directive with every open checkpoint read `--board-reads` times
//! (p50, p99, bytes) against 100 ms; then the province's daily report of yesterday, counted
//! now and as kept, against 2 s.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::Args;
use cordon_domain::access::Role;
use serde_json::{json, Value};

use super::ingest::{demo_store, percentile, serve, session_token};

#[derive(Debug, Args)]
pub struct CommandArgs {
    /// Demo traffic per day, as `cordon demo --scale` (1.0: a province).
    #[arg(long, default_value_t = 0.05)]
    pub scale: f64,
    /// Days of demo traffic stored before the run.
    #[arg(long, default_value_t = 1)]
    pub days: u32,
    /// Lanes that long-poll as the lane page does.
    #[arg(long, default_value_t = 300)]
    pub lanes: usize,
    /// Lanes that poll every 3 s without waiting (the baseline).
    #[arg(long, default_value_t = 50)]
    pub pollers: usize,
    /// Directives issued to every open checkpoint, one after another.
    #[arg(long, default_value_t = 5)]
    pub rounds: usize,
    /// Reads of one directive's board.
    #[arg(long, default_value_t = 200)]
    pub board_reads: usize,
    /// Edge stations with a link (each its own SQLite store and server in this process), each
    /// with a lane long-polling it.
    #[arg(long, default_value_t = 20)]
    pub stations: usize,
    /// Reads of the province's daily report counted now (the kept one is read ten times as
    /// often).
    #[arg(long, default_value_t = 5)]
    pub daily_reads: usize,
}

/// An edge station of `code` linked to the hub at `hub`: its store learns its checkpoint from
/// the hub, copies the hub's directives as `cordon serve --upstream` does, and serves its lanes;
/// answers its server, its officer's token and its store's scratch directory.
async fn station(
    hub_store: &dyn cordon_store::Store,
    hub: &str,
    code: &str,
) -> anyhow::Result<(super::ingest::Served, String, super::ingest::Fresh)> {
    use super::ingest::{Backend, Fresh};
    let token = session_token(
        hub_store,
        &format!("st-{}", code.to_lowercase()),
        Role::Station,
        code,
    )
    .await?;
    let (store, fresh) = Fresh::open(&Backend::Sqlite).await?;
    let upstream = crate::station::Upstream::new(hub, &token, None)?;
    let checkpoint = cordon_domain::checkpoint::CheckpointCode::parse(code)
        .map_err(|e| anyhow::anyhow!(e.message))?;
    crate::station::bootstrap(store.as_ref(), &upstream, &checkpoint).await?;
    store.install_directive_outbox().await?;
    store.install_report_outbox().await?;
    crate::station_directives::spawn(store.clone(), upstream, checkpoint);
    let officer = session_token(store.as_ref(), "bench-officer", Role::Officer, code).await?;
    let server = serve(store).await?;
    Ok((server, officer, fresh))
}

const DELIVERY_S: f64 = 5.0;
const BOARD_MS: f64 = 100.0;

/// What kind of lane saw a directive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// At the hub, long-polling as the page does.
    Long,
    /// At the hub, a plain poll every 3 s.
    Poll,
    /// At an edge station with a link, long-polling the station.
    Station,
}

/// When each lane first saw each directive, and the acknowledgements' latencies.
#[derive(Default)]
struct Seen {
    at: HashMap<i64, Vec<(Kind, Instant)>>,
    acks: Vec<Duration>,
    failures: usize,
}

/// One lane: asks for its directives for ever (long poll or plain poll), acknowledging each new
/// one as an officer would.
async fn lane(
    http: reqwest::Client,
    base: String,
    token: String,
    code: String,
    kind: Kind,
    seen: Arc<Mutex<Seen>>,
) {
    let long = kind != Kind::Poll;
    let mut clock: Option<i64> = None;
    let mut known: Vec<i64> = Vec::new();
    loop {
        let q = match (clock, long) {
            (Some(c), true) => format!("?known={c}&wait=15"),
            (Some(c), false) => format!("?known={c}"),
            (None, _) => String::new(),
        };
        let r = http
            .get(format!("{base}/api/v1/checkpoints/{code}/directives{q}"))
            .bearer_auth(&token)
            .send()
            .await;
        let feed: Value = match r {
            Ok(r) if r.status().is_success() => r.json().await.unwrap_or(Value::Null),
            _ => {
                if let Ok(mut s) = seen.lock() {
                    s.failures += 1;
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        let now = Instant::now();
        clock = feed["clock"].as_i64();
        for d in feed["directives"].as_array().into_iter().flatten() {
            let id = d["id"].as_i64().unwrap_or(0);
            if known.contains(&id) {
                continue;
            }
            known.push(id);
            if let Ok(mut s) = seen.lock() {
                s.at.entry(id).or_default().push((kind, now));
            }
            if d["acknowledged_at"].is_null() {
                let t = Instant::now();
                let r = http
                    .post(format!("{base}/api/v1/directives/{id}/acknowledge"))
                    .bearer_auth(&token)
                    .json(
                        &json!({"checkpoint": code, "revision": d["revision"], "reply": "已传达"}),
                    )
                    .send()
                    .await;
                let ok = r.is_ok_and(|r| r.status().is_success());
                if let Ok(mut s) = seen.lock() {
                    if ok {
                        s.acks.push(t.elapsed());
                    } else {
                        s.failures += 1;
                    }
                }
            }
        }
        if !long {
            tokio::time::sleep(Duration::from_secs(3)).await;
        }
    }
}

/// The daily report's target, in ms.
const DAILY_MS: f64 = 2_000.0;

/// The province's daily report of yesterday (China time, the day most of the demo's last 24
/// hours fall in): counted now `reads` times, kept once, then read as kept ten times as often;
/// and a city's counted now.
async fn daily(
    http: &reqwest::Client,
    base: &str,
    commander: &str,
    store: &dyn cordon_store::Store,
    reads: usize,
) -> anyhow::Result<()> {
    let day = cordon_domain::time::today_china() - chrono::Duration::days(1);
    let time = |query: String, n: usize| async move {
        let url = format!("{base}/api/v1/daily-reports?day={day}{query}");
        // Once plain, to read the total; then timed as a browser asks (gzip).
        let plain = http.get(&url).bearer_auth(commander).send().await?;
        anyhow::ensure!(
            plain.status().is_success(),
            "daily report answered {}",
            plain.status()
        );
        let v: Value = serde_json::from_slice(&plain.bytes().await?)?;
        let vehicles = v["total"]["vehicles"].as_i64().unwrap_or(0);
        let mut times = Vec::with_capacity(n);
        let mut bytes = 0;
        for _ in 0..n {
            let t = Instant::now();
            let r = http
                .get(&url)
                .bearer_auth(commander)
                .header("accept-encoding", "gzip")
                .send()
                .await?;
            anyhow::ensure!(
                r.status().is_success(),
                "daily report answered {}",
                r.status()
            );
            bytes = r.bytes().await?.len();
            times.push(t.elapsed());
        }
        let (p50, p99, _) = summary(times);
        Ok::<_, anyhow::Error>((p50, p99, bytes, vehicles))
    };
    println!(
        "{:<44} {:>9} {:>9} {:>9} {:>8}",
        format!("the daily report of {day}"),
        "p50 ms",
        "p99 ms",
        "gzip B",
        "/2 s"
    );
    let (l50, l99, lbytes, vehicles) = time("&live=true".into(), reads).await?;
    println!(
        "{:<44} {:>9.1} {:>9.1} {:>9} {:>8.3}",
        format!("  province counted now ({vehicles} vehicles), {reads} reads"),
        l50,
        l99,
        lbytes,
        l99 / DAILY_MS
    );
    let (c50, c99, cbytes, cvehicles) = time("&live=true&scope=130100".into(), reads).await?;
    println!(
        "{:<44} {:>9.1} {:>9.1} {:>9} {:>8.3}",
        format!("  a city counted now ({cvehicles} vehicles)"),
        c50,
        c99,
        cbytes,
        c99 / DAILY_MS
    );
    let t = Instant::now();
    let kept = store.keep_day(day, cordon_domain::time::now_ms()).await?;
    println!(
        "  kept: {kept} checkpoints in {:.0} ms",
        t.elapsed().as_secs_f64() * 1000.0
    );
    let (k50, k99, kbytes, _) = time(String::new(), reads * 10).await?;
    println!(
        "{:<44} {:>9.1} {:>9.1} {:>9} {:>8.3}",
        format!("  province as kept, {} reads", reads * 10),
        k50,
        k99,
        kbytes,
        k99 / DAILY_MS
    );
    println!(
        "  kept against counted now (p99): {:.3}",
        k99 / l99.max(0.001)
    );
    Ok(())
}

fn summary(mut d: Vec<Duration>) -> (f64, f64, f64) {
    d.sort();
    let max = d.last().map_or(0.0, |m| m.as_secs_f64() * 1000.0);
    (percentile(&d, 0.5), percentile(&d, 0.99), max)
}

pub async fn run(args: CommandArgs) -> anyhow::Result<()> {
    let (store, fresh, open) = demo_store(args.scale, args.days, true).await?;
    let passages = store.count_passages().await?;
    let lanes = args.lanes + args.pollers;
    anyhow::ensure!(
        lanes + args.stations <= open.len(),
        "{} lanes and stations need as many open checkpoints; the demo has {}",
        lanes + args.stations,
        open.len()
    );
    let commander =
        session_token(store.as_ref(), "bench-commander", Role::Commander, "130000").await?;
    let mut tokens = Vec::with_capacity(lanes);
    // The hub's lanes at every other checkpoint of the first part of the list; the stations
    // at the end of it.
    let hub_part = open.len() - args.stations;
    for i in 0..lanes {
        let code = open[i * hub_part / lanes].clone();
        let token = session_token(
            store.as_ref(),
            &format!("bench-lane-{i}"),
            Role::Officer,
            &code,
        )
        .await?;
        tokens.push((code, token));
    }
    let server = serve(store.clone()).await?;
    let base = format!("http://{}", server.addr);
    let mut stations = Vec::with_capacity(args.stations);
    for code in &open[hub_part..] {
        let (served, officer, fresh) = station(store.as_ref(), &base, code).await?;
        stations.push((code.clone(), served, officer, fresh));
    }
    let watching = lanes + stations.len();
    println!(
        "hub: the demo province at --scale {} ({passages} passages, {} open checkpoints); {} lanes long-polling (wait 15 s), {} polling every 3 s, {} edge stations with a link and a lane each; {} directives to every open checkpoint",
        args.scale,
        open.len(),
        args.lanes,
        args.pollers,
        args.stations,
        args.rounds
    );
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(lanes + 8)
        .build()?;
    let seen = Arc::new(Mutex::new(Seen::default()));
    let mut tasks = Vec::with_capacity(lanes);
    for (i, (code, token)) in tokens.into_iter().enumerate() {
        tasks.push(tokio::spawn(lane(
            http.clone(),
            base.clone(),
            token,
            code,
            if i < args.lanes {
                Kind::Long
            } else {
                Kind::Poll
            },
            seen.clone(),
        )));
    }
    for (code, served, officer, _) in &stations {
        tasks.push(tokio::spawn(lane(
            http.clone(),
            format!("http://{}", served.addr),
            officer.clone(),
            code.clone(),
            Kind::Station,
            seen.clone(),
        )));
    }
    // Every lane has asked once (and the pollers are spread over their 3 s).
    tokio::time::sleep(Duration::from_secs(4)).await;
    let (mut long_delays, mut poll_delays, mut station_delays) =
        (Vec::new(), Vec::new(), Vec::new());
    let mut last = 0;
    for round in 0..args.rounds {
        let t0 = Instant::now();
        let r = http
            .post(format!("{base}/api/v1/directives"))
            .bearer_auth(&commander)
            .json(
                &json!({"title": format!("测试指令 {}", round + 1), "text": "请各卡口签收。",
                "priority": "flash", "target": {}}),
            )
            .send()
            .await?;
        anyhow::ensure!(r.status().as_u16() == 201, "issue answered {}", r.status());
        let d: Value = r.json().await?;
        let id = d["id"].as_i64().unwrap_or(0);
        last = id;
        let end = t0 + Duration::from_secs(30);
        loop {
            let n = seen
                .lock()
                .map(|s| s.at.get(&id).map_or(0, Vec::len))
                .unwrap_or(0);
            if n >= watching || Instant::now() > end {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let got = seen
            .lock()
            .map_err(|_| anyhow::anyhow!("poisoned"))?
            .at
            .get(&id)
            .cloned()
            .unwrap_or_default();
        anyhow::ensure!(
            got.len() == watching,
            "round {}: {} of {watching} lanes saw the directive within 30 s",
            round + 1,
            got.len()
        );
        for (kind, at) in got {
            let delay = at.duration_since(t0);
            match kind {
                Kind::Long => long_delays.push(delay),
                Kind::Poll => poll_delays.push(delay),
                Kind::Station => station_delays.push(delay),
            }
        }
        tokio::time::sleep(Duration::from_millis(1500)).await;
    }
    let (lp50, lp99, lmax) = summary(long_delays);
    let (pp50, pp99, pmax) = summary(poll_delays);
    let (sp50, sp99, smax) = summary(station_delays);
    println!(
        "{:<44} {:>9} {:>9} {:>9} {:>8}",
        "a directive issued, seen on the lanes", "p50 ms", "p99 ms", "max ms", "/5 s"
    );
    println!(
        "{:<44} {:>9.0} {:>9.0} {:>9.0} {:>8.2}",
        "  long poll (as the lane page)",
        lp50,
        lp99,
        lmax,
        lp99 / 1000.0 / DELIVERY_S
    );
    println!(
        "{:<44} {:>9.0} {:>9.0} {:>9.0} {:>8.2}",
        "  plain poll every 3 s (baseline)",
        pp50,
        pp99,
        pmax,
        pp99 / 1000.0 / DELIVERY_S
    );
    println!(
        "{:<44} {:>9.0} {:>9.0} {:>9.0} {:>8.2}",
        "  at an edge station's lane (hub -> station)",
        sp50,
        sp99,
        smax,
        sp99 / 1000.0 / DELIVERY_S
    );
    println!(
        "  long poll p99 / plain poll p99: {:.2}",
        if pp99 > 0.0 { lp99 / pp99 } else { 0.0 }
    );
    let (acks, failures) = seen
        .lock()
        .map(|s| (s.acks.clone(), s.failures))
        .unwrap_or_default();
    let n = acks.len();
    let (a50, a99, _) = summary(acks);
    println!(
        "acknowledgements: {n}, p50 {a50:.1} ms, p99 {a99:.1} ms; failed requests: {failures}"
    );
    for t in &tasks {
        t.abort();
    }

    // The board of the last directive: every open checkpoint, `lanes` of them acknowledged.
    // Read once plain (to count it), then timed as a browser asks for it (gzip).
    let board = format!("{base}/api/v1/directives/{last}");
    let plain = http.get(&board).bearer_auth(&commander).send().await?;
    anyhow::ensure!(
        plain.status().is_success(),
        "board answered {}",
        plain.status()
    );
    let plain = plain.bytes().await?;
    let v: Value = serde_json::from_slice(&plain)?;
    let recipients = v["recipients"].as_array().map_or(0, Vec::len);
    let mut times = Vec::with_capacity(args.board_reads);
    let mut bytes = 0;
    for _ in 0..args.board_reads {
        let t = Instant::now();
        let r = http
            .get(&board)
            .bearer_auth(&commander)
            .header("accept-encoding", "gzip")
            .send()
            .await?;
        anyhow::ensure!(r.status().is_success(), "board answered {}", r.status());
        bytes = r.bytes().await?.len();
        times.push(t.elapsed());
    }
    let (b50, b99, _) = summary(times);
    println!(
        "{:<44} {:>9} {:>9} {:>9} {:>8}",
        "the board of one directive", "p50 ms", "p99 ms", "gzip B", "/100 ms"
    );
    println!(
        "{:<44} {:>9.1} {:>9.1} {:>9} {:>8.2}",
        format!("  {recipients} stations, {} reads", args.board_reads),
        b50,
        b99,
        bytes,
        b99 / BOARD_MS
    );
    println!("  ({} bytes uncompressed)", plain.len());
    daily(&http, &base, &commander, store.as_ref(), args.daily_reads).await?;
    for (_, served, _, fresh) in stations {
        served.stop().await;
        fresh.remove().await;
    }
    server.stop().await;
    drop(store);
    fresh.remove().await;
    Ok(())
}
