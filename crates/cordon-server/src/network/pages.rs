//! The network page (`/network`: jurisdictions and checkpoints, created, edited, opened and
//! closed) and a checkpoint's page (its hours, latest passages, status history, opening and
//! closing, and its details edited).

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use cordon_domain::access::Role;

use cordon_domain::checkpoint::CheckpointCode;

use super::words::{words, Words};
use crate::state::AppState;
use crate::ui::pages::{gate, render, words_json, Chrome};
use crate::ui::svg;
use crate::ui::Viewer;

#[derive(Template)]
#[template(path = "network/checkpoint.html")]
struct CheckpointPage {
    c: Chrome,
    w: &'static Words,
    words_json: String,
    kind: &'static str,
    line: &'static str,
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
    let hours = checkpoint_hours(&app, caller, &cp.code).await;
    let passages = hours.iter().map(|h| h.1).sum();
    let w = words(viewer.lang);
    render(CheckpointPage {
        c: Chrome::new(&viewer),
        w,
        words_json: words_json(w),
        kind: w.kind(cp.kind.as_str()),
        line: w.line(cp.defence_line.as_str()),
        hourly_svg: svg::bars(&hours, 3, "#2b6cb0"),
        passages,
        cp,
    })
}

#[derive(Template)]
#[template(path = "network/network.html")]
struct NetworkPage {
    c: Chrome,
    w: &'static Words,
    words_json: String,
}

pub async fn network(viewer: Viewer) -> Response {
    if let Some(r) = gate(&viewer, &[Role::Commander]) {
        return r;
    }
    let w = words(viewer.lang);
    render(NetworkPage {
        c: Chrome::new(&viewer),
        w,
        words_json: words_json(w),
    })
}

/// One checkpoint's vehicles per hour over the last 24 hours, labelled `HH:MM`, every hour
/// present (empty ones as 0).
async fn checkpoint_hours(
    app: &AppState,
    caller: &crate::auth::Caller,
    code: &cordon_domain::checkpoint::CheckpointCode,
) -> Vec<(String, i64)> {
    let now = cordon_domain::time::now_ms();
    let Ok(grant) = caller.principal.may_read_passages(now) else {
        return Vec::new();
    };
    let first = now.div_euclid(3_600_000) - 23;
    let period = cordon_store::Period {
        from_ms: first * 3_600_000,
        to_ms: now + 1,
    };
    let counts = app
        .store
        .hourly_counts(&grant, code, period)
        .await
        .unwrap_or_default();
    (first..first + 24)
        .map(|h| {
            let n = counts
                .iter()
                .find(|c| c.hour_ms == h * 3_600_000)
                .map_or(0, |c| c.passages);
            (
                crate::dashboard::figures::iso(h * 3_600_000)
                    .get(11..16)
                    .unwrap_or("")
                    .to_owned(),
                n,
            )
        })
        .collect()
}
