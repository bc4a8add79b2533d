//! The trait of freight passes (SQL in `pass_sql.rs`).

use async_trait::async_trait;
use cordon_domain::access::freight::PassIssue;
use cordon_domain::freight::pass::{FreightPass, PassDraft, PassNumber};
use serde::{Deserialize, Serialize};

use crate::StoreError;

/// A pass's revocation: what a lane needs to refuse it, and what a station copies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PassRevocation {
    #[schema(value_type = String)]
    pub number: PassNumber,
    pub revoked_at_ms: i64,
    pub revoked_by: String,
    pub reason: String,
    /// Until when the pass would have been valid (a revocation is kept that long).
    pub valid_until_ms: i64,
}

/// Which passes to list.
#[derive(Debug, Clone, Default)]
pub struct PassQuery {
    /// One vehicle's (its plate or its tractor's).
    pub plate: Option<String>,
    /// Only those valid (or to become valid) after this instant and not revoked.
    pub active_at_ms: Option<i64>,
}

/// Freight passes of the grant's jurisdiction.
#[async_trait]
pub trait PassStore: Send + Sync + 'static {
    /// Issues a pass numbered by the grant's jurisdiction's code and its next serial. Errors:
    /// `Invalid` `unknown_checkpoint` (`via[i]`).
    async fn issue_pass(
        &self,
        grant: &PassIssue,
        draft: &PassDraft,
        now_ms: i64,
    ) -> Result<FreightPass, StoreError>;

    /// The jurisdiction's passes, the latest first (at most 500).
    async fn list_passes(
        &self,
        grant: &PassIssue,
        query: &PassQuery,
    ) -> Result<Vec<FreightPass>, StoreError>;

    /// A pass issued within the jurisdiction, or `NotFound`.
    async fn freight_pass(
        &self,
        grant: &PassIssue,
        number: &PassNumber,
    ) -> Result<FreightPass, StoreError>;

    /// Revokes a pass: `Invalid` `pass_revoked` when it was.
    async fn revoke_pass(
        &self,
        grant: &PassIssue,
        number: &PassNumber,
        reason: &str,
        now_ms: i64,
    ) -> Result<FreightPass, StoreError>;

    /// A pass's revocation, if it was revoked (at a hub or, copied, at a station).
    async fn pass_revocation(
        &self,
        number: &PassNumber,
    ) -> Result<Option<PassRevocation>, StoreError>;

    /// The revocations of passes that would still be valid at `now_ms`: what stations copy.
    async fn live_revocations(&self, now_ms: i64) -> Result<Vec<PassRevocation>, StoreError>;

    /// Keeps a revocation copied from the hub (again: nothing changes).
    async fn copy_revocation(&self, r: &PassRevocation) -> Result<bool, StoreError>;
}
