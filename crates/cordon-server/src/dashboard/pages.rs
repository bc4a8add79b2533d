//! The command dashboard's page and its live part, drawn on the server.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use cordon_domain::access::Role;

use axum::http::StatusCode;

use super::figures::{Computed, NotNow, WAIT};
use crate::state::AppState;
use crate::ui::pages::{busy, gate, render, Chrome};
use crate::ui::svg;
use crate::ui::texts::Texts;
use crate::ui::Viewer;

/// The busiest checkpoints the page's table lists; all of them are on the map and the network
/// page.
const TABLE_ROWS: usize = 200;

/// The dashboard's figures drawn for the page.
pub struct Drawn {
    pub d: std::sync::Arc<Computed>,
    pub hourly_svg: String,
    pub map_svg: String,
    pub outcomes: Vec<(String, &'static str, i64)>,
    pub slowest: Vec<(String, String, String)>,
    /// Rows of the checkpoint table drawn (the busiest); the network page lists them all.
    pub shown: usize,
    pub shown_note: String,
    pub updated: String,
    /// The green channel's mean handling time, when some were registered at the lane.
    pub green_handling: Option<String>,
}

fn outcome_label(t: &Texts, outcome: &str) -> &'static str {
    match outcome {
        "pass" => t.outcome_pass,
        "test_on_site" => t.outcome_test_on_site,
        "hold" => t.outcome_hold,
        "refer" => t.outcome_refer,
        "persuade_return" => t.outcome_persuade_return,
        _ => "?",
    }
}

fn draw(d: std::sync::Arc<Computed>, t: &Texts) -> Drawn {
    let hourly: Vec<(String, i64)> = d
        .dashboard
        .hourly
        .iter()
        .map(|h| (h.hour.get(11..16).unwrap_or("").to_owned(), h.passages))
        .collect();
    let mut slow: Vec<_> = d
        .dashboard
        .checkpoints
        .iter()
        .filter_map(|c| c.handling_seconds.map(|s| (c, s)))
        .collect();
    slow.sort_by(|a, b| b.1.total_cmp(&a.1));
    let shown = d.dashboard.checkpoints.len().min(TABLE_ROWS);
    Drawn {
        shown,
        shown_note: t.busiest_shown.replace("{n}", &shown.to_string()),
        hourly_svg: svg::bars(&hourly, 3, "#2b6cb0"),
        map_svg: svg::map(&d.dashboard.checkpoints),
        outcomes: d
            .dashboard
            .outcomes
            .iter()
            .map(|(k, v)| (k.clone(), outcome_label(t, k), *v))
            .collect(),
        slowest: slow
            .into_iter()
            .take(10)
            .map(|(c, s)| (c.code.clone(), c.name.clone(), format!("{s:.1}")))
            .collect(),
        green_handling: d
            .dashboard
            .green_channel
            .handling_seconds
            .map(|s| format!("{s:.1}")),
        updated: chrono::Utc::now()
            .with_timezone(&cordon_domain::time::china())
            .format("%H:%M:%S")
            .to_string(),
        d,
    }
}

#[derive(Template)]
#[template(path = "dashboard/dashboard.html")]
struct DashboardPage {
    c: Chrome,
    x: Drawn,
}

#[derive(Template)]
#[template(path = "dashboard/live.html")]
struct DashboardLive {
    c: Chrome,
    x: Drawn,
}

async fn figures(app: &AppState, viewer: &Viewer) -> Result<Drawn, Response> {
    let Some((caller, _)) = &viewer.session else {
        return Err(StatusCode::UNAUTHORIZED.into_response());
    };
    let grant = caller
        .principal
        .may_read_passages(cordon_domain::time::now_ms())
        .map_err(|_| StatusCode::FORBIDDEN.into_response())?;
    let d = app
        .dashboard
        .get(app.store.as_ref(), &grant, 24)
        .await
        .map_err(|e| match e {
            NotNow::Busy => busy(viewer, WAIT.as_secs()),
            e => crate::error::ApiError::from(e).into_response(),
        })?;
    Ok(draw(d, viewer.lang.texts()))
}

pub async fn dashboard(State(app): State<AppState>, viewer: Viewer) -> Response {
    if let Some(r) = gate(&viewer, &[Role::Commander]) {
        return r;
    }
    match figures(&app, &viewer).await {
        Ok(x) => render(DashboardPage {
            c: Chrome::new(&viewer),
            x,
        }),
        Err(r) => r,
    }
}

/// The dashboard's live part alone, which its script fetches every few seconds.
pub async fn dashboard_live(State(app): State<AppState>, viewer: Viewer) -> Response {
    if let Some(r) = gate(&viewer, &[Role::Commander]) {
        return r;
    }
    match figures(&app, &viewer).await {
        Ok(x) => render(DashboardLive {
            c: Chrome::new(&viewer),
            x,
        }),
        Err(r) => r,
    }
}
