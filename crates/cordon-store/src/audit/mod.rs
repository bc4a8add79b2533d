//! The audit trail: every change, refusal and read of personal data as an entry in a hash chain
//! (each entry's hash covers the one before), appended by the passage writer's transactions so
//! that one writer per process extends it. [`AuditStore`] is a supertrait of [`crate::Store`];
//! its SQL ([`sql`]) is written once for both backends, and [`verify_audit`] walks the chain.

use async_trait::async_trait;
use cordon_domain::audit::{AuditEntry, AuditRecord};

use crate::StoreError;

mod sql;

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
pub trait AuditStore: Send + Sync + 'static {
    /// Appends entries in order to the chain, in one transaction (the passage writer's next
    /// group, [`crate::passage::writer::PassageWriter::append_audit`]); they are committed when
    /// it answers.
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
pub async fn verify_audit<S: AuditStore + ?Sized>(store: &S) -> Result<Verification, StoreError> {
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
