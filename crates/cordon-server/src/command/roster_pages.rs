//! The duty pages: `/duty` (who holds every checkpoint in the account's scope now, those with
//! nobody on duty first) and `/duty/{code}` (a checkpoint's roster by day: plan, change and
//! delete shifts, the hand-over notes, the station's leads). Shells over the API.

use askama::Template;
use axum::extract::Path;
use axum::response::{IntoResponse, Response};
use cordon_domain::access::Role;
use cordon_domain::checkpoint::CheckpointCode;

use super::roster_words::{words, Words};
use crate::ui::pages::{gate, render, words_json, Chrome};
use crate::ui::Viewer;

const ON_DUTY: &[Role] = &[Role::Commander, Role::Officer];

#[derive(Template)]
#[template(path = "command/duty.html")]
struct DutyPage {
    c: Chrome,
    w: &'static Words,
    words_json: String,
}

pub async fn duty(viewer: Viewer) -> Response {
    if let Some(r) = gate(&viewer, ON_DUTY) {
        return r;
    }
    let w = words(viewer.lang);
    render(DutyPage {
        c: Chrome::new(&viewer),
        w,
        words_json: words_json(w),
    })
}

#[derive(Template)]
#[template(path = "command/roster.html")]
struct RosterPage {
    c: Chrome,
    w: &'static Words,
    words_json: String,
    code: String,
    commander: bool,
}

pub async fn roster(viewer: Viewer, Path(code): Path<String>) -> Response {
    if let Some(r) = gate(&viewer, ON_DUTY) {
        return r;
    }
    let Ok(code) = CheckpointCode::parse(&code) else {
        return crate::error::ApiError::NotFound("no such checkpoint".into()).into_response();
    };
    let commander = viewer
        .session
        .as_ref()
        .is_some_and(|(c, _)| c.principal.role == Role::Commander);
    let w = words(viewer.lang);
    render(RosterPage {
        c: Chrome::new(&viewer),
        w,
        words_json: words_json(w),
        code: code.to_string(),
        commander,
    })
}
