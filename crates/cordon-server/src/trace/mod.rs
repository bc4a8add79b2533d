//! Traces: the live index of every passage of the retention period ([`live`], kept current with
//! corrections: [`corrections`]; saved to a file and loaded from it at the next start:
//! [`saved`]), case traces over it ([`api`]) and their exports ([`export`]),
//! trajectories of a person or a vehicle ([`trajectories`]), and the trace page ([`pages`]).

pub mod api;
pub mod corrections;
pub mod export;
pub mod live;
pub mod pages;
pub mod saved;
pub mod trajectories;
pub mod words;

use axum::routing::{get, post};
use axum::Router;
use utoipa::OpenApi;

use crate::state::AppState;
use crate::ui::{NavItem, Pages};

pub fn api() -> Router<AppState> {
    Router::new()
        .route("/api/v1/trajectories/person", post(trajectories::person))
        .route("/api/v1/trajectories/vehicle", post(trajectories::vehicle))
        .route("/api/v1/trace", post(api::case_trace))
        .route("/api/v1/trace/contacts.csv", post(export::contacts_csv))
        .route("/api/v1/trace/contacts.xlsx", post(export::contacts_xlsx))
}

pub static PAGES: Pages = Pages {
    routes: || Router::new().route("/trace", get(pages::trace)),
    nav: &[NavItem {
        href: "/trace",
        roles: pages::TRACERS,
        label: |l| words::words(l).nav,
    }],
};

#[derive(OpenApi)]
#[openapi(
    paths(
        trajectories::person,
        trajectories::vehicle,
        api::case_trace,
        export::contacts_csv,
        export::contacts_xlsx,
    ),
    tags(
        (name = "trajectories", description = "where a person or vehicle was seen"),
        (name = "trace", description = "case traces: who crossed a case's path, with the evidence"),
    )
)]
pub struct Api;
