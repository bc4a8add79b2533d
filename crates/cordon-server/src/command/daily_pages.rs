//! The daily report's page (`/daily`): a shell over `GET /api/v1/daily-reports`, for commanders.

use askama::Template;
use axum::response::Response;
use cordon_domain::access::Role;

use super::daily_words::{words, Words};
use crate::ui::pages::{gate, render, words_json, Chrome};
use crate::ui::Viewer;

#[derive(Template)]
#[template(path = "command/daily.html")]
struct DailyPage {
    c: Chrome,
    w: &'static Words,
    words_json: String,
}

/// The daily report (`/daily`): commanders.
pub async fn daily(viewer: Viewer) -> Response {
    if let Some(r) = gate(&viewer, &[Role::Commander]) {
        return r;
    }
    let w = words(viewer.lang);
    render(DailyPage {
        c: Chrome::new(&viewer),
        w,
        words_json: words_json(w),
    })
}
