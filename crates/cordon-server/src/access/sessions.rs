//! Signing in and out, and changing one's own password. A sign-in answers a bearer token for API
//! clients and sets the same token as an HttpOnly, SameSite=Strict cookie for the web UI, with a
//! CSRF token that cookie-signed requests that change something must echo in `x-csrf-token`.
//! Wrong credentials answer 401 `bad_credentials` whether or not the account exists, in the
//! same time: the work done is the same (a password hash checked against the account's or a
//! decoy, the same lookups), failures are slowed by the address's count, not the account's, and
//! the account's count is written after the answer. An account's lock (after [`LOCKOUT`]) holds
//! only against addresses it is not known at ([`KNOWN_FOR_MS`]), so nobody can lock an officer
//! out of the lane from elsewhere; it ends at its time whatever is tried meanwhile, and an admin
//! ends it at once (`POST /api/v1/accounts/{username}/unlock`). An address is locked after
//! [`throttle::LOCK_AFTER`] failures in [`throttle::WINDOW_MS`], whichever names it tries.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use cordon_domain::access::Scope;
use cordon_store::access::{Lockout, NewSession};
use serde::{Deserialize, Serialize};

use crate::audit::AuditNote;
use crate::auth::sessions::{new_secret, token_hash, Auth, COOKIE, SESSION_MS};
use crate::auth::{password, throttle, Caller, ClientAddress};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiJson;

/// Failures in a row (from addresses the account is not known at) that lock an account against
/// such addresses, and for how long.
pub const LOCKOUT: Lockout = Lockout {
    after_failures: 10,
    lock_ms: 15 * 60_000,
};

