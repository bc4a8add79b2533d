//! SQLite's purge: the rows a condition names, found at once and purged in the order they lie
//! in the table, so a slice writes a few pages to the write-ahead log, not a page a passage (the
//! lanes record the checkpoints' passages interleaved, so an hour taken checkpoint by checkpoint
//! is all over the table; measured in docs/BENCHMARKS.md).
//!
//! The slices are written by the registration writer, on its connection, between its groups
//! ([`PassageWriter::purge`]): a lane's group waits for one slice at most, and the writer keeps
//! its page cache and its list of checkpoints, which a commit on any other connection would
//! make it read again (SQLite empties a connection's cache when another one wrote). The log is
//! copied back to the file by the purge, on the pool, between slices: left to the writer, a
//! commit would copy megabytes while the lanes wait.

use sqlx::SqlitePool;

use super::{Purged, PURGE_BATCH};
use crate::passage::writer::PassageWriter;
use crate::StoreError;

/// Passages purged in one of the writer's transactions: about a millisecond of its time.
const SLICE: usize = 250;

/// Purges the passages still sealed among those `condition` (on `passages`, binding `$1` and
/// `$2`) names, [`SLICE`] to a transaction of the registration writer, the log copied back
/// after each [`PURGE_BATCH`]. An hour's condition is answered by the hour index alone, purged
/// rows too (the writer's statement passes over them).
pub(super) async fn purge_where(
    pool: &SqlitePool,
    writer: &PassageWriter,
    condition: &str,
    binds: [i64; 2],
    purged: &mut Purged,
) -> Result<(), StoreError> {
    let rows: Vec<i64> = sqlx::query_scalar(&format!(
        "SELECT rowid FROM passages WHERE {condition} ORDER BY rowid"
    ))
    .bind(binds[0])
    .bind(binds[1])
    .fetch_all(pool)
    .await?;
    for batch in rows.chunks(PURGE_BATCH) {
        for slice in batch.chunks(SLICE) {
            purged.count(&writer.purge(slice.to_vec()).await?);
        }
        sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(pool)
            .await?;
    }
    Ok(())
}
