//! The commanders' directive pages: `/directives` (issue one to a jurisdiction, a defence line,
//! a kind of checkpoint or listed checkpoints; the directives with their counts; the stations
//! overdue in the commander's jurisdiction) and `/directives/{id}` (the board: who has not
//! acknowledged, who has and what they replied; remind, revise, cancel). The pages read the API.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use cordon_domain::access::{Role, Scope};
use cordon_domain::checkpoint::{CheckpointKind, DefenceLine};

use super::words::{words, Words};
use crate::state::AppState;
use crate::ui::pages::{gate, render, words_json, Chrome};
use crate::ui::Viewer;

const COMMANDERS: &[Role] = &[Role::Commander];

#[derive(Template)]
#[template(path = "command/directives.html")]
struct DirectivesPage {
    c: Chrome,
    w: &'static Words,
    words_json: String,
    /// The jurisdictions the commander may send to: (code, name), its own first.
    divisions: Vec<(String, String)>,
    lines: Vec<(&'static str, &'static str)>,
    kinds: Vec<(&'static str, &'static str)>,
}

pub async fn directives(State(app): State<AppState>, viewer: Viewer) -> Response {
    if let Some(r) = gate(&viewer, COMMANDERS) {
        return r;
    }
    let scope = viewer
        .session
        .as_ref()
        .map(|(c, _)| c.principal.scope.clone());
    let divisions = match app.store.list_jurisdictions().await {
        Ok(all) => {
            let mut list: Vec<_> = all
                .into_iter()
                .filter(|j| matches!(&scope, Some(Scope::Division(d)) if d.contains(j.code)))
                .map(|j| (j.code.to_string(), j.name))
                .collect();
            list.sort();
            list
        }
        Err(e) => return crate::error::ApiError::from(e).into_response(),
    };
    let net = crate::network::words::words(viewer.lang);
    let w = words(viewer.lang);
    render(DirectivesPage {
        c: Chrome::new(&viewer),
        w,
        words_json: words_json(w),
        divisions,
        lines: DefenceLine::ALL
            .iter()
            .map(|l| (l.as_str(), net.line(l.as_str())))
            .collect(),
        kinds: CheckpointKind::ALL
            .iter()
            .map(|k| (k.as_str(), net.kind(k.as_str())))
            .collect(),
    })
}

#[derive(Template)]
#[template(path = "command/board.html")]
struct BoardPage {
    c: Chrome,
    w: &'static Words,
    words_json: String,
    id: i64,
}

pub async fn board(viewer: Viewer, Path(id): Path<String>) -> Response {
    if let Some(r) = gate(&viewer, COMMANDERS) {
        return r;
    }
    let Ok(id) = id.parse::<i64>() else {
        return crate::error::ApiError::NotFound("no such directive".into()).into_response();
    };
    let w = words(viewer.lang);
    render(BoardPage {
        c: Chrome::new(&viewer),
        w,
        words_json: words_json(w),
        id,
    })
}

#[derive(Template)]
#[template(path = "command/reports.html")]
struct ReportsPage {
    c: Chrome,
    w: &'static Words,
    words_json: String,
}

/// The command's inbox of reports (`/reports`).
pub async fn reports(viewer: Viewer) -> Response {
    if let Some(r) = gate(&viewer, COMMANDERS) {
        return r;
    }
    let w = words(viewer.lang);
    render(ReportsPage {
        c: Chrome::new(&viewer),
        w,
        words_json: words_json(w),
    })
}
