//! A checkpoint's page: its hours and latest passages.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use cordon_domain::access::Role;

use cordon_domain::checkpoint::CheckpointCode;

use crate::state::AppState;
use crate::ui::pages::{gate, render, Chrome};
use crate::ui::svg;
use crate::ui::Viewer;

#[derive(Template)]
#[template(path = "network/checkpoint.html")]
struct CheckpointPage {
    c: Chrome,
    cp: cordon_domain::checkpoint::Checkpoint,
    hourly_svg: String,
    passages: i64,
}

pub async fn checkpoint(
    State(app): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
) -> Response {
    if let Some(r) = gate(&viewer, &[Role::Commander]) {
        return r;
    }
    let not_found =
        || crate::error::ApiError::NotFound("no such checkpoint".into()).into_response();
    let Ok(code) = CheckpointCode::parse(&code) else {
        return not_found();
    };
    let Some((caller, _)) = &viewer.session else {
        return not_found();
    };
    let cp = match app.store.get_checkpoint(&code).await {
        Ok(cp) if caller.principal.scope.covers(&cp.code, cp.jurisdiction) => cp,
        _ => return not_found(),
    };
    // The checkpoint's own hours: its hourly counts over the last 24 hours.
    let hours = crate::dashboard::figures::checkpoint_hours(&app, caller, &cp.code).await;
    let passages = hours.iter().map(|h| h.1).sum();
    render(CheckpointPage {
        c: Chrome::new(&viewer),
        hourly_svg: svg::bars(&hours, 3, "#2b6cb0"),
        passages,
        cp,
    })
}
