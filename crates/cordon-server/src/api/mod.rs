//! The JSON API under `/api/v1`: the checkpoint network ([`network`]), passage registration and
//! reads ([`passages`]), trajectories ([`trajectories`]), case traces ([`trace`]), person-status changes ([`statuses`]). Handlers parse at the boundary into
//! domain types and call the store; they hold no rules of their own.

pub mod accounts;
pub mod audit_log;
pub mod dashboard;
pub mod declarations;
pub mod link;
pub mod network;
pub mod passages;
pub mod period;
pub mod policies;
pub mod risk_areas;
pub mod sessions;
pub mod stations;
pub mod statuses;
pub mod sync;
pub mod trace;
pub mod trace_export;
pub mod trajectories;

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, FromRef};
use axum::routing::{get, post};
use axum::Router;
use cordon_store::Store;

use crate::auth::sessions::Auth;
use crate::decide::Lanes;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    /// What the lanes apply: policies in force, risk areas, checkpoints' defence lines.
    pub lanes: Arc<Lanes>,
    /// Sessions, the keyring and the audit appender.
    pub auth: Arc<Auth>,
    /// The live trace index.
    pub trace: Arc<crate::trace::LiveTrace>,
    /// Dashboards computed in the last seconds.
    pub dashboard: Arc<crate::dashboard::DashboardCache>,
    /// The hub this process pushes to, when it is an edge station.
    pub upstream: Option<String>,
    /// At a station, the hub's key for pre-declaration codes (learnt from the hub).
    pub hub_key: Option<cordon_domain::declaration::VerifyingKey>,
    /// The public pre-declaration route's limit per client address.
    pub declarations: Arc<crate::auth::rate::RateLimit>,
}

/// Refuses a change a station must take from the hub (its policies, its risk areas): a change
/// of its own would fork them.
pub(crate) fn hub_only(app: &AppState, what: &str) -> crate::error::ApiResult<()> {
    match app.upstream {
        Some(_) => Err(crate::error::ApiError::Conflict(
            cordon_domain::FieldError::new(
                "hub_rules",
                "",
                format!("a station applies the hub's {what}: change them on the hub"),
            ),
        )),
        None => Ok(()),
    }
}

impl AppState {
    /// The key pre-declaration codes are checked with: the hub's (at a station, as learnt from
    /// the hub), else this hub's own.
    pub fn verifying_key(&self) -> cordon_domain::declaration::VerifyingKey {
        self.hub_key
            .unwrap_or_else(|| self.store.keyring().declaration_key().verifying_key())
    }
}

impl FromRef<AppState> for Arc<Auth> {
    fn from_ref(app: &AppState) -> Arc<Auth> {
        app.auth.clone()
    }
}

