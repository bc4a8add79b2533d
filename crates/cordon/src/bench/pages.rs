//! `cordon bench pages`: every page of the navigation bar as its users load it, on a hub holding
//! the demo province (`--scale`, `--days`). Each page is fetched cold `--loads` times as the
//! first role its bar entry lists (signed in, in Chinese, `Accept-Encoding: gzip, deflate, br`
//! as browsers send it): a new connection for the page and one for each of its assets, in
//! sequence (a browser fetches the assets in parallel, so this is the slower bound). Printed per
//! page: the bytes transferred (document, and with its assets), the bytes before compression,
//! and the p50/p99 time, each with its ratio to the pages issue's targets (100 KiB, 300 ms).
//! The data a page's script then asks the API for is not counted: it depends on the question.

use std::time::Instant;

use clap::Args;
use cordon_domain::access::Role;
use cordon_store::Store;

use super::ingest::{demo_store, percentile, serve, session_token};
use super::lane::{asset_links, fetch_cold};

#[derive(Debug, Args)]
pub struct PagesArgs {
    /// Demo traffic per day, as `cordon demo --scale` (1.0: a province).
    #[arg(long, default_value_t = 0.05)]
    pub scale: f64,
    /// Days of demo traffic stored before the run.
    #[arg(long, default_value_t = 1)]
    pub days: u32,
    /// Cold loads of each page.
    #[arg(long, default_value_t = 20)]
    pub loads: usize,
}

const PAGE_MS: f64 = 300.0;
const PAGE_BYTES: f64 = 100.0 * 1024.0;
const ENCODINGS: &str = "Accept-Encoding: gzip, deflate, br\r\n";

/// The body's length of an HTTP/1.1 answer read whole (the bytes after the head).
fn body_len(answer: &[u8]) -> usize {
    answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(answer.len(), |at| answer.len() - at - 4)
}

pub async fn run(args: PagesArgs) -> anyhow::Result<()> {
    let (store, fresh, open) = demo_store(args.scale, args.days, false).await?;
    let passages = store.count_passages().await?;
    let province = "130000";
    let mut tokens = Vec::new();
    for role in [
        Role::Officer,
        Role::Commander,
        Role::Tracer,
        Role::Auditor,
        Role::Admin,
        Role::Caller,
    ] {
        let scope = match role {
            Role::Officer => open.iter().take(2).cloned().collect::<Vec<_>>().join(","),
            Role::Caller => "130102".to_owned(),
            _ => province.to_owned(),
        };
        let name = format!("bench-{}", role.as_str());
        tokens.push((
            role,
            session_token(store.as_ref(), &name, role, &scope).await?,
        ));
    }
    let server = serve(store.clone()).await?;
    let addr = server.addr.clone();
    println!(
        "hub: the demo province at --scale {} ({passages} passages, {} checkpoints); {} cold loads per page, Accept-Encoding gzip, deflate, br",
        args.scale,
        open.len(),
        args.loads
    );
    let mut pages: Vec<(String, Option<Role>)> = cordon_server::ui::site::PAGES
        .iter()
        .flat_map(|p| p.nav.iter())
        .map(|item| (item.href.to_owned(), item.roles.first().copied()))
        .collect();
    pages.push((format!("/checkpoints/{}", open[0]), Some(Role::Commander)));
    println!(
        "{:<34} {:>10} {:>12} {:>14} {:>9} {:>9} {:>8} {:>8}",
        "page (as)",
        "document",
        "with assets",
        "uncompressed",
        "p50 ms",
        "p99 ms",
        "/100KiB",
        "/300ms"
    );
    for (path, role) in pages {
        let token = role
            .and_then(|r| tokens.iter().find(|(t, _)| *t == r))
            .map_or("", |(_, t)| t.as_str());
        // The links and the sizes before compression, read once from the page uncompressed.
        let (status, plain_page) = fetch_cold(&addr, &path, token, "").await?;
        anyhow::ensure!(status == 200, "{path} answered {status}");
        let links = asset_links(&String::from_utf8_lossy(&plain_page));
        let mut plain = body_len(&plain_page);
        for link in &links {
            plain += body_len(&fetch_cold(&addr, link, token, "").await?.1);
        }
        let mut times = Vec::with_capacity(args.loads);
        let (mut document, mut total) = (0, 0);
        for _ in 0..args.loads {
            let t = Instant::now();
            let (status, page) = fetch_cold(&addr, &path, token, ENCODINGS).await?;
            anyhow::ensure!(status == 200, "{path} answered {status}");
            let mut bytes = page.len();
            for link in &links {
                let (status, asset) = fetch_cold(&addr, link, token, ENCODINGS).await?;
                anyhow::ensure!(status == 200, "{link} answered {status}");
                bytes += asset.len();
            }
            times.push(t.elapsed());
            (document, total) = (page.len(), bytes);
        }
        times.sort();
        let (p50, p99) = (percentile(&times, 0.5), percentile(&times, 0.99));
        let who = role.map_or("anyone", |r| r.as_str());
        println!(
            "{:<34} {:>10} {:>12} {:>14} {:>9.1} {:>9.1} {:>8.2} {:>8.2}",
            format!("{path} ({who})"),
            document,
            total,
            plain,
            p50,
            p99,
            total as f64 / PAGE_BYTES,
            p99 / PAGE_MS
        );
    }
    server.stop().await;
    drop::<std::sync::Arc<dyn Store>>(store);
    fresh.remove().await;
    Ok(())
}
