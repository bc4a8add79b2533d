//! Request metrics and logs. Each request is counted and timed by its route template
//! (`/api/v1/checkpoints/{code}`), never by its raw URI, and logged with method, route, status
//! and duration only: no query string, no body, so no personal data. Metrics are exported in
//! Prometheus format on their own listener (`--metrics-listen`), never on the public one.

use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

static RECORDER: OnceLock<PrometheusHandle> = OnceLock::new();

/// The process's Prometheus recorder, installed on first use.
pub fn recorder() -> &'static PrometheusHandle {
    RECORDER.get_or_init(|| {
        PrometheusBuilder::new()
            .install_recorder()
            .unwrap_or_else(|_| PrometheusBuilder::new().build_recorder().handle())
    })
}

pub async fn observe(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().as_str().to_owned();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let response = next.run(req).await;
    let seconds = started.elapsed().as_secs_f64();
    let status = response.status().as_u16().to_string();
    metrics::counter!("cordon_http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status.clone())
        .increment(1);
    metrics::histogram!("cordon_http_request_duration_seconds", "method" => method.clone(), "route" => route.clone())
        .record(seconds);
    tracing::info!(%method, %route, %status, ms = seconds * 1000.0, "request");
    response
}

/// Serves `/metrics` on its own address until the process ends.
pub async fn serve_metrics(addr: SocketAddr) -> std::io::Result<SocketAddr> {
    let handle = recorder();
    let app = Router::new().route("/metrics", get(move || async move { handle.render() }));
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "metrics listener stopped");
        }
    });
    Ok(bound)
}
