//! Cordon's storage. [`Store`] is the one interface the server uses; [`open`] picks the backend
//! from the URL once: `sqlite://PATH` (embedded, the default) or `postgres://...`.
//!
//! Registrations go through a group-commit writer ([`writer`]): concurrent requests are gathered
//! into one transaction, so a vehicle is written whole or not at all and the commit's cost is
//! shared. Both backends run the same SQL ([`sql`]); only connection set-up and DDL differ.

use std::sync::Arc;

use async_trait::async_trait;
use cordon_domain::access::{PassageRead, TrajectoryRead};
use cordon_domain::checkpoint::{
    Checkpoint, CheckpointCode, CheckpointKind, CheckpointStatus, DefenceLine, Jurisdiction,
    Location, StatusEvent,
};
use cordon_domain::division::DivisionCode;
use cordon_domain::passage::{Decision, Passage, PassageDraft, Role, TrajectoryPoint};
use cordon_domain::status::PersonStatus;
use uuid::Uuid;

mod access_sql;
pub mod access_store;
mod error;
mod hours;
pub mod keyring;
mod migrate;
mod policy_sql;
pub mod policy_store;
mod postgres;
mod retention_sql;
mod rows;
pub mod scratch;
mod sql;
mod sqlite;
mod sqlite_read;
mod sqlite_writer;
mod station_sql;
pub mod station_store;
mod status_sql;
pub mod status_store;
mod sync_sql;
pub mod sync_store;
mod trace_sql;
pub mod trace_store;
pub mod writer;

pub use access_store::AccessStore;
pub use error::{RecordRejection, StoreError};
pub use policy_store::PolicyStore;
pub use station_store::StationStore;
pub use status_store::StatusStore;
pub use sync_store::SyncStore;
pub use trace_store::TraceStore;

/// A registration ready to be recorded: the parsed draft, the decision taken at the lane, the
/// fingerprint that recognises a retry, and its stored forms. The stored forms are made here, by
/// the request's own task, so that the single writer only writes.
#[derive(Debug, Clone)]
pub struct NewPassage {
    pub draft: PassageDraft,
    pub decision: Decision,
    pub fingerprint: [u8; 32],
    pub(crate) decision_json: String,
    /// The occupants' stored form, sealed with the keyring ([`keyring::Keyring::seal`]).
    pub(crate) sealed: Vec<u8>,
    /// The occupants' keyed hashes, written into `occupant_keys` for the trace index.
    pub(crate) doc_keys: Vec<String>,
    /// The occupants' keyed hashes with their roles, as the trace index reads them
    /// ([`rows::occupant_keys`]).
    pub(crate) occupant_keys: String,
    /// The compact facts a dry-run replays ([`cordon_domain::policy::facts`]).
    pub(crate) facts: Vec<u8>,
    /// The audit entry of the request this passage opens, appended in the same transaction as
    /// the passages when the request is accepted (see [`NewPassage::set_audit`]).
    pub(crate) audit: Option<cordon_domain::audit::AuditEntry>,
    /// Recorded at an edge station ([`NewPassage::from_station`]).
    pub(crate) from_station: bool,
}

impl NewPassage {
    /// A registration decided without person statuses (the demo's generated traffic, tests).
    pub fn new(draft: PassageDraft, decision: Decision, keyring: &keyring::Keyring) -> Self {
        Self::decided(draft, keyring, |_, _| (decision, Vec::new()))
    }

    /// A registration decided by `decide`, which is given the draft and its occupants' keyed
    /// hashes (in order) and answers the decision and the statuses it used; the statuses are
    /// stored in the passage's facts.
    pub fn decided(
        draft: PassageDraft,
        keyring: &keyring::Keyring,
        decide: impl FnOnce(&PassageDraft, &[String]) -> (Decision, Vec<PersonStatus>),
    ) -> Self {
        let doc_keys: Vec<String> = draft
            .occupants
            .iter()
            .map(|o| keyring.person(&o.person.document))
            .collect();
        let (decision, statuses) = decide(&draft, &doc_keys);
        let fingerprint = draft.fingerprint();
        let decision_json = serde_json::to_string(&decision).expect("decisions serialise");
        let sealed = keyring.seal(
            draft.id.as_bytes(),
            rows::occupants_json(&draft.occupants).as_bytes(),
        );
        let facts = cordon_domain::policy::facts::encode(&draft, &statuses);
        let occupant_keys = rows::occupant_keys(&draft.occupants, &doc_keys);
        Self {
            draft,
            decision,
            fingerprint,
            decision_json,
            sealed,
            doc_keys,
            occupant_keys,
            facts,
            audit: None,
            from_station: false,
        }
    }

