//! The passage registry: registrations recorded through the group-commit writer ([`writer`],
//! with a backend's own writer beneath it: [`sqlite_writer`], [`postgres_writer`]) and read back
//! by id, by checkpoint and time, as hourly counts, and as trajectory points ([`reads`]), with
//! the corrections that link a passage to the one it replaces. [`PassageStore`] is a supertrait
//! of [`crate::Store`].

use async_trait::async_trait;
use cordon_domain::access::passage::PassageRead;
use cordon_domain::access::trace::TrajectoryRead;
use cordon_domain::checkpoint::CheckpointCode;
use cordon_domain::command::roster::ShiftRef;
use cordon_domain::passage::{Decision, Passage, PassageDraft, Role, TrajectoryPoint};
use cordon_domain::policy::facts::Known;
use uuid::Uuid;

use crate::keyring::Keyring;
use crate::StoreError;

pub(crate) mod columns;
pub(crate) mod compact;
pub(crate) mod direct;
pub(crate) mod postgres_read;
pub(crate) mod postgres_rows;
pub(crate) mod postgres_writer;
mod reads;
pub(crate) mod rows;
pub(crate) mod sqlite_writer;
pub(crate) mod varint;
pub(crate) mod words;
pub(crate) mod words_sql;
pub mod writer;

/// A registration ready to be recorded: the parsed draft, the decision taken at the lane, the
/// fingerprint that recognises a retry, and its stored forms. The stored forms are made here, by
/// the request's own task, so that the single writer only writes (the decision's compact form
/// names the words of the dictionary, so the writer makes that one, [`words`]).
#[derive(Debug, Clone)]
pub struct NewPassage {
    pub draft: PassageDraft,
    pub decision: Decision,
    pub fingerprint: [u8; 32],
    /// The occupants' identities and declared tests ([`compact::identities_bytes`]: the rest is
    /// in `facts`), sealed with the keyring ([`Keyring::seal`]).
    pub(crate) sealed: Vec<u8>,
    /// The occupants' keyed hashes, written into `occupant_keys` for the trace index.
    pub(crate) doc_keys: Vec<String>,
    /// The occupants' keyed hashes with their roles, as the trace index reads them
    /// ([`compact::occupant_keys_bytes`]).
    pub(crate) occupant_keys: Vec<u8>,
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
    pub fn new(draft: PassageDraft, decision: Decision, keyring: &Keyring) -> Self {
        Self::decided(draft, keyring, |_, _| (decision, Known::default()))
    }

    /// A registration decided by `decide`, which is given the draft and its occupants' keyed
    /// hashes (in order) and answers the decision and what it knew of the occupants (statuses,
    /// lab results), which is stored in the passage's facts.
    pub fn decided(
        draft: PassageDraft,
        keyring: &Keyring,
        decide: impl FnOnce(&PassageDraft, &[String]) -> (Decision, Known),
    ) -> Self {
        let doc_keys: Vec<String> = draft
            .occupants
            .iter()
            .map(|o| keyring.person(&o.person.document))
            .collect();
        let (decision, known) = decide(&draft, &doc_keys);
        let fingerprint = draft.fingerprint();
        let engine_tests: Vec<_> = (draft.occupants.iter().enumerate())
            .map(|(i, o)| known.occupant(o, i).test)
            .collect();
        let sealed = keyring.seal(
            draft.id.as_bytes(),
            &compact::identities_bytes(&draft.occupants, &engine_tests),
        );
        let facts = cordon_domain::policy::facts::encode(&draft, &known);
        let occupant_keys = compact::occupant_keys_bytes(&draft.occupants, &doc_keys);
        Self {
            draft,
            decision,
            fingerprint,
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

    /// The occupants' keyed hashes ([`Keyring::person`]), in order.
    pub fn subjects(&self) -> &[String] {
        &self.doc_keys
    }

    /// The part of the fingerprint that is stored ([`FINGERPRINT_BYTES`]).
    pub(crate) fn stored_fingerprint(&self) -> &[u8] {
        &self.fingerprint[..FINGERPRINT_BYTES]
    }
}

/// Bytes of a registration's fingerprint kept with its passage: enough to tell a retry from a
/// different registration under the same id (the retry of the same id by the same client is
/// the only thing compared), a quarter of the hash.
pub(crate) const FINGERPRINT_BYTES: usize = 8;

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

#[async_trait]
pub trait PassageStore: Send + Sync + 'static {
    /// Records registrations as one unit: all of them, or none with the first rejection.
    /// Retries (same id, same fingerprint) are answered with the first record and write nothing.
    async fn record_passages(&self, passages: Vec<NewPassage>)
        -> Result<Vec<Recorded>, StoreError>;
    /// A passage the grant covers, with the corrections that link it to others (`supersedes`,
    /// `superseded_by`); one outside its scope or period is `NotFound`, like one that does not
    /// exist.
    async fn get_passage(&self, grant: &PassageRead, id: Uuid) -> Result<Passage, StoreError>;
    /// [`Self::get_passage`] with the shift that held its checkpoint at its time (`None`: the
    /// roster had none), as the passage's read answers it.
    async fn get_passage_on_duty(
        &self,
        grant: &PassageRead,
        id: Uuid,
    ) -> Result<(Passage, Option<ShiftRef>), StoreError>;
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

    /// Notes corrections: each passage and the earlier one it supersedes (noted once).
    async fn record_corrections(&self, links: &[(Uuid, Uuid)]) -> Result<(), StoreError>;

    /// The corrections touching these passages, either way: `(passage, the one it supersedes)`.
    async fn corrections(&self, ids: &[Uuid]) -> Result<Vec<(Uuid, Uuid)>, StoreError>;

    /// The checkpoint a passage was recorded at, if it exists (no personal data: what a
    /// correction is checked against).
    async fn passage_checkpoint(&self, id: Uuid) -> Result<Option<String>, StoreError>;

    /// Benchmark baseline: inserts the rows with one prepared statement per row in a single
    /// transaction, with no checks and no idempotency. Never used to serve requests.
    async fn insert_raw_baseline(&self, passages: Vec<NewPassage>) -> Result<(), StoreError>;
}
