//! Command: directives a commander issues to checkpoints and every station acknowledges
//! ([`directives_api`] for the commanders, [`lane_api`] for the lanes, [`feed`] for the lanes'
//! cheap polls and the escalation of overdue stations, [`relay_api`] for edge stations), and the
//! commanders' pages ([`pages`]); duty rosters ([`roster_api`], pages in [`roster_pages`]); the daily
//! report ([`daily_api`]); video patrols ([`patrol_api`]).

pub mod cap;
pub mod daily_api;
pub mod daily_pages;
pub mod daily_words;
pub mod directives_api;
pub mod feed;
pub mod lane_api;
pub mod pages;
pub mod patrol_api;
pub mod patrol_pages;
pub mod patrol_words;
pub mod relay_api;
pub mod reports_api;
pub mod roster_api;
pub mod roster_pages;
pub mod roster_words;
pub mod words;

use axum::routing::{get, post, put};
use axum::Router;
use utoipa::OpenApi;

use crate::state::AppState;
use crate::ui::{NavItem, Pages};

pub fn api() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/directives",
            get(directives_api::list).post(directives_api::issue),
        )
        .route("/api/v1/directives/overdue", get(directives_api::overdue))
        .route("/api/v1/directives/cap", post(cap::import_cap))
        .route("/api/v1/directives/{id}/cap", get(cap::export_cap))
        .route("/api/v1/directives/{id}", get(directives_api::board))
        .route(
            "/api/v1/directives/{id}/revise",
            post(directives_api::revise),
        )
        .route(
            "/api/v1/directives/{id}/cancel",
            post(directives_api::cancel),
        )
        .route(
            "/api/v1/directives/{id}/remind",
            post(directives_api::remind),
        )
        .route("/api/v1/directives/{id}/read", post(lane_api::read))
        .route(
            "/api/v1/directives/{id}/acknowledge",
            post(lane_api::acknowledge),
        )
        .route(
            "/api/v1/checkpoints/{code}/directives",
            get(lane_api::at_checkpoint),
        )
        .route(
            "/api/v1/sync/directives",
            get(relay_api::feed).post(relay_api::receipts),
        )
        .route(
            "/api/v1/reports",
            get(reports_api::inbox).post(reports_api::file),
        )
        .route("/api/v1/reports/{id}/assign", post(reports_api::assign))
        .route("/api/v1/reports/{id}/answer", post(reports_api::answer))
        .route("/api/v1/sync/reports", post(reports_api::station_push))
        .route("/api/v1/duty", get(roster_api::duty))
        .route("/api/v1/daily-reports", get(daily_api::daily))
        .route("/api/v1/daily-reports.xlsx", get(daily_api::daily_xlsx))
        .route(
            "/api/v1/video-channels",
            get(patrol_api::channels).post(patrol_api::add_channel),
        )
        .route(
            "/api/v1/video-channels/{id}/retire",
            post(patrol_api::retire_channel),
        )
        .route(
            "/api/v1/patrol-plans",
            get(patrol_api::plans).post(patrol_api::make_plan),
        )
        .route(
            "/api/v1/patrol-plans/{id}/rounds",
            post(patrol_api::start_round),
        )
        .route("/api/v1/patrol-rounds", get(patrol_api::rounds))
        .route("/api/v1/patrol-rounds/{id}", get(patrol_api::round))
        .route(
            "/api/v1/patrol-rounds/{id}/observations",
            post(patrol_api::observe),
        )
        .route(
            "/api/v1/patrol-rounds/{id}/finish",
            post(patrol_api::finish),
        )
        .route(
            "/api/v1/patrol-rounds/{id}/findings/{channel}/directive",
            post(patrol_api::finding_directive),
        )
        .route(
            "/api/v1/patrol-rounds/{id}/findings/{channel}/report",
            post(patrol_api::finding_report),
        )
        .route("/api/v1/checkpoints/{code}/roster", get(roster_api::roster))
        .route("/api/v1/checkpoints/{code}/shifts", post(roster_api::plan))
        .route("/api/v1/checkpoints/{code}/leads", put(roster_api::leads))
        .route(
            "/api/v1/shifts/{id}",
            put(roster_api::replan).delete(roster_api::remove),
        )
        .route("/api/v1/shifts/{id}/handover", post(roster_api::handover))
        .route(
            "/api/v1/shifts/{id}/volunteers",
            post(roster_api::volunteers),
        )
}

pub static PAGES: Pages = Pages {
    routes: || {
        Router::new()
            .route("/directives", get(pages::directives))
            .route("/directives/{id}", get(pages::board))
            .route("/reports", get(pages::reports))
            .route("/duty", get(roster_pages::duty))
            .route("/duty/{code}", get(roster_pages::roster))
            .route("/daily", get(daily_pages::daily))
            .route("/patrols", get(patrol_pages::patrols))
            .route("/patrols/{id}", get(patrol_pages::round))
    },
    nav: &[
        NavItem {
            href: "/directives",
            roles: &[cordon_domain::access::Role::Commander],
            label: |l| words::words(l).nav,
        },
        NavItem {
            href: "/reports",
            roles: &[cordon_domain::access::Role::Commander],
            label: |l| words::words(l).nav_reports,
        },
        NavItem {
            href: "/duty",
            roles: &[
                cordon_domain::access::Role::Commander,
                cordon_domain::access::Role::Officer,
            ],
            label: |l| roster_words::words(l).nav,
        },
        NavItem {
            href: "/daily",
            roles: &[cordon_domain::access::Role::Commander],
            label: |l| daily_words::words(l).nav,
        },
        NavItem {
            href: "/patrols",
            roles: &[cordon_domain::access::Role::Commander],
            label: |l| patrol_words::words(l).nav,
        },
    ],
};

#[derive(OpenApi)]
#[openapi(
    paths(
        directives_api::issue,
        directives_api::list,
        directives_api::overdue,
        directives_api::board,
        directives_api::revise,
        directives_api::cancel,
        directives_api::remind,
        cap::export_cap,
        cap::import_cap,
        lane_api::at_checkpoint,
        lane_api::read,
        lane_api::acknowledge,
        relay_api::feed,
        relay_api::receipts,
        reports_api::file,
        reports_api::inbox,
        reports_api::assign,
        reports_api::answer,
        reports_api::station_push,
        roster_api::duty,
        roster_api::roster,
        roster_api::plan,
        roster_api::replan,
        roster_api::remove,
        roster_api::handover,
        roster_api::volunteers,
        roster_api::leads,
        daily_api::daily,
        daily_api::daily_xlsx,
        patrol_api::channels,
        patrol_api::add_channel,
        patrol_api::retire_channel,
        patrol_api::plans,
        patrol_api::make_plan,
        patrol_api::start_round,
        patrol_api::rounds,
        patrol_api::round,
        patrol_api::observe,
        patrol_api::finish,
        patrol_api::finding_directive,
        patrol_api::finding_report,
    ),
    tags((name = "directives", description = "directives from the command to checkpoints: issued, delivered, read and acknowledged by every station, reminded and escalated when overdue"),
        (name = "rosters", description = "duty rosters: shifts per checkpoint, who is on duty now, hand-over notes, station leads"),
        (name = "patrols", description = "video patrols: camera channels per checkpoint, patrol plans, rounds and their findings"))
)]
pub struct Api;
