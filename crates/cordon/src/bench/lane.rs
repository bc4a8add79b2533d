//! `cordon bench lane`: what an officer's phone waits for. The lane page loaded cold (a new
//! connection for the page and for each of its assets, fetched one after another: a browser
//! fetches the assets in parallel, so this is the slower bound) with the bytes transferred; then
//! registrations as the lane page sends them, one lane at a time and many lanes at once, with
//! their server-side latency. Each figure is printed with its ratio to the target of the
//! lane-page issue (300 ms and 100 KB for the page, 50 ms p99 for a registration).

use std::time::Instant;

use clap::Args;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::http1;
use super::ingest::{
    generate, officer_token, percentile, prepare, request, serve, session_token, Backend, Fresh,
};

#[derive(Debug, Args)]
pub struct LaneArgs {
    /// Cold loads of the lane page.
    #[arg(long, default_value_t = 200)]
    pub loads: usize,
    /// Loads of the lane page in headless Chromium, its cache cleared before each (skipped with
    /// a notice where chromedriver is absent).
    #[arg(long, default_value_t = 30)]
    pub browser_loads: usize,
    /// Registrations per phase.
    #[arg(long, default_value_t = 5_000)]
    pub registrations: usize,
}

const PAGE_MS: f64 = 300.0;
const PAGE_BYTES: f64 = 100.0 * 1024.0;
const SUBMIT_P99_MS: f64 = 50.0;

/// One GET on a new connection; answers the status and the bytes received (headers included).
/// `extra` is more header lines, each ending in CRLF.
pub(super) async fn fetch_cold(
    addr: &str,
    path: &str,
    cookie: &str,
    extra: &str,
) -> anyhow::Result<(u16, Vec<u8>)> {
    let mut stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    stream
        .write_all(
            format!(
                "GET {path} HTTP/1.1\r\nHost: {addr}\r\nCookie: cordon_session={cookie}\r\nAccept-Language: zh-CN\r\n{extra}Connection: close\r\n\r\n"
            )
            .as_bytes(),
        )
        .await?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await?;
    let status = std::str::from_utf8(&answer[..answer.len().min(12)])
        .ok()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Ok((status, answer))
}

/// The `/assets/...` links of a page.
pub(super) fn asset_links(html: &str) -> Vec<String> {
    html.split("\"/assets/")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(|s| format!("/assets/{s}"))
        .collect()
}

/// The lane page in a real browser with a cold cache: the time to its `load` event as the
/// browser's navigation timing gives it, and the bytes it transferred.
async fn browser_loads(addr: &str, token: &str, loads: usize) -> anyhow::Result<()> {
    if loads == 0 {
        return Ok(());
    }
    let Some(browser) = cordon_webdriver::Browser::start().await else {
        return Ok(());
    };
    browser.goto(&format!("http://{addr}/healthz")).await;
    browser.add_cookie("cordon_session", token).await;
    let mut times = Vec::with_capacity(loads);
    let mut bytes = 0.0;
    for _ in 0..loads {
        browser
            .devtools("Network.clearBrowserCache", serde_json::json!({}))
            .await;
        browser.goto(&format!("http://{addr}/lane")).await;
        browser
            .wait_until("performance.getEntriesByType('navigation')[0].loadEventEnd > 0")
            .await;
        let nav = browser
            .eval("(() => { const n = performance.getEntriesByType('navigation')[0]; const r = performance.getEntriesByType('resource'); return [n.loadEventEnd - n.startTime, r.reduce((s, x) => s + x.transferSize, n.transferSize), r.filter((x) => x.transferSize === 0).length]; })()")
            .await;
        let cached = nav[2].as_f64().unwrap_or(0.0);
        anyhow::ensure!(cached == 0.0, "{cached} resources came from the cache");
        times.push(std::time::Duration::from_secs_f64(
            nav[0].as_f64().unwrap_or(0.0) / 1000.0,
        ));
        bytes = nav[1].as_f64().unwrap_or(0.0);
    }
    browser.quit().await;
    times.sort();
    let (p50, p99) = (percentile(&times, 0.5), percentile(&times, 0.99));
    println!(
        "lane page in headless Chromium, cache cleared before each of {loads} loads: to the load event p50 {p50:.1} ms, p99 {p99:.1} ms = {:.3} of the 300 ms target; {bytes:.0} bytes transferred = {:.2} of the 100 KiB target",
        p99 / PAGE_MS,
        bytes / PAGE_BYTES
    );
    Ok(())
}

