//! The officers' lane page: scan, register, see the decision.

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
    render(Lane {
        c: Chrome::new(&viewer),
        checkpoints,
    })
}
