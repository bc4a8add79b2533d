//! Accounts and sessions: signing in and out, one's own password, and the accounts an admin
//! manages. (Who may do what is decided by the grants of `cordon_domain::access`, asked for by
//! [`crate::auth`].)

pub mod accounts;
pub mod sessions;

use axum::routing::{get, post};
use axum::Router;
use utoipa::OpenApi;

use crate::state::AppState;

pub fn api() -> Router<AppState> {
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
        .route("/api/v1/accounts/{username}/unlock", post(accounts::unlock))
        .route(
            "/api/v1/accounts/{username}/password",
            post(accounts::reset_password),
        )
}

#[derive(OpenApi)]
#[openapi(
    paths(
        sessions::sign_in,
        sessions::current,
        sessions::sign_out,
        sessions::change_password,
        accounts::list,
        accounts::create,
        accounts::disable,
        accounts::enable,
        accounts::unlock,
        accounts::reset_password,
    ),
    tags((name = "accounts", description = "signing in and out; accounts (admin)"))
)]
pub struct Api;
