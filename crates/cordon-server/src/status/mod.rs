//! Person statuses: a change requested with a reason and evidence, decided by a second account,
//! and the history ([`api`]).

pub mod api;

use axum::routing::{get, post};
use axum::Router;
use utoipa::OpenApi;

use crate::state::AppState;

pub fn api() -> Router<AppState> {
    Router::new()
        .route("/api/v1/status-changes", get(api::list).post(api::request))
        .route("/api/v1/status-changes/person", post(api::of_person))
        .route("/api/v1/status-changes/{id}/approve", post(api::approve))
        .route("/api/v1/status-changes/{id}/reject", post(api::reject))
}

#[derive(OpenApi)]
#[openapi(
    paths(
        api::request,
        api::list,
        api::of_person,
        api::approve,
        api::reject,
    ),
    tags((name = "statuses", description = "person statuses (case, close contact): requested with evidence, approved by a second account"))
)]
pub struct Api;
