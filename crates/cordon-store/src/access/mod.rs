//! Accounts and sessions. [`AccessStore`] is a supertrait of [`crate::Store`]; its SQL
//! ([`sql`]) is written once for both backends. Password hashing and token generation happen
//! above the store: it keeps only argon2id hashes and the SHA-256 of session tokens.

use async_trait::async_trait;
pub use cordon_domain::access::Account;
use cordon_domain::access::{Role, Scope, Username};

use crate::StoreError;

mod sql;

#[derive(Debug, Clone)]
pub struct NewAccount {
    pub username: Username,
    pub role: Role,
    pub scope: Scope,
    /// An argon2id PHC string.
    pub password_hash: String,
    pub created_by: String,
}

/// What sign-in checks.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub account: Account,
    pub password_hash: String,
    pub failed_signins: i32,
}

/// A live session and its account.
#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub account: Account,
    pub csrf: String,
    pub expires_at_ms: i64,
}

#[derive(Debug, Clone)]
pub struct NewSession {
    pub token_hash: [u8; 32],
    pub account: i64,
    pub csrf: String,
    pub address: String,
    pub created_at_ms: i64,
    pub expires_at_ms: i64,
}

/// Failures in a row before an account is locked, and for how long.
#[derive(Debug, Clone, Copy)]
pub struct Lockout {
    pub after_failures: i32,
    pub lock_ms: i64,
}

#[async_trait]
pub trait AccessStore: Send + Sync + 'static {
    /// A taken name is `Invalid` with code `username_taken`.
    async fn create_account(&self, a: NewAccount) -> Result<Account, StoreError>;
    async fn list_accounts(&self) -> Result<Vec<Account>, StoreError>;
    async fn count_accounts(&self) -> Result<i64, StoreError>;
    async fn credentials(&self, username: &str) -> Result<Option<Credentials>, StoreError>;
    /// Counts a failed sign-in from an address the account is not known at; at
    /// `lockout.after_failures` in a row, locks the account against such addresses until
    /// `now_ms + lockout.lock_ms` and starts counting again. A locked account is left as it is:
    /// attempts during a lock neither count nor extend it. Answers whether this failure locked it.
    async fn signin_failed(
        &self,
        account: i64,
        now_ms: i64,
        lockout: Lockout,
    ) -> Result<bool, StoreError>;
    /// Whether the account signed in from `address` since `since_ms` (an address it is known at,
    /// where its lock does not apply). An unknown account (any id that is none) is known nowhere.
    async fn known_address(
        &self,
        account: i64,
        address: &str,
        since_ms: i64,
    ) -> Result<bool, StoreError>;
    /// Ends a lock and the count of failures (an admin's way back for the owner); answers the
    /// account's id.
    async fn unlock_account(&self, username: &str) -> Result<i64, StoreError>;
    async fn signin_succeeded(&self, account: i64) -> Result<(), StoreError>;
    /// Sets a new password hash, clears any lock and ends the account's sessions; answers the
    /// account's id.
    async fn set_password(
        &self,
        username: &str,
        password_hash: String,
        now_ms: i64,
    ) -> Result<i64, StoreError>;
    /// Disables (ending its sessions) or enables an account; answers its id.
    async fn set_disabled(
        &self,
        username: &str,
        disabled: bool,
        now_ms: i64,
    ) -> Result<i64, StoreError>;

    async fn create_session(&self, s: NewSession) -> Result<(), StoreError>;
    /// The session if it has not ended or expired and its account is enabled.
    async fn session(
        &self,
        token_hash: [u8; 32],
        now_ms: i64,
    ) -> Result<Option<SessionRecord>, StoreError>;
    async fn end_session(&self, token_hash: [u8; 32], now_ms: i64) -> Result<(), StoreError>;
}
