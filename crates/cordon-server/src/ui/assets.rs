//! Styles and scripts, embedded in the binary. Pages link them as `/assets/NAME?v=VERSION`, where
//! the version is a digest of the contents, so browsers may keep them for a year and still get a
//! new build's at once.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

pub struct Asset {
    pub name: &'static str,
    pub content_type: &'static str,
    pub body: &'static str,
}

pub const ASSETS: &[Asset] = &[
    Asset {
        name: "app.css",
        content_type: "text/css; charset=utf-8",
        body: include_str!("../../assets/app.css"),
    },
    Asset {
        name: "app.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../assets/app.js"),
    },
    Asset {
        name: "lane.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../assets/lane.js"),
    },
    Asset {
        name: "declare.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../assets/declare.js"),
    },
    Asset {
        name: "dashboard.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../assets/dashboard.js"),
    },
    Asset {
        name: "trace.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../assets/trace.js"),
    },
    Asset {
        name: "statuses.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../assets/statuses.js"),
    },
];

/// One digest over every asset: a page's links change whenever any asset does.
pub static VERSION: LazyLock<String> = LazyLock::new(|| {
    let mut h = Sha256::new();
    for a in ASSETS {
        h.update(a.name.as_bytes());
        h.update(a.body.as_bytes());
    }
    cordon_domain::audit::hex(&h.finalize()[..6])
});

pub async fn serve(Path(name): Path<String>, headers: HeaderMap) -> Response {
    let Some(asset) = ASSETS.iter().find(|a| a.name == name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let etag = format!("\"{}\"", *VERSION);
    if headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == etag.as_bytes())
    {
        return StatusCode::NOT_MODIFIED.into_response();
    }
    let mut response = asset.body.into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(asset.content_type),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    response
}
