//! The follow-up pages: the lists page (`/followup`, tracers and commanders: the lists of the
//! jurisdiction with their counts, a file's upload with each bad row reported, a list's persons
//! masked, the completion board, teams and questionnaires) and a caller's worklist
//! (`/worklist`). Shells over the follow-up API.

use askama::Template;
use axum::response::Response;
use cordon_domain::access::Role;

use super::words::{words, work_words, Words, WorkWords};
use crate::ui::pages::{gate, render, words_json, Chrome};
use crate::ui::Viewer;

#[derive(Template)]
#[template(path = "followup/followup.html")]
struct FollowupPage {
    c: Chrome,
    w: &'static Words,
    words_json: String,
    /// A commander: makes teams and questionnaires.
    commander: bool,
}

pub async fn followup(viewer: Viewer) -> Response {
    if let Some(r) = gate(&viewer, &[Role::Commander, Role::Tracer]) {
        return r;
    }
    let w = words(viewer.lang);
    let commander = viewer
        .session
        .as_ref()
        .is_some_and(|(c, _)| c.principal.role == Role::Commander);
    render(FollowupPage {
        c: Chrome::new(&viewer),
        w,
        words_json: words_json(w),
        commander,
    })
}

#[derive(Template)]
#[template(path = "followup/worklist.html")]
struct WorklistPage {
    c: Chrome,
    w: &'static WorkWords,
    words_json: String,
}

/// A caller's worklist (`/worklist`, callers; a phone page): the persons to call, then those to
/// visit; one opened shows every list's facts with the phone to call, the questionnaire, and
/// the outcome buttons.
pub async fn worklist(viewer: Viewer) -> Response {
    if let Some(r) = gate(&viewer, &[Role::Caller]) {
        return r;
    }
    let w = work_words(viewer.lang);
    render(WorklistPage {
        c: Chrome::new(&viewer),
        w,
        words_json: words_json(w),
    })
}
