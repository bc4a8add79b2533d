//! The site: every capability's pages (one line each in [`PAGES`]) and the shared ones, with the
//! navigation bar's entries put on every page request.

use axum::routing::get;
use axum::{Extension, Router};

use super::{assets, pages, Nav, Pages};
use crate::state::AppState;

/// Every capability with pages, in the order of the navigation bar (one line each).
pub static PAGES: &[&Pages] = &[
    &crate::passage::PAGES,
    &crate::dashboard::PAGES,
    &crate::trace::PAGES,
    &crate::status::PAGES,
    &crate::command::PAGES,
    &crate::freight::PAGES,
    &crate::followup::PAGES,
    &crate::testing::PAGES,
    &crate::policy::PAGES,
    &crate::risk::PAGES,
    &crate::network::PAGES,
    &crate::station::PAGES,
    &crate::audit::PAGES,
    &crate::access::PAGES,
    &crate::declaration::PAGES,
];

pub fn router(state: AppState) -> Router {
    let shared = Router::new()
        .route("/", get(pages::home))
        .route("/signin", get(pages::signin))
        .route("/lang/{code}", get(pages::switch_lang))
        .route("/assets/{name}", get(assets::serve));
    PAGES
        .iter()
        .fold(shared, |r, p| r.merge((p.routes)()))
        .layer(Extension(Nav(PAGES)))
        .with_state(state)
}
