//! The audit trail's entries and their hash chain. Each stored entry carries the hash of the one
//! before it and its own hash over that and its fields, so a deleted, inserted or altered entry
//! breaks the chain at that point; [`verify`] names the first broken link.
//!
//! Identifiers of persons are never written in clear: an entry holds their keyed hashes
//! (`subjects`), which an auditor can compute for a document in question and search for.

use serde::Serialize;
use sha2::{Digest, Sha256};

/// The hash the first entry chains to.
pub const GENESIS: [u8; 32] = [0; 32];

/// What happened, to be appended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    /// Milliseconds since the epoch.
    pub at_ms: i64,
    /// The account's name, or `-` when nobody signed in (a failed sign-in names the name tried).
    pub actor: String,
    pub role: String,
    pub scope: String,
    /// The client's address.
    pub address: String,
    /// `passages.list`, `trajectory.person`, `signin.failed`, `policy.publish`, ...
    pub action: String,
    /// `ok`, `denied`, `failed`.
    pub outcome: String,
    /// The purpose the user stated, if the action asks for one.
    pub purpose: String,
    /// What was asked: a checkpoint, a passage id, a route; never personal data in clear.
    pub target: String,
    /// Keyed hashes of the persons or plates asked about.
    pub subjects: Vec<String>,
    /// How many persons the answer held.
    pub persons: i64,
}

/// An entry as stored: its place in the chain and its hashes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AuditRecord {
    pub seq: i64,
    #[serde(flatten)]
    pub entry: AuditEntry,
    /// Hex of the previous entry's hash.
    pub prev_hash: String,
    /// Hex of this entry's hash.
    pub hash: String,
}

/// Appends `field` with its length, so that no two different entries encode alike.
fn put(h: &mut Sha256, field: &[u8]) {
    h.update((field.len() as u64).to_be_bytes());
    h.update(field);
}

/// The hash of entry `seq` following `prev`.
pub fn chain_hash(prev: &[u8; 32], seq: i64, e: &AuditEntry) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(prev);
    h.update(seq.to_be_bytes());
    h.update(e.at_ms.to_be_bytes());
    for field in [
        &e.actor, &e.role, &e.scope, &e.address, &e.action, &e.outcome, &e.purpose, &e.target,
    ] {
        put(&mut h, field.as_bytes());
    }
    h.update((e.subjects.len() as u64).to_be_bytes());
    for s in &e.subjects {
        put(&mut h, s.as_bytes());
    }
    h.update(e.persons.to_be_bytes());
    h.finalize().into()
}

pub fn hex(bytes: &[u8]) -> String {
    // By table, not `write!("{:02x}")`: keyed hashes are written several times per registration.
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}

/// Where the chain breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenLink {
    pub seq: i64,
    pub reason: &'static str,
}

/// Walks stored entries in order: `state` is the previous entry's (seq, hash), [`GENESIS`] with
/// seq 0 at the start. Returns the first broken link.
pub fn verify<'a>(
    state: &mut (i64, [u8; 32]),
    records: impl IntoIterator<Item = (i64, &'a AuditEntry, [u8; 32], [u8; 32])>,
) -> Result<(), BrokenLink> {
    for (seq, entry, prev, hash) in records {
        if seq != state.0 + 1 {
            return Err(BrokenLink {
                seq: state.0 + 1,
                reason: "an entry is missing",
            });
        }
        if prev != state.1 {
            return Err(BrokenLink {
                seq,
                reason: "its link to the previous entry does not match",
            });
        }
        if chain_hash(&prev, seq, entry) != hash {
            return Err(BrokenLink {
                seq,
                reason: "its content does not match its hash",
            });
        }
        *state = (seq, hash);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_is_lowercase_two_digits_a_byte() {
        assert_eq!(hex(&[]), "");
        assert_eq!(hex(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
        let all: Vec<u8> = (0..=255).collect();
        let expected: String = all.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex(&all), expected);
    }

    fn entry(n: i64) -> AuditEntry {
        AuditEntry {
            at_ms: 1_651_536_000_000 + n,
            actor: "tracer1".into(),
            role: "tracer".into(),
            scope: "130100".into(),
            address: "127.0.0.1".into(),
            action: "trajectory.person".into(),
            outcome: "ok".into(),
            purpose: "case 2022-0513".into(),
            target: String::new(),
            subjects: vec![format!("{n:064x}")],
            persons: 1,
        }
    }

    fn chain(n: i64) -> Vec<(i64, AuditEntry, [u8; 32], [u8; 32])> {
        let mut prev = GENESIS;
        (1..=n)
            .map(|seq| {
                let e = entry(seq);
                let hash = chain_hash(&prev, seq, &e);
                let row = (seq, e, prev, hash);
                prev = hash;
                row
            })
            .collect()
    }

    fn check(rows: &[(i64, AuditEntry, [u8; 32], [u8; 32])]) -> Result<(), BrokenLink> {
        verify(
            &mut (0, GENESIS),
            rows.iter().map(|(s, e, p, h)| (*s, e, *p, *h)),
        )
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert_eq!(check(&chain(5)), Ok(()));
    }

    #[test]
    fn a_changed_entry_is_named() {
        let mut rows = chain(5);
        rows[2].1.persons = 0;
        assert_eq!(check(&rows).unwrap_err().seq, 3);
    }

    #[test]
    fn a_deleted_entry_is_named() {
        let mut rows = chain(5);
        rows.remove(3);
        assert_eq!(check(&rows).unwrap_err().seq, 4);
    }

    #[test]
    fn a_rehashed_entry_still_breaks_the_next_link() {
        let mut rows = chain(5);
        rows[1].1.actor = "someone-else".into();
        rows[1].3 = chain_hash(&rows[1].2, 2, &rows[1].1);
        assert_eq!(check(&rows).unwrap_err().seq, 3);
    }

    #[test]
    fn fields_do_not_run_into_each_other() {
        let mut a = entry(1);
        let mut b = entry(1);
        a.actor = "ab".into();
        a.role = "c".into();
        b.actor = "a".into();
        b.role = "bc".into();
        assert_ne!(chain_hash(&GENESIS, 1, &a), chain_hash(&GENESIS, 1, &b));
    }
}
