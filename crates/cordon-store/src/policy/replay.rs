//! The replay of stored passages for a dry-run, which each backend streams its own way: SQLite
//! on a read-only rusqlite connection of its own, on a blocking thread (sqlx's per-row hand-off
//! would cost more than the scan); PostgreSQL as a stream through its pool.

use cordon_domain::passage::Outcome;
use futures_util::TryStreamExt;
use rusqlite::{params, Connection};
use tokio::sync::mpsc;
use uuid::Uuid;

use super::{ReplayRow, REPLAY_BATCH};
use crate::db::Pool;
use crate::store::SqlStore;
use crate::{Period, StoreError};

/// The passages observed in `period` with their facts, in batches: how many were sent.
pub(super) async fn replay(
    store: &SqlStore,
    period: Period,
    to: mpsc::Sender<Vec<ReplayRow>>,
) -> Result<u64, StoreError> {
    match (&store.db.read, store.sqlite_path()) {
        (Pool::Sqlite(_), Some(path)) => {
            let path = path.to_owned();
            tokio::task::spawn_blocking(move || replay_sqlite(&path, period, &to))
                .await
                .map_err(|e| StoreError::Unavailable(e.to_string()))?
        }
        (Pool::Postgres(pool), _) => replay_postgres(pool, period, to).await,
        (Pool::Sqlite(_), None) => Err(StoreError::Config("no SQLite file".into())),
    }
}

async fn replay_postgres(
    pool: &sqlx::PgPool,
    period: Period,
    to: mpsc::Sender<Vec<ReplayRow>>,
) -> Result<u64, StoreError> {
    let mut rows = sqlx::query_as::<_, (Uuid, i64, i64, i64, String, Vec<u8>, Option<i64>)>(
        // The period named on the personal data's table (migration 43), so that only its days'
        // partitions are read.
        "SELECT c.id, c.checkpoint_id, c.observed_at, c.observed_offset, c.outcome, p.facts, \
         c.origin FROM passage_personal p \
         JOIN passage_core c ON c.observed_at = p.observed_at AND c.id = p.id \
         WHERE p.observed_at >= $1 AND p.observed_at < $2 AND p.facts IS NOT NULL",
    )
    .bind(period.from_ms)
    .bind(period.to_ms)
    .fetch(pool);
    let mut batch = Vec::with_capacity(REPLAY_BATCH);
    let mut sent = 0u64;
    while let Some((id, checkpoint_id, observed_ms, offset, outcome, facts, origin)) =
        rows.try_next().await?
    {
        batch.push(ReplayRow {
            id,
            checkpoint_id,
            observed_ms,
            offset_s: offset as i32,
            outcome: Outcome::parse(&outcome).map_err(|_| StoreError::Corrupt("outcome".into()))?,
            facts,
            origin,
        });
        if batch.len() == REPLAY_BATCH {
            sent += batch.len() as u64;
            if to.send(std::mem::take(&mut batch)).await.is_err() {
                return Ok(sent);
            }
        }
    }
    sent += batch.len() as u64;
    if !batch.is_empty() {
        let _ = to.send(batch).await;
    }
    Ok(sent)
}

/// Streams the passages observed in `period` to a dry-run, on a read-only connection of its
/// own: rusqlite directly, since sqlx's per-row hand-off would cost more than the scan.
fn replay_sqlite(
    path: &std::path::Path,
    period: Period,
    to: &mpsc::Sender<Vec<ReplayRow>>,
) -> Result<u64, StoreError> {
    let conn = Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(crate::db::BUSY_TIMEOUT)?;
    conn.pragma_update(None, "cache_size", -65536)?;
    let mut stmt = conn.prepare(
        "SELECT id, checkpoint_id, observed_at, observed_offset, outcome, facts, origin FROM passages \
         WHERE observed_at >= ?1 AND observed_at < ?2 AND facts IS NOT NULL",
    )?;
    let mut rows = stmt.query(params![period.from_ms, period.to_ms])?;
    let mut batch = Vec::with_capacity(REPLAY_BATCH);
    let mut sent = 0u64;
    let corrupt = |what: &str| StoreError::Corrupt(what.to_owned());
    while let Some(r) = rows.next()? {
        let id = r.get_ref(0)?.as_blob()?;
        let outcome = r.get_ref(4)?.as_str()?;
        batch.push(ReplayRow {
            id: Uuid::from_slice(id).map_err(|_| corrupt("passage id"))?,
            checkpoint_id: r.get(1)?,
            observed_ms: r.get(2)?,
            offset_s: r.get::<_, i64>(3)? as i32,
            outcome: Outcome::parse(outcome).map_err(|_| corrupt("outcome"))?,
            facts: r.get_ref(5)?.as_blob()?.to_vec(),
            origin: r.get(6)?,
        });
        if batch.len() == REPLAY_BATCH {
            sent += batch.len() as u64;
            if to.blocking_send(std::mem::take(&mut batch)).is_err() {
                return Ok(sent);
            }
            batch.reserve(REPLAY_BATCH);
        }
    }
    sent += batch.len() as u64;
    if !batch.is_empty() {
        let _ = to.blocking_send(batch);
    }
    Ok(sent)
}
