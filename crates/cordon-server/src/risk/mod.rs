//! The risk-area register: list, declare, end, and import the lists the health commissions
//! publish ([`api`], [`import`]).

pub mod api;
pub mod import;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;
use utoipa::OpenApi;

use crate::state::AppState;

pub fn api() -> Router<AppState> {
    Router::new()
        .route("/api/v1/risk-areas", get(api::list).post(api::declare))
        .route(
            "/api/v1/risk-areas/import",
            post(api::import).layer(DefaultBodyLimit::max(api::IMPORT_LIMIT)),
        )
        .route("/api/v1/risk-areas/{id}/end", post(api::end))
}

#[derive(OpenApi)]
#[openapi(paths(api::list, api::declare, api::end, api::import))]
pub struct Api;