/// How long after signing in from an address an account counts as known there.
pub const KNOWN_FOR_MS: i64 = 30 * 86_400_000;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    pub username: String,
    pub password: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SessionAnswer {
    /// Send as `Authorization: Bearer TOKEN`; shown once.
    pub token: String,
    pub expires_at: String,
    /// For cookie-signed requests: send in `x-csrf-token` on every request that changes something.
    pub csrf: String,
    pub account: Whoami,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Whoami {
    pub username: String,
    pub role: String,
    #[schema(value_type = String)]
    pub scope: Scope,
}

fn iso(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .with_timezone(&cordon_domain::time::china())
        .to_rfc3339()
}

fn refused(name: Option<String>) -> Response {
    let note = AuditNote {
        action: Some("signin"),
        actor: name,
        ..AuditNote::default()
    };
    (Extension(note), ApiError::BadCredentials).into_response()
}

#[utoipa::path(post, path = "/api/v1/sessions", security(()), tag = "accounts", request_body = SignIn,
    responses((status = 201, body = SessionAnswer), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn sign_in(
    State(auth): State<Arc<Auth>>,
    address: ClientAddress,
    ApiJson(req): ApiJson<SignIn>,
) -> Response {
    let now = cordon_domain::time::now_ms();
    // The name tried is audited only if it could be a name: never a password typed in the wrong box.
    let tried = cordon_domain::access::Username::parse(&req.username)
        .ok()
        .map(|u| u.to_string());
    if let Some(secs) = auth.throttle.locked(address.0, now) {
        let note = AuditNote {
            action: Some("signin"),
            actor: tried,
            ..AuditNote::default()
        };
        return (Extension(note), ApiError::TooManyAttempts(secs)).into_response();
    }
    let credentials = match &tried {
        Some(name) => match auth.store.credentials(name).await {
            Ok(c) => c,
            Err(e) => return ApiError::from(e).into_response(),
        },
        None => None,
    };
    // Asked for an unknown account too (as the account none is), so the answer takes as long.
    let account = credentials.as_ref().map_or(-1, |c| c.account.id);
    let known = match address.0 {
        Some(a) => {
            let since = now - KNOWN_FOR_MS;
            match auth
                .store
                .known_address(account, &a.to_string(), since)
                .await
            {
                Ok(known) => known,
                Err(e) => return ApiError::from(e).into_response(),
            }
        }
        None => false,
    };
    let matches = password::verify(
        req.password.clone(),
        credentials.as_ref().map(|c| c.password_hash.clone()),
    )
    .await;
    let locked = credentials
        .as_ref()
        .is_some_and(|c| c.account.locked_until_ms > now && !known);
    let usable = credentials
        .as_ref()
        .is_some_and(|c| !c.account.disabled && !locked);
    if !(matches && usable) {
        let failures = auth.throttle.failed(address.0, now);
        if let Some(c) = credentials.as_ref().filter(|_| !known && !locked) {
            // Written after the answer: its cost must not tell that the account exists.
            let (store, id) = (auth.store.clone(), c.account.id);
            tokio::spawn(async move {
                if let Err(e) = store.signin_failed(id, now, LOCKOUT).await {
                    tracing::warn!(error = %e, "a failed sign-in was not counted");
                }
            });
        }
        tokio::time::sleep(throttle::slowdown(failures)).await;
        return refused(tried);
    }
    let Some(c) = credentials else {
        return refused(tried);
    };
    let token = new_secret();
    let csrf = new_secret();
    let expires = now + SESSION_MS;
    let stored = async {
        auth.store.signin_succeeded(c.account.id).await?;
        auth.store
            .create_session(NewSession {
                token_hash: token_hash(&token),
                account: c.account.id,
                csrf: csrf.clone(),
                address: address.label(),
                created_at_ms: now,
                expires_at_ms: expires,
            })
            .await
    };
    if let Err(e) = stored.await {
        return ApiError::from(e).into_response();
    }
    let cookie = format!(
        "{COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}",
        SESSION_MS / 1000
    );
    let note = AuditNote {
        action: Some("signin"),
        actor: Some(c.account.username.to_string()),
        ..AuditNote::default()
    };
    let body = SessionAnswer {
        token,
        expires_at: iso(expires),
        csrf,
        account: Whoami {
            username: c.account.username.to_string(),
            role: c.account.role.as_str().into(),
            scope: c.account.scope,
        },
    };
    let mut response = (StatusCode::CREATED, Extension(note), Json(body)).into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    response
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CurrentSession {
    pub account: Whoami,
    pub expires_at: String,
}

#[utoipa::path(get, path = "/api/v1/sessions/current", tag = "accounts",
    responses((status = 200, body = CurrentSession), (status = 401, body = ErrorBody)))]
pub async fn current(caller: Caller) -> Json<CurrentSession> {
    Json(CurrentSession {
        account: Whoami {
            username: caller.name().to_owned(),
            role: caller.principal.role.as_str().into(),
            scope: caller.principal.scope.clone(),
        },
        expires_at: iso(caller.expires_at_ms),
    })
}

#[utoipa::path(delete, path = "/api/v1/sessions/current", tag = "accounts",
    responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn sign_out(State(auth): State<Arc<Auth>>, caller: Caller) -> ApiResult<Response> {
    auth.store
        .end_session(caller.session, cordon_domain::time::now_ms())
        .await?;
    auth.forget(Some(caller.session), None);
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("cordon_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0"),
    );
    Ok(response)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current: String,
    pub new: String,
}

#[utoipa::path(post, path = "/api/v1/sessions/current/password", tag = "accounts", request_body = PasswordChange,
    responses((status = 204, description = "changed; every session of the account has ended"),
        (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn change_password(
    State(auth): State<Arc<Auth>>,
    caller: Caller,
    ApiJson(req): ApiJson<PasswordChange>,
) -> ApiResult<StatusCode> {
    password::check_new(&req.new, "new")?;
    let stored = auth
        .store
        .credentials(caller.name())
        .await?
        .ok_or(ApiError::Unauthenticated)?;
    if !password::verify(req.current, Some(stored.password_hash)).await {
        return Err(ApiError::invalid(
            "wrong_password",
            "current",
            "the current password is wrong",
        ));
    }
    let hash = password::hash(req.new).await;
    auth.store
        .set_password(caller.name(), hash, cordon_domain::time::now_ms())
        .await?;
    auth.forget(None, Some(caller.principal.account));
    Ok(StatusCode::NO_CONTENT)
}
