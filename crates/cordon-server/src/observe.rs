//! Request metrics and logs. Each request is counted and timed by its route template
//! (`/api/v1/checkpoints/{code}`), never by its raw URI, and logged (at debug level: a busy hub
//! answers thousands a second) with method, route, status
//! and duration only: no query string, no body, so no personal data. Metrics are exported in
//! Prometheus format on their own listener (`--metrics-listen`), never on the public one.

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
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
    let route: Arc<str> = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| Arc::from(p.as_str()))
        .unwrap_or_else(|| Arc::from("unmatched"));
    let response = next.run(req).await;
    let seconds = started.elapsed().as_secs_f64();
    let status = response.status().as_u16();
    let class = match status {
        200..=299 => "2xx",
        400..=499 => "4xx",
        500..=599 => "5xx",
        _ => "other",
    };
    metrics::counter!("cordon_http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => class)
        .increment(1);
    metrics::histogram!("cordon_http_request_duration_seconds", "method" => method.clone(), "route" => route.clone())
        .record(seconds);
    tracing::debug!(%method, %route, %status, ms = seconds * 1000.0, "request");
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
