//! The holding lots' pages: `/lots` (the jurisdiction's lots, the freight alerts, a new lot for
//! commanders), `/lots/{id}` (the board: gate, bays, trucks and their next steps, drivers'
//! requests), `/lots/{id}/codes` (the bays' QR codes to print) and `/bay/{token}` (a driver's
//! page, no account). Shells over the API.

use askama::Template;
use axum::extract::Path;
use axum::response::{IntoResponse, Response};
use cordon_domain::access::Role;

use super::words::{words, Words};
use crate::ui::pages::{gate, render, words_json, Chrome};
use crate::ui::Viewer;

const STAFF: &[Role] = &[Role::Commander, Role::Lot];

#[derive(Template)]
#[template(path = "freight/lots.html")]
struct LotsPage {
    c: Chrome,
    w: &'static Words,
    words_json: String,
    commander: bool,
}

pub async fn lots(viewer: Viewer) -> Response {
    if let Some(r) = gate(&viewer, STAFF) {
        return r;
    }
    let w = words(viewer.lang);
    render(LotsPage {
        c: Chrome::new(&viewer),
        w,
        words_json: words_json(w),
        commander: viewer.role() == Some(Role::Commander),
    })
}

#[derive(Template)]
#[template(path = "freight/lot.html")]
struct LotPage {
    c: Chrome,
    w: &'static Words,
    words_json: String,
    id: i64,
}

#[derive(Template)]
#[template(path = "freight/codes.html")]
struct CodesPage {
    c: Chrome,
    w: &'static Words,
    id: i64,
}

fn not_found() -> Response {
    crate::error::ApiError::NotFound("no such lot".into()).into_response()
}

pub async fn lot(viewer: Viewer, Path(id): Path<String>) -> Response {
    if let Some(r) = gate(&viewer, STAFF) {
        return r;
    }
    let Ok(id) = id.parse::<i64>() else {
        return not_found();
    };
    let w = words(viewer.lang);
    render(LotPage {
        c: Chrome::new(&viewer),
        w,
        words_json: words_json(w),
        id,
    })
}

pub async fn codes(viewer: Viewer, Path(id): Path<String>) -> Response {
    if let Some(r) = gate(&viewer, STAFF) {
        return r;
    }
    let Ok(id) = id.parse::<i64>() else {
        return not_found();
    };
    render(CodesPage {
        c: Chrome::new(&viewer),
        w: words(viewer.lang),
        id,
    })
}

#[derive(Template)]
#[template(path = "freight/bay.html")]
struct BayPage {
    c: Chrome,
    w: &'static Words,
    words_json: String,
}

/// A driver's page: the token stays in the path, the script reads it from there.
pub async fn bay(viewer: Viewer) -> Response {
    let w = words(viewer.lang);
    render(BayPage {
        c: Chrome::new(&viewer),
        w,
        words_json: words_json(w),
    })
}
