//! Person statuses: a change requested with a reason and evidence, decided by a second account,
//! and the history ([`api`]); the page that does all of it ([`pages`]).

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
        .route("/api/v1/status-changes", get(api::list).post(api::request))
        .route("/api/v1/status-changes/person", post(api::of_person))
        .route("/api/v1/status-changes/{id}/approve", post(api::approve))
        .route("/api/v1/status-changes/{id}/reject", post(api::reject))
}

pub static PAGES: Pages = Pages {
    routes: || Router::new().route("/statuses", get(pages::statuses)),
    nav: &[NavItem {
        href: "/statuses",
        roles: pages::READERS,
        label: |l| words::words(l).nav,
    }],
};

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
