//! The command dashboard: its figures, computed per scope and kept for a few seconds
//! ([`figures`]), the route that answers them ([`api`]) and the page ([`pages`]).

pub mod api;
pub mod figures;
pub mod pages;

use axum::routing::get;
use axum::Router;
use cordon_domain::access::Role;
use utoipa::OpenApi;

use crate::state::AppState;
use crate::ui::{NavItem, Pages};

pub fn api() -> Router<AppState> {
    Router::new().route("/api/v1/dashboard", get(api::dashboard))
}

pub static PAGES: Pages = Pages {
    routes: || {
        Router::new()
            .route("/dashboard", get(pages::dashboard))
            .route("/dashboard/live", get(pages::dashboard_live))
    },
    nav: &[NavItem {
        href: "/dashboard",
        roles: &[Role::Commander],
        label: |l| l.texts().dashboard,
    }],
};

#[derive(OpenApi)]
#[openapi(
    paths(api::dashboard),
    tags((name = "dashboard", description = "the command dashboard's figures: counts per checkpoint, hour and outcome"))
)]
pub struct Api;
