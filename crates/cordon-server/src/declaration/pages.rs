//! The drivers' pre-declaration page (public: a driver has no account).

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};

use crate::state::AppState;
use crate::ui::pages::{render, Chrome};
use crate::ui::Viewer;

#[derive(Template)]
#[template(path = "declaration/declare.html")]
struct Declare {
    c: Chrome,
    places: Vec<(String, String)>,
}

pub async fn declare(State(app): State<AppState>, viewer: Viewer) -> Response {
    let places = match app.store.list_jurisdictions().await {
        Ok(list) => list
            .into_iter()
            .map(|j| (j.code.to_string(), j.name))
            .collect(),
        Err(e) => return crate::error::ApiError::from(e).into_response(),
    };
    render(Declare {
        c: Chrome::new(&viewer),
        places,
    })
}
