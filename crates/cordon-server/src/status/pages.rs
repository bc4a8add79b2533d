//! The person-status page (`/statuses`, commanders and tracers): request a change with a reason
//! and evidence; the queue of pending requests, which a second commander approves or rejects
//! with a note; the decisions; a person's changes found by their document (sent in the body).
//! The page carries no personal data: its script reads the API, masked and audited.

use askama::Template;
use axum::response::Response;
use cordon_domain::access::Role;

use super::words::{words, Words};
use crate::ui::pages::{gate, render, words_json, Chrome};
use crate::ui::Viewer;

/// Roles that request status changes and read them; only commanders decide.
pub const READERS: &[Role] = &[Role::Commander, Role::Tracer];

#[derive(Template)]
#[template(path = "status/statuses.html")]
struct StatusPage {
    c: Chrome,
    w: &'static Words,
    words_json: String,
    decides: bool,
    statuses: [(&'static str, &'static str); 6],
}

pub async fn statuses(viewer: Viewer) -> Response {
    if let Some(r) = gate(&viewer, READERS) {
        return r;
    }
    let w = words(viewer.lang);
    render(StatusPage {
        decides: viewer.role() == Some(Role::Commander),
        c: Chrome::new(&viewer),
        w,
        words_json: words_json(w),
        statuses: choices(w),
    })
}

/// The statuses a change may set, in the order a caller most often needs them.
fn choices(w: &'static Words) -> [(&'static str, &'static str); 6] {
    [
        ("close_contact", w.status_close_contact),
        ("secondary_contact", w.status_secondary_contact),
        (
            "spatiotemporal_companion",
            w.status_spatiotemporal_companion,
        ),
        ("case", w.status_case),
        ("asymptomatic", w.status_asymptomatic),
        ("none", w.status_none),
    ]
}
