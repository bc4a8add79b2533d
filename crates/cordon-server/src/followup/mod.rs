//! Follow-up of key persons: lists brought in (pushed, uploaded, from a trace) and read
//! ([`api`], [`import`]); the page for them ([`pages`]).

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
        .route(
            "/api/v1/followup/lists",
            get(api::lists)
                .post(api::push)
                .layer(DefaultBodyLimit::max(api::PUSH_LIMIT)),
        )
        .route(
            "/api/v1/followup/lists/import",
            post(api::upload).layer(DefaultBodyLimit::max(api::UPLOAD_LIMIT)),
        )
        .route("/api/v1/followup/lists/from-trace", post(api::from_trace))
        .route("/api/v1/followup/lists/{id}/subjects", get(api::subjects))
}

pub static PAGES: Pages = Pages {
    routes: || Router::new().route("/followup", get(pages::followup)),
    nav: &[NavItem {
        href: "/followup",
        roles: &[
            cordon_domain::access::Role::Commander,
            cordon_domain::access::Role::Tracer,
        ],
        label: |l| words::words(l).nav,
    }],
};

#[derive(OpenApi)]
#[openapi(paths(api::push, api::upload, api::from_trace, api::lists, api::subjects))]
pub struct Api;
