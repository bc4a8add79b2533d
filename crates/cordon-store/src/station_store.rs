//! What the lanes and the command dashboard need beyond the registry: drivers' pre-declarations
//! (kept only as far as revoking them needs: no personal data) and the network's live summary
//! (passages per checkpoint, hour and outcome, with the lanes' handling time), and corrections
//! (which passage supersedes which). [`StationStore`]
//! is a supertrait of [`crate::Store`]; both backends share its SQL ([`crate::station_sql`]).

use async_trait::async_trait;
use cordon_domain::access::{DeclarationRevoke, PassageRead};
use uuid::Uuid;

use crate::StoreError;

/// A pre-declaration as the hub keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclarationRecord {
    pub id: Uuid,
    pub issued_at_ms: i64,
    pub expires_at_ms: i64,
    /// The vehicle's keyed hash, to find a declaration by plate.
    pub plate_key: Option<String>,
    pub persons: i32,
    pub revoked: Option<Revocation>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revocation {
    pub at_ms: i64,
    pub by: String,
    pub reason: String,
}

/// Passages at one checkpoint in one hour with one outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryRow {
    pub checkpoint: String,
    pub hour_ms: i64,
    pub outcome: String,
    pub passages: i64,
    pub persons: i64,
    /// Passages registered at the lane within [`LANE_HANDLING_MAX_MS`] of their observation: the
    /// ones whose handling time counts.
    pub handled: i64,
    /// Sum of their handling times (recorded minus observed).
    pub handling_ms: i64,
}

/// A passage recorded later than this after its observation was entered afterwards (from paper,
/// or synced late), not handled at the lane: its delay says nothing of the lane's speed.
pub const LANE_HANDLING_MAX_MS: i64 = 10 * 60_000;

#[async_trait]
pub trait StationStore: Send + Sync + 'static {
    /// Keeps a declaration that was just signed (or, at a station, one the hub revoked, with its
    /// revocation).
    async fn record_declaration(&self, d: &DeclarationRecord) -> Result<(), StoreError>;

    async fn declaration(&self, id: Uuid) -> Result<Option<DeclarationRecord>, StoreError>;

    /// Revokes a declaration: `NotFound` if unknown; revoking twice keeps the first revocation.
    async fn revoke_declaration(
        &self,
        grant: &DeclarationRevoke,
        id: Uuid,
        revocation: Revocation,
    ) -> Result<DeclarationRecord, StoreError>;

    /// Declarations revoked and not yet expired at `now_ms`: what a station must refuse.
    async fn revoked_declarations(&self, now_ms: i64)
        -> Result<Vec<DeclarationRecord>, StoreError>;

    /// Notes corrections: each passage and the earlier one it supersedes (noted once).
    async fn record_corrections(&self, links: &[(Uuid, Uuid)]) -> Result<(), StoreError>;

    /// The corrections touching these passages, either way: `(passage, the one it supersedes)`.
    async fn corrections(&self, ids: &[Uuid]) -> Result<Vec<(Uuid, Uuid)>, StoreError>;

    /// The checkpoint a passage was recorded at, if it exists (no personal data: what a
    /// correction is checked against).
    async fn passage_checkpoint(&self, id: Uuid) -> Result<Option<String>, StoreError>;

    /// Passages observed in `[from_ms, to_ms)` within the grant's scope, per checkpoint, hour
    /// and outcome.
    async fn network_summary(
        &self,
        grant: &PassageRead,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<SummaryRow>, StoreError>;
}
