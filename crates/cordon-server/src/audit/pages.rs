//! The audit page (`/audit`, auditors): entries found by account, action, subject and time, an
//! entry's details, and the chain verified with where it breaks. A shell; its script asks the
//! audit API with the session cookie (a subject is turned into its keyed hash by
//! `POST /api/v1/audit/subject`, so no document number is in any address).

use askama::Template;
use axum::response::Response;
use cordon_domain::access::Role;

use super::words::{words, Words};
use crate::ui::pages::{gate, render, words_json, Chrome};
use crate::ui::Viewer;

#[derive(Template)]
#[template(path = "audit/audit.html")]
struct AuditPage {
    c: Chrome,
    w: &'static Words,
    words_json: String,
}

pub async fn audit(viewer: Viewer) -> Response {
    if let Some(r) = gate(&viewer, &[Role::Auditor]) {
        return r;
    }
    let w = words(viewer.lang);
    render(AuditPage {
        c: Chrome::new(&viewer),
        w,
        words_json: words_json(w),
    })
}
