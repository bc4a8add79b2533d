//! Policies: versions, validation, the publication log, diffs and dry-runs ([`api`], [`dryrun`]),
//! what every lane on this hub applies ([`decide`]), and the policy page ([`pages`]).

pub mod api;
pub mod decide;
pub mod dryrun;
pub mod pages;
pub mod words;

use axum::routing::{get, post};
use axum::Router;
use utoipa::OpenApi;

use crate::state::AppState;
use crate::ui::{NavItem, Pages};

pub fn api() -> Router<AppState> {
    Router::new()
        .route("/api/v1/policies", get(api::list).post(api::create))
        .route("/api/v1/policies/validate", post(api::validate))
        .route("/api/v1/policies/publications", get(api::publications))
        .route("/api/v1/policies/rollback", post(api::rollback))
        .route("/api/v1/policies/diff", get(api::diff_versions))
        .route("/api/v1/policies/{version}", get(api::get))
        .route("/api/v1/policies/{version}/publish", post(api::publish))
        .route(
            "/api/v1/policies/{version}/dry-run",
            post(api::dry_run_version),
        )
}

pub static PAGES: Pages = Pages {
    routes: || Router::new().route("/policies", get(pages::policies)),
    nav: &[NavItem {
        href: "/policies",
        roles: &[cordon_domain::access::Role::Commander],
        label: |l| words::words(l).nav,
    }],
};

#[derive(OpenApi)]
#[openapi(
    paths(
        api::list,
        api::create,
        api::validate,
        api::get,
        api::publications,
        api::publish,
        api::rollback,
        api::diff_versions,
        api::dry_run_version,
    ),
    tags((name = "policies", description = "checkpoint policies, their publication and dry-runs; the risk-area register"))
)]
pub struct Api;
