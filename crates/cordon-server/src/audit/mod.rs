//! The audit trail: the appender every request's entry goes through ([`appender`]), and the
//! auditor's routes ([`api`]): entries, the keyed hash of a subject, the chain's check; the
//! auditor's page ([`pages`]).

pub mod api;
pub mod appender;
pub mod pages;
pub mod words;

use axum::routing::{get, post};
use axum::Router;
use utoipa::OpenApi;

pub use appender::{AuditNote, Auditor};

use crate::state::AppState;
use crate::ui::{NavItem, Pages};

pub fn api() -> Router<AppState> {
    Router::new()
        .route("/api/v1/audit", get(api::list))
        .route("/api/v1/audit/subject", post(api::subject))
        .route("/api/v1/audit/verify", get(api::verify))
}

pub static PAGES: Pages = Pages {
    routes: || Router::new().route("/audit", get(pages::audit)),
    nav: &[NavItem {
        href: "/audit",
        roles: &[cordon_domain::access::Role::Auditor],
        label: |l| words::words(l).nav,
    }],
};

#[derive(OpenApi)]
#[openapi(
    paths(api::list, api::subject, api::verify),
    tags((name = "audit", description = "the audit trail (auditor)"))
)]
pub struct Api;
