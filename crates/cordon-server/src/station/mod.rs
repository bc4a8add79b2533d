//! Edge stations: their credentials ([`credentials`]), the push of their registrations and the
//! state they copy from the hub ([`sync`]), a sampling site's events ([`sampling`]), the lane's view of its link ([`link`]), and the
//! commanders' page of stations ([`pages`]).

pub mod credentials;
pub mod link;
pub mod pages;
pub mod sampling;
pub mod sync;
pub mod words;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;
use utoipa::OpenApi;

use crate::extract::BATCH_BODY_LIMIT;
use crate::state::AppState;
use crate::ui::{NavItem, Pages};

pub fn api() -> Router<AppState> {
    Router::new()
        .route("/api/v1/link", get(link::link))
        .route(
            "/api/v1/stations",
            get(credentials::list).post(credentials::issue),
        )
        .route(
            "/api/v1/stations/{account}/revoke",
            post(credentials::revoke),
        )
        .route("/api/v1/sync/state", get(sync::state))
        .route(
            "/api/v1/sync/passages",
            post(sync::push).layer(DefaultBodyLimit::max(BATCH_BODY_LIMIT)),
        )
        .route("/api/v1/sync/site", get(sampling::site))
        .route(
            "/api/v1/sync/sampling",
            post(sampling::push).layer(DefaultBodyLimit::max(BATCH_BODY_LIMIT)),
        )
}

pub static PAGES: Pages = Pages {
    routes: || Router::new().route("/stations", get(pages::stations)),
    nav: &[NavItem {
        href: "/stations",
        roles: &[cordon_domain::access::Role::Commander],
        label: |l| words::words(l).nav,
    }],
};

#[derive(OpenApi)]
#[openapi(
    paths(
        link::link,
        credentials::issue,
        credentials::list,
        credentials::revoke,
        sync::push,
        sync::state,
        sampling::site,
        sampling::push,
    ),
    tags((name = "stations", description = "edge stations: credentials, their series, and the push of their registrations"))
)]
pub struct Api;
