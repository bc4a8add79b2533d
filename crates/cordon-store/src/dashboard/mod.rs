//! The command dashboard's figures: passages per checkpoint, hour and outcome, with the lanes'
//! handling time, overall and for the green channel (counts only, no personal data). [`DashboardStore`] is a supertrait of
//! [`crate::Store`]; its SQL ([`sql`]) is written once for both backends.

use async_trait::async_trait;
use cordon_domain::access::passage::PassageRead;

use crate::StoreError;

mod sql;

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
    /// The green channel: passages with a verified freight pass on its route, and of those the
    /// handled ones and their handling time.
    pub green: i64,
    pub green_handled: i64,
    pub green_handling_ms: i64,
}

/// A passage recorded later than this after its observation was entered afterwards (from paper,
/// or synced late), not handled at the lane: its delay says nothing of the lane's speed.
pub const LANE_HANDLING_MAX_MS: i64 = 10 * 60_000;

#[async_trait]
pub trait DashboardStore: Send + Sync + 'static {
    /// Passages observed in `[from_ms, to_ms)` within the grant's scope, per checkpoint, hour
    /// and outcome.
    async fn network_summary(
        &self,
        grant: &PassageRead,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<SummaryRow>, StoreError>;
}
