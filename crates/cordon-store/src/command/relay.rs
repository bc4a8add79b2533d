//! Directives through edge stations, at the hub and at a station (SQL in `relay_sql.rs`).

use async_trait::async_trait;
use cordon_domain::access::station::StationSync;
use cordon_domain::checkpoint::CheckpointCode;
use cordon_domain::command::relay::{DirectiveReceipt, ReceiptAnswer, StationDirective};

use crate::StoreError;

/// Directives through edge stations: at the hub, what a station's checkpoint is sent and the
/// receipts it sends back; at a station, the hub's directives mirrored and the outbox of its
/// officers' openings and acknowledgements (filled by triggers installed at the station's
/// start, in the same transaction as the step they note).
#[async_trait]
pub trait DirectiveRelayStore: Send + Sync + 'static {
    /// Hub: the directives to the station's checkpoint issued within `since_ms`, as they stand;
    /// those in effect are noted delivered.
    async fn station_directives(
        &self,
        grant: &StationSync,
        since_ms: i64,
        now_ms: i64,
    ) -> Result<Vec<StationDirective>, StoreError>;

    /// Hub: records a station's receipts, each once; a receipt for a replaced revision or a
    /// cancelled directive changes nothing.
    async fn apply_directive_receipts(
        &self,
        grant: &StationSync,
        receipts: &[DirectiveReceipt],
        now_ms: i64,
    ) -> Result<ReceiptAnswer, StoreError>;

    /// Station: copies the hub's directives to its checkpoint (new ones, new revisions,
    /// cancellations, acknowledgements the hub holds); answers how many changed.
    async fn mirror_directives(
        &self,
        checkpoint: &CheckpointCode,
        list: &[StationDirective],
    ) -> Result<usize, StoreError>;

    /// Station: notes its officers' openings and acknowledgements in the outbox from now on.
    async fn install_directive_outbox(&self) -> Result<(), StoreError>;

    /// Station: the receipts not yet taken by the hub, oldest first.
    async fn directive_outbox(&self, limit: i64) -> Result<Vec<DirectiveReceipt>, StoreError>;

    /// Station: the hub took the receipts up to `seq`.
    async fn directive_outbox_sent(&self, seq: i64) -> Result<(), StoreError>;
}
