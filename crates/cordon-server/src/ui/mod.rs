//! The web UI the `cordon` binary serves: pages rendered from templates compiled in
//! (`templates/`, askama) and scripts and styles embedded (`assets/`); nothing is loaded from
//! elsewhere. Chinese by default, English by the switch or the browser's language ([`texts`]).
//!
//! Pages: `/signin`; `/lane` (officers: the registration lane); `/declare` (public: a driver's
//! pre-declaration and its QR code); `/dashboard` and `/checkpoints/{code}` (commanders). Pages
//! carry no personal data themselves: their scripts read it from the API with the session
//! cookie, where it is masked, scoped and audited like any other read.

pub mod assets;
pub mod pages;
pub mod svg;
pub mod texts;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::routing::get;
use axum::Router;
use cordon_domain::access::Role;

use crate::api::AppState;
use crate::auth::sessions::{presented, Presented};
use crate::auth::Caller;
use texts::Lang;

/// Who asks for a page, in which language.
pub struct Viewer {
    pub lang: Lang,
    /// The signed-in account and its CSRF token, if the session cookie is valid.
    pub session: Option<(Caller, String)>,
    /// The path asked for, to come back to after signing in.
    pub path: String,
}

impl Viewer {
    pub fn role(&self) -> Option<Role> {
        self.session.as_ref().map(|(c, _)| c.principal.role)
    }
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let lang = Lang::from_headers(&parts.headers);
        let session = match presented(&parts.headers) {
            Some((token, Presented::Cookie)) => app
                .auth
                .page_session(&token, cordon_domain::time::now_ms())
                .await
                .ok()
                .flatten(),
            _ => None,
        };
        Ok(Viewer {
            lang,
            session,
            path: parts.uri.path().to_owned(),
        })
    }
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(pages::home))
        .route("/signin", get(pages::signin))
        .route("/lang/{code}", get(pages::switch_lang))
        .route("/lane", get(pages::lane))
        .route("/declare", get(pages::declare))
        .route("/dashboard", get(pages::dashboard))
        .route("/dashboard/live", get(pages::dashboard_live))
        .route("/checkpoints/{code}", get(pages::checkpoint))
        .route("/assets/{name}", get(assets::serve))
        .with_state(state)
}
