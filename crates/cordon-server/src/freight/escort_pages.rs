//! The escorts' page, `/escorts`: for commanders, a form to assign one and every escort of the
//! jurisdiction; for officers (on a phone), the escorts leaving from their checkpoints with the
//! next step one tap away. A shell over the API.

use askama::Template;
use axum::response::Response;
use cordon_domain::access::Role;

use super::escort_words::{words, Words};
use crate::ui::pages::{gate, render, words_json, Chrome};
use crate::ui::Viewer;

/// Who follows escorts: the commanders who assign them and the officers who lead them.
pub const ESCORTERS: &[Role] = &[Role::Commander, Role::Officer];

#[derive(Template)]
#[template(path = "freight/escorts.html")]
struct EscortsPage {
    c: Chrome,
    w: &'static Words,
    words_json: String,
    assigns: bool,
}

pub async fn escorts(viewer: Viewer) -> Response {
    if let Some(r) = gate(&viewer, ESCORTERS) {
        return r;
    }
    let w = words(viewer.lang);
    let assigns = viewer
        .session
        .as_ref()
        .is_some_and(|(c, _)| c.principal.may_assign_escorts().is_ok());
    render(EscortsPage {
        c: Chrome::new(&viewer),
        w,
        words_json: words_json(w),
        assigns,
    })
}
