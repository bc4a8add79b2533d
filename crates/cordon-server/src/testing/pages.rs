//! The testing pages: campaigns and their sites (`/testing`, commanders) and the sampler's
//! phone page (`/sampling`): a site chosen, a tube scanned, persons scanned in with the count
//! large ("5 / 10"), the tube sealed. Shells over the testing API.

use askama::Template;
use axum::response::Response;
use cordon_domain::access::Role;

use super::words::{words, Words};
use crate::ui::pages::{gate, render, words_json, Chrome};
use crate::ui::Viewer;

#[derive(Template)]
#[template(path = "testing/campaigns.html")]
struct CampaignsPage {
    c: Chrome,
    w: &'static Words,
    words_json: String,
}

pub async fn campaigns(viewer: Viewer) -> Response {
    if let Some(r) = gate(&viewer, &[Role::Commander]) {
        return r;
    }
    let w = words(viewer.lang);
    render(CampaignsPage {
        c: Chrome::new(&viewer),
        w,
        words_json: words_json(w),
    })
}

#[derive(Template)]
#[template(path = "testing/sampling.html")]
struct SamplingPage {
    c: Chrome,
    w: &'static Words,
    words_json: String,
}

pub async fn sampling(viewer: Viewer) -> Response {
    if let Some(r) = gate(&viewer, &[Role::Sampler]) {
        return r;
    }
    let w = words(viewer.lang);
    render(SamplingPage {
        c: Chrome::new(&viewer),
        w,
        words_json: words_json(w),
    })
}
