//! The embedded backend: one SQLite file in WAL mode with `synchronous = FULL`, so a commit is on
//! disk before a registration is answered and not even a power cut loses an acknowledged record;
//! group commit keeps that affordable. Registrations are written by [`crate::passage::sqlite_writer`] on
//! its own thread; everything else goes through sqlx (one writing connection, several readers).

use std::str::FromStr;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::db::{Db, Pool};
use crate::keyring::Keyring;
use crate::passage::sqlite_writer::{self, SqliteWriter};
use crate::passage::writer::PassageWriter;
use crate::sqlite_read::DirectReads;
use crate::store::{Engine, SqlStore};
use crate::testing::scans::sqlite::SqliteScans;
use crate::testing::scans::ScanWriter;
use crate::{StoreError, StoreOptions};

/// Page size of a new database file. Measured with `cordon bench ingest` (docs/BENCHMARKS.md):
/// 32 KiB pages ingest about 1.6 times as fast as the default 4 KiB (shallower trees, fewer
/// splits); an existing file keeps the size it was created with.
const PAGE_SIZE: u32 = 32_768;

/// Opens (creating if needed) the file a `sqlite://PATH` URL names and applies the migrations.
pub(crate) async fn open(
    url: &str,
    options: &StoreOptions,
    keyring: Keyring,
) -> Result<SqlStore, StoreError> {
    let path = sqlite_writer::path_of(url)?;
    let connect = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(if sqlite_writer::synchronous() == "FULL" {
            SqliteSynchronous::Full
        } else {
            SqliteSynchronous::Normal
        })
        .busy_timeout(crate::db::BUSY_TIMEOUT)
        .foreign_keys(true)
        .pragma("cache_size", "-65536")
        .pragma("temp_store", "memory")
        .pragma("secure_delete", "ON")
        .page_size(PAGE_SIZE);
    let write = SqlitePoolOptions::new()
        .max_connections(1)
        .acquire_timeout(crate::db::BUSY_TIMEOUT)
        .after_release(|conn, _| Box::pin(released_whole(conn)))
        .connect_with(connect.clone())
        .await?;
    let read = SqlitePoolOptions::new()
        .max_connections(options.max_connections.max(1))
        .connect_with(connect.read_only(true))
        .await?;
    let db = Db {
        read: Pool::Sqlite(read),
        write: Pool::Sqlite(write),
    };
    crate::migrate::run(&db, crate::migrate::Backend::Sqlite).await?;
    let words = crate::passage::words_sql::loaded(&db.write).await?;
    let writer = PassageWriter::spawn_thread(SqliteWriter::open(&path, words.clone())?);
    let scans = ScanWriter::spawn_thread(SqliteScans::open(&path)?);
    Ok(SqlStore {
        db,
        writer,
        scans,
        keyring,
        words,
        engine: Engine::Sqlite {
            reads: DirectReads::new(&path),
            path,
        },
    })
}

/// Whether the write connection goes back to the pool: only out of every transaction. A
/// transaction its owner dropped (a request cancelled mid-way, a client gone) is rolled back in
/// turn before the ping is answered; a connection still inside one after that (its rollback
/// failed) is closed, which ends the transaction, rather than kept holding the write lock that
/// every other write then waits for in vain.
async fn released_whole(conn: &mut sqlx::SqliteConnection) -> Result<bool, sqlx::Error> {
    use sqlx::{Connection, TransactionManager};
    conn.ping().await?;
    let depth = <sqlx::Sqlite as sqlx::Database>::TransactionManager::get_transaction_depth(conn);
    if depth > 0 {
        tracing::warn!(
            depth,
            "a write connection came back inside a transaction: closed"
        );
    }
    Ok(depth == 0)
}
