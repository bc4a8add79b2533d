//! The PostgreSQL backend, for deployments where several stateless `cordon serve` processes share
//! one database. Idempotency across processes rests on the primary key of `passages`: a
//! registration written by another process between our check and our insert is detected by
//! `ON CONFLICT DO NOTHING RETURNING` and the group is retried.

use std::time::Duration;

use sqlx::postgres::PgPoolOptions;
use sqlx::Postgres;

use crate::StoreOptions;

crate::sql::sql_store!(PgStore, PgCore, Postgres, "postgres");

/// Serialises migrations when several processes start at once.
const MIGRATION_LOCK: &str = "SELECT pg_advisory_xact_lock(7283101)";

impl PgStore {
    pub async fn open(url: &str, options: &StoreOptions) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(options.max_connections.max(2))
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await?;
        let store = Self::from_pools(pool.clone(), pool);
        store
            .core
            .migrate(crate::migrate::POSTGRES, Some(MIGRATION_LOCK))
            .await?;
        Ok(store)
    }
}