/// Largest single-registration body: a full coach with every field filled is about 60 KiB.
pub const PASSAGE_BODY_LIMIT: usize = 256 * 1024;
/// Largest batch body: 5,000 passages.
pub const BATCH_BODY_LIMIT: usize = 32 * 1024 * 1024;
/// Largest body on the other routes.
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/api/v1/sessions", post(sessions::sign_in))
        .route(
            "/api/v1/sessions/current",
            get(sessions::current).delete(sessions::sign_out),
        )
        .route(
            "/api/v1/sessions/current/password",
            post(sessions::change_password),
        )
        .route(
            "/api/v1/accounts",
            get(accounts::list).post(accounts::create),
        )
        .route(
            "/api/v1/accounts/{username}/disable",
            post(accounts::disable),
        )
        .route("/api/v1/accounts/{username}/enable", post(accounts::enable))
        .route(
            "/api/v1/accounts/{username}/password",
            post(accounts::reset_password),
        )
        .route("/api/v1/audit", get(audit_log::list))
        .route("/api/v1/audit/subject", post(audit_log::subject))
        .route("/api/v1/audit/verify", get(audit_log::verify))
        .route(
            "/api/v1/jurisdictions",
            get(network::list_jurisdictions).post(network::create_jurisdiction),
        )
        .route(
            "/api/v1/jurisdictions/{code}",
            get(network::get_jurisdiction).patch(network::rename_jurisdiction),
        )
        .route(
            "/api/v1/checkpoints",
            get(network::list_checkpoints).post(network::create_checkpoint),
        )
        .route("/api/v1/checkpoints/status", post(network::set_status))
        .route(
            "/api/v1/checkpoints/{code}",
            get(network::get_checkpoint).patch(network::update_checkpoint),
        )
        .route("/api/v1/checkpoints/{code}/history", get(network::history))
        .route(
            "/api/v1/checkpoints/{code}/passages",
            get(passages::at_checkpoint),
        )
        .route("/api/v1/checkpoints/{code}/hourly", get(passages::hourly))
        .route(
            "/api/v1/passages",
            post(passages::register).layer(DefaultBodyLimit::max(PASSAGE_BODY_LIMIT)),
        )
        .route(
            "/api/v1/passages/batch",
            post(passages::register_batch).layer(DefaultBodyLimit::max(BATCH_BODY_LIMIT)),
        )
        .route("/api/v1/passages/{id}", get(passages::get_passage))
        .route("/api/v1/dashboard", get(dashboard::dashboard))
        .route("/api/v1/link", get(link::link))
        .route(
            "/api/v1/stations",
            get(stations::list).post(stations::issue),
        )
        .route("/api/v1/stations/{account}/revoke", post(stations::revoke))
        .route("/api/v1/sync/state", get(sync::state))
        .route(
            "/api/v1/sync/passages",
            post(sync::push).layer(DefaultBodyLimit::max(BATCH_BODY_LIMIT)),
        )
        .route("/api/v1/declarations", post(declarations::declare))
        .route("/api/v1/declarations/verify", post(declarations::verify))
        .route("/api/v1/declarations/revoked", get(declarations::revoked))
        .route("/api/v1/declarations/key", get(declarations::public_key))
        .route(
            "/api/v1/declarations/{id}/revoke",
            post(declarations::revoke),
        )
        .route("/api/v1/passages/{id}/reveal", post(passages::reveal))
        .route("/api/v1/trajectories/person", post(trajectories::person))
        .route("/api/v1/trajectories/vehicle", post(trajectories::vehicle))
        .route("/api/v1/trace", post(trace::case_trace))
        .route(
            "/api/v1/trace/contacts.csv",
            post(trace_export::contacts_csv),
        )
        .route(
            "/api/v1/trace/contacts.xlsx",
            post(trace_export::contacts_xlsx),
        )
        .route(
            "/api/v1/policies",
            get(policies::list).post(policies::create),
        )
        .route("/api/v1/policies/validate", post(policies::validate))
        .route("/api/v1/policies/publications", get(policies::publications))
        .route("/api/v1/policies/rollback", post(policies::rollback))
        .route("/api/v1/policies/diff", get(policies::diff_versions))
        .route("/api/v1/policies/{version}", get(policies::get))
        .route(
            "/api/v1/policies/{version}/publish",
            post(policies::publish),
        )
        .route(
            "/api/v1/policies/{version}/dry-run",
            post(policies::dry_run_version),
        )
        .route(
            "/api/v1/risk-areas",
            get(risk_areas::list).post(risk_areas::declare),
        )
        .route(
            "/api/v1/risk-areas/import",
            post(risk_areas::import).layer(DefaultBodyLimit::max(risk_areas::IMPORT_LIMIT)),
        )
        .route("/api/v1/risk-areas/{id}/end", post(risk_areas::end))
        .route(
            "/api/v1/status-changes",
            get(statuses::list).post(statuses::request),
        )
        .route("/api/v1/status-changes/person", post(statuses::of_person))
        .route(
            "/api/v1/status-changes/{id}/approve",
            post(statuses::approve),
        )
        .route("/api/v1/status-changes/{id}/reject", post(statuses::reject))
        .route_layer(axum::middleware::from_fn_with_state(
            state.auth.clone(),
            crate::auth::guard::guard,
        ))
        .layer(DefaultBodyLimit::max(DEFAULT_BODY_LIMIT))
        .with_state(state)
}
