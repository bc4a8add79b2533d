//! The drivers' pre-declaration page (public: a driver has no account). Where from and where to
//! are typed as place names (石家庄) or pinyin initials (sjz) and chosen from the country's
//! divisions (`GET /api/v1/places`); the declaration keeps their codes.

use askama::Template;
use axum::response::Response;

use crate::ui::pages::{render, Chrome};
use crate::ui::Viewer;

#[derive(Template)]
#[template(path = "declaration/declare.html")]
struct Declare {
    c: Chrome,
}

pub async fn declare(viewer: Viewer) -> Response {
    render(Declare {
        c: Chrome::new(&viewer),
    })
}
