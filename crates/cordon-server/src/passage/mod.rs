//! The passage registry: registration of one vehicle or a batch, reads by id and by checkpoint,
//! hourly counts and reveals ([`api`]), and the officers' lane page ([`pages`]).

pub mod api;
pub mod pages;
pub mod words;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;
use cordon_domain::access::Role;
use utoipa::OpenApi;

use crate::extract::{BATCH_BODY_LIMIT, PASSAGE_BODY_LIMIT};
use crate::state::AppState;
use crate::ui::{NavItem, Pages};

pub fn api() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/checkpoints/{code}/passages",
            get(api::at_checkpoint),
        )
        .route("/api/v1/checkpoints/{code}/hourly", get(api::hourly))
        .route(
            "/api/v1/passages",
            post(api::register).layer(DefaultBodyLimit::max(PASSAGE_BODY_LIMIT)),
        )
        .route(
            "/api/v1/passages/batch",
            post(api::register_batch).layer(DefaultBodyLimit::max(BATCH_BODY_LIMIT)),
        )
        .route("/api/v1/passages/{id}", get(api::get_passage))
        .route("/api/v1/passages/{id}/reveal", post(api::reveal))
}

pub static PAGES: Pages = Pages {
    routes: || {
        Router::new()
            .route("/lane", get(pages::lane))
            .route("/passages/{id}", get(pages::passage))
    },
    nav: &[NavItem {
        href: "/lane",
        roles: &[Role::Officer],
        label: |l| l.texts().lane,
    }],
};

#[derive(OpenApi)]
#[openapi(
    paths(
        api::register,
        api::register_batch,
        api::get_passage,
        api::reveal,
        api::at_checkpoint,
        api::hourly,
    ),
    tags((name = "passages", description = "registration and reads by checkpoint"))
)]
pub struct Api;
