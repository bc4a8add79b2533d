//! The JSON API under `/api/v1`: every capability's routes, merged here (one line each) under the
//! [`crate::auth::guard`] that resolves the session and audits every request. Handlers parse at
//! the boundary into domain types and call the store; they hold no rules of their own.

use axum::extract::DefaultBodyLimit;
use axum::Router;

use crate::state::AppState;

pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(crate::access::api())
        .merge(crate::audit::api())
        .merge(crate::network::api())
        .merge(crate::passage::api())
        .merge(crate::dashboard::api())
        .merge(crate::station::api())
        .merge(crate::declaration::api())
        .merge(crate::trace::api())
        .merge(crate::policy::api())
        .merge(crate::risk::api())
        .merge(crate::status::api())
        .merge(crate::command::api())
        .merge(crate::freight::api())
        .merge(crate::followup::api())
        .merge(crate::testing::api())
        .route_layer(axum::middleware::from_fn_with_state(
            state.auth.clone(),
            crate::auth::guard::guard,
        ))
        .layer(DefaultBodyLimit::max(crate::extract::DEFAULT_BODY_LIMIT))
        .with_state(state)
}
