//! SQLite's purge: the rows a condition names, found at once and purged in the order they lie
//! in the table, so a slice writes a few pages to the write-ahead log, not a page a passage (the
//! lanes record the checkpoints' passages interleaved, so an hour taken checkpoint by checkpoint
//! is all over the table; measured in docs/BENCHMARKS.md).
//!
//! The slices are written by the registration writer, on its connection, between its groups
//! ([`PassageWriter::purge`]): a lane's group waits for one slice at most, and the writer keeps
//! its page cache and its list of checkpoints, which a commit on any other connection would
//! make it read again (SQLite empties a connection's cache when another one wrote). The rest of
//! the purge's work, which takes no write lock (finding an hour's rows, copying the log back to
//! the file between batches: left to the writer, a commit would copy megabytes while the lanes
//! wait), runs on a thread of lower priority with a connection of its own ([`LowPriority`]).

use sqlx::SqlitePool;

use super::low_priority::LowPriority;
use super::{Purged, PURGE_BATCH};
use crate::passage::writer::PassageWriter;
use crate::StoreError;

/// Passages purged in one of the writer's transactions: about a millisecond of its time.
const SLICE: usize = 250;

/// Purges the passages still sealed among those `condition` (on `passages`, binding `?1` and
/// `?2`) names, [`SLICE`] to a transaction of the registration writer, the log copied back
/// after each [`PURGE_BATCH`]. An hour's condition is answered by the hour index alone, purged
/// rows too (the writer's statement passes over them).
pub(super) async fn purge_where(
    aside: &LowPriority,
    writer: &PassageWriter,
    condition: &'static str,
    binds: [i64; 2],
    purged: &mut Purged,
) -> Result<(), StoreError> {
    let rows = aside
        .run(move |conn| rowids(conn, condition, binds))
        .await?;
    for batch in rows.chunks(PURGE_BATCH) {
        for slice in batch.chunks(SLICE) {
            purged.count(&writer.purge(slice.to_vec()).await?);
        }
        aside
            .run(|conn| {
                conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))?;
                Ok(())
            })
            .await?;
    }
    Ok(())
}

/// The row ids `condition` names, in table order. Read on the purge's own thread: through the
/// pool, an hour's 40,000-60,000 rows, handed over one by one, kept a worker of the hub's
/// runtime busy for tens of milliseconds while the lanes' requests waited on it
/// (docs/BENCHMARKS.md, tenth part).
fn rowids(
    conn: &rusqlite::Connection,
    condition: &str,
    binds: [i64; 2],
) -> Result<Vec<i64>, StoreError> {
    let sql = format!("SELECT rowid FROM passages WHERE {condition} ORDER BY rowid");
    let mut stmt = conn.prepare_cached(&sql)?;
    let ids = stmt.query_map(binds, |r| r.get(0))?;
    Ok(ids.collect::<Result<_, _>>()?)
}

/// How often, and how many times, [`empty_log`] tries while a reader or a writer is in its way.
const EMPTY_EVERY: std::time::Duration = std::time::Duration::from_millis(50);
const EMPTY_TRIES: u32 = 100;

/// The write-ahead log copied back and cut to nothing after a purge, so that no earlier image of
/// a purged page stays in its file. Tried without waiting, again every [`EMPTY_EVERY`] while a
/// reader or a writer is in the way: with the connection's busy handler, the checkpoint held
/// every new writer while it waited for the readers, and a lane's registration waited tens of
/// milliseconds (docs/BENCHMARKS.md, tenth part). Answers whether the log was emptied (if not,
/// the next purge tries again, and the log's pages are overwritten as the lanes write).
pub(super) async fn empty_log(pool: &SqlitePool) -> Result<bool, StoreError> {
    let mut conn = pool.acquire().await?;
    // Closed after, never back in the pool without its wait (nor if this is cancelled).
    conn.close_on_drop();
    sqlx::query("PRAGMA busy_timeout = 0")
        .execute(&mut *conn)
        .await?;
    let mut emptied = false;
    for _ in 0..EMPTY_TRIES {
        let (busy, _, _): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
            .fetch_one(&mut *conn)
            .await?;
        if busy == 0 {
            emptied = true;
            break;
        }
        tokio::time::sleep(EMPTY_EVERY).await;
    }
    if !emptied {
        tracing::warn!("the write-ahead log was not emptied after the purge: readers kept it");
    }
    Ok(emptied)
}
