//! Edge stations' credentials: a commander issues one for a checkpoint in scope (a station
//! account bound to that one checkpoint, with a long-lived session whose token is shown once)
//! and revokes it (the account is disabled, its sessions end). Each credential is its own
//! account, so each station install keeps its own series at the hub. The list shows every
//! station's series and how far behind it is.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use cordon_domain::access::station::StationAdmin;
use cordon_domain::access::{Role, Scope, Username};
use cordon_domain::checkpoint::CheckpointCode;
use cordon_store::access::{NewAccount, NewSession};
use serde::{Deserialize, Serialize};

use super::AppState;
use crate::auth::sessions::{new_secret, token_hash};
use crate::auth::{password, Grant};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiJson;

/// How long a station's credential lasts unless revoked: ten years.
pub const CREDENTIAL_MS: i64 = 10 * 366 * 24 * 3_600_000;

/// A checkpoint's station, or a sampling site's: one of the two.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueRequest {
    #[serde(default)]
    #[schema(value_type = Option<cordon_domain::checkpoint::CheckpointCode>)]
    pub checkpoint: Option<String>,
    /// A sampling site's id: the station fills its tubes offline.
    #[serde(default)]
    pub site: Option<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct IssuedCredential {
    /// The station's account: name it to revoke the credential.
    pub account: String,
    /// The checkpoint's code, or empty for a sampling site's station.
    pub checkpoint: String,
    /// The sampling site's id, for a sampling site's station.
    pub site: Option<i64>,
    /// Give to the station (`--station-token` or `CORDON_STATION_TOKEN`); shown once.
    pub token: String,
}

fn in_scope(admin: &StationAdmin, cp: &cordon_domain::checkpoint::Checkpoint) -> bool {
    admin.scope().covers(&cp.code, cp.jurisdiction)
}

