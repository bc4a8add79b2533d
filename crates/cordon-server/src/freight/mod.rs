//! Freight over HTTP and on pages: holding lots (`lot_api`, their boards' long poll in `feed`),
//! the drivers' requests from the bays' QR codes (`bay_api`, no account), the freight alerts
//! (`alert_api`), carriers' applications for passes (`application_api`), a lot's PCR from the lab's release (`lab_pcr`), freight passes (`pass_api`; a pass sent with a registration in `lane_pass`;
//! followed along its route by `route_watch`) and escorts (`escort_api`); the pages in `pages`,
//! `pass_pages` and `escort_pages`, their words in `words`, `pass_words` and `escort_words`.

pub mod alert_api;
pub mod application_api;
pub mod bay_api;
pub mod escort_api;
pub mod escort_pages;
pub mod escort_words;
pub mod feed;
pub mod lab_pcr;
pub mod lane_pass;
pub mod lot_api;
pub mod pages;
pub mod pass_api;
pub mod pass_pages;
pub mod pass_words;
pub mod route_watch;
pub mod words;

use axum::routing::{get, post};
use axum::Router;
use utoipa::OpenApi;

use crate::state::AppState;
use crate::ui::{NavItem, Pages};

pub fn api() -> Router<AppState> {
    Router::new()
        .route("/api/v1/lots", get(lot_api::lots).post(lot_api::make_lot))
        .route("/api/v1/lots/{id}", get(lot_api::board))
        .route("/api/v1/lots/{id}/trucks", post(lot_api::check_in))
        .route("/api/v1/lots/{id}/trucks/{truck}", get(lot_api::truck))
        .route(
            "/api/v1/lots/{id}/trucks/{truck}/steps",
            post(lot_api::step),
        )
        .route(
            "/api/v1/lots/{id}/requests/{request}/close",
            post(lot_api::close_request),
        )
        .route("/api/v1/lots/{id}/bay-codes", get(lot_api::bay_codes))
        .route(
            "/api/v1/checkpoints/{code}/lots",
            get(lot_api::checkpoint_lots),
        )
        .route("/api/v1/bays/{token}", get(bay_api::bay))
        .route("/api/v1/bays/{token}/requests", post(bay_api::ask))
        .route("/api/v1/freight-alerts", get(alert_api::alerts))
        .route("/api/v1/freight-alerts/{id}/close", post(alert_api::close))
        .route(
            "/api/v1/freight-passes",
            get(pass_api::passes).post(pass_api::issue),
        )
        .route("/api/v1/freight-passes/verify", post(pass_api::verify))
        .route("/api/v1/freight-passes/{number}", get(pass_api::pass))
        .route(
            "/api/v1/freight-passes/{number}/revoke",
            post(pass_api::revoke),
        )
        .route(
            "/api/v1/freight-pass-applications",
            get(application_api::applications).post(application_api::apply),
        )
        .route(
            "/api/v1/freight-pass-applications/{reference}",
            get(application_api::followed),
        )
        .route(
            "/api/v1/freight-pass-applications/{id}/approve",
            post(application_api::approve),
        )
        .route(
            "/api/v1/freight-pass-applications/{id}/refuse",
            post(application_api::refuse),
        )
        .route(
            "/api/v1/escorts",
            get(escort_api::escorts).post(escort_api::assign),
        )
        .route("/api/v1/escorts/{id}", get(escort_api::escort))
        .route("/api/v1/escorts/{id}/steps", post(escort_api::step))
}

pub static PAGES: Pages = Pages {
    routes: || {
        Router::new()
            .route("/lots", get(pages::lots))
            .route("/lots/{id}", get(pages::lot))
            .route("/lots/{id}/codes", get(pages::codes))
            .route("/bay/{token}", get(pages::bay))
            .route("/passes", get(pass_pages::passes))
            .route("/passes/{number}", get(pass_pages::pass))
            .route("/passes/apply", get(pass_pages::apply))
            .route("/passes/apply/{reference}", get(pass_pages::applied))
            .route("/escorts", get(escort_pages::escorts))
    },
    nav: &[
        NavItem {
            href: "/lots",
            roles: &[
                cordon_domain::access::Role::Commander,
                cordon_domain::access::Role::Lot,
            ],
            label: |l| words::words(l).nav,
        },
        NavItem {
            href: "/passes",
            roles: &[cordon_domain::access::Role::Commander],
            label: |l| pass_words::words(l).nav,
        },
        NavItem {
            href: "/escorts",
            roles: escort_pages::ESCORTERS,
            label: |l| escort_words::words(l).nav,
        },
    ],
};

#[derive(OpenApi)]
#[openapi(
    paths(
        lot_api::lots,
        lot_api::make_lot,
        lot_api::board,
        lot_api::check_in,
        lot_api::truck,
        lot_api::step,
        lot_api::close_request,
        lot_api::bay_codes,
        lot_api::checkpoint_lots,
        bay_api::bay,
        bay_api::ask,
        alert_api::alerts,
        alert_api::close,
        pass_api::passes,
        pass_api::issue,
        pass_api::pass,
        pass_api::revoke,
        pass_api::verify,
        application_api::apply,
        application_api::followed,
        application_api::applications,
        application_api::approve,
        application_api::refuse,
        escort_api::escorts,
        escort_api::assign,
        escort_api::escort,
        escort_api::step,
    ),
    tags((name = "lots", description = "holding lots: trucks checked in, parked, tested and released or handed over step by step; drivers' requests from the bays; freight alerts"),
        (name = "passes", description = "freight passes: one vehicle, one route, signed and checked offline, revoked down to the stations"),
        (name = "escorts", description = "police escorts from a checkpoint to a destination: assigned, under way, handed over, done"))
)]
pub struct Api;
