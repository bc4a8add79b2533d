//! The trace page (`/trace`, tracers and commanders): a case by document or plate, its contacts
//! with their evidence, a graph of the hops, its trajectory on the map of the caller's
//! checkpoints, exports and reveals. The page carries no personal data: its script asks the
//! API (`POST /api/v1/trace`, `/trajectories/*`, `/passages/{id}/reveal`, the exports) with the
//! session cookie, the subject in the body, where every answer is masked, scoped and audited.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use cordon_domain::access::Role;
use serde::Serialize;

use super::words::{words, Words};
use crate::state::AppState;
use crate::ui::pages::{gate, render, words_json, Chrome};
use crate::ui::Viewer;

/// Roles that trace.
pub const TRACERS: &[Role] = &[Role::Tracer, Role::Commander];

/// A checkpoint on the page's map: code, name, latitude, longitude.
#[derive(Serialize)]
struct MapPoint(String, String, f64, f64);

#[derive(Template)]
#[template(path = "trace/trace.html")]
struct TracePage {
    c: Chrome,
    w: &'static Words,
    words_json: String,
    map_json: String,
}

pub async fn trace(State(app): State<AppState>, viewer: Viewer) -> Response {
    if let Some(r) = gate(&viewer, TRACERS) {
        return r;
    }
    let w = words(viewer.lang);
    let mut points = Vec::new();
    if let Some((caller, _)) = &viewer.session {
        let checkpoints =
            crate::dashboard::figures::checkpoints_in(app.store.as_ref(), &caller.principal.scope)
                .await
                .unwrap_or_default();
        points = checkpoints
            .into_iter()
            .map(|c| {
                MapPoint(
                    c.code.to_string(),
                    c.name,
                    (c.location.lat * 1e4).round() / 1e4,
                    (c.location.lon * 1e4).round() / 1e4,
                )
            })
            .collect();
    }
    render(TracePage {
        c: Chrome::new(&viewer),
        w,
        words_json: words_json(w),
        map_json: words_json(&points),
    })
}
