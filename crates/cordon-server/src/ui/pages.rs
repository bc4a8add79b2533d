//! The frame every page is drawn in ([`Chrome`]), the gate every page passes ([`gate`]: a visitor
//! without a session goes to `/signin` and comes back; a signed-in account without the role gets
//! a page that says so), and the shared pages: home, sign-in, the language switch.

use askama::Template;
use axum::extract::{Path, Query};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use cordon_domain::access::Role;
use serde::Deserialize;

use super::texts::{Lang, Texts};
use super::{assets, Viewer};

/// What every page's frame shows.
pub struct Chrome {
    pub lang: &'static str,
    pub t: &'static Texts,
    pub v: String,
    pub csrf: String,
    pub user: String,
    pub nav: Vec<(&'static str, &'static str)>,
    pub other: &'static str,
    pub other_label: &'static str,
    pub path: String,
    pub texts_json: String,
}

impl Chrome {
    pub fn new(viewer: &Viewer) -> Chrome {
        let t = viewer.lang.texts();
        let role = viewer.role();
        let nav = viewer
            .nav
            .iter()
            .flat_map(|p| p.nav.iter())
            .filter(|item| item.shown_to(role))
            .map(|item| (item.href, (item.label)(viewer.lang)))
            .collect();
        let (user, csrf) = match &viewer.session {
            Some((c, csrf)) => (c.name().to_owned(), csrf.clone()),
            None => (String::new(), String::new()),
        };
        let texts_json = words_json(t);
        Chrome {
            lang: viewer.lang.code(),
            t,
            v: assets::VERSION.clone(),
            csrf,
            user,
            nav,
            other: match viewer.lang.other() {
                Lang::Zh => "zh",
                Lang::En => "en",
            },
            other_label: t.switch_lang,
            path: viewer.path.clone(),
            texts_json,
        }
    }
}

/// A capability's words as JSON for its page's script (`<script id="words">`): `</` cannot end
/// the element.
pub fn words_json(words: &impl serde::Serialize) -> String {
    serde_json::to_string(words)
        .unwrap_or_default()
        .replace("</", "<\\/")
}

pub fn render(page: impl Template) -> Response {
    match page.render() {
        Ok(html) => {
            let mut r = Html(html).into_response();
            r.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            r
        }
        Err(e) => {
            tracing::error!(error = %e, "a page did not render");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "denied.html")]
struct Denied {
    c: Chrome,
}

#[derive(Template)]
#[template(path = "busy.html")]
struct Busy {
    c: Chrome,
    retry: u64,
}

/// The page for a hub that sheds this page's work for now: 429 with `Retry-After`, and the page
/// reloads itself after that many seconds.
pub fn busy(viewer: &Viewer, retry: u64) -> Response {
    let mut resp = render(Busy {
        c: Chrome::new(viewer),
        retry,
    });
    *resp.status_mut() = StatusCode::TOO_MANY_REQUESTS;
    resp.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(retry));
    resp
}

/// Where a visitor goes: the sign-in page if not signed in, a refusal if the role does not fit.
pub fn gate(viewer: &Viewer, roles: &[Role]) -> Option<Response> {
    match viewer.role() {
        None => {
            Some(Redirect::to(&format!("/signin?next={}", urlencode(&viewer.path))).into_response())
        }
        Some(r) if !roles.contains(&r) => {
            let mut resp = render(Denied {
                c: Chrome::new(viewer),
            });
            *resp.status_mut() = StatusCode::FORBIDDEN;
            Some(resp)
        }
        Some(_) => None,
    }
}

fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// A path on this site to return to: anything else (another site, a scheme) goes home.
fn local_path(p: Option<&str>) -> String {
    match p {
        Some(p) if p.starts_with('/') && !p.starts_with("//") && !p.contains('\\') => p.to_owned(),
        _ => "/".to_owned(),
    }
}

pub async fn home(viewer: Viewer) -> Response {
    match viewer.role() {
        None => Redirect::to("/signin").into_response(),
        Some(Role::Officer) => Redirect::to("/lane").into_response(),
        Some(Role::Commander) => Redirect::to("/dashboard").into_response(),
        Some(_) => render(Home {
            c: Chrome::new(&viewer),
        }),
    }
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    c: Chrome,
}

#[derive(Deserialize)]
pub struct Next {
    next: Option<String>,
    back: Option<String>,
}

#[derive(Template)]
#[template(path = "signin.html")]
struct SignIn {
    c: Chrome,
    next: String,
}

pub async fn signin(viewer: Viewer, Query(q): Query<Next>) -> Response {
    render(SignIn {
        next: local_path(q.next.as_deref()),
        c: Chrome::new(&viewer),
    })
}

/// Sets the language cookie and goes back.
pub async fn switch_lang(Path(code): Path<String>, Query(q): Query<Next>) -> Response {
    let value = if code == "en" { "en" } else { "zh" };
    let mut r = Redirect::to(&local_path(q.back.as_deref())).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "lang={value}; Path=/; Max-Age=31536000; SameSite=Lax"
    )) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    r
}
