//! The audit trail: the appender every request's entry goes through ([`appender`]), and the
//! auditor's routes ([`api`]): entries, the keyed hash of a subject, the chain's check.

pub mod api;
pub mod appender;

use axum::routing::{get, post};
use axum::Router;
use utoipa::OpenApi;

pub use appender::{AuditNote, Auditor};

use crate::state::AppState;

pub fn api() -> Router<AppState> {
    Router::new()
        .route("/api/v1/audit", get(api::list))
        .route("/api/v1/audit/subject", post(api::subject))
        .route("/api/v1/audit/verify", get(api::verify))
}

#[derive(OpenApi)]
#[openapi(
    paths(api::list, api::subject, api::verify),
    tags((name = "audit", description = "the audit trail (auditor)"))
)]
pub struct Api;
