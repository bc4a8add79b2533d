//! The follow-up lists page (`/followup`, tracers and commanders): the lists of the caller's
//! jurisdiction with their counts, a file's upload with each bad row reported, and a list's
//! persons, masked. A shell over the follow-up API.

use askama::Template;
use axum::response::Response;
use cordon_domain::access::Role;

use super::words::{words, Words};
use crate::ui::pages::{gate, render, words_json, Chrome};
use crate::ui::Viewer;

#[derive(Template)]
#[template(path = "followup/followup.html")]
struct FollowupPage {
    c: Chrome,
    w: &'static Words,
    words_json: String,
}

pub async fn followup(viewer: Viewer) -> Response {
    if let Some(r) = gate(&viewer, &[Role::Commander, Role::Tracer]) {
        return r;
    }
    let w = words(viewer.lang);
    render(FollowupPage {
        c: Chrome::new(&viewer),
        w,
        words_json: words_json(w),
    })
}
