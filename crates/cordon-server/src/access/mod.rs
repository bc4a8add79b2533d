//! Accounts and sessions: signing in and out, one's own password, and the accounts an admin
//! manages ([`accounts`], [`sessions`]); the pages for both ([`pages`]). (Who may do what is decided by the grants of `cordon_domain::access`, asked for by
//! [`crate::auth`].)

pub mod accounts;
pub mod pages;
pub mod sessions;
pub mod words;

use axum::routing::{get, post};
use axum::Router;
use utoipa::OpenApi;

use crate::state::AppState;
use crate::ui::{NavItem, Pages};

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

pub static PAGES: Pages = Pages {
    routes: || {
        Router::new()
            .route("/accounts", get(pages::accounts))
            .route("/password", get(pages::password))
    },
    nav: &[
        NavItem {
            href: "/accounts",
            roles: &[cordon_domain::access::Role::Admin],
            label: |l| words::words(l).nav_accounts,
        },
        NavItem {
            href: "/password",
            roles: pages::PEOPLE,
            label: |l| words::words(l).nav_password,
        },
    ],
};

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
