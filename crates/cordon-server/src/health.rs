//! `/healthz`: whether the process is up and its store answers, and whether traces answer yet.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Serialize;

use crate::state::AppState;

#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    /// `ok` or `unavailable`.
    pub status: &'static str,
    /// `sqlite` or `postgres`.
    pub backend: &'static str,
    pub version: &'static str,
    /// The trace index: `loading` (traces answer 503 `trace_index_loading`) or `ready`.
    pub trace_index: &'static str,
    /// Where the trace index was loaded from once ready: `file` (saved at the last stop) or
    /// `store`.
    pub trace_index_from: Option<&'static str>,
}

#[utoipa::path(get, path = "/healthz", security(()), tag = "operations",
    responses((status = 200, body = Health), (status = 503, body = Health)))]
pub async fn healthz(State(app): State<AppState>) -> (StatusCode, Json<Health>) {
    let ok = app.store.ping().await.is_ok();
    let health = Health {
        status: if ok { "ok" } else { "unavailable" },
        backend: app.store.backend(),
        version: env!("CARGO_PKG_VERSION"),
        trace_index: if app.trace.is_ready() {
            "ready"
        } else {
            "loading"
        },
        trace_index_from: match (app.trace.is_ready(), app.trace.loaded_from_file()) {
            (false, _) => None,
            (true, true) => Some("file"),
            (true, false) => Some("store"),
        },
    };
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(health))
}