    /// A registration an edge station recorded and now pushes: kept even if the hub holds the
    /// checkpoint closed now (the station recorded it while it was open there).
    pub fn from_station(mut self) -> Self {
        self.from_station = true;
        self
    }

    /// Carries the audit entry of the request this passage is the first of: it is appended to
    /// the audit chain in the transaction that records the request, so a registration costs one
    /// commit, and an acknowledged registration always has its entry.
    pub fn set_audit(&mut self, entry: cordon_domain::audit::AuditEntry) {
        self.audit = Some(entry);
    }

    /// The occupants' keyed hashes ([`keyring::Keyring::person`]), in order.
    pub fn subjects(&self) -> &[String] {
        &self.doc_keys
    }
}

/// What became of one registration.
#[derive(Debug, Clone)]
pub enum Recorded {
    /// Written now.
    Created(Passage),
    /// Written before with the same content: the first answer, nothing written.
    Replayed(Passage),
}

impl Recorded {
    pub fn passage(&self) -> &Passage {
        match self {
            Recorded::Created(p) | Recorded::Replayed(p) => p,
        }
    }
    pub fn into_passage(self) -> Passage {
        match self {
            Recorded::Created(p) | Recorded::Replayed(p) => p,
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewJurisdiction {
    pub code: DivisionCode,
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct NewCheckpoint {
    pub code: CheckpointCode,
    pub name: String,
    pub jurisdiction: DivisionCode,
    pub kind: CheckpointKind,
    pub defence_line: DefenceLine,
    pub location: Location,
    pub lanes: u16,
    pub cameras: u16,
    pub status: CheckpointStatus,
}

/// Fields to change on a checkpoint; `None` leaves a field as it is. Status changes go through
/// [`Store::set_checkpoint_status`] so that each is kept in the history.
#[derive(Debug, Clone, Default)]
pub struct CheckpointPatch {
    pub name: Option<String>,
    pub kind: Option<CheckpointKind>,
    pub defence_line: Option<DefenceLine>,
    pub location: Option<Location>,
    pub lanes: Option<u16>,
    pub cameras: Option<u16>,
}

#[derive(Debug, Clone, Default)]
pub struct CheckpointFilter {
    /// Only checkpoints within this division (province, city or county).
    pub within: Option<DivisionCode>,
    pub status: Option<CheckpointStatus>,
    pub defence_line: Option<DefenceLine>,
    pub kind: Option<CheckpointKind>,
}

/// Open or close many checkpoints at once, with one reason.
#[derive(Debug, Clone)]
pub struct StatusChange {
    pub codes: Vec<CheckpointCode>,
    pub status: CheckpointStatus,
    pub reason: String,
    pub actor: String,
}

/// What a bulk status change did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChangeSummary {
    pub changed: Vec<CheckpointCode>,
    pub unchanged: Vec<CheckpointCode>,
}

/// A half-open interval of instants, milliseconds since the epoch: `from <= t < to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from_ms: i64,
    pub to_ms: i64,
}

/// Position after which a page continues: the last row's time and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub observed_ms: i64,
    pub id: Uuid,
}

impl Cursor {
    pub fn encode(&self) -> String {
        format!("{}_{}", self.observed_ms, self.id.simple())
    }

    pub fn decode(s: &str) -> Option<Cursor> {
        let (ms, id) = s.split_once('_')?;
        Some(Cursor {
            observed_ms: ms.parse().ok()?,
            id: Uuid::try_parse(id).ok()?,
        })
    }
}

#[derive(Debug, Clone)]
pub struct PassageQuery {
    pub checkpoint: CheckpointCode,
    pub period: Period,
    pub after: Option<Cursor>,
    pub limit: u32,
}

#[derive(Debug, Clone)]
pub struct PassagePage {
    pub passages: Vec<Passage>,
    /// Present when more rows follow.
    pub next: Option<Cursor>,
}

/// Vehicles and persons counted at one checkpoint in one hour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HourlyCount {
    /// Start of the hour, milliseconds since the epoch.
    pub hour_ms: i64,
    pub passages: i64,
    pub persons: i64,
}

