//! `cordon bench scale`: a province's store at its size (the demo province at `--scale`, over
//! `--days`, on SQLite or with `--postgres` on PostgreSQL), then in one run: the bytes on disk per passage by table and index
//! (SQLite's `dbstat`) against the 400 bytes issue 27 sets; the trace index's cold load from
//! the store, and a restarted hub's from the file the stop saved (what a restart costs before
//! traces answer); the dashboard of the province and of a city through HTTP, p50/p99 and
//! compressed bytes, against 100 ms/100 KB and 20 ms; and the retention purge of the oldest
//! day, against 10 s, with lanes registering through the hub meanwhile (their latency before
//! and during it).

use std::time::{Duration, Instant};

use clap::Args;
use cordon_domain::access::Role;

use super::ingest::{demo_store_on, percentile, serve_with, session_token, Backend, Fresh};

#[derive(Debug, Args)]
pub struct ScaleArgs {
    /// Demo traffic per day, as `cordon demo --scale` (1.0: a province).
    #[arg(long, default_value_t = 1.0)]
    pub scale: f64,
    /// Days of demo traffic stored before the run.
    #[arg(long, default_value_t = 3)]
    pub days: u32,
    /// Computed reads of each dashboard (each 5 s after the last, past the hub's cache), each
    /// followed by one the cache answers; the first, right after the restart, is shown apart.
    #[arg(long, default_value_t = 11)]
    pub reads: usize,
    /// Measure on this PostgreSQL server instead of the embedded database (a fresh database
    /// is created and dropped).
    #[arg(long, env = "CORDON_BENCH_POSTGRES")]
    pub postgres: Option<String>,
}

/// Issue 27's targets.
const BYTES_PER_PASSAGE: f64 = 400.0;
const PROVINCE_MS: f64 = 100.0;
const CITY_MS: f64 = 20.0;
const DASHBOARD_BYTES: f64 = 100.0 * 1024.0;
const PURGE_S: f64 = 10.0;
const RESTART_S: f64 = 10.0;
/// Registrations a second while the purge runs: a busy hour of a province (a million vehicles
/// a day is 12 a second on average).
const LANE_RATE: f64 = 50.0;
/// How long the lanes register before the purge starts.
const LANES_BEFORE: std::time::Duration = std::time::Duration::from_secs(12);
/// How long the hub keeps a computed dashboard (a little more).
const CACHED: std::time::Duration = std::time::Duration::from_millis(5_100);

