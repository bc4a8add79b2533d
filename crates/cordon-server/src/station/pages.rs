//! The station page (`/stations`, commanders): issue an edge station's credential (shown once),
//! each station's series and lag, and revocation. A shell over the stations API.

use askama::Template;
use axum::response::Response;
use cordon_domain::access::Role;

use super::words::{words, Words};
use crate::ui::pages::{gate, render, words_json, Chrome};
use crate::ui::Viewer;

#[derive(Template)]
#[template(path = "station/stations.html")]
struct StationPage {
    c: Chrome,
    w: &'static Words,
    words_json: String,
}

pub async fn stations(viewer: Viewer) -> Response {
    if let Some(r) = gate(&viewer, &[Role::Commander]) {
        return r;
    }
    let w = words(viewer.lang);
    render(StationPage {
        c: Chrome::new(&viewer),
        w,
        words_json: words_json(w),
    })
}
