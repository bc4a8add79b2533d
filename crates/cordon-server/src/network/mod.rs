//! The checkpoint network: jurisdictions and checkpoints, their creation, edits and bulk
//! opening and closing ([`api`]), and their pages ([`pages`]).

pub mod api;
pub mod pages;
pub mod words;

use axum::routing::{get, post};
use axum::Router;
use utoipa::OpenApi;

use crate::state::AppState;
use crate::ui::{NavItem, Pages};

pub fn api() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/jurisdictions",
            get(api::list_jurisdictions).post(api::create_jurisdiction),
        )
        .route(
            "/api/v1/jurisdictions/{code}",
            get(api::get_jurisdiction).patch(api::rename_jurisdiction),
        )
        .route(
            "/api/v1/checkpoints",
            get(api::list_checkpoints).post(api::create_checkpoint),
        )
        .route("/api/v1/checkpoints/status", post(api::set_status))
        .route(
            "/api/v1/checkpoints/{code}",
            get(api::get_checkpoint).patch(api::update_checkpoint),
        )
        .route("/api/v1/checkpoints/{code}/history", get(api::history))
}

/// The network page, and a checkpoint's page (reached from it and from the dashboard).
pub static PAGES: Pages = Pages {
    routes: || {
        Router::new()
            .route("/network", get(pages::network))
            .route("/checkpoints/{code}", get(pages::checkpoint))
    },
    nav: &[NavItem {
        href: "/network",
        roles: &[cordon_domain::access::Role::Commander],
        label: |l| words::words(l).nav,
    }],
};

#[derive(OpenApi)]
#[openapi(
    paths(
        api::list_jurisdictions,
        api::create_jurisdiction,
        api::get_jurisdiction,
        api::rename_jurisdiction,
        api::list_checkpoints,
        api::create_checkpoint,
        api::get_checkpoint,
        api::update_checkpoint,
        api::set_status,
        api::history,
    ),
    tags((name = "network", description = "jurisdictions and checkpoints"))
)]
pub struct Api;
