//! Who is calling, and what they may do. The [`guard`] middleware resolves the session from
//! `Authorization: Bearer TOKEN` or the `cordon_session` cookie (with its CSRF header), puts the
//! [`Caller`] in the request, and after the handler appends the request to the audit trail
//! ([`crate::audit`]). Handlers ask for what they need in their signature:
//!
//! - [`Caller`]: any signed-in account (401 otherwise);
//! - [`Grant<T>`]: a capability of the domain (`PassageRead`, `TrajectoryRead`, ...), obtained
//!   only through the principal's `may_*` methods; 403 otherwise, decided before the body is
//!   read. The store's methods that return personal data take these grants, so a handler
//!   without one cannot call them.

pub mod guard;
pub mod password;
pub mod rate;
pub mod sessions;
pub mod throttle;

use std::net::IpAddr;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use cordon_domain::access::{Capability, Principal};

use crate::error::ApiError;

/// A signed-in account making this request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub principal: Principal,
    /// SHA-256 of the session token.
    pub session: [u8; 32],
    pub expires_at_ms: i64,
}

impl Caller {
    pub fn name(&self) -> &str {
        self.principal.username.as_str()
    }
}

/// The client's address as the listener saw it.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddress(pub Option<IpAddr>);

impl ClientAddress {
    pub fn label(&self) -> String {
        self.0.map(|a| a.to_string()).unwrap_or_else(|| "-".into())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Caller>()
            .cloned()
            .ok_or(ApiError::Unauthenticated)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<ClientAddress>()
            .copied()
            .unwrap_or(ClientAddress(None)))
    }
}

/// A signed-in caller holding capability `T`.
#[derive(Debug, Clone)]
pub struct Grant<T> {
    pub caller: Caller,
    pub grant: T,
}

impl<T: Capability, S: Send + Sync> FromRequestParts<S> for Grant<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let caller = Caller::from_request_parts(parts, state).await?;
        let grant = T::grant(&caller.principal, cordon_domain::time::now_ms())
            .map_err(|_| ApiError::Forbidden)?;
        Ok(Grant { caller, grant })
    }
}