pub async fn run(args: LaneArgs) -> anyhow::Result<()> {
    let rows = generate(args.registrations * 2);
    let (store, fresh) = Fresh::open(&Backend::Sqlite).await?;
    prepare(store.as_ref(), &rows).await?;
    // Registrations come from every checkpoint of the generated network; the page is loaded as
    // a station's officer sees it: bound to the two checkpoints of their station.
    let token = officer_token(store.as_ref(), &rows).await?;
    let station: Vec<String> = rows
        .checkpoints
        .iter()
        .filter(|c| c.status == cordon_domain::checkpoint::CheckpointStatus::Open)
        .take(2)
        .map(|c| c.code.to_string())
        .collect();
    let station_token = session_token(
        store.as_ref(),
        "bench-station",
        cordon_domain::access::Role::Officer,
        &station.join(","),
    )
    .await?;
    let server = serve(store.clone()).await?;
    let addr = server.addr.clone();

    // The page and its assets, cold.
    let mut times = Vec::with_capacity(args.loads);
    let mut bytes = 0usize;
    for _ in 0..args.loads {
        let t = Instant::now();
        let (status, page) = fetch_cold(&addr, "/lane", &station_token, "").await?;
        anyhow::ensure!(status == 200, "the lane page answered {status}");
        let html = String::from_utf8_lossy(&page).into_owned();
        let mut total = page.len();
        for link in asset_links(&html) {
            let (status, asset) = fetch_cold(&addr, &link, &station_token, "").await?;
            anyhow::ensure!(status == 200, "{link} answered {status}");
            total += asset.len();
        }
        times.push(t.elapsed());
        bytes = total;
    }
    times.sort();
    let (p50, p99) = (percentile(&times, 0.5), percentile(&times, 0.99));
    println!(
        "lane page, cold (page + {} assets, one connection each, in sequence): {} bytes ({:.1} KiB) = {:.2} of the 100 KiB target; p50 {p50:.2} ms, p99 {p99:.2} ms = {:.3} of the 300 ms target",
        asset_links(&String::from_utf8_lossy(
            &fetch_cold(&addr, "/lane", &station_token, "").await?.1
        ))
        .len(),
        bytes,
        bytes as f64 / 1024.0,
        bytes as f64 / PAGE_BYTES,
        p99 / PAGE_MS
    );

    browser_loads(&addr, &station_token, args.browser_loads).await?;

    // Registrations as the lane page sends them: one lane, then 16 lanes at once.
    let mut offset = 0;
    for lanes in [1usize, 16] {
        let bodies: Vec<Vec<u8>> = rows.passages[offset..offset + args.registrations]
            .iter()
            .map(|p| {
                serde_json::to_vec(&request(p))
                    .map(|b| http1::post(&addr, "/api/v1/passages", &token, &b))
            })
            .collect::<Result<_, _>>()?;
        offset += args.registrations;
        let t = Instant::now();
        let mut latencies = http1::run(&addr, &bodies, lanes, 201).await?;
        let seconds = t.elapsed().as_secs_f64();
        latencies.sort();
        let p99 = percentile(&latencies, 0.99);
        println!(
            "registrations from {lanes} lane(s): {} in {seconds:.2} s ({:.0}/s); p50 {:.2} ms, p99 {p99:.2} ms = {:.3} of the 50 ms target",
            latencies.len(),
            latencies.len() as f64 / seconds,
            percentile(&latencies, 0.5),
            p99 / SUBMIT_P99_MS
        );
    }
    server.stop().await;
    drop(store);
    fresh.remove().await;
    Ok(())
}