pub async fn run(args: ScaleArgs) -> anyhow::Result<()> {
    anyhow::ensure!(args.days >= 2, "--days 2 or more: the oldest day is purged");
    let backend = match &args.postgres {
        Some(url) => Backend::Postgres(url.clone()),
        None => Backend::Sqlite,
    };
    let (store, fresh, _) = demo_store_on(&backend, args.scale, args.days, false).await?;
    let passages = store.count_passages().await?;
    // The embedded database's directory, or one of the bench's own for the trace index's file.
    let dir = match &fresh {
        Fresh::Sqlite(dir) => dir.clone(),
        Fresh::Postgres { .. } => {
            let d = std::env::temp_dir().join(format!(
                "cordon-bench-scale-{}",
                uuid::Uuid::now_v7().simple()
            ));
            std::fs::create_dir_all(&d)?;
            d
        }
    };
    println!(
        "the demo province at --scale {} over {} days on {}: {passages} passages",
        args.scale,
        args.days,
        store.backend()
    );

    // Bytes by table and index, as SQLite's pages hold them (PostgreSQL's relations).
    let rows = store.storage_bytes().await?;
    let per = |b: i64| b as f64 / passages.max(1) as f64;
    let total: i64 = rows.iter().map(|r| r.1).sum();
    println!("{:<44} {:>14} {:>12}", "bytes on disk", "bytes", "/passage");
    for (name, b) in rows.iter().take(12) {
        println!("  {:<42} {:>14} {:>12.1}", name, b, per(*b));
    }
    println!(
        "  {:<42} {:>14} {:>12.1}  /400 B: {:.2}",
        "every table and index",
        total,
        per(total),
        per(total) / BYTES_PER_PASSAGE
    );
    if let Fresh::Sqlite(dir) = &fresh {
        let wal = std::fs::metadata(dir.join("cordon.db-wal")).map_or(0, |m| m.len());
        println!(
            "  (the file: {} bytes; its write-ahead log, not yet copied back: {wal} bytes)",
            std::fs::metadata(dir.join("cordon.db"))?.len()
        );
    }

    // PostgreSQL writes the load's pages back at its next checkpoints: minutes of the disk
    // that a hub in service, recording as it goes, does not spend at once. Asked for now, so
    // that what follows measures a hub in service and not the load's write-back.
    if let Fresh::Postgres { admin, .. } = &fresh {
        let t = Instant::now();
        match cordon_store::scratch::execute(admin, "CHECKPOINT", &[]).await {
            Ok(_) => println!(
                "PostgreSQL's checkpoint after the load: {:.1} s",
                t.elapsed().as_secs_f64()
            ),
            Err(e) => println!("no checkpoint after the load ({e}): its write-back goes on"),
        }
    }

    // The trace index loaded cold, as a restart loads it.
    let live = cordon_server::trace::live::LiveTrace::new(cordon_server::retention::DEFAULT_DAYS);
    let t = Instant::now();
    live.load(store.as_ref()).await?;
    let load = t.elapsed().as_secs_f64();
    println!(
        "the trace index loaded cold: {load:.1} s ({:.0} passages a second; 10^8 passages would take {:.0} s)",
        passages as f64 / load,
        1e8 / (passages as f64 / load)
    );
    drop(live);

    // The trace index after a restart: read from the store by a hub that has no saved file
    // yet, saved as that hub stops, then loaded from the file by the next one.
    let settings = cordon_server::Settings {
        trace_file: Some(dir.join("trace-index.bin")),
        ..cordon_server::Settings::default()
    };
    let t = Instant::now();
    let hub = serve_with(store.clone(), settings.clone()).await?;
    let from = hub.trace_ready().await?;
    let cold = t.elapsed().as_secs_f64();
    anyhow::ensure!(from == "store", "the first hub loaded from {from}");
    let t = Instant::now();
    hub.stop().await;
    let stop = t.elapsed().as_secs_f64();
    let file_bytes = std::fs::metadata(dir.join("trace-index.bin"))?.len();
    let t = Instant::now();
    let server = serve_with(store.clone(), settings).await?;
    let from = server.trace_ready().await?;
    let warm = t.elapsed().as_secs_f64();
    anyhow::ensure!(from == "file", "the restarted hub loaded from {from}");
    println!(
        "a restart's trace index: from the store {cold:.1} s, from its file {warm:.1} s \
         ({:.2} of the store's; the file {} MB, saved in a stop of {stop:.1} s; \
         10^8 passages at this rate {:.0} s)  /10 s at 10^8: {:.2}",
        warm / cold,
        file_bytes / 1_000_000,
        warm * 1e8 / passages as f64,
        warm * 1e8 / passages as f64 / RESTART_S
    );

    // The dashboards as their pages ask for them, from the hub just restarted (its trace index
    // ready: nothing else running).
    let base = format!("http://{}", server.addr);
    let http = reqwest::Client::new();
    println!(
        "{:<44} {:>9} {:>9} {:>10} {:>8} {:>8}",
        "the dashboard (24 h)", "p50 ms", "p99 ms", "gzip B", "/target", "/100 KB"
    );
    for (who, scope, target) in [
        ("bench-province", "130000", PROVINCE_MS),
        ("bench-city", "130100", CITY_MS),
    ] {
        let token = session_token(store.as_ref(), who, Role::Commander, scope).await?;
        // The hub keeps a scope's dashboard 5 s: each computed read comes after that, and the
        // read right after it is answered from the cache.
        let (mut computed, mut cached) = (Vec::new(), Vec::new());
        let mut bytes = 0;
        let mut last = Instant::now() - CACHED;
        for _ in 0..args.reads {
            tokio::time::sleep(CACHED.saturating_sub(last.elapsed())).await;
            last = Instant::now();
            for times in [&mut computed, &mut cached] {
                let t = Instant::now();
                let r = http
                    .get(format!("{base}/api/v1/dashboard?hours=24"))
                    .bearer_auth(&token)
                    .header("accept-encoding", "gzip")
                    .send()
                    .await?;
                anyhow::ensure!(r.status().is_success(), "dashboard answered {}", r.status());
                bytes = r.bytes().await?.len();
                times.push(t.elapsed());
            }
        }
        // The first read after the restart finds the page cache holding what the trace index's
        // load read last: printed apart from the reads of a hub in service.
        if !computed.is_empty() {
            let first = computed.remove(0);
            println!(
                "{:<44} {:>9.1}",
                format!("  {scope}, the first read after the restart"),
                first.as_secs_f64() * 1e3
            );
        }
        // The slowest computed reads and when they came (a single slow read sets the p99).
        let mut slowest: Vec<(usize, Duration)> = computed.iter().copied().enumerate().collect();
        slowest.sort_by_key(|s| std::cmp::Reverse(s.1));
        let slowest: Vec<String> = slowest
            .iter()
            .take(3)
            .map(|(i, d)| format!("#{} {:.1} ms", i + 2, d.as_secs_f64() * 1e3))
            .collect();
        println!("  {scope}, the slowest computed: {}", slowest.join(", "));
        for (what, mut times) in [("computed", computed), ("from the cache", cached)] {
            times.sort();
            let p99 = percentile(&times, 0.99);
            println!(
                "{:<44} {:>9.1} {:>9.1} {:>10} {:>8.2} {:>8.2}",
                format!("  {scope}, {what}, {} reads", times.len()),
                percentile(&times, 0.5),
                p99,
                bytes,
                p99 / target,
                bytes as f64 / DASHBOARD_BYTES
            );
        }
    }
    // The oldest day's personal data purged while lanes register on the hub as in service
    // (LANE_RATE a second, a province's busy hour): their latency before the purge and during.
    let lanes = super::lanes_meanwhile::start(store.as_ref(), &base, LANE_RATE).await?;
    let warm = Instant::now() + std::time::Duration::from_secs(2);
    tokio::time::sleep(LANES_BEFORE).await;
    let now = cordon_domain::time::now_ms();
    // The midnight (UTC+8) nearest to a day after the demo's first hour: the retention job
    // purges whole days, so the purge takes 12 to 36 hours of traffic, by whole days.
    let first = now - i64::from(args.days) * 86_400_000;
    let cutoff = cordon_store::retention_cutoff(first + 86_400_000 + 43_200_000, 0);
    let hours = (cutoff - first) as f64 / 3_600_000.0;
    let t = Instant::now();
    let purged = store.purge_personal_data(cutoff).await?;
    let took = t.elapsed();
    let end = Instant::now();
    let samples = lanes.stop().await?;
    server.stop().await;
    println!(
        "the purge of the oldest day (to midnight, {hours:.1} hours): {} passages ({} persons) \
         in {:.1} s  /10 s: {:.2}",
        purged.passages,
        purged.persons,
        took.as_secs_f64(),
        took.as_secs_f64() / PURGE_S
    );
    println!("lanes registering {LANE_RATE} vehicles a second through the hub:");
    super::lanes_meanwhile::print("before the purge", &samples, warm, t);
    super::lanes_meanwhile::print("during the purge", &samples, t, end);
    drop(store);
    if let Fresh::Postgres { .. } = &fresh {
        let _ = std::fs::remove_dir_all(&dir);
    }
    fresh.remove().await;
    Ok(())
}
