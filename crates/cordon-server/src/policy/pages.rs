//! The policy page (`/policies`, commanders; changes by province commanders): the version in
//! force and the publication log, the versions, a draft editor checked as one types with each
//! problem at its line, the diff of two versions rule by rule, a dry run over a chosen period,
//! publication with an effective time and a reason, and rollback. A shell over the policy API.

use askama::Template;
use axum::response::Response;
use cordon_domain::access::Role;

use super::words::{words, Words};
use crate::ui::pages::{gate, render, words_json, Chrome};
use crate::ui::Viewer;

#[derive(Template)]
#[template(path = "policy/policies.html")]
struct PolicyPage {
    c: Chrome,
    w: &'static Words,
    words_json: String,
}

pub async fn policies(viewer: Viewer) -> Response {
    if let Some(r) = gate(&viewer, &[Role::Commander]) {
        return r;
    }
    let w = words(viewer.lang);
    render(PolicyPage {
        c: Chrome::new(&viewer),
        w,
        words_json: words_json(w),
    })
}
