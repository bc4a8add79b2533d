//! Cordon's storage. [`Store`] is the one interface the server uses; [`open`] picks the backend
//! from the URL once: `sqlite://PATH` (embedded, the default) or `postgres://...`.
//!
//! A capability is one folder here (its trait, its types and its SQL), named as in every other
//! crate: `passage` (the registry), `network`, `policy`, `risk`, `status`, `station`,
//! `declaration`, `trace`, `dashboard`, `access`, `audit`, `retention`. Its SQL is written once
//! for both backends through [`db`]; only connection set-up ([`sqlite`], [`postgres`]) and DDL
//! (`migrations/`) differ. Registrations go through a group-commit writer ([`passage::writer`]):
//! concurrent requests are gathered into one transaction, so a vehicle is written whole or not at
//! all and the commit's cost is shared.

use std::sync::Arc;

mod days;
mod db;
mod error;
mod hours;
pub mod keyring;
mod migrate;
mod postgres;
pub mod scratch;
mod sqlite;
mod sqlite_read;
mod store;
mod upgrade;

pub mod access;
pub mod audit;
pub mod command;
pub mod dashboard;
pub mod declaration;
pub mod followup;
pub mod freight;
pub mod network;
pub mod passage;
pub mod policy;
pub mod retention;
pub mod risk;
pub mod station;
pub mod status;
pub mod testing;
pub mod trace;

pub use access::AccessStore;
pub use audit::AuditStore;
pub use dashboard::DashboardStore;
pub use days::retention_cutoff;
pub use declaration::DeclarationStore;
pub use error::{RecordRejection, StoreError};
pub use network::{
    CheckpointFilter, CheckpointPatch, NetworkStore, NewCheckpoint, NewJurisdiction, StatusChange,
    StatusChangeSummary,
};
pub use passage::{
    Cursor, HourlyCount, NewPassage, PassagePage, PassageQuery, PassageStore, Period, Recorded,
};
pub use policy::PolicyStore;
pub use retention::{Purged, RetentionStore};
pub use risk::RiskStore;
pub use station::StationStore;
pub use status::StatusStore;
pub use store::{SqlStore, Store};
pub use trace::TraceStore;

/// Options for opening a store.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// Most connections in the pool (PostgreSQL) or readers (SQLite).
    pub max_connections: u32,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self { max_connections: 8 }
    }
}

/// Opens the store the URL names, creating the SQLite file if needed, and applies migrations.
/// Personal data is sealed and indexed with `keyring`; opening with another key than the one
/// the data was written with reads nothing of it (`Corrupt`).
pub async fn open(
    url: &str,
    options: &StoreOptions,
    keyring: keyring::Keyring,
) -> Result<Arc<dyn Store>, StoreError> {
    let store = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        postgres::open(url, options, keyring).await?
    } else if url.starts_with("sqlite:") {
        sqlite::open(url, options, keyring).await?
    } else {
        return Err(StoreError::Config(format!(
            "unsupported database URL scheme in '{}': use sqlite://PATH or postgres://...",
            url.split("://").next().unwrap_or(url)
        )));
    };
    upgrade::run(&store).await?;
    Ok(Arc::new(store))
}
