//! The video patrol pages, for commanders: `/patrols` (the week's rounds and findings, the
//! plans to start a round from, the camera channels) and `/patrols/{id}` (a round: each channel
//! in order, recorded in order or with its problem, a problem sent on as a directive). Shells
//! over the API.

use askama::Template;
use axum::extract::Path;
use axum::response::{IntoResponse, Response};
use cordon_domain::access::Role;

use super::patrol_words::{words, Words};
use crate::ui::pages::{gate, render, words_json, Chrome};
use crate::ui::Viewer;

#[derive(Template)]
#[template(path = "command/patrols.html")]
struct PatrolsPage {
    c: Chrome,
    w: &'static Words,
    words_json: String,
}

pub async fn patrols(viewer: Viewer) -> Response {
    if let Some(r) = gate(&viewer, &[Role::Commander]) {
        return r;
    }
    let w = words(viewer.lang);
    render(PatrolsPage {
        c: Chrome::new(&viewer),
        w,
        words_json: words_json(w),
    })
}

#[derive(Template)]
#[template(path = "command/round.html")]
struct RoundPage {
    c: Chrome,
    w: &'static Words,
    words_json: String,
    id: i64,
}

pub async fn round(viewer: Viewer, Path(id): Path<String>) -> Response {
    if let Some(r) = gate(&viewer, &[Role::Commander]) {
        return r;
    }
    let Ok(id) = id.parse::<i64>() else {
        return crate::error::ApiError::NotFound("no such round".into()).into_response();
    };
    let w = words(viewer.lang);
    render(RoundPage {
        c: Chrome::new(&viewer),
        w,
        words_json: words_json(w),
        id,
    })
}
