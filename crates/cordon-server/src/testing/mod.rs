//! Mass testing: campaigns and their sites, and tubes filled at the sites ([`api`]); a
//! campaign's roster (from a file, [`roster_api`], or a follow-up list, [`roster_list_api`]),
//! who of it has been sampled, and who was sampled without being on it ([`walk_ins_api`]); its
//! board of tubes by stage, late tubes, the labs' throughput and positives ([`board_api`]);
//! queue numbers ([`queue_api`]); antigen tests swabbed and read at a site ([`antigen_api`]);
//! boxes packed at a site and handed over ([`custody_api`]); labs, assay versions and tubes
//! received ([`lab_api`]); runs, their plates, steps, result files and release ([`runs_api`]),
//! and the recall a release makes ([`recall`]); the commanders' campaign page, the samplers'
//! phone page and the lab's page ([`pages`]).

pub mod antigen_api;
pub mod antigen_words;
pub mod api;
pub mod board_api;
pub mod custody_api;
pub mod lab_api;
pub mod lab_words;
pub mod pages;
pub mod paths;
pub mod queue_api;
pub mod recall;
pub mod recall_api;
pub mod roster_api;
pub mod roster_list_api;
pub mod runs_api;
pub mod walk_ins_api;
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
            "/api/v1/testing/campaigns",
            get(api::campaigns).post(api::create_campaign),
        )
        .route(
            "/api/v1/testing/campaigns/{id}/sites",
            post(api::create_site),
        )
        .route(
            "/api/v1/testing/campaigns/{id}/roster",
            post(roster_api::upload).layer(DefaultBodyLimit::max(roster_api::ROSTER_LIMIT)),
        )
        .route(
            "/api/v1/testing/campaigns/{id}/roster/from-list",
            post(roster_list_api::from_list),
        )
        .route(
            "/api/v1/testing/campaigns/{id}/completeness",
            get(roster_api::completeness),
        )
        .route(
            "/api/v1/testing/campaigns/{id}/board",
            get(board_api::board),
        )
        .route(
            "/api/v1/testing/campaigns/{id}/missing",
            get(roster_api::missing),
        )
        .route(
            "/api/v1/testing/campaigns/{id}/walk-ins",
            get(walk_ins_api::walk_ins),
        )
        .route("/api/v1/testing/tubes", post(api::open_tube))
        .route("/api/v1/testing/tubes/{barcode}", get(api::tube))
        .route(
            "/api/v1/testing/tubes/{barcode}/members",
            post(api::add_member),
        )
        .route("/api/v1/testing/tubes/{barcode}/seal", post(api::seal))
        .route("/api/v1/testing/sites/{id}/series", get(api::site_series))
        .route(
            "/api/v1/testing/sites/{id}/queue",
            post(queue_api::take_number),
        )
        .route(
            "/api/v1/testing/sites/{id}/antigen",
            get(antigen_api::site_tests).post(antigen_api::swab),
        )
        .route(
            "/api/v1/testing/antigen/{id}/result",
            post(antigen_api::read),
        )
        .route(
            "/api/v1/testing/tubes/{barcode}/members/by-number",
            post(queue_api::add_by_number),
        )
        .route(
            "/api/v1/testing/labs",
            get(lab_api::labs).post(lab_api::create_lab),
        )
        .route(
            "/api/v1/testing/assays",
            get(lab_api::assays).post(lab_api::create_assay),
        )
        .route("/api/v1/testing/boxes", post(custody_api::open_box))
        .route(
            "/api/v1/testing/boxes/{barcode}/tubes",
            post(custody_api::pack),
        )
        .route(
            "/api/v1/testing/boxes/{barcode}/handover",
            post(custody_api::hand_over),
        )
        .route("/api/v1/testing/labs/{id}/received", post(lab_api::receive))
        .route("/api/v1/testing/labs/{id}/runs", get(runs_api::runs))
        .route("/api/v1/testing/runs", post(runs_api::create_run))
        .route("/api/v1/testing/runs/{id}", get(runs_api::run))
        .route("/api/v1/testing/runs/{id}/tubes", post(runs_api::place))
        .route("/api/v1/testing/runs/{id}/steps", post(runs_api::step))
        .route(
            "/api/v1/testing/runs/{id}/results",
            post(runs_api::results).layer(DefaultBodyLimit::max(runs_api::RESULTS_LIMIT)),
        )
        .route("/api/v1/testing/runs/{id}/release", post(runs_api::release))
        .route("/api/v1/testing/runs/{id}/recall", get(recall_api::recall))
}

pub static PAGES: Pages = Pages {
    routes: || {
        Router::new()
            .route("/testing", get(pages::campaigns))
            .route("/sampling", get(pages::sampling))
            .route("/lab", get(pages::lab))
    },
    nav: &[
        NavItem {
            href: "/testing",
            roles: &[cordon_domain::access::Role::Commander],
            label: |l| words::words(l).nav,
        },
        NavItem {
            href: "/sampling",
            roles: &[cordon_domain::access::Role::Sampler],
            label: |l| words::words(l).sampling_nav,
        },
        NavItem {
            href: "/lab",
            roles: &[cordon_domain::access::Role::Lab],
            label: |l| lab_words::lab_words(l).nav,
        },
    ],
};

#[derive(OpenApi)]
#[openapi(
    paths(
        api::create_campaign,
        api::campaigns,
        api::create_site,
        roster_api::upload,
        roster_list_api::from_list,
        roster_api::completeness,
        roster_api::missing,
        walk_ins_api::walk_ins,
        board_api::board,
        api::open_tube,
        api::tube,
        api::add_member,
        api::seal,
        api::site_series,
        queue_api::take_number,
        queue_api::add_by_number,
        antigen_api::swab,
        antigen_api::site_tests,
        antigen_api::read,
        lab_api::create_lab,
        lab_api::labs,
        lab_api::create_assay,
        lab_api::assays,
        lab_api::receive,
        custody_api::open_box,
        custody_api::pack,
        custody_api::hand_over,
        runs_api::create_run,
        runs_api::runs,
        runs_api::run,
        runs_api::place,
        runs_api::step,
        runs_api::results,
        runs_api::release,
        recall_api::recall,
    ),
    tags((name = "testing", description = "mass testing: campaigns, sites, and pooled tubes filled by scanning"))
)]
pub struct Api;
