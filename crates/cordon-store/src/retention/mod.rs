//! The retention purge: the personal data of passages observed before a cutoff is removed, their
//! counts stay. [`RetentionStore`] is a supertrait of [`crate::Store`]; its SQL ([`sql`]) is
//! written once for both backends.
//!
//! A run walks the hour-first index from where the last run stopped (its marks, migration 12),
//! oldest hour first, in small transactions that let the lanes' writes through; passages
//! recorded since the last run but observed before its cutoff (a paper record entered late, a
//! station's old backlog) are found through the recording-time index. Without the marks every
//! run would walk again every hour already purged, a year of them an hour after a year of
//! service.

use async_trait::async_trait;

use crate::StoreError;

mod sql;

/// What a retention purge removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    pub passages: u64,
    pub persons: u64,
}

#[async_trait]
pub trait RetentionStore: Send + Sync + 'static {
    /// Removes the personal data of passages observed before `before_ms`: the sealed
    /// occupants, their keys (`occupant_keys`), the plate and the facts. What remains
    /// (checkpoint, time, counts, outcome, decision) keeps the statistics. Answers what was
    /// purged.
    async fn purge_personal_data(&self, before_ms: i64) -> Result<Purged, StoreError>;

    /// The bytes each table and index holds on disk, largest first (SQLite's pages by
    /// `dbstat`; PostgreSQL's `pg_relation_size` of the schema's tables and indexes): what the
    /// retention keeps costs.
    async fn storage_bytes(&self) -> Result<Vec<(String, i64)>, StoreError>;
}
