//! The freight passes' pages, for commanders: `/passes` (issue a pass, the passes issued, by
//! plate, revoke one) and `/passes/{number}` (a pass to print, with its QR code). Shells over
//! the API.

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
