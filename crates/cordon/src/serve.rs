//! `cordon serve`: open the store (applying migrations), optionally load the demo province,
//! then serve the API until Ctrl-C or SIGTERM.

use std::net::SocketAddr;

use clap::Args;

use crate::demo::{self, DemoOptions};
use crate::options::StoreArgs;

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("place").args(["checkpoint", "site"])))]
pub struct ServeArgs {
    /// Address of the public API and UI. Use 0.0.0.0:8080 to serve a station's Wi-Fi.
    #[arg(long, env = "CORDON_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Serve HTTPS with this certificate chain (PEM; with --tls-key): for stations and browsers
    /// that reach the hub over networks it does not own. Without it the listener speaks plain
    /// HTTP (behind a TLS-terminating proxy, or on a station's own Wi-Fi).
    #[arg(long, env = "CORDON_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<std::path::PathBuf>,
    /// The private key of --tls-cert (PEM).
    #[arg(long, env = "CORDON_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<std::path::PathBuf>,
    /// Address of the Prometheus metrics listener (`/metrics`); off unless given.
    #[arg(long, env = "CORDON_METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,
    /// Days the personal data of a passage is kept (purged by whole days, midnight to midnight
    /// in China time: at most a day more); older passages keep only their counts.
    #[arg(long, env = "CORDON_RETENTION_DAYS", default_value_t = cordon_server::retention::DEFAULT_DAYS,
          value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub retention_days: u32,
    /// When each day's report is kept: China time of the next morning, HH:MM (at most 06:00).
    #[arg(long, env = "CORDON_DAILY_REPORT_AT", default_value = "00:30", value_parser = keep_time)]
    pub daily_report_at: u32,
    /// Drivers' pre-declarations accepted per client address and minute (IPv6 per /64; up to a
    /// minute's worth at once); 0 turns the limit off, for example behind a proxy that limits.
    #[arg(long, env = "CORDON_DECLARATIONS_PER_MINUTE", default_value_t = cordon_server::auth::rate::DEFAULT_PER_MINUTE)]
    pub declarations_per_minute: u32,
    /// Load the demo province first if the store has no checkpoints yet.
    #[arg(long, env = "CORDON_DEMO")]
    pub demo: bool,
    #[command(flatten)]
    pub demo_options: DemoOptions,
    /// Run as an edge station: serve the lanes from the local database and push what they
    /// record to the hub at this URL (for example http://hub.example:8080).
    #[arg(long, env = "CORDON_UPSTREAM", requires = "place")]
    pub upstream: Option<String>,
    /// Certificate (PEM) of the authority that signed the hub's certificate, when it is not one
    /// the system trusts (a private CA): with an https:// --upstream.
    #[arg(long, env = "CORDON_UPSTREAM_CA", requires = "upstream")]
    pub upstream_ca: Option<std::path::PathBuf>,
    /// The station's checkpoint (with --upstream).
    #[arg(long, env = "CORDON_CHECKPOINT", requires = "upstream")]
    pub checkpoint: Option<String>,
    /// Run as a sampling site's station instead: the site's id (with --upstream and a site's
    /// credential); its tubes and antigen tests are pushed to the hub.
    #[arg(
        long,
        env = "CORDON_SITE",
        requires = "upstream",
        conflicts_with = "checkpoint"
    )]
    pub site: Option<i64>,
    /// The station's credential, issued by a commander (POST /api/v1/stations on the hub), in a
    /// file; default DIR/station.token. `CORDON_STATION_TOKEN` gives it directly.
    #[arg(long, env = "CORDON_STATION_TOKEN_FILE")]
    pub station_token_file: Option<std::path::PathBuf>,
    #[command(flatten)]
    pub store: StoreArgs,
}

/// The station's credential: `CORDON_STATION_TOKEN`, else the token file.
fn station_token(args: &ServeArgs) -> anyhow::Result<String> {
    if let Ok(t) = std::env::var("CORDON_STATION_TOKEN") {
        if !t.trim().is_empty() {
            return Ok(t.trim().to_owned());
        }
    }
    let file = args
        .station_token_file
        .clone()
        .unwrap_or_else(|| args.store.data.join("station.token"));
    let t = std::fs::read_to_string(&file).map_err(|e| {
        anyhow::anyhow!(
            "an edge station needs its credential: set CORDON_STATION_TOKEN or write it to {} ({e})",
            file.display()
        )
    })?;
    Ok(t.trim().to_owned())
}

pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    let store = args.store.open().await?;
    let mut hub_key = None;
    if let (Some(url), Some(code)) = (&args.upstream, &args.checkpoint) {
        anyhow::ensure!(
            store.backend() == "sqlite",
            "an edge station runs on the embedded database: leave out --database"
        );
        let code = cordon_domain::checkpoint::CheckpointCode::parse(code)
            .map_err(|e| anyhow::anyhow!("--checkpoint: {}", e.message))?;
        let upstream = crate::station::Upstream::new(
            url,
            &station_token(&args)?,
            args.upstream_ca.as_deref(),
        )?;
        crate::station::bootstrap(store.as_ref(), &upstream, &code).await?;
        hub_key =
            crate::station::hub_key(&upstream, &args.store.data.join("hub-declaration.key")).await;
        store.install_directive_outbox().await?;
        store.install_report_outbox().await?;
        crate::station::spawn_downlink(store.clone(), upstream.clone());
        crate::station_directives::spawn(store.clone(), upstream.clone(), code.clone());
        crate::station::spawn_uplink(store.clone(), upstream);
        tracing::info!(hub = %url, checkpoint = %code, "edge station: pushing to the hub");
    }
    if let (Some(url), Some(site)) = (&args.upstream, args.site) {
        anyhow::ensure!(
            store.backend() == "sqlite",
            "a sampling station runs on the embedded database: leave out --database"
        );
        let upstream = crate::station::Upstream::new(
            url,
            &station_token(&args)?,
            args.upstream_ca.as_deref(),
        )?;
        crate::sampling_station::bootstrap(store.as_ref(), &upstream, site).await?;
        crate::sampling_station::spawn_uplink(store.clone(), upstream);
        tracing::info!(hub = %url, site, "sampling station: pushing to the hub");
    }
    if args.demo {
        demo::load_if_empty(store.as_ref(), &args.demo_options).await?;
    }
    crate::accounts::first_admin(&store).await?;
    cordon_server::retention::spawn(store.clone(), args.retention_days);
    if args.demo {
        let officer_scope = demo::officer_checkpoints(store.as_ref()).await?;
        crate::accounts::demo_accounts(&store, &officer_scope).await?;
        demo::followup::load(store.as_ref(), &officer_scope).await?;
        demo::testing::load(store.as_ref()).await?;
        demo::command::load(store.as_ref(), &officer_scope).await?;
        demo::rosters::load(store.as_ref(), &officer_scope).await?;
        demo::patrols::load(store.as_ref()).await?;
        demo::lots::load(store.as_ref(), &officer_scope).await?;
        demo::passes::load(store.as_ref()).await?;
        demo::escorts::load(store.as_ref(), &officer_scope).await?;
    }
    if args.upstream.is_none() {
        // After the demo: the days it kept count what it made.
        cordon_server::command::daily_api::spawn_keeper(store.clone(), args.daily_report_at);
    }
    if let Some(addr) = args.metrics_listen {
        let bound = cordon_server::observe::serve_metrics(addr).await?;
        tracing::info!(%bound, "metrics on http://{bound}/metrics");
    }
    cordon_server::serve(
        store,
        &cordon_server::Settings {
            retention_days: args.retention_days,
            upstream: args.upstream.clone(),
            hub_key,
            site: args.site,
            declarations_per_minute: args.declarations_per_minute,
            tls: match (&args.tls_cert, &args.tls_key) {
                (Some(cert), Some(key)) => Some(cordon_server::tls::TlsFiles {
                    cert: cert.clone(),
                    key: key.clone(),
                }),
                _ => None,
            },
            trace_file: Some(args.store.data.join("trace-index.bin")),
        },
        args.listen,
        |bound| {
            let scheme = if args.tls_cert.is_some() { "https" } else { "http" };
            println!("Cordon is serving on {scheme}://{bound}/  (sign in there; the lane: /lane, the dashboard: /dashboard, drivers' pre-declaration: /declare; API: /api/v1, OpenAPI: {scheme}://{bound}/api/openapi.json)");
        },
        shutdown(),
    )
    .await?;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

fn keep_time(s: &str) -> Result<u32, String> {
    cordon_domain::command::daily::parse_keep_time(s).map_err(|e| e.message)
}
