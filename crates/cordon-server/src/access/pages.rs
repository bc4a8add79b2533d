//! The account pages: `/accounts` (admins: list, create with role and scope, disable and
//! enable, unlock, reset a password) and `/password` (everyone signed in: change their own).
//! Both are shells; their script works through the accounts API with the session cookie.

use askama::Template;
use axum::response::Response;
use cordon_domain::access::Role;

use super::words::{words, Words};
use crate::ui::pages::{gate, render, words_json, Chrome};
use crate::ui::Viewer;

/// Every role that signs in to pages (a station's credential does not).
pub const PEOPLE: &[Role] = &[
    Role::Commander,
    Role::Officer,
    Role::Tracer,
    Role::Auditor,
    Role::Admin,
    Role::Caller,
    Role::Sampler,
    Role::Lab,
];

#[derive(Template)]
#[template(path = "access/accounts.html")]
struct AccountsPage {
    c: Chrome,
    w: &'static Words,
    words_json: String,
}

#[derive(Template)]
#[template(path = "access/password.html")]
struct PasswordPage {
    c: Chrome,
    w: &'static Words,
    words_json: String,
}

pub async fn accounts(viewer: Viewer) -> Response {
    if let Some(r) = gate(&viewer, &[Role::Admin]) {
        return r;
    }
    let w = words(viewer.lang);
    render(AccountsPage {
        c: Chrome::new(&viewer),
        w,
        words_json: words_json(w),
    })
}

pub async fn password(viewer: Viewer) -> Response {
    if let Some(r) = gate(&viewer, PEOPLE) {
        return r;
    }
    let w = words(viewer.lang);
    render(PasswordPage {
        c: Chrome::new(&viewer),
        w,
        words_json: words_json(w),
    })
}
