//! What the trace engine reads from the store: passages in the order they were recorded (to
//! load its index and keep it current), the checkpoints' internal numbers (to filter by scope),
//! and the occupants of the passages a trace names (to show them, masked). [`TraceStore`] is a
//! supertrait of [`crate::Store`]; its SQL ([`sql`]) is written once for both backends, and the
//! SQL reference a trace is tested and timed against is in [`reference`].

use async_trait::async_trait;
use cordon_domain::access::trace::TrajectoryRead;
use cordon_domain::checkpoint::CheckpointCode;
use cordon_domain::division::DivisionCode;
use cordon_domain::passage::{Occupant, Role};
use uuid::Uuid;

use crate::StoreError;

mod bench_load;
pub(crate) mod direct;
mod reference;
mod sql;

/// The columns of a trace row, from `passages`.
pub(crate) const TRACE_ROW_COLUMNS: &str = "SELECT id, checkpoint_id, lane, direction, \
     observed_at, recorded_at, plate, occupant_keys FROM passages";

/// Passages recorded after a cursor (`$1` time, `$2` id) and before `$4`, in recording order,
/// at most `$3`, leaving out purged ones: what the trace index reads.
pub(crate) const TRACE_ROWS_WHERE: &str = " WHERE recorded_at >= $1 \
     AND (recorded_at > $1 OR id > $2) AND recorded_at < $4 AND occupant_keys IS NOT NULL \
     ORDER BY recorded_at, id LIMIT $3";

/// Positions in the recording order, from the recording index alone.
pub(crate) const TRACE_POSITIONS: &str = "SELECT recorded_at, id FROM passage_core \
     WHERE recorded_at >= $1 AND (recorded_at > $1 OR id > $2) ORDER BY recorded_at, id LIMIT $3";

/// Position in the recording order: rows after this one come next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraceCursor {
    pub recorded_ms: i64,
    pub id: Uuid,
}

impl TraceCursor {
    /// Before every row recorded at or after `ms`.
    pub fn since(ms: i64) -> Self {
        Self {
            recorded_ms: ms,
            id: Uuid::nil(),
        }
    }
}

/// A passage as the trace index holds it: no personal data but the occupants' keyed hashes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceRow {
    pub id: Uuid,
    pub checkpoint_id: i64,
    pub lane: i64,
    pub inbound: bool,
    pub observed_ms: i64,
    pub recorded_ms: i64,
    pub plate: Option<String>,
    /// Keyed hashes (hex of the first 16 bytes of [`crate::keyring::Keyring::person`], what the
    /// trace index keys a person by) and roles, in the occupants' order.
    pub occupants: Vec<(String, Role)>,
}

/// A passage a correction superseded, with where and when it was observed (where the live
/// index looks for it to withdraw it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Superseded {
    pub id: Uuid,
    pub checkpoint_id: i64,
    pub observed_ms: i64,
}

/// A checkpoint's internal number, as trace rows carry it, with what scopes are checked on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceCheckpoint {
    pub id: i64,
    pub code: CheckpointCode,
    pub jurisdiction: DivisionCode,
}

#[async_trait]
pub trait TraceStore: Send + Sync {
    /// Up to `limit` passages recorded after `after` and before `until_ms`, in recording order,
    /// leaving out those whose personal data was purged.
    async fn trace_rows(
        &self,
        after: TraceCursor,
        until_ms: i64,
        limit: u32,
    ) -> Result<Vec<TraceRow>, StoreError>;

    /// The first and the last recording time of the passages held (none: no passage): the
    /// trace index's load reads the span in parts at once.
    async fn trace_span(&self) -> Result<Option<(i64, i64)>, StoreError>;

    /// Up to `limit` positions of passages recorded after `after`, in recording order (read
    /// from the recording index alone): the live index checks them against what it holds and
    /// reads whole rows ([`TraceStore::trace_rows_by_id`]) only for those it lacks.
    async fn trace_positions(
        &self,
        after: TraceCursor,
        limit: u32,
    ) -> Result<Vec<TraceCursor>, StoreError>;

    /// The listed passages as [`TraceStore::trace_rows`] reads them (purged ones left out), in
    /// recording order.
    async fn trace_rows_by_id(&self, ids: &[Uuid]) -> Result<Vec<TraceRow>, StoreError>;

    async fn trace_checkpoints(&self) -> Result<Vec<TraceCheckpoint>, StoreError>;

    /// How many corrections are recorded: the live index reads them again when this changes.
    async fn count_corrections(&self) -> Result<i64, StoreError>;

    /// Every passage a correction superseded (which traces and trajectories leave out).
    async fn superseded_passages(&self) -> Result<Vec<Superseded>, StoreError>;

    /// The occupants of the listed passages that lie in the grant's scope (others are left out,
    /// as if they did not exist), opened from their sealed form.
    async fn trace_occupants(
        &self,
        grant: &TrajectoryRead,
        ids: &[Uuid],
    ) -> Result<Vec<(Uuid, Vec<Occupant>)>, StoreError>;

    /// Benchmark only, on a fresh database: bulk-loads passages that carry keys but no personal
    /// data and no decision, with the secondary indexes dropped during the load and built again
    /// after it. Never used to serve requests.
    async fn load_trace_bench(&self, rows: Vec<TraceRow>) -> Result<(), StoreError>;

    /// Tests and benchmarks only: (re)builds the SQL reference's own indexes (a person index,
    /// a plate index and a checkpoint-first index, which registrations do not keep) from the
    /// passages stored now, so
    /// that [`TraceStore::trace_hop_sql`] can run. It slows every later registration: never call
    /// it on a hub that serves lanes.
    async fn build_trace_reference(&self) -> Result<(), StoreError>;

    /// One hop of a case trace in SQL over the passages and the reference's indexes (see
    /// [`SqlTraceQuery`], [`TraceStore::build_trace_reference`]); only passages in the grant's
    /// scope count.
    async fn trace_hop_sql(
        &self,
        grant: &TrajectoryRead,
        q: &SqlTraceQuery,
    ) -> Result<SqlHop, StoreError>;
}

/// A trace's subject, as the SQL reference takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SqlSubject {
    /// The person's keyed hash ([`crate::keyring::Keyring::person`]; its first 16 bytes count).
    Person(String),
    Plate(String),
}

/// One hop of a case trace, asked of the database itself: the reference the trace index is
/// tested against, and what the trace benchmark times on each backend.
#[derive(Debug, Clone)]
pub struct SqlTraceQuery {
    pub subject: SqlSubject,
    pub period: crate::Period,
    pub window_ms: i64,
    pub same_direction: bool,
    pub same_lane: bool,
}

/// One link the SQL reference found.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SqlLink {
    /// `same_vehicle`, `same_checkpoint` or `shared_vehicle`.
    pub kind: &'static str,
    /// The contact's keyed hash.
    pub person: String,
    /// The passage the contact was in.
    pub passage: Uuid,
    pub gap_ms: i64,
}

/// What one hop found: the subject's passages (in scope, in the period) and every link.
#[derive(Debug, Clone, Default)]
pub struct SqlHop {
    pub subject_passages: Vec<Uuid>,
    pub links: Vec<SqlLink>,
}
