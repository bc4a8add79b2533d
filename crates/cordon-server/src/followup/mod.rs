//! Follow-up of key persons: lists brought in (pushed, uploaded, from a trace, from the
//! passages) and read ([`api`], [`import`], [`crossing_api`]); the page for them ([`pages`]).

pub mod api;
pub mod crossing_api;
pub mod export;
pub mod import;
pub mod pages;
pub mod questionnaire_api;
pub mod teams_api;
pub mod transfers_api;
pub mod words;
pub mod work_api;

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
        .route(
            "/api/v1/followup/lists/from-passages",
            post(crossing_api::from_passages),
        )
        .route("/api/v1/followup/lists/{id}/subjects", get(api::subjects))
        .route(
            "/api/v1/followup/teams",
            get(teams_api::teams).post(teams_api::create_team),
        )
        .route("/api/v1/followup/reassign", post(teams_api::reassign))
        .route("/api/v1/followup/team", get(teams_api::led_team))
        .route(
            "/api/v1/followup/team/reassign",
            post(teams_api::reassign_in_team),
        )
        .route("/api/v1/followup/transfers", get(transfers_api::transfers))
        .route(
            "/api/v1/followup/transfers/list",
            get(transfers_api::transfer_list_json),
        )
        .route(
            "/api/v1/followup/transfers/list.csv",
            get(transfers_api::transfer_list_csv),
        )
        .route("/api/v1/followup/worklist", get(work_api::worklist))
        .route(
            "/api/v1/followup/subjects/{id}",
            get(work_api::open_subject),
        )
        .route(
            "/api/v1/followup/subjects/{id}/attempts",
            post(work_api::record_attempt),
        )
        .route(
            "/api/v1/followup/subjects/{id}/split",
            post(teams_api::split),
        )
        .route("/api/v1/followup/board", get(work_api::board))
        .route(
            "/api/v1/followup/board/persons",
            get(work_api::line_persons),
        )
        .route("/api/v1/followup/board.csv", get(export::board_csv))
        .route("/api/v1/followup/board.xlsx", get(export::board_xlsx))
        .route(
            "/api/v1/followup/lists/{id}/answers.csv",
            get(export::answers_csv),
        )
        .route(
            "/api/v1/followup/lists/{id}/answers.xlsx",
            get(export::answers_xlsx),
        )
        .route(
            "/api/v1/questionnaires",
            get(questionnaire_api::list).post(questionnaire_api::create),
        )
        .route(
            "/api/v1/questionnaires/validate",
            post(questionnaire_api::validate),
        )
        .route(
            "/api/v1/questionnaires/{version}",
            get(questionnaire_api::get),
        )
        .route(
            "/api/v1/questionnaires/{version}/publish",
            post(questionnaire_api::publish),
        )
}

pub static PAGES: Pages = Pages {
    routes: || {
        Router::new()
            .route("/followup", get(pages::followup))
            .route("/worklist", get(pages::worklist))
    },
    nav: &[
        NavItem {
            href: "/followup",
            roles: &[
                cordon_domain::access::Role::Commander,
                cordon_domain::access::Role::Tracer,
            ],
            label: |l| words::words(l).nav,
        },
        NavItem {
            href: "/worklist",
            roles: &[cordon_domain::access::Role::Caller],
            label: |l| words::work_words(l).nav,
        },
    ],
};

#[derive(OpenApi)]
#[openapi(paths(
    api::push,
    api::upload,
    api::from_trace,
    crossing_api::from_passages,
    api::lists,
    api::subjects,
    teams_api::create_team,
    teams_api::teams,
    teams_api::reassign,
    teams_api::led_team,
    teams_api::reassign_in_team,
    transfers_api::transfers,
    transfers_api::transfer_list_json,
    transfers_api::transfer_list_csv,
    work_api::worklist,
    work_api::open_subject,
    work_api::record_attempt,
    teams_api::split,
    work_api::board,
    work_api::line_persons,
    export::board_csv,
    export::board_xlsx,
    export::answers_csv,
    export::answers_xlsx,
    questionnaire_api::validate,
    questionnaire_api::create,
    questionnaire_api::publish,
    questionnaire_api::list,
    questionnaire_api::get,
))]
pub struct Api;
