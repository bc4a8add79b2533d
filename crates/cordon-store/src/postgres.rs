//! The PostgreSQL backend, for deployments where several stateless `cordon serve` processes share
//! one database. Registrations are written by an async group writer with multi-row statements
//! ([`crate::passage::postgres_writer`]); everything else through the same pool.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

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
    // No just-in-time compilation of queries: PostgreSQL compiles a query whose estimate passes
    // `jit_above_cost`, which a dashboard's read crossed now and then with the minute of the hour
    // it read at, and the compiling took 20-80 ms of a read otherwise 6 (a city's p99 80-86 ms
    // against 7.5 without, docs/BENCHMARKS.md, ninth part). The hub's queries are short; none
    // gains from it.
    let connect = PgConnectOptions::from_str(url)?.options([("jit", "off")]);
    let pool = PgPoolOptions::new()
        .max_connections(options.max_connections.max(2))
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(connect)
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
