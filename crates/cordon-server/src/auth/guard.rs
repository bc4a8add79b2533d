//! The middleware under every API route: resolves the caller, runs the handler, audits.
//!
//! Audited: every request that changes something (any method but GET and HEAD), every read a
//! handler marks with an [`AuditNote`] (all reads of personal data), and every refusal (401,
//! 403, 429). If the entry cannot be committed, the client gets 503 instead of the answer.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use cordon_domain::audit::AuditEntry;

use super::sessions::{presented, Auth, Refusal, CSRF_HEADER};
use super::{Caller, ClientAddress};
use crate::audit::AuditNote;
use crate::error::ApiError;

/// Routes where a cookie needs no CSRF header: signing in is not authenticated by the cookie.
const CSRF_EXEMPT: &[&str] = &["/api/v1/sessions"];

pub async fn guard(State(auth): State<Arc<Auth>>, mut req: Request, next: Next) -> Response {
    let now = cordon_domain::time::now_ms();
    let address = ClientAddress(
        req.extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip()),
    );
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned())
        .unwrap_or_default();
    let changes = method != Method::GET && method != Method::HEAD;
    req.extensions_mut().insert(address);

    let mut caller: Option<Caller> = None;
    let mut early: Option<ApiError> = None;
    if let Some((token, how)) = presented(req.headers()) {
        let csrf = req
            .headers()
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let needs_csrf = changes && !CSRF_EXEMPT.contains(&route.as_str());
        match auth
            .authenticate(&token, how, csrf.as_deref(), needs_csrf, now)
            .await
        {
            Ok(Ok(c)) => caller = Some(c),
            // An invalid token makes the request anonymous: protected routes answer 401.
            Ok(Err(Refusal::Invalid)) => {}
            Ok(Err(Refusal::MissingCsrf)) => early = Some(ApiError::Forbidden),
            Err(e) => early = Some(e.into()),
        }
    }
    if let Some(c) = &caller {
        req.extensions_mut().insert(c.clone());
    }

    let mut response = match early {
        Some(e) => e.into_response(),
        None => next.run(req).await,
    };
    let note = response.extensions_mut().remove::<AuditNote>();
    let status = response.status();
    let refused = matches!(
        status,
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::TOO_MANY_REQUESTS
    );
    if !(changes || refused || note.is_some()) {
        return response;
    }
    let note = note.unwrap_or_default();
    if note.recorded {
        return response;
    }
    let outcome = if status.is_success() {
        "ok"
    } else if refused {
        "denied"
    } else {
        "failed"
    };
    let action = format!("{method} {route}");
    let entry = audit_entry(caller.as_ref(), address, &action, outcome, note, now);
    if auth.auditor.record(entry).await {
        response
    } else {
        ApiError::Unavailable.into_response()
    }
}

/// The audit entry of a request: who, from where, what, with the handler's note.
pub fn audit_entry(
    caller: Option<&Caller>,
    address: ClientAddress,
    default_action: &str,
    outcome: &str,
    note: AuditNote,
    at_ms: i64,
) -> AuditEntry {
    let (actor, role, scope) = match caller {
        Some(c) => (
            c.name().to_owned(),
            c.principal.role.as_str().to_owned(),
            c.principal.scope.label(),
        ),
        None => (
            note.actor.clone().unwrap_or_else(|| "-".into()),
            "-".into(),
            "-".into(),
        ),
    };
    AuditEntry {
        at_ms,
        actor,
        role,
        scope,
        address: address.label(),
        action: note
            .action
            .map(str::to_owned)
            .unwrap_or_else(|| default_action.to_owned()),
        outcome: outcome.into(),
        purpose: note.purpose,
        target: note.target,
        subjects: note.subjects,
        persons: note.persons,
    }
}
