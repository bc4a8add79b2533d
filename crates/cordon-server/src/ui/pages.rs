//! The page handlers. Each checks who may see the page (a visitor without a session goes to
//! `/signin` and comes back; a signed-in account without the role gets a page that says so),
//! gathers what the template needs and renders it.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use cordon_domain::access::{Role, Scope};
use cordon_domain::checkpoint::CheckpointCode;
use serde::Deserialize;

use super::texts::{Lang, Texts};
use super::{assets, svg, Viewer};
use crate::api::AppState;
use crate::dashboard::{checkpoints_in, Dashboard};

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
    fn new(viewer: &Viewer) -> Chrome {
        let t = viewer.lang.texts();
        let mut nav = Vec::new();
        match viewer.role() {
            Some(Role::Officer) => nav.push(("/lane", t.lane)),
            Some(Role::Commander) => nav.push(("/dashboard", t.dashboard)),
            _ => {}
        }
        nav.push(("/declare", t.declare));
        let (user, csrf) = match &viewer.session {
            Some((c, csrf)) => (c.name().to_owned(), csrf.clone()),
            None => (String::new(), String::new()),
        };
        // JSON inside a script element: `</` must not end the element.
        let texts_json = serde_json::to_string(t)
            .unwrap_or_default()
            .replace("</", "<\\/");
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

fn render(page: impl Template) -> Response {
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

/// Where a visitor goes: the sign-in page if not signed in, a refusal if the role does not fit.
fn gate(viewer: &Viewer, roles: &[Role]) -> Option<Response> {
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

/// A checkpoint the lane page offers.
pub struct LaneCheckpoint {
    pub code: String,
    pub name: String,
    pub lanes: u16,
}

#[derive(Template)]
#[template(path = "lane.html")]
struct Lane {
    c: Chrome,
    checkpoints: Vec<LaneCheckpoint>,
}

pub async fn lane(State(app): State<AppState>, viewer: Viewer) -> Response {
    if let Some(r) = gate(&viewer, &[Role::Officer]) {
        return r;
    }
    let scope = viewer
        .session
        .as_ref()
        .map(|(c, _)| c.principal.scope.clone())
        .unwrap_or(Scope::Checkpoints(Vec::new().into()));
    let checkpoints = match checkpoints_in(app.store.as_ref(), &scope).await {
        Ok(list) => list
            .into_iter()
            .map(|c| LaneCheckpoint {
                code: c.code.to_string(),
                name: c.name,
                lanes: c.lanes,
            })
            .collect(),
        Err(e) => return crate::error::ApiError::from(e).into_response(),
    };
    render(Lane {
        c: Chrome::new(&viewer),
        checkpoints,
    })
}

#[derive(Template)]
#[template(path = "declare.html")]
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

/// The dashboard's figures drawn for the page.
pub struct Drawn {
    pub d: Dashboard,
    pub hourly_svg: String,
    pub map_svg: String,
    pub outcomes: Vec<(String, &'static str, i64)>,
    pub slowest: Vec<(String, String, String)>,
    pub updated: String,
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

fn draw(d: Dashboard, t: &Texts) -> Drawn {
    let hourly: Vec<(String, i64)> = d
        .hourly
        .iter()
        .map(|h| (h.hour.get(11..16).unwrap_or("").to_owned(), h.passages))
        .collect();
    let mut slow: Vec<_> = d
        .checkpoints
        .iter()
        .filter_map(|c| c.handling_seconds.map(|s| (c, s)))
        .collect();
    slow.sort_by(|a, b| b.1.total_cmp(&a.1));
    Drawn {
        hourly_svg: svg::bars(&hourly, 3, "#2b6cb0"),
        map_svg: svg::map(&d.checkpoints),
        outcomes: d
            .outcomes
            .iter()
            .map(|(k, v)| (k.clone(), outcome_label(t, k), *v))
            .collect(),
        slowest: slow
            .into_iter()
            .take(10)
            .map(|(c, s)| (c.code.clone(), c.name.clone(), format!("{s:.1}")))
            .collect(),
        updated: chrono::Utc::now()
            .with_timezone(&cordon_domain::time::china())
            .format("%H:%M:%S")
            .to_string(),
        d,
    }
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    c: Chrome,
    x: Drawn,
}

#[derive(Template)]
#[template(path = "dashboard_live.html")]
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
        .map_err(|e| crate::error::ApiError::from(e).into_response())?;
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

#[derive(Template)]
#[template(path = "checkpoint.html")]
struct CheckpointPage {
    c: Chrome,
    cp: cordon_domain::checkpoint::Checkpoint,
    hourly_svg: String,
    passages: i64,
}

pub async fn checkpoint(
    State(app): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
) -> Response {
    if let Some(r) = gate(&viewer, &[Role::Commander]) {
        return r;
    }
    let not_found =
        || crate::error::ApiError::NotFound("no such checkpoint".into()).into_response();
    let Ok(code) = CheckpointCode::parse(&code) else {
        return not_found();
    };
    let Some((caller, _)) = &viewer.session else {
        return not_found();
    };
    let cp = match app.store.get_checkpoint(&code).await {
        Ok(cp) if caller.principal.scope.covers(&cp.code, cp.jurisdiction) => cp,
        _ => return not_found(),
    };
    // The checkpoint's own hours: its hourly counts over the last 24 hours.
    let hours = crate::dashboard::checkpoint_hours(&app, caller, &cp.code).await;
    let passages = hours.iter().map(|h| h.1).sum();
    render(CheckpointPage {
        c: Chrome::new(&viewer),
        hourly_svg: svg::bars(&hours, 3, "#2b6cb0"),
        passages,
        cp,
    })
}
