//! The trait of escorts (SQL in `escort_sql.rs`).

use async_trait::async_trait;
use cordon_domain::access::freight::{EscortAssign, EscortWork};
use cordon_domain::freight::escort::{Escort, EscortDraft, EscortStep};

use crate::StoreError;

/// Escorts leaving from the checkpoints of the grant's scope.
#[async_trait]
pub trait EscortStore: Send + Sync + 'static {
    /// Assigns an escort from a checkpoint of the commander's jurisdiction. Errors: `Invalid`
    /// `unknown_checkpoint` or `checkpoint_out_of_scope` (`checkpoint`).
    async fn assign_escort(
        &self,
        grant: &EscortAssign,
        draft: &EscortDraft,
        now_ms: i64,
    ) -> Result<Escort, StoreError>;

    /// The scope's escorts not over, and those over in the last week; under way first, then by
    /// planned arrival (at most 200).
    async fn escorts(&self, grant: &EscortWork, now_ms: i64) -> Result<Vec<Escort>, StoreError>;

    /// One escort of the scope, or `NotFound`.
    async fn escort(&self, grant: &EscortWork, id: i64, now_ms: i64) -> Result<Escort, StoreError>;

    /// Records a step: `Invalid` `escort_out_of_order` or `escort_closed` when the escort is
    /// not where the step goes from (two taps at once: one is recorded, the other refused).
    async fn step_escort(
        &self,
        grant: &EscortWork,
        id: i64,
        step: &EscortStep,
        now_ms: i64,
    ) -> Result<Escort, StoreError>;
}
