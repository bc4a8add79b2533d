//! The risk-area page (`/risk-areas`, commanders; changes by a province's): the register by
//! date, division and level; add and end an area; import a list from a CSV or Excel file with
//! each bad row reported. A shell over the risk-area API.

use askama::Template;
use axum::response::Response;
use cordon_domain::access::Role;

use super::words::{words, Words};
use crate::ui::pages::{gate, render, words_json, Chrome};
use crate::ui::Viewer;

#[derive(Template)]
#[template(path = "risk/risk_areas.html")]
struct RiskPage {
    c: Chrome,
    w: &'static Words,
    words_json: String,
}

pub async fn risk_areas(viewer: Viewer) -> Response {
    if let Some(r) = gate(&viewer, &[Role::Commander]) {
        return r;
    }
    let w = words(viewer.lang);
    render(RiskPage {
        c: Chrome::new(&viewer),
        w,
        words_json: words_json(w),
    })
}
