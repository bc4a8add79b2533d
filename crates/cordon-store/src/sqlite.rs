//! The embedded backend: one SQLite file in WAL mode. One connection writes (the group-commit
//! writer and the registry's few other writes); several read. `synchronous = FULL`: a commit is
//! on disk before a registration is answered, so not even a power cut loses an acknowledged
//! record; group commit keeps that affordable.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::Sqlite;

use crate::StoreOptions;

crate::sql::sql_store!(SqliteStore, SqliteCore, Sqlite, "sqlite");

impl SqliteStore {
    pub async fn open(url: &str, options: &StoreOptions) -> Result<Self, StoreError> {
        let connect = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true)
            .pragma("cache_size", "-65536")
            .pragma("temp_store", "memory");
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(connect.clone())
            .await?;
        let read = SqlitePoolOptions::new()
            .max_connections(options.max_connections.max(1))
            .connect_with(connect.read_only(true))
            .await?;
        let store = Self::from_pools(read, write);
        store.core.migrate(crate::migrate::SQLITE, None).await?;
        Ok(store)
    }
}
