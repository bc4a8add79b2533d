//! Cordon's HTTP server: the JSON API under `/api/v1` ([`api`]), its OpenAPI document at
//! `/api/openapi.json` ([`openapi`]), `/healthz` ([`health`]), and request metrics and logs
//! ([`observe`]). It knows the store only through the `Store` trait.

pub mod api;
pub mod auth;
pub mod error;
pub mod extract;
pub mod flight;
pub mod health;
pub mod localized;
pub mod observe;
pub mod openapi;
pub mod period;
pub mod refusals;
pub mod state;
pub mod table;
pub mod texts_schema;
pub mod tls;
pub mod ui;

// The capabilities, each a folder named as in every other crate.
pub mod access;
pub mod audit;
pub mod command;
pub mod dashboard;
pub mod declaration;
pub mod followup;
pub mod freight;
pub mod network;
pub mod passage;
pub mod policy;
pub mod retention;
pub mod risk;
pub mod station;
pub mod status;
pub mod testing;
pub mod trace;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use cordon_store::Store;
use tower_http::catch_panic::CatchPanicLayer;

pub use state::{state, AppState, Settings};

/// The whole public application: API, OpenAPI document, health, and the request observer.
pub fn app(state: AppState) -> Router {
    observe::recorder();
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/api/openapi.json", get(openapi::document))
        .with_state(state.clone())
        .merge(ui::site::router(state.clone()))
        .merge(api::router(state))
        .fallback(|| async { error::ApiError::NotFound("no such route".into()) })
        .layer(axum::middleware::from_fn(refusals::edge))
        // Pages and answers compressed by `Accept-Encoding` (brotli, else gzip), at a level
        // made for answers computed on the fly (brotli's own default, 11, is for files built
        // once); outside the refusals, which read the bodies they rewrite.
        .layer(
            tower_http::compression::CompressionLayer::new()
                .quality(tower_http::CompressionLevel::Precise(4)),
        )
        .layer(axum::middleware::from_fn(observe::observe))
        .layer(CatchPanicLayer::custom(|_| {
            tracing::error!("a request handler panicked");
            (StatusCode::INTERNAL_SERVER_ERROR, error::ApiError::Internal).into_response()
        }))
}

/// Binds `listen` and serves (HTTPS with `settings.tls`) until `shutdown` resolves, letting
/// requests under way finish; answers the bound address through `on_bound` first (port 0 picks
/// a free port).
pub async fn serve(
    store: Arc<dyn Store>,
    settings: &Settings,
    listen: SocketAddr,
    on_bound: impl FnOnce(SocketAddr),
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let state = state(store, settings)
        .await
        .map_err(std::io::Error::other)?;
    let tls = match &settings.tls {
        Some(files) => Some(tls::config(files).await?),
        None => None,
    };
    // A stop first answers the lanes' long polls, which would otherwise hold it up to their wait.
    let (feed, lots) = (state.directives.clone(), state.lots.clone());
    let trace = state.trace.clone();
    let shutdown = async move {
        shutdown.await;
        feed.close();
        lots.close();
        // The next start loads the trace index from its file instead of the whole store.
        trace.save().await;
    };
    let listener = tokio::net::TcpListener::bind(listen).await?;
    on_bound(listener.local_addr()?);
    let service = app(state).into_make_service_with_connect_info::<SocketAddr>();
    let Some(tls) = tls else {
        return axum::serve(listener, service)
            .with_graceful_shutdown(shutdown)
            .await;
    };
    let handle = axum_server::Handle::new();
    let stop = handle.clone();
    tokio::spawn(async move {
        shutdown.await;
        stop.graceful_shutdown(Some(std::time::Duration::from_secs(10)));
    });
    axum_server::from_tcp_rustls(listener.into_std()?, tls)?
        .handle(handle)
        .serve(service)
        .await
}
