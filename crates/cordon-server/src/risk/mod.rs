//! The risk-area register: list, declare, end, and import the lists the health commissions
//! publish ([`api`], [`import`]); the page for all of it ([`pages`]).

pub mod api;
pub mod import;
pub mod pages;
pub mod words;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;
use utoipa::OpenApi;

use crate::state::AppState;
use crate::ui::{NavItem, Pages};

pub fn api() -> Router<AppState> {
    Router::new()
        .route("/api/v1/risk-areas", get(api::list).post(api::declare))
        .route(
            "/api/v1/risk-areas/import",
            post(api::import).layer(DefaultBodyLimit::max(api::IMPORT_LIMIT)),
        )
        .route("/api/v1/risk-areas/{id}/end", post(api::end))
}

pub static PAGES: Pages = Pages {
    routes: || Router::new().route("/risk-areas", get(pages::risk_areas)),
    nav: &[NavItem {
        href: "/risk-areas",
        roles: &[cordon_domain::access::Role::Commander],
        label: |l| words::words(l).nav,
    }],
};

#[derive(OpenApi)]
#[openapi(paths(api::list, api::declare, api::end, api::import))]
pub struct Api;
