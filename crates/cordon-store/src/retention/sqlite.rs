//! SQLite's purge: the rows a condition names, found at once and purged in the order they lie
//! in the table, so a batch of a thousand writes a few dozen pages to the write-ahead log, not
//! a page each (the lanes record the checkpoints' passages interleaved, so an hour taken
//! checkpoint by checkpoint is all over the table; measured in docs/BENCHMARKS.md).

use sqlx::{SqliteConnection, SqlitePool};

use super::{Purged, PURGE, PURGE_BATCH};
use crate::store::WriteTurn;
use crate::StoreError;

/// The purge's own connection for a run, opened when the run first has rows to purge (see
/// [`purge_rows`]) and closed at its end.
pub(super) type Own = Option<SqliteConnection>;

/// Purges the passages still sealed among those `condition` (on `passages`, binding `$1` and
/// `$2`) names, [`PURGE_BATCH`] to a transaction, each taken in turn with the registration
/// writer's groups, so the lanes wait for one batch at most. An hour's condition is answered
/// by the hour index alone, purged rows too (the statements pass over them).
pub(super) async fn purge_where(
    pool: &SqlitePool,
    own: &mut Own,
    turn: &WriteTurn,
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
    if rows.is_empty() {
        return Ok(());
    }
    let conn = match own {
        Some(conn) => conn,
        None => {
            let mut conn = sqlx::ConnectOptions::connect(pool.connect_options().as_ref()).await?;
            // The log is copied back by the purge itself, between its batches.
            sqlx::query("PRAGMA wal_autocheckpoint = 0")
                .execute(&mut conn)
                .await?;
            own.insert(conn)
        }
    };
    purge_rows(conn, turn, &rows, purged).await?;
    Ok(())
}

/// Purges `rows` on the run's own connection, which copies the write-ahead log back to the
/// database file after it has let the lanes' next group in: left to itself, a batch's commit
/// would copy the log (megabytes, every thousand pages) while the lanes wait their turn.
async fn purge_rows(
    conn: &mut SqliteConnection,
    turn: &WriteTurn,
    rows: &[i64],
    purged: &mut Purged,
) -> Result<(), sqlx::Error> {
    let sql = format!(
        "{PURGE}rowid IN (SELECT value FROM json_each($1)) AND sealed IS NOT NULL \
         RETURNING persons"
    );
    for rows in rows.chunks(PURGE_BATCH) {
        let rows = serde_json::to_string(rows).unwrap_or_default();
        let turn = turn.lock().await;
        let persons: Vec<i64> = sqlx::query_scalar(&sql)
            .bind(rows)
            .fetch_all(&mut *conn)
            .await?;
        drop(turn);
        purged.count(&persons);
        sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}
