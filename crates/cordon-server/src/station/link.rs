//! `GET /api/v1/link`: what the lane page shows of the station's link to the hub: whether this
//! is an edge station, records not yet at the hub, the last push the hub acknowledged, and the
//! policy version the lanes apply now. On the hub itself, only the policy version.

use axum::extract::State;
use axum::Json;
use serde::Serialize;

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
pub async fn link(State(app): State<AppState>, _caller: Caller) -> ApiResult<Json<LinkState>> {
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
        last_sync_at: (link.at_ms > 0).then(|| {
            chrono::DateTime::from_timestamp_millis(link.at_ms)
                .unwrap_or_default()
                .with_timezone(&cordon_domain::time::china())
                .to_rfc3339()
        }),
        policy_version,
        holds: Some(holds),
    }))
}