#[utoipa::path(post, path = "/api/v1/stations", tag = "stations", request_body = IssueRequest,
    responses((status = 201, body = IssuedCredential), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn issue(
    State(app): State<AppState>,
    commander: Grant<StationAdmin>,
    ApiJson(req): ApiJson<IssueRequest>,
) -> ApiResult<(StatusCode, Json<IssuedCredential>)> {
    let checkpoint = match (&req.checkpoint, req.site) {
        (Some(c), None) => c,
        (None, Some(site)) => return issue_for_site(&app, &commander, site).await,
        _ => {
            return Err(ApiError::invalid(
                "checkpoint_or_site",
                "checkpoint",
                "name a checkpoint or a sampling site, one of the two",
            ))
        }
    };
    let code =
        CheckpointCode::parse(checkpoint).map_err(|e| ApiError::Invalid(e.under("checkpoint")))?;
    let cp = match app.store.get_checkpoint(&code).await {
        Ok(cp) if in_scope(&commander.grant, &cp) => cp,
        Ok(_) => return Err(ApiError::Forbidden),
        // The network is no secret from a commander: an unknown code is simply refused.
        Err(cordon_store::StoreError::NotFound { .. }) => {
            return Err(ApiError::invalid(
                "unknown_checkpoint",
                "checkpoint",
                "no checkpoint has this code",
            ))
        }
        Err(e) => return Err(e.into()),
    };
    let prefix = format!("st-{}", cp.code.as_str().to_ascii_lowercase());
    let scope = Scope::parse(cp.code.as_str()).map_err(ApiError::Invalid)?;
    let (_, account, token) = credential(&app, &commander, &prefix, scope).await?;
    Ok((
        StatusCode::CREATED,
        Json(IssuedCredential {
            account,
            checkpoint: cp.code.to_string(),
            site: None,
            token,
        }),
    ))
}

/// A sampling site's station: an account over the site's campaign area, bound to the site.
async fn issue_for_site(
    app: &AppState,
    commander: &Grant<StationAdmin>,
    site: i64,
) -> ApiResult<(StatusCode, Json<IssuedCredential>)> {
    let unknown = || ApiError::invalid("unknown_site", "site", "no sampling site has this id");
    let Scope::Division(d) = commander.grant.scope() else {
        return Err(ApiError::Forbidden);
    };
    let read = commander
        .caller
        .principal
        .may_read_testing()
        .map_err(|_| ApiError::Forbidden)?;
    let campaigns = app.store.list_campaigns(&read).await?;
    let campaign = campaigns
        .iter()
        .find(|c| c.sites.iter().any(|s| s.id == site))
        .ok_or_else(unknown)?;
    let area =
        cordon_domain::division::DivisionCode::parse(&campaign.area).map_err(|_| unknown())?;
    if !d.contains(area) {
        return Err(ApiError::Forbidden);
    }
    let scope = Scope::parse(&campaign.area).map_err(ApiError::Invalid)?;
    let (id, account, token) =
        credential(app, commander, &format!("st-site-{site}"), scope).await?;
    app.store.bind_site_station(id, site).await?;
    Ok((
        StatusCode::CREATED,
        Json(IssuedCredential {
            account,
            checkpoint: String::new(),
            site: Some(site),
            token,
        }),
    ))
}

/// A new station account named `prefix-N` (the next N) over `scope`, with its long-lived
/// session: its id, its name and the session's token.
async fn credential(
    app: &AppState,
    commander: &Grant<StationAdmin>,
    prefix: &str,
    scope: Scope,
) -> ApiResult<(i64, String, String)> {
    let taken = app
        .store
        .list_accounts()
        .await?
        .iter()
        .filter(|a| a.username.as_str().starts_with(&format!("{prefix}-")))
        .count();
    let username = Username::parse(&format!("{prefix}-{}", taken + 1))
        .map_err(|e| ApiError::Invalid(e.under("checkpoint")))?;
    let account = app
        .store
        .create_account(NewAccount {
            username,
            role: Role::Station,
            scope,
            // No one signs in as a station: its password is a random secret nobody holds.
            password_hash: password::hash(new_secret()).await,
            created_by: commander.caller.name().to_owned(),
        })
        .await?;
    let token = new_secret();
    let now = cordon_domain::time::now_ms();
    app.store
        .create_session(NewSession {
            token_hash: token_hash(&token),
            account: account.id,
            csrf: new_secret(),
            address: "station credential".into(),
            created_at_ms: now,
            expires_at_ms: now + CREDENTIAL_MS,
        })
        .await?;
    Ok((account.id, account.username.to_string(), token))
}

#[utoipa::path(post, path = "/api/v1/stations/{account}/revoke", tag = "stations",
    params(("account" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn revoke(
    State(app): State<AppState>,
    commander: Grant<StationAdmin>,
    Path(account): Path<String>,
) -> ApiResult<StatusCode> {
    let not_found = || ApiError::NotFound("no station credential has this name".into());
    let name = Username::parse(&account).map_err(|_| not_found())?;
    let found = app
        .store
        .list_accounts()
        .await?
        .into_iter()
        .find(|a| a.username == name && a.role == Role::Station)
        .ok_or_else(not_found)?;
    let serves = match (&found.scope, commander.grant.scope()) {
        (Scope::Checkpoints(list), _) => {
            in_scope(&commander.grant, &app.store.get_checkpoint(&list[0]).await?)
        }
        // A sampling site's station: its campaign's area within the commander's.
        (Scope::Division(area), Scope::Division(d)) => d.contains(*area),
        _ => false,
    };
    if !serves {
        return Err(not_found());
    }
    let id = app
        .store
        .set_disabled(name.as_str(), true, cordon_domain::time::now_ms())
        .await?;
    app.auth.forget(None, Some(id));
    Ok(StatusCode::NO_CONTENT)
}

/// A station credential and its series as the hub holds it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct StationState {
    pub account: String,
    /// The checkpoint's code (empty for a sampling site's station).
    pub checkpoint: String,
    /// A sampling site's station: the site's id and name.
    pub site: Option<i64>,
    pub site_name: Option<String>,
    /// The credential was revoked: the station can no longer push.
    pub revoked: bool,
    /// The highest number of its series the hub holds.
    pub high_water: i64,
    pub last_sync_at: Option<String>,
    /// Seconds from the newest passage it pushed being observed to now: how far behind the hub
    /// sees it.
    pub lag_seconds: Option<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct StationList {
    pub stations: Vec<StationState>,
}

/// An instant as the station pages show it (China time, RFC 3339).
pub(super) fn iso(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .with_timezone(&cordon_domain::time::china())
        .to_rfc3339()
}

#[utoipa::path(get, path = "/api/v1/stations", tag = "stations",
    responses((status = 200, body = StationList), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(app): State<AppState>,
    commander: Grant<StationAdmin>,
) -> ApiResult<Json<StationList>> {
    let now = cordon_domain::time::now_ms();
    let network =
        crate::dashboard::figures::checkpoints_in(app.store.as_ref(), commander.grant.scope())
            .await?;
    let in_network = |code: &str| network.iter().any(|c| c.code.as_str() == code);
    let series = app.store.station_series().await?;
    // Every station credential in scope, whether or not it has pushed yet.
    let mut stations: Vec<StationState> = app
        .store
        .list_accounts()
        .await?
        .into_iter()
        .filter(|a| a.role == Role::Station)
        .filter_map(|a| {
            let Scope::Checkpoints(list) = &a.scope else {
                return None;
            };
            let checkpoint = list.first()?.to_string();
            in_network(&checkpoint).then_some((a.username.to_string(), checkpoint, a.disabled))
        })
        .map(|(account, checkpoint, revoked)| {
            let s = series.iter().find(|s| s.account == account);
            StationState {
                high_water: s.map_or(0, |s| s.high_water),
                last_sync_at: s
                    .filter(|s| s.last_sync_ms > 0)
                    .map(|s| iso(s.last_sync_ms)),
                lag_seconds: s
                    .filter(|s| s.newest_observed_ms > 0)
                    .map(|s| ((now - s.newest_observed_ms) / 1000).max(0)),
                account,
                checkpoint,
                site: None,
                site_name: None,
                revoked,
            }
        })
        .collect();
    stations.extend(site_stations(&app, &commander).await?);
    stations.sort_by(|a, b| (a.revoked, &a.checkpoint).cmp(&(b.revoked, &b.checkpoint)));
    Ok(Json(StationList { stations }))
}

/// The sampling sites' stations of the commander's campaigns.
async fn site_stations(
    app: &AppState,
    commander: &Grant<StationAdmin>,
) -> ApiResult<Vec<StationState>> {
    let Ok(read) = commander.caller.principal.may_read_testing() else {
        return Ok(Vec::new());
    };
    let sites: Vec<(i64, String)> = app
        .store
        .list_campaigns(&read)
        .await?
        .into_iter()
        .flat_map(|c| {
            c.sites
                .into_iter()
                .map(move |s| (s.id, format!("{} · {}", c.name, s.name)))
        })
        .collect();
    let accounts = app.store.list_accounts().await?;
    Ok(app
        .store
        .site_stations()
        .await?
        .into_iter()
        .filter_map(|s| {
            let (_, name) = sites.iter().find(|(id, _)| *id == s.site)?;
            let revoked = accounts
                .iter()
                .find(|a| a.username.as_str() == s.account)
                .is_some_and(|a| a.disabled);
            Some(StationState {
                account: s.account,
                checkpoint: String::new(),
                site: Some(s.site),
                site_name: Some(name.clone()),
                revoked,
                high_water: s.high_water,
                last_sync_at: (s.last_sync_ms > 0).then(|| iso(s.last_sync_ms)),
                lag_seconds: None,
            })
        })
        .collect())
}
