//! The officers' lane page (`/lane`) and a passage's page (`/passages/{id}`).

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use cordon_domain::access::Role;

use cordon_domain::access::Scope;

use crate::dashboard::figures::checkpoints_in;
use crate::state::AppState;
use crate::ui::pages::{gate, render, Chrome};
use crate::ui::Viewer;

/// A checkpoint the lane page offers.
pub struct LaneCheckpoint {
    pub code: String,
    pub name: String,
    pub lanes: u16,
    /// `open` or `closed`.
    pub status: &'static str,
}

#[derive(Template)]
#[template(path = "passage/lane.html")]
struct Lane {
    c: Chrome,
    checkpoints: Vec<LaneCheckpoint>,
    dw: &'static crate::command::words::Words,
    directive_words: String,
    duty_words: String,
}

pub async fn lane(State(app): State<AppState>, viewer: Viewer) -> Response {
    if let Some(r) = gate(&viewer, &[Role::Officer]) {
        return r;
    }
    let scope = viewer
        .session
        .as_ref()
        .map(|(c, _)| c.principal.scope.clone())
        .unwrap_or(Scope::Checkpoints(Vec::new().into()));
    let checkpoints = match checkpoints_in(app.store.as_ref(), &scope).await {
        Ok(list) => list
            .into_iter()
            .map(|c| LaneCheckpoint {
                code: c.code.to_string(),
                name: c.name,
                lanes: c.lanes,
                status: c.status.as_str(),
            })
            .collect(),
        Err(e) => return crate::error::ApiError::from(e).into_response(),
    };
    let dw = crate::command::words::words(viewer.lang);
    render(Lane {
        c: Chrome::new(&viewer),
        checkpoints,
        dw,
        directive_words: crate::ui::pages::words_json(dw),
        duty_words: crate::ui::pages::words_json(crate::command::roster_words::words(viewer.lang)),
    })
}

#[derive(Template)]
#[template(path = "passage/passage.html")]
struct PassagePage {
    c: Chrome,
    w: &'static super::words::Words,
    words_json: String,
    id: String,
    reveals: bool,
}

/// Who reads a passage's page; commanders and tracers may also reveal it.
pub const READERS: &[Role] = &[Role::Commander, Role::Tracer, Role::Officer];

/// A passage's page (`/passages/{id}`): the record masked, its decision with each person's
/// reasons, its corrections, and a reveal for a stated purpose. A shell over the API (the id is
/// no personal data; the record is read by the script, audited).
pub async fn passage(
    viewer: Viewer,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Response {
    if let Some(r) = gate(&viewer, READERS) {
        return r;
    }
    let Ok(id) = cordon_domain::registration::parse_id(&id) else {
        return crate::error::ApiError::NotFound("no such passage".into()).into_response();
    };
    let w = super::words::words(viewer.lang);
    render(PassagePage {
        reveals: matches!(viewer.role(), Some(Role::Commander | Role::Tracer)),
        c: Chrome::new(&viewer),
        w,
        words_json: crate::ui::pages::words_json(w),
        id: id.to_string(),
    })
}
