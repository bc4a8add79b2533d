//! Accounts, sessions and the audit trail's storage. [`AccessStore`] is a supertrait of
//! [`crate::Store`]; both backends implement it with the same SQL ([`crate::access_sql`]).
//! Password hashing and token generation happen above the store: it keeps only argon2id hashes
//! and the SHA-256 of session tokens.

use async_trait::async_trait;
pub use cordon_domain::access::Account;
use cordon_domain::access::{Role, Scope, Username};
use cordon_domain::audit::{AuditEntry, AuditRecord};

use crate::StoreError;

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

/// What an auditor asks for. Entries come in sequence order, after `after_seq`.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub actor: Option<String>,
    pub action: Option<String>,
    /// A keyed hash of a person or plate.
    pub subject: Option<String>,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    pub after_seq: Option<i64>,
    pub limit: u32,
}

/// A stored entry with its raw hashes, for verification.
#[derive(Debug, Clone)]
pub struct ChainRow {
    pub seq: i64,
    pub entry: AuditEntry,
    pub prev_hash: [u8; 32],
    pub hash: [u8; 32],
}

impl ChainRow {
    pub fn record(&self) -> AuditRecord {
        AuditRecord {
            seq: self.seq,
            entry: self.entry.clone(),
            prev_hash: cordon_domain::audit::hex(&self.prev_hash),
            hash: cordon_domain::audit::hex(&self.hash),
        }
    }
}

/// The last entry of the chain: its sequence number and hash.
pub(crate) const AUDIT_HEAD: &str = "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1";
/// The columns of an appended entry, in the order of [`Linked`]'s binding.
pub(crate) const AUDIT_INSERT: &str = "INSERT INTO audit_log (seq, at, actor, role, scope, \
     address, action, outcome, purpose, target, subjects, persons, prev_hash, hash) ";

/// An entry placed in the chain: its sequence number, the previous hash and its own.
pub(crate) struct Linked<'a> {
    pub seq: i64,
    pub entry: &'a AuditEntry,
    pub prev: [u8; 32],
    pub hash: [u8; 32],
}

/// Places entries after the chain's `head` (none: the chain is empty), in order.
pub(crate) fn link<'a>(
    head: Option<(i64, [u8; 32])>,
    entries: &[&'a AuditEntry],
) -> Vec<Linked<'a>> {
    let (mut seq, mut prev) = head.unwrap_or((0, cordon_domain::audit::GENESIS));
    entries
        .iter()
        .map(|entry| {
            seq += 1;
            let hash = cordon_domain::audit::chain_hash(&prev, seq, entry);
            let l = Linked {
                seq,
                entry,
                prev,
                hash,
            };
            prev = hash;
            l
        })
        .collect()
}

/// A stored hash, checked to be 32 bytes.
pub(crate) fn hash32(bytes: &[u8]) -> Result<[u8; 32], StoreError> {
    bytes
        .try_into()
        .map_err(|_| StoreError::Corrupt("audit hash".into()))
}

#[async_trait]
pub trait AccessStore: Send + Sync {
    /// A taken name is `Invalid` with code `username_taken`.
    async fn create_account(&self, a: NewAccount) -> Result<Account, StoreError>;
    async fn list_accounts(&self) -> Result<Vec<Account>, StoreError>;
    async fn count_accounts(&self) -> Result<i64, StoreError>;
    async fn credentials(&self, username: &str) -> Result<Option<Credentials>, StoreError>;
    /// Counts a failed sign-in; at `lockout.after_failures` in a row, locks the account.
    /// Answers the failures in a row so far.
    async fn signin_failed(
        &self,
        account: i64,
        now_ms: i64,
        lockout: Lockout,
    ) -> Result<i32, StoreError>;
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

    /// Appends entries in order to the chain, in one transaction (the passage writer's next
    /// group, [`crate::writer::PassageWriter::append_audit`]); they are committed when it answers.
    async fn append_audit(&self, entries: &[AuditEntry]) -> Result<(), StoreError>;
    async fn query_audit(&self, q: &AuditQuery) -> Result<Vec<AuditRecord>, StoreError>;
    /// Up to `limit` stored entries after `after_seq`, in order, with their raw hashes.
    async fn audit_chain(&self, after_seq: i64, limit: u32) -> Result<Vec<ChainRow>, StoreError>;
}

/// What a walk of the audit chain found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Verification {
    /// Entries checked.
    pub entries: i64,
    pub intact: bool,
    /// The first entry whose link is broken, and why.
    pub broken_at: Option<i64>,
    pub reason: Option<String>,
    /// Hex hash of the last good entry: note it elsewhere to detect a truncated tail later.
    pub head: String,
}

/// Walks the whole audit chain in pages and names the first broken link.
pub async fn verify_audit<S: AccessStore + ?Sized>(store: &S) -> Result<Verification, StoreError> {
    use cordon_domain::audit::{hex, verify, GENESIS};
    let mut state = (0i64, GENESIS);
    let mut checked = 0i64;
    loop {
        let rows = store.audit_chain(state.0, 5_000).await?;
        if rows.is_empty() {
            break;
        }
        checked += rows.len() as i64;
        if let Err(broken) = verify(
            &mut state,
            rows.iter().map(|r| (r.seq, &r.entry, r.prev_hash, r.hash)),
        ) {
            return Ok(Verification {
                entries: checked,
                intact: false,
                broken_at: Some(broken.seq),
                reason: Some(broken.reason.into()),
                head: hex(&state.1),
            });
        }
    }
    Ok(Verification {
        entries: checked,
        intact: true,
        broken_at: None,
        reason: None,
        head: hex(&state.1),
    })
}
