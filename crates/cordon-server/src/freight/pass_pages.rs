//! The freight passes' pages, for commanders: `/passes` (issue a pass, the carriers'
//! applications to decide, the passes issued, by plate) and `/passes/{number}` (a pass to print,
//! with its QR code, and its revocation); for carriers, with no account: `/passes/apply` (apply)
//! and `/passes/apply/{reference}` (the decision, and the pass to print once approved). Shells
//! over the API.

use askama::Template;
use axum::extract::Path;
use axum::response::{IntoResponse, Response};
use cordon_domain::access::Role;

use super::pass_words::{words, Words};
use crate::ui::pages::{gate, render, words_json, Chrome};
use crate::ui::Viewer;

#[derive(Template)]
#[template(path = "freight/passes.html")]
struct PassesPage {
    c: Chrome,
    w: &'static Words,
    words_json: String,
}

pub async fn passes(viewer: Viewer) -> Response {
    if let Some(r) = gate(&viewer, &[Role::Commander]) {
        return r;
    }
    let w = words(viewer.lang);
    render(PassesPage {
        c: Chrome::new(&viewer),
        w,
        words_json: words_json(w),
    })
}

#[derive(Template)]
#[template(path = "freight/pass.html")]
struct PassPage {
    c: Chrome,
    w: &'static Words,
    words_json: String,
    number: String,
}

pub async fn pass(viewer: Viewer, Path(number): Path<String>) -> Response {
    if let Some(r) = gate(&viewer, &[Role::Commander]) {
        return r;
    }
    if number.len() != 12 || !number.bytes().all(|b| b.is_ascii_digit()) {
        return crate::error::ApiError::NotFound("no such pass".into()).into_response();
    }
    let w = words(viewer.lang);
    render(PassPage {
        c: Chrome::new(&viewer),
        w,
        words_json: words_json(w),
        number,
    })
}

#[derive(Template)]
#[template(path = "freight/apply.html")]
struct ApplyPage {
    c: Chrome,
    w: &'static Words,
    words_json: String,
}

/// A carrier's application: no account.
pub async fn apply(viewer: Viewer) -> Response {
    let w = words(viewer.lang);
    render(ApplyPage {
        c: Chrome::new(&viewer),
        w,
        words_json: words_json(w),
    })
}

#[derive(Template)]
#[template(path = "freight/applied.html")]
struct AppliedPage {
    c: Chrome,
    w: &'static Words,
    words_json: String,
    reference: String,
}

/// An application followed by its reference: no account.
pub async fn applied(viewer: Viewer, Path(reference): Path<String>) -> Response {
    if !cordon_domain::freight::application::is_reference(&reference) {
        return crate::error::ApiError::NotFound("no such application".into()).into_response();
    }
    let w = words(viewer.lang);
    render(AppliedPage {
        c: Chrome::new(&viewer),
        w,
        words_json: words_json(w),
        reference,
    })
}
