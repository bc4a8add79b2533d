//! The web UI the `cordon` binary serves: pages rendered from templates compiled in
//! (`templates/`, askama) and scripts and styles embedded (`assets/`); nothing is loaded from
//! elsewhere. Chinese by default, English by the switch or the browser's language ([`texts`]).
//!
//! The shared pages are here (`/`, `/signin`, the language switch) with the frame every page
//! is drawn in ([`pages::Chrome`]); each capability's pages are in its own folder and listed in
//! [`PAGES`] (`/lane` in `passage`, `/declare` in `declaration`, `/dashboard` in `dashboard`,
//! `/checkpoints/{code}` in `network`). Pages carry no personal data themselves: their scripts
//! read it from the API with the session cookie, where it is masked, scoped and audited like
//! any other read.

pub mod assets;
pub mod pages;
pub mod site;
pub mod svg;
pub mod texts;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::Router;
use cordon_domain::access::Role;

use crate::auth::sessions::{presented, Presented};
use crate::auth::Caller;
use crate::state::AppState;
use texts::Lang;

/// Who asks for a page, in which language.
pub struct Viewer {
    pub lang: Lang,
    /// The signed-in account and its CSRF token, if the session cookie is valid.
    pub session: Option<(Caller, String)>,
    /// The path asked for, to come back to after signing in.
    pub path: String,
    /// The capabilities' pages, for the navigation bar.
    pub nav: &'static [&'static Pages],
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
            nav: parts.extensions.get::<Nav>().map_or(&[], |n| n.0),
        })
    }
}

/// A capability's pages: their routes, and the entries they add to the navigation bar.
pub struct Pages {
    pub routes: fn() -> Router<AppState>,
    pub nav: &'static [NavItem],
}

/// An entry of the navigation bar, shown to the roles listed.
pub struct NavItem {
    pub href: &'static str,
    pub roles: &'static [Role],
    /// The entry's words in the page's language (from the shared texts or the capability's own).
    pub label: fn(Lang) -> &'static str,
}

/// Every role, and visitors without an account.
pub const EVERYONE: &[Role] = &[];

impl NavItem {
    /// Whether a viewer with `role` (none: not signed in) sees this entry.
    pub fn shown_to(&self, role: Option<Role>) -> bool {
        self.roles.is_empty() || role.is_some_and(|r| self.roles.contains(&r))
    }
}

/// The capabilities' pages the navigation bar is built from; [`site`] puts it on every page
/// request.
#[derive(Clone, Copy)]
pub struct Nav(pub &'static [&'static Pages]);
