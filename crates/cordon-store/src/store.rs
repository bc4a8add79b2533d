//! The [`Store`] the server knows, as the sum of one trait per capability, and [`SqlStore`], the
//! one type that implements them all on either backend. A new capability adds its trait to the
//! list below (one line) and implements it for [`SqlStore`] in its own folder.

use std::path::{Path, PathBuf};

use async_trait::async_trait;

use crate::db::{on_pool, Db};
use crate::keyring::Keyring;
use crate::passage::writer::PassageWriter;
use crate::sqlite_read::DirectReads;
use crate::StoreError;

/// The storage interface: every capability's part. Every backend passes the same conformance
/// suite (`tests/`).
#[async_trait]
pub trait Store:
    crate::passage::PassageStore
    + crate::network::NetworkStore
    + crate::policy::PolicyStore
    + crate::risk::RiskStore
    + crate::status::StatusStore
    + crate::command::DirectiveStore
    + crate::command::DirectiveRelayStore
    + crate::command::ReportStore
    + crate::command::RosterStore
    + crate::command::DailyStore
    + crate::command::PatrolStore
    + crate::freight::LotStore
    + crate::freight::PassStore
    + crate::freight::EscortStore
    + crate::freight::PassApplicationStore
    + crate::station::StationStore
    + crate::station::sampling::SamplingSyncStore
    + crate::declaration::DeclarationStore
    + crate::followup::FollowupStore
    + crate::testing::TestingStore
    + crate::testing::lab::LabStore
    + crate::testing::antigen::AntigenStore
    + crate::trace::TraceStore
    + crate::dashboard::DashboardStore
    + crate::access::AccessStore
    + crate::audit::AuditStore
    + crate::retention::RetentionStore
    + Send
    + Sync
    + 'static
{
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;

    /// The keyring personal data is sealed and indexed with.
    fn keyring(&self) -> &Keyring;

    async fn ping(&self) -> Result<(), StoreError>;
}

/// A store on SQLite or PostgreSQL: the pools, the passage writer, the keyring, and what only
/// one backend has.
pub struct SqlStore {
    pub(crate) db: Db,
    pub(crate) writer: PassageWriter,
    /// The writer of scans into tubes ([`crate::testing::scans`]).
    pub(crate) scans: crate::testing::scans::ScanWriter,
    pub(crate) keyring: Keyring,
    /// The decision dictionary ([`crate::passage::words`]), shared with the passage writer.
    pub(crate) words: std::sync::Arc<crate::passage::words::Words>,
    pub(crate) engine: Engine,
}

/// What one backend has beyond its pools.
pub(crate) enum Engine {
    /// The database file, and the direct (rusqlite) connections that read it on the hot paths.
    Sqlite {
        path: PathBuf,
        reads: DirectReads,
    },
    Postgres,
}

impl SqlStore {
    /// SQLite's direct reads, which skip sqlx for the hot point reads ([`crate::sqlite_read`]).
    pub(crate) fn direct_reads(&self) -> Option<&DirectReads> {
        match &self.engine {
            Engine::Sqlite { reads, .. } => Some(reads),
            Engine::Postgres => None,
        }
    }

    /// Passages from their rows, the words their decisions name read first if another process
    /// wrote them.
    pub(crate) async fn assemble(
        &self,
        rows: Vec<crate::passage::rows::PassageRow>,
    ) -> Result<Vec<cordon_domain::passage::Passage>, StoreError> {
        crate::passage::words_sql::know_all(
            &self.db.read,
            &self.words,
            rows.iter().map(|r| r.decision.as_slice()),
        )
        .await?;
        crate::passage::rows::assemble(rows, &self.keyring, &self.words)
    }

    /// The SQLite file, for work done on a connection of its own.
    pub(crate) fn sqlite_path(&self) -> Option<&Path> {
        match &self.engine {
            Engine::Sqlite { path, .. } => Some(path),
            Engine::Postgres => None,
        }
    }
}

#[async_trait]
impl Store for SqlStore {
    fn backend(&self) -> &'static str {
        match self.engine {
            Engine::Sqlite { .. } => "sqlite",
            Engine::Postgres => "postgres",
        }
    }

    fn keyring(&self) -> &Keyring {
        &self.keyring
    }

    async fn ping(&self) -> Result<(), StoreError> {
        on_pool!(&self.db.read, |p| {
            sqlx::query("SELECT 1").execute(p).await?;
        });
        Ok(())
    }
}
