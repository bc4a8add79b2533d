//! The embedded backend: one SQLite file in WAL mode with `synchronous = FULL`, so a commit is on
//! disk before a registration is answered and not even a power cut loses an acknowledged record;
//! group commit keeps that affordable. Registrations are written by [`crate::sqlite_writer`] on
//! its own thread; everything else goes through sqlx (one writing connection, several readers).

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::Sqlite;

use crate::sqlite_read::DirectReads;
use crate::sqlite_writer::{self, SqliteWriter};
use crate::StoreOptions;

crate::sql::sql_store!(SqliteStore, SqliteCore, Sqlite, "sqlite", path: PathBuf, reads: DirectReads);
crate::policy_sql::policy_sql!(SqliteStore, sqlx::Sqlite);
crate::access_sql::access_sql!(SqliteStore, sqlx::Sqlite);
crate::trace_sql::trace_sql!(
    SqliteStore,
    sqlx::Sqlite,
    crate::trace_sql::REFERENCE_PERSONS_SQLITE
);
crate::station_sql::station_sql!(SqliteStore, sqlx::Sqlite);
crate::retention_sql::retention_sql!(SqliteStore, sqlx::Sqlite);
crate::sync_sql::sync_sql!(SqliteStore, sqlx::Sqlite, outbox: Some(crate::sync_sql::OUTBOX_SQLITE));
crate::status_sql::status_sql!(SqliteStore, sqlx::Sqlite, begin: "BEGIN IMMEDIATE");

/// Page size of a new database file. Measured with `cordon bench ingest` (docs/BENCHMARKS.md):
/// 32 KiB pages ingest about 1.6 times as fast as the default 4 KiB (shallower trees, fewer
/// splits); an existing file keeps the size it was created with.
const PAGE_SIZE: u32 = 32_768;

impl SqliteStore {
    /// The hot point reads go straight to the file ([`crate::sqlite_read`]).
    pub(crate) fn direct_reads(&self) -> Option<&DirectReads> {
        Some(&self.reads)
    }

    pub async fn open(
        url: &str,
        options: &StoreOptions,
        keyring: crate::keyring::Keyring,
    ) -> Result<Self, StoreError> {
        let path = sqlite_writer::path_of(url)?;
        let connect = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(if sqlite_writer::synchronous() == "FULL" {
                SqliteSynchronous::Full
            } else {
                SqliteSynchronous::Normal
            })
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true)
            .pragma("cache_size", "-65536")
            .pragma("temp_store", "memory")
            .pragma("secure_delete", "ON")
            .page_size(PAGE_SIZE);
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(connect.clone())
            .await?;
        let read = SqlitePoolOptions::new()
            .max_connections(options.max_connections.max(1))
            .connect_with(connect.read_only(true))
            .await?;
        let core = Arc::new(SqliteCore { read, write });
        core.migrate(crate::migrate::SQLITE, None).await?;
        let writer = PassageWriter::spawn_thread(SqliteWriter::open(&path)?);
        let store = Self {
            core,
            writer,
            keyring,
            reads: DirectReads::new(&path),
            path,
        };
        store.backfill_facts().await?;
        store
            .seal_legacy("VACUUM; PRAGMA wal_checkpoint(TRUNCATE);")
            .await?;
        store.fill_occupant_keys().await?;
        Ok(store)
    }

    async fn replay_impl(
        &self,
        period: crate::Period,
        to: tokio::sync::mpsc::Sender<Vec<crate::policy_store::ReplayRow>>,
    ) -> Result<u64, StoreError> {
        let path: PathBuf = self.path.clone();
        tokio::task::spawn_blocking(move || sqlite_writer::replay(&path, period, &to))
            .await
            .map_err(|e| StoreError::Unavailable(e.to_string()))?
    }

    async fn trace_bench_impl(
        &self,
        rows: Vec<crate::trace_store::TraceRow>,
    ) -> Result<(), StoreError> {
        let path: PathBuf = self.path.clone();
        tokio::task::spawn_blocking(move || sqlite_writer::trace_bench_load(&path, rows))
            .await
            .map_err(|e| StoreError::Unavailable(e.to_string()))?
    }

    async fn raw_baseline(&self, passages: Vec<NewPassage>) -> Result<(), StoreError> {
        let path: PathBuf = self.path.clone();
        tokio::task::spawn_blocking(move || sqlite_writer::raw_baseline(&path, &passages))
            .await
            .map_err(|e| StoreError::Unavailable(e.to_string()))?
    }
}
