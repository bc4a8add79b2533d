//! Cordon's HTTP server: the JSON API under `/api/v1` ([`api`]), its OpenAPI document at
//! `/api/openapi.json` ([`openapi`]), `/healthz` ([`health`]), and request metrics and logs
//! ([`observe`]). It knows the store only through the `Store` trait.

pub mod api;
pub mod audit;
pub mod auth;
pub mod dashboard;
pub mod decide;
pub mod dryrun;
pub mod error;
pub mod extract;
pub mod health;
pub mod observe;
pub mod openapi;
pub mod retention;
pub mod risk_import;
pub mod tls;
pub mod trace;
pub mod trace_corrections;
pub mod ui;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use cordon_store::Store;
use tower_http::catch_panic::CatchPanicLayer;

pub use api::AppState;

/// What a hub is started with beyond its store.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Days the personal data of a passage is kept: a trace spans at most this.
    pub retention_days: u32,
    /// Set when this process is an edge station: the hub it pushes to.
    pub upstream: Option<String>,
    /// At a station: the hub's key for pre-declaration codes.
    pub hub_key: Option<cordon_domain::declaration::VerifyingKey>,
    /// Pre-declarations accepted per client address and minute (0: no limit).
    pub declarations_per_minute: u32,
    /// Serve HTTPS with these (plain HTTP without).
    pub tls: Option<tls::TlsFiles>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            retention_days: retention::DEFAULT_DAYS,
            upstream: None,
            hub_key: None,
            declarations_per_minute: auth::rate::DEFAULT_PER_MINUTE,
            tls: None,
        }
    }
}

/// Loads what the lanes apply and starts its periodic refresh, the audit appender, and the
/// trace index's load and updates.
pub async fn state(
    store: Arc<dyn Store>,
    settings: &Settings,
) -> Result<AppState, cordon_store::StoreError> {
    let lanes = decide::Lanes::load(store.as_ref()).await?;
    lanes.spawn_refresh(store.clone());
    let auth = Arc::new(auth::sessions::Auth::new(store.clone()));
    let trace = trace::LiveTrace::new(settings.retention_days);
    trace.spawn(store.clone());
    Ok(AppState {
        store,
        lanes,
        auth,
        trace,
        dashboard: Default::default(),
        upstream: settings.upstream.clone(),
        hub_key: settings.hub_key,
        declarations: Arc::new(auth::rate::RateLimit::new(settings.declarations_per_minute)),
    })
}

/// The whole public application: API, OpenAPI document, health, and the request observer.
pub fn app(state: AppState) -> Router {
    observe::recorder();
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/api/openapi.json", get(openapi::document))
        .with_state(state.clone())
        .merge(ui::router(state.clone()))
        .merge(api::router(state))
        .fallback(|| async { error::ApiError::NotFound("no such route".into()) })
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
