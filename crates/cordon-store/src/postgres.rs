//! The PostgreSQL backend, for deployments where several stateless `cordon serve` processes share
//! one database. Registrations are written by an async group writer with multi-row statements
//! ([`crate::passage::postgres_writer`]); everything else through the same pool.

use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::PgPoolOptions;

use crate::db::{Db, Pool};
use crate::keyring::Keyring;
use crate::passage::postgres_writer::PgWriter;
use crate::passage::writer::PassageWriter;
use crate::store::{Engine, SqlStore};
use crate::testing::scans::postgres::PgScans;
use crate::testing::scans::ScanWriter;
use crate::{StoreError, StoreOptions};

/// Connects to the database a `postgres://` URL names and applies the migrations (one process at
/// a time: see [`crate::migrate`]).
pub(crate) async fn open(
    url: &str,
    options: &StoreOptions,
    keyring: Keyring,
) -> Result<SqlStore, StoreError> {
    let pool = PgPoolOptions::new()
        .max_connections(options.max_connections.max(2))
        .acquire_timeout(Duration::from_secs(10))
        .connect(url)
        .await?;
    let db = Db {
        read: Pool::Postgres(pool.clone()),
        write: Pool::Postgres(pool.clone()),
    };
    crate::migrate::run(&db, crate::migrate::Backend::Postgres).await?;
    let words = crate::passage::words_sql::loaded(&db.write).await?;
    let writer = PassageWriter::spawn(Arc::new(PgWriter {
        pool: pool.clone(),
        words: words.clone(),
        partitions: Default::default(),
    }));
    let scans = ScanWriter::spawn(Arc::new(PgScans::new(pool)));
    Ok(SqlStore {
        db,
        writer,
        scans,
        keyring,
        words,
        engine: Engine::Postgres,
    })
}
