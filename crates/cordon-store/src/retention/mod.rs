//! The retention purge: the personal data of passages observed before a cutoff is removed, their
//! counts stay. [`RetentionStore`] is a supertrait of [`crate::Store`]; its SQL ([`sql`]) is
//! written once for both backends but for the purge itself ([`sqlite`], [`postgres`]).
//!
//! On PostgreSQL a passage's personal data lies in a table partitioned by day (migration 43):
//! a day wholly before the cutoff is dropped whole, its figures read from `personal_days`
//! (migration 44), what the cutoff leaves of its own day is deleted row by row. On SQLite each run takes the hours from where the last run stopped (its
//! marks, migration 12), oldest first; each hour's passages found through the hour-first index
//! and emptied in the order their rows lie in the table (the lanes record the checkpoints
//! interleaved, so a batch taken in the index's order would write a page a passage), by the
//! registration writer in slices between its groups, the rows found and the log copied back
//! between batches on a thread of lower priority; passages recorded since the last run but
//! observed before its cutoff (a paper record entered late, a station's old backlog) are found
//! through the recording-time index. Without the marks every run would walk again every hour
//! already purged, a year of them an hour after a year of service. The retention job purges
//! whole days ([`crate::retention_cutoff`]).

use async_trait::async_trait;

use crate::StoreError;

mod low_priority;
mod postgres;
mod sql;
mod sqlite;

/// On SQLite, passages purged between two copies of the log back to the file.
const PURGE_BATCH: usize = 1_000;

/// Empties the personal data of the passages that still hold it among those SQLite's row ids
/// (`$1`, a JSON array) name, and answers their persons: SQLite's registration writer runs it
/// for the purge's slices.
pub(crate) const PURGE_ROWS: &str = "UPDATE passages SET sealed = NULL, occupants = '', \
     plate = NULL, facts = NULL, occupant_keys = NULL \
     WHERE rowid IN (SELECT value FROM json_each($1)) AND sealed IS NOT NULL RETURNING persons";

/// The passages recorded since the last run (`?1`) but observed before where it walked to (`?2`).
const LATE: &str = "recorded_at >= ?1 AND observed_at < ?2 AND sealed IS NOT NULL";

/// What a retention purge removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    pub passages: u64,
    pub persons: u64,
}

impl Purged {
    /// Counts a purged batch: each passage's persons.
    fn count(&mut self, persons: &[i64]) {
        self.passages += persons.len() as u64;
        self.persons += persons.iter().map(|n| (*n).max(0) as u64).sum::<u64>();
    }
}

#[async_trait]
pub trait RetentionStore: Send + Sync + 'static {
    /// Removes the personal data of passages observed before `before_ms`: the sealed
    /// occupants, their keys (`occupant_keys`), the plate and the facts. What remains
    /// (checkpoint, time, counts, outcome, decision) keeps the statistics. Answers what was
    /// purged.
    async fn purge_personal_data(&self, before_ms: i64) -> Result<Purged, StoreError>;

    /// The bytes each table and index holds on disk, largest first (SQLite's pages by
    /// `dbstat`; PostgreSQL's tables by `pg_table_size`, their TOAST included, and indexes by
    /// `pg_relation_size`): what the retention keeps costs.
    async fn storage_bytes(&self) -> Result<Vec<(String, i64)>, StoreError>;

    /// Gathers the query planner's statistics (PostgreSQL's `ANALYZE`; nothing on SQLite,
    /// whose plans here follow the indexes alone). Run after a bulk load and by the hourly
    /// retention job: a server with autovacuum off never gathers them itself, and without them
    /// PostgreSQL takes a province's 1,300 checkpoints for 4 and reads its dashboard's counts
    /// checkpoint by checkpoint (docs/BENCHMARKS.md).
    async fn refresh_statistics(&self) -> Result<(), StoreError>;
}