/// The storage interface. Every backend passes the same conformance suite (`tests/`).
#[async_trait]
pub trait Store:
    PolicyStore
    + AccessStore
    + StatusStore
    + StationStore
    + SyncStore
    + TraceStore
    + Send
    + Sync
    + 'static
{
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;

    /// The keyring personal data is sealed and indexed with.
    fn keyring(&self) -> &keyring::Keyring;

    async fn ping(&self) -> Result<(), StoreError>;

    async fn create_jurisdiction(&self, j: NewJurisdiction) -> Result<Jurisdiction, StoreError>;
    async fn list_jurisdictions(&self) -> Result<Vec<Jurisdiction>, StoreError>;
    async fn get_jurisdiction(&self, code: DivisionCode) -> Result<Jurisdiction, StoreError>;
    async fn rename_jurisdiction(
        &self,
        code: DivisionCode,
        name: String,
    ) -> Result<Jurisdiction, StoreError>;

    /// Creates a checkpoint and the first entry of its status history.
    async fn create_checkpoint(
        &self,
        c: NewCheckpoint,
        actor: &str,
    ) -> Result<Checkpoint, StoreError> {
        let code = c.code.clone();
        self.create_checkpoints(vec![c], actor).await?;
        self.get_checkpoint(&code).await
    }
    /// Creates many checkpoints in one transaction: all of them, or none.
    async fn create_checkpoints(
        &self,
        list: Vec<NewCheckpoint>,
        actor: &str,
    ) -> Result<(), StoreError>;
    async fn list_checkpoints(&self, f: &CheckpointFilter) -> Result<Vec<Checkpoint>, StoreError>;
    async fn get_checkpoint(&self, code: &CheckpointCode) -> Result<Checkpoint, StoreError>;
    async fn update_checkpoint(
        &self,
        code: &CheckpointCode,
        patch: CheckpointPatch,
    ) -> Result<Checkpoint, StoreError>;
    /// Opens or closes all the listed checkpoints in one transaction, or none of them.
    async fn set_checkpoint_status(
        &self,
        change: StatusChange,
    ) -> Result<StatusChangeSummary, StoreError>;
    async fn checkpoint_history(
        &self,
        code: &CheckpointCode,
    ) -> Result<Vec<StatusEvent>, StoreError>;

    /// Records registrations as one unit: all of them, or none with the first rejection.
    /// Retries (same id, same fingerprint) are answered with the first record and write nothing.
    async fn record_passages(&self, passages: Vec<NewPassage>)
        -> Result<Vec<Recorded>, StoreError>;
    /// A passage the grant covers, with the corrections that link it to others (`supersedes`,
    /// `superseded_by`); one outside its scope or period is `NotFound`, like one that does not
    /// exist.
    async fn get_passage(&self, grant: &PassageRead, id: Uuid) -> Result<Passage, StoreError>;
    /// `Forbidden` for a checkpoint outside the grant's scope; nothing before its `since`.
    async fn passages_at_checkpoint(
        &self,
        grant: &PassageRead,
        q: &PassageQuery,
    ) -> Result<PassagePage, StoreError>;
    async fn hourly_counts(
        &self,
        grant: &PassageRead,
        checkpoint: &CheckpointCode,
        period: Period,
    ) -> Result<Vec<HourlyCount>, StoreError>;
    async fn count_passages(&self) -> Result<i64, StoreError>;

    /// The listed passages (a person's or a vehicle's, as the trace index finds them, with the
    /// person's role in each) that lie in the grant's scope and still carry personal data, in
    /// time order; the others are left out as if they did not exist.
    async fn trajectory(
        &self,
        grant: &TrajectoryRead,
        passages: &[(Uuid, Option<Role>)],
    ) -> Result<Vec<TrajectoryPoint>, StoreError>;

    /// Removes the personal data of passages observed before `before_ms`: the sealed occupants,
    /// their keys (`occupant_keys`), the plate and the facts. What remains (checkpoint, time, counts,
    /// outcome, decision) keeps the statistics. Answers what was purged.
    async fn purge_personal_data(&self, before_ms: i64) -> Result<Purged, StoreError>;

    /// Benchmark baseline: inserts the rows with one prepared statement per row in a single
    /// transaction, with no checks and no idempotency. Never used to serve requests.
    async fn insert_raw_baseline(&self, passages: Vec<NewPassage>) -> Result<(), StoreError>;
}

/// What a retention purge removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    pub passages: u64,
    pub persons: u64,
}

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
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(
            postgres::PgStore::open(url, options, keyring).await?,
        ))
    } else if url.starts_with("sqlite:") {
        Ok(Arc::new(
            sqlite::SqliteStore::open(url, options, keyring).await?,
        ))
    } else {
        Err(StoreError::Config(format!(
            "unsupported database URL scheme in '{}': use sqlite://PATH or postgres://...",
            url.split("://").next().unwrap_or(url)
        )))
    }
}
