//! `GET /api/v1/link`: what the lane page shows of the station's link to the hub: whether this
//! is an edge station, records not yet at the hub, the last push the hub acknowledged, and the
//! policy version the lanes apply now. On the hub itself, only the policy version. At a
//! sampling site's station, what the sampling page shows: its events not yet at the hub and
//! those the hub refused, in the reader's language.

use axum::extract::State;
use axum::Json;
use serde::Serialize;

use super::credentials::iso;
use super::AppState;
use crate::auth::Caller;
use crate::error::{ApiResult, ErrorBody};

#[derive(Serialize, utoipa::ToSchema)]
pub struct LinkState {
    /// This process is an edge station.
    pub station: bool,
    /// The hub it pushes to.
    pub upstream: Option<String>,
    /// Registrations recorded here and not yet acknowledged by the hub.
    pub pending: i64,
    /// When the hub last acknowledged a push.
    pub last_sync_at: Option<String>,
    /// The policy version the lanes apply now (`null`: none published).
    pub policy_version: Option<i64>,
    /// What a station holds of the hub's rules (absent on the hub).
    pub holds: Option<Holdings>,
    /// At a sampling site's station: its events' way to the hub.
    pub sampling: Option<SamplingLink>,
}

/// A sampling site's events on their way to the hub.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SamplingLink {
    /// Events recorded here and not yet taken by the hub.
    pub pending: i64,
    /// When the hub last took a push.
    pub last_sync_at: Option<String>,
    /// The events the hub refused, newest first (the last 50).
    pub refused: Vec<RefusedShown>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct RefusedShown {
    pub seq: i64,
    pub what: String,
    pub code: String,
    /// In the reader's language.
    pub message: String,
    pub at: String,
}

/// What a refused event was, in Chinese (the hub names it in English: `tube HB…`, `scan into
/// HB…`, `seal HB…`, `antigen swab`, `antigen read`, `event N`).
fn what_zh(what: &str) -> String {
    for (en, zh) in [
        ("tube ", "采样管 "),
        ("scan into ", "扫入 "),
        ("seal ", "封管 "),
        ("event ", "记录 "),
    ] {
        if let Some(rest) = what.strip_prefix(en) {
            return format!("{zh}{rest}");
        }
    }
    match what {
        "antigen swab" => "抗原采样".into(),
        "antigen read" => "抗原判读".into(),
        other => other.into(),
    }
}

async fn sampling(app: &AppState, chinese: bool) -> ApiResult<SamplingLink> {
    let link = app.store.sampling_uplink().await?;
    let refused = app
        .store
        .sampling_refused(50)
        .await?
        .into_iter()
        .map(|r| RefusedShown {
            message: chinese
                .then(|| crate::localized::problem_zh(&r.event.code, "", &r.event.message))
                .flatten()
                .unwrap_or(r.event.message),
            seq: r.event.seq,
            what: if chinese {
                what_zh(&r.event.what)
            } else {
                r.event.what
            },
            code: r.event.code,
            at: iso(r.at_ms),
        })
        .collect();
    Ok(SamplingLink {
        pending: (link.newest - link.acknowledged).max(0),
        last_sync_at: (link.at_ms > 0).then(|| iso(link.at_ms)),
        refused,
    })
}

/// How much of the hub's rules a station holds: compared with the hub's, it says what is
/// missing.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Holdings {
    pub policy_versions: usize,
    pub publications: usize,
    pub risk_areas: usize,
    pub revoked_declarations: usize,
}

#[utoipa::path(get, path = "/api/v1/link", tag = "stations",
    responses((status = 200, body = LinkState), (status = 401, body = ErrorBody)))]
pub async fn link(
    State(app): State<AppState>,
    _caller: Caller,
    headers: axum::http::HeaderMap,
) -> ApiResult<Json<LinkState>> {
    let now = cordon_domain::time::now_ms();
    let policy_version = app.lanes.current().in_force(now).map(|(v, _)| v);
    let Some(upstream) = app.upstream.clone() else {
        return Ok(Json(LinkState {
            station: false,
            upstream: None,
            pending: 0,
            last_sync_at: None,
            policy_version,
            holds: None,
            sampling: None,
        }));
    };
    let link = app.store.uplink().await?;
    let holds = Holdings {
        policy_versions: app.store.list_policy_versions().await?.len(),
        publications: app.store.list_publications().await?.len(),
        risk_areas: app.store.list_risk_areas().await?.len(),
        revoked_declarations: app.store.revoked_declarations(now).await?.len(),
    };
    Ok(Json(LinkState {
        station: true,
        upstream: Some(upstream),
        pending: (link.newest - link.acknowledged).max(0),
        last_sync_at: (link.at_ms > 0).then(|| iso(link.at_ms)),
        policy_version,
        holds: Some(holds),
        sampling: match app.site {
            Some(_) => {
                let accept = headers
                    .get(axum::http::header::ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                Some(sampling(&app, crate::localized::prefers_chinese(accept)).await?)
            }
            None => None,
        },
    }))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_refused_event_is_named_in_chinese() {
        assert_eq!(
            super::what_zh("scan into HB9000000050"),
            "扫入 HB9000000050"
        );
        assert_eq!(super::what_zh("antigen read"), "抗原判读");
        assert_eq!(super::what_zh("something new"), "something new");
    }
}
