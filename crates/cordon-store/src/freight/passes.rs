//! The trait of freight passes (SQL in `pass_sql.rs`).

use async_trait::async_trait;
use cordon_domain::access::freight::PassIssue;
use cordon_domain::freight::alert::{AlertKind, SeenAt};
use cordon_domain::freight::pass::{FreightPass, PassDraft, PassNumber};
use cordon_domain::freight::route::WatchedPass;
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

/// An alert of the route watch, raised for the pass's issuing jurisdiction.
#[derive(Debug, Clone)]
pub struct RouteAlert<'a> {
    pub kind: AlertKind,
    pub pass: &'a WatchedPass,
    /// The plate as the lane saw it (the pass's own or its tractor's).
    pub plate: &'a str,
    /// The passage off the route (`off_route`).
    pub off_route_at: Option<SeenAt>,
    /// From when the vehicle's passages are listed with the alert.
    pub seen_from_ms: i64,
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

    /// Issues passes at once (a carrier's fleet, or passes taken over from another system), in
    /// one transaction, numbered on from the jurisdiction's next serial, in the drafts' order.
    /// Errors as [`PassStore::issue_pass`].
    async fn issue_passes(
        &self,
        grant: &PassIssue,
        drafts: &[PassDraft],
        now_ms: i64,
    ) -> Result<Vec<PassNumber>, StoreError>;

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

    /// Every pass valid at `now_ms` or later and not revoked, of every jurisdiction: what the
    /// hub's route watch follows (no personal data).
    async fn watched_passes(&self, now_ms: i64) -> Result<Vec<WatchedPass>, StoreError>;

    /// Raises a route alert: `false` when one of its kind was raised for the pass before.
    async fn raise_route_alert(
        &self,
        alert: &RouteAlert<'_>,
        now_ms: i64,
    ) -> Result<bool, StoreError>;

    /// The passes and kinds route alerts were raised for since `since_ms`.
    async fn route_alerts_raised(
        &self,
        since_ms: i64,
    ) -> Result<Vec<(String, AlertKind)>, StoreError>;
}
