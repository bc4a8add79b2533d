//! `cordon serve`: open the store (applying migrations), optionally load the demo province,
//! then serve the API until Ctrl-C or SIGTERM.

use std::net::SocketAddr;

use clap::Args;

use crate::demo::{self, DemoOptions};
use crate::options::StoreArgs;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address of the public API and UI. Use 0.0.0.0:8080 to serve a station's Wi-Fi.
    #[arg(long, env = "CORDON_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Address of the Prometheus metrics listener (`/metrics`); off unless given.
    #[arg(long, env = "CORDON_METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,
    /// Days the personal data of a passage is kept; older passages keep only their counts.
    #[arg(long, env = "CORDON_RETENTION_DAYS", default_value_t = cordon_server::retention::DEFAULT_DAYS,
          value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub retention_days: u32,
    /// Load the demo province first if the store has no checkpoints yet.
    #[arg(long, env = "CORDON_DEMO")]
    pub demo: bool,
    #[command(flatten)]
    pub demo_options: DemoOptions,
    #[command(flatten)]
    pub store: StoreArgs,
}

pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    let store = args.store.open().await?;
    if args.demo {
        demo::load_if_empty(store.as_ref(), &args.demo_options).await?;
    }
    crate::accounts::first_admin(&store).await?;
    cordon_server::retention::spawn(store.clone(), args.retention_days);
    if args.demo {
        let officer_scope = demo::officer_checkpoints(store.as_ref()).await?;
        crate::accounts::demo_accounts(&store, &officer_scope).await?;
    }
    if let Some(addr) = args.metrics_listen {
        let bound = cordon_server::observe::serve_metrics(addr).await?;
        tracing::info!(%bound, "metrics on http://{bound}/metrics");
    }
    cordon_server::serve(
        store,
        &cordon_server::Settings {
            retention_days: args.retention_days,
        },
        args.listen,
        |bound| {
            println!("Cordon is serving on http://{bound}/  (sign in there; the lane: /lane, the dashboard: /dashboard, drivers' pre-declaration: /declare; API: /api/v1, OpenAPI: http://{bound}/api/openapi.json)");
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
