//! Drivers' pre-declarations: the public form and its signed QR code, the lane's check of a
//! scanned code, revocation, and what stations copy ([`api`]); the driver's page ([`pages`]);
//! the country's places by name for its forms ([`places`]).

pub mod api;
pub mod pages;
pub mod places;

use axum::routing::{get, post};
use axum::Router;
use utoipa::OpenApi;

use crate::state::AppState;
use crate::ui::{NavItem, Pages, EVERYONE};

pub fn api() -> Router<AppState> {
    Router::new()
        .route("/api/v1/declarations", post(api::declare))
        .route("/api/v1/declarations/verify", post(api::verify))
        .route("/api/v1/declarations/revoked", get(api::revoked))
        .route("/api/v1/declarations/key", get(api::public_key))
        .route("/api/v1/declarations/{id}/revoke", post(api::revoke))
        .route("/api/v1/places", get(places::places))
}

pub static PAGES: Pages = Pages {
    routes: || Router::new().route("/declare", get(pages::declare)),
    nav: &[NavItem {
        href: "/declare",
        roles: EVERYONE,
        label: |l| l.texts().declare,
    }],
};

#[derive(OpenApi)]
#[openapi(
    paths(
        api::declare,
        api::verify,
        api::revoke,
        api::revoked,
        api::public_key,
        places::places,
    ),
    tags((name = "declarations", description = "drivers' pre-declarations: signed QR codes checked at the lane, revocation"))
)]
pub struct Api;
