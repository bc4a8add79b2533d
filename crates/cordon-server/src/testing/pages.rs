//! The testing pages: campaigns and their sites (`/testing`, commanders) and the sampler's
//! phone page (`/sampling`): a site chosen, a tube scanned, persons scanned in with the count
//! large ("5 / 10"), the tube sealed, antigen tests timed and read; the lab's page (`/lab`): tubes received, runs made, their
//! plates filled by scanning, steps recorded, result files read and runs released. Shells over
//! the testing API.

use askama::Template;
use axum::response::Response;
use cordon_domain::access::Role;

use super::antigen_words::{antigen_words, AntigenWords};
use super::lab_words::{lab_words, LabWords};
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
    a: &'static AntigenWords,
    antigen_json: String,
}

pub async fn sampling(viewer: Viewer) -> Response {
    if let Some(r) = gate(&viewer, &[Role::Sampler]) {
        return r;
    }
    let w = words(viewer.lang);
    let a = antigen_words(viewer.lang);
    render(SamplingPage {
        c: Chrome::new(&viewer),
        w,
        words_json: words_json(w),
        a,
        antigen_json: words_json(a),
    })
}

#[derive(Template)]
#[template(path = "testing/lab.html")]
struct LabPage {
    c: Chrome,
    w: &'static LabWords,
    words_json: String,
}

pub async fn lab(viewer: Viewer) -> Response {
    if let Some(r) = gate(&viewer, &[Role::Lab]) {
        return r;
    }
    let w = lab_words(viewer.lang);
    render(LabPage {
        c: Chrome::new(&viewer),
        w,
        words_json: words_json(w),
    })
}
