//! Session tokens: 32 random bytes shown once as 64 hex digits; the store keeps only their
//! SHA-256. Live sessions are cached for [`CACHE_MS`] so that a lane's registrations do not each
//! cost a database read; a session ended in this process leaves the cache at once, one ended by
//! another process (a disabled account, a password reset from the command line) within
//! [`CACHE_MS`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::http::{header, HeaderMap};
use cordon_domain::access::Principal;
use cordon_store::access::SessionRecord;
use cordon_store::keyring::Keyring;
use cordon_store::{Store, StoreError};
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::throttle::Throttle;
use super::Caller;
use crate::audit::appender::Auditor;

/// How long a session lasts: an officer's shift.
pub const SESSION_MS: i64 = 12 * 3_600_000;
/// How long a looked-up session is trusted without asking the store again.
pub const CACHE_MS: i64 = 10_000;
/// The web UI's session cookie.
pub const COOKIE: &str = "cordon_session";
/// The header a cookie-signed request that changes something must carry.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// 32 random bytes as hex.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    cordon_domain::audit::hex(&bytes)
}

pub fn token_hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

fn well_formed(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Where a request's token came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presented {
    Bearer,
    Cookie,
}

/// The token a request presents, if any: the `Authorization` header first, then the cookie.
pub fn presented(headers: &HeaderMap) -> Option<(String, Presented)> {
    if let Some(v) = headers.get(header::AUTHORIZATION) {
        // The scheme's name is case-insensitive (RFC 9110, section 11.1).
        let (scheme, token) = v.to_str().ok()?.trim().split_once(' ')?;
        if !scheme.eq_ignore_ascii_case("bearer") {
            return None;
        }
        return Some((token.trim().to_owned(), Presented::Bearer));
    }
    for v in headers.get_all(header::COOKIE) {
        let Ok(v) = v.to_str() else { continue };
        for pair in v.split(';') {
            if let Some(token) = pair.trim().strip_prefix("cordon_session=") {
                return Some((token.to_owned(), Presented::Cookie));
            }
        }
    }
    None
}

/// What the guard and the sign-in routes share.
pub struct Auth {
    pub store: Arc<dyn Store>,
    pub keyring: Keyring,
    pub auditor: Auditor,
    pub throttle: Throttle,
    cache: Mutex<HashMap<[u8; 32], (i64, SessionRecord)>>,
}

/// Why a presented token was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Malformed, unknown, expired, ended, or its account disabled: 401.
    Invalid,
    /// Signed by cookie without the CSRF header on a request that changes something: 403.
    MissingCsrf,
}

fn caller(hash: [u8; 32], record: SessionRecord) -> Caller {
    let a = record.account;
    Caller {
        principal: Principal {
            account: a.id,
            username: a.username,
            role: a.role,
            scope: a.scope,
        },
        session: hash,
        expires_at_ms: record.expires_at_ms,
    }
}

impl Auth {
    pub fn new(store: Arc<dyn Store>) -> Auth {
        let auditor = Auditor::start(store.clone());
        Auth {
            keyring: store.keyring().clone(),
            store,
            auditor,
            throttle: Throttle::default(),
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// The caller a token names, checking CSRF for cookie-signed requests that change things.
    pub async fn authenticate(
        &self,
        token: &str,
        how: Presented,
        csrf: Option<&str>,
        changes: bool,
        now_ms: i64,
    ) -> Result<Result<Caller, Refusal>, StoreError> {
        if !well_formed(token) {
            return Ok(Err(Refusal::Invalid));
        }
        let hash = token_hash(token);
        let Some(record) = self.session(hash, now_ms).await? else {
            return Ok(Err(Refusal::Invalid));
        };
        if how == Presented::Cookie && changes {
            let ok = csrf.is_some_and(|c| {
                c.len() == record.csrf.len()
                    && c.bytes()
                        .zip(record.csrf.bytes())
                        .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                        == 0
            });
            if !ok {
                return Ok(Err(Refusal::MissingCsrf));
            }
        }
        Ok(Ok(caller(hash, record)))
    }

    /// The caller and CSRF token of a web page's session cookie, for the pages the hub serves
    /// (a page embeds the CSRF token that its scripts send back).
    pub async fn page_session(
        &self,
        token: &str,
        now_ms: i64,
    ) -> Result<Option<(Caller, String)>, StoreError> {
        if !well_formed(token) {
            return Ok(None);
        }
        let hash = token_hash(token);
        Ok(self.session(hash, now_ms).await?.map(|record| {
            let csrf = record.csrf.clone();
            (caller(hash, record), csrf)
        }))
    }

    async fn session(
        &self,
        hash: [u8; 32],
        now_ms: i64,
    ) -> Result<Option<SessionRecord>, StoreError> {
        {
            let cache = self.cache.lock().expect("session cache lock");
            if let Some((at, record)) = cache.get(&hash) {
                if now_ms - at < CACHE_MS && record.expires_at_ms > now_ms {
                    return Ok(Some(record.clone()));
                }
            }
        }
        let found = self.store.session(hash, now_ms).await?;
        let mut cache = self.cache.lock().expect("session cache lock");
        if cache.len() > 50_000 {
            cache.retain(|_, (at, _)| now_ms - *at < CACHE_MS);
        }
        match &found {
            Some(record) => {
                cache.insert(hash, (now_ms, record.clone()));
            }
            None => {
                cache.remove(&hash);
            }
        }
        Ok(found)
    }

    /// Forgets cached sessions: one, or all of an account's.
    pub fn forget(&self, session: Option<[u8; 32]>, account: Option<i64>) {
        let mut cache = self.cache.lock().expect("session cache lock");
        if let Some(s) = session {
            cache.remove(&s);
        }
        if let Some(a) = account {
            cache.retain(|_, (_, r)| r.account.id != a);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_come_from_the_header_or_the_cookie() {
        let mut h = HeaderMap::new();
        assert_eq!(presented(&h), None);
        h.insert(
            header::COOKIE,
            "lang=zh; cordon_session=abc".parse().unwrap(),
        );
        assert_eq!(presented(&h), Some(("abc".into(), Presented::Cookie)));
        h.insert(header::AUTHORIZATION, "Bearer def".parse().unwrap());
        assert_eq!(presented(&h), Some(("def".into(), Presented::Bearer)));
        for scheme in ["bearer", "BEARER", "beaReR"] {
            h.insert(
                header::AUTHORIZATION,
                format!("{scheme}  def ").parse().unwrap(),
            );
            assert_eq!(
                presented(&h),
                Some(("def".into(), Presented::Bearer)),
                "{scheme}"
            );
        }
        for other in ["Basic xyz", "Bearer", "Bearerdef"] {
            h.insert(header::AUTHORIZATION, other.parse().unwrap());
            assert_eq!(presented(&h), None, "{other}");
        }
        assert!(well_formed(&new_secret()));
        assert!(!well_formed("abc"));
    }
}
