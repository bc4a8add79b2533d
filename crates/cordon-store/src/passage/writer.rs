//! Group commit for registrations. Requests arrive from many connections at once; one writer per
//! process gathers whatever is waiting (up to a row budget) into a single transaction, commits
//! it, and answers each request. A vehicle is written whole or not at all, a rejected request
//! writes nothing, and the commit's cost is shared by everyone in the group.
//!
//! What each request in a group comes to ([`plan_group`]) is decided here once for both backends;
//! the backends only read the facts it needs (checkpoints, ids already stored) and write the plan.
//! PostgreSQL's writer is an async task ([`GroupWrite`]); SQLite's is a thread that owns a
//! direct connection ([`BlockingGroupWrite`]), because the embedded database is fastest driven
//! synchronously, without a round trip between threads per statement.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, FixedOffset};
use cordon_domain::audit::AuditEntry;
use cordon_domain::passage::{Decision, Passage};
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

use super::{rows, NewPassage, Recorded};
use crate::{RecordRejection, StoreError};

/// What became of one passage of a group. The writer answers this, not the passage itself: the
/// request turns it back into a [`Recorded`] from its own registration, so that the one writer
/// neither copies nor frees the passages it writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Slot {
    /// Written now, at this time.
    Created(DateTime<FixedOffset>),
    /// Written before with the same content (stored, or earlier in the same group): when it was
    /// recorded and what was decided then.
    Replayed(DateTime<FixedOffset>, Decision),
}

impl Slot {
    /// The record of `p` this slot makes.
    pub fn record(self, p: NewPassage) -> Recorded {
        match self {
            Slot::Created(at) => Recorded::Created(Passage::new(p.draft, at, p.decision)),
            Slot::Replayed(at, decision) => Recorded::Replayed(Passage::new(p.draft, at, decision)),
        }
    }
}

/// The result of one request in a group: what became of each of its passages, or why it was
/// refused.
pub type JobResult = Result<Vec<Slot>, RecordRejection>;

/// A backend that writes a group of requests in one transaction, asynchronously: the
/// registrations of `jobs`, the audit entries of those it accepts, then `audit` (the entries of
/// other requests, sent by the audit appender) in the same transaction.
#[async_trait]
pub trait GroupWrite: Send + Sync + 'static {
    async fn write_group(
        &self,
        jobs: &[&[NewPassage]],
        audit: &[&AuditEntry],
    ) -> Result<Vec<JobResult>, StoreError>;
}

/// A backend that writes a group of requests in one transaction, on its own thread (as
/// [`GroupWrite`]), and the retention purge's slices between its groups.
pub trait BlockingGroupWrite: Send + 'static {
    fn write_group(
        &mut self,
        jobs: &[&[NewPassage]],
        audit: &[&AuditEntry],
    ) -> Result<Vec<JobResult>, StoreError>;

    /// Empties the personal data of the passages `rows` names (their row ids) that still hold
    /// it, in one transaction; answers each one's persons.
    fn purge(&mut self, rows: &[i64]) -> Result<Vec<i64>, StoreError>;
}

/// A checkpoint as a registration needs it.
pub(crate) struct Lane {
    pub id: i64,
    pub lanes: i64,
    pub open: bool,
}

/// The stored facts that make a retry's answer: when it was recorded and what was decided.
pub(crate) struct Existing {
    /// The stored part of the fingerprint (all of it before migration 38).
    pub fingerprint: Vec<u8>,
    pub recorded_at: DateTime<FixedOffset>,
    pub decision: Decision,
}

impl Existing {
    /// From the stored columns, the decision read with `words`.
    pub fn from_columns(
        fingerprint: Vec<u8>,
        recorded_at: i64,
        decision: &[u8],
        words: &super::words::Words,
    ) -> Result<Self, StoreError> {
        Ok(Existing {
            fingerprint,
            recorded_at: rows::china_time(recorded_at)?,
            decision: words.decision(decision)?,
        })
    }

    /// Whether `p` is the same registration sent again.
    fn is_retry_of(&self, p: &NewPassage) -> bool {
        self.fingerprint.len() >= super::FINGERPRINT_BYTES
            && p.fingerprint.starts_with(&self.fingerprint)
    }
}

/// What a group comes to: the answer to each request, and the rows to insert (with their
/// checkpoint's id).
pub(crate) struct Plan<'a> {
    pub results: Vec<JobResult>,
    pub to_insert: Vec<(&'a NewPassage, i64)>,
}

/// The audit entries of the accepted requests of a group, in order, then the group's other
/// entries.
pub(crate) fn accepted_audit<'a>(
    jobs: &[&'a [NewPassage]],
    results: &[JobResult],
    others: &[&'a AuditEntry],
) -> Vec<&'a AuditEntry> {
    jobs.iter()
        .zip(results)
        .filter(|(_, r)| r.is_ok())
        .flat_map(|(job, _)| job.iter().filter_map(|p| p.audit.as_ref()))
        .chain(others.iter().copied())
        .collect()
}

/// The distinct checkpoint codes and all ids of a group: the facts [`plan_group`] needs.
pub(crate) fn group_keys<'a>(jobs: &[&'a [NewPassage]]) -> (Vec<&'a str>, Vec<Uuid>) {
    let mut codes: Vec<&str> = jobs
        .iter()
        .flat_map(|j| j.iter().map(|p| p.draft.checkpoint.as_str()))
        .collect();
    codes.sort_unstable();
    codes.dedup();
    let ids = jobs
        .iter()
        .flat_map(|j| j.iter().map(|p| p.draft.id))
        .collect();
    (codes, ids)
}

/// Decides each request of a group, in order. Ids accepted earlier in the group count as
/// stored; a request with any refused passage is refused whole.
pub(crate) fn plan_group<'a>(
    jobs: &[&'a [NewPassage]],
    lanes: &HashMap<String, Lane>,
    existing: &HashMap<Uuid, Existing>,
    recorded_at: i64,
) -> Result<Plan<'a>, StoreError> {
    let now = rows::china_time(recorded_at)?;
    let mut accepted: HashMap<Uuid, &NewPassage> = HashMap::new();
    let mut plan = Plan {
        results: Vec::with_capacity(jobs.len()),
        to_insert: Vec::new(),
    };
    for job in jobs {
        let mut slots = Vec::with_capacity(job.len());
        let mut fresh: Vec<(&'a NewPassage, i64)> = Vec::new();
        let mut refused = None;
        for (index, p) in job.iter().enumerate() {
            let d = &p.draft;
            let lane = match lanes.get(d.checkpoint.as_str()) {
                None => Err(RecordRejection::UnknownCheckpoint { index }),
                Some(l) if !l.open && !p.from_station => {
                    Err(RecordRejection::CheckpointClosed { index })
                }
                Some(l) if i64::from(d.lane) > l.lanes => Err(RecordRejection::LaneOutOfRange {
                    index,
                    lanes: l.lanes as u16,
                }),
                Some(l) => Ok(l.id),
            };
            let outcome = lane.and_then(|checkpoint_id| {
                if let Some(e) = existing.get(&d.id) {
                    if !e.is_retry_of(p) {
                        return Err(RecordRejection::IdConflict { index });
                    }
                    return Ok(Slot::Replayed(e.recorded_at, e.decision.clone()));
                }
                if let Some(first) = accepted.get(&d.id) {
                    if first.fingerprint != p.fingerprint {
                        return Err(RecordRejection::IdConflict { index });
                    }
                    return Ok(Slot::Replayed(now, first.decision.clone()));
                }
                if let Some((first, _)) = fresh.iter().find(|(f, _)| f.draft.id == d.id) {
                    if first.fingerprint != p.fingerprint {
                        return Err(RecordRejection::DuplicateInBatch { index });
                    }
                    return Ok(Slot::Replayed(now, first.decision.clone()));
                }
                fresh.push((p, checkpoint_id));
                Ok(Slot::Created(now))
            });
            match outcome {
                Ok(slot) => slots.push(slot),
                Err(r) => {
                    refused = Some(r);
                    break;
                }
            }
        }
        match refused {
            Some(r) => plan.results.push(Err(r)),
            None => {
                for (p, _) in &fresh {
                    accepted.insert(p.draft.id, p);
                }
                plan.to_insert.extend(fresh);
                plan.results.push(Ok(slots));
            }
        }
    }
    Ok(plan)
}

/// A request for the writer: registrations, or audit entries of other requests (or both).
struct Job {
    passages: Vec<NewPassage>,
    audit: Vec<AuditEntry>,
    reply: oneshot::Sender<Reply>,
}

/// A slice of the retention purge for the writer's own connection ([`PassageWriter::purge`]).
struct Purge {
    rows: Vec<i64>,
    reply: oneshot::Sender<Result<Vec<i64>, StoreError>>,
}

/// What the writer is sent.
enum Work {
    Job(Job),
    Purge(Purge),
}

/// A job's passages, handed back with what became of them.
type Reply = (Vec<NewPassage>, Result<Vec<Slot>, StoreError>);

/// A group's inputs, borrowed from its jobs.
fn inputs(jobs: &[Job]) -> (Vec<&[NewPassage]>, Vec<&AuditEntry>) {
    (
        jobs.iter().map(|j| j.passages.as_slice()).collect(),
        jobs.iter().flat_map(|j| j.audit.iter()).collect(),
    )
}

/// Handle to the writer; cheap to clone.
#[derive(Clone)]
pub struct PassageWriter {
    tx: mpsc::Sender<Work>,
}

/// Most persons written in one group.
const GROUP_ROWS: usize = 4_000;

impl PassageWriter {
    /// A writer task driving an async backend.
    pub fn spawn(backend: Arc<dyn GroupWrite>) -> Self {
        let (tx, mut rx) = mpsc::channel::<Work>(4_096);
        tokio::spawn(async move {
            let mut next = None;
            loop {
                let work = match next.take() {
                    Some(work) => work,
                    None => match rx.recv().await {
                        Some(work) => work,
                        None => break,
                    },
                };
                let first = match work {
                    Work::Job(job) => job,
                    Work::Purge(p) => {
                        let refused = StoreError::Unavailable(
                            "this backend purges on its pool, not through the writer".into(),
                        );
                        let _ = p.reply.send(Err(refused));
                        continue;
                    }
                };
                let (jobs, after) = gather(first, &mut rx);
                next = after;
                let started = std::time::Instant::now();
                let (passages, audit) = inputs(&jobs);
                let outcome = backend.write_group(&passages, &audit).await;
                answer(jobs, outcome, started);
            }
        });
        Self { tx }
    }

    /// A writer thread driving a blocking backend. The purge's slices are written between its
    /// groups, in the order they were sent, so a lane waits for one slice at most.
    pub fn spawn_thread(mut backend: impl BlockingGroupWrite) -> Self {
        let (tx, mut rx) = mpsc::channel::<Work>(4_096);
        std::thread::Builder::new()
            .name("cordon-writer".into())
            .spawn(move || {
                let mut next = None;
                while let Some(work) = next.take().or_else(|| rx.blocking_recv()) {
                    let first = match work {
                        Work::Job(job) => job,
                        Work::Purge(p) => {
                            let _ = p.reply.send(backend.purge(&p.rows));
                            continue;
                        }
                    };
                    let (jobs, after) = gather(first, &mut rx);
                    next = after;
                    let started = std::time::Instant::now();
                    let (passages, audit) = inputs(&jobs);
                    let outcome = backend.write_group(&passages, &audit);
                    answer(jobs, outcome, started);
                }
            })
            .expect("start the writer thread");
        Self { tx }
    }

    /// Has the writer empty the personal data of the passages `rows` names (SQLite's row ids)
    /// on its own connection, between its groups: answers each purged passage's persons.
    /// Purged there, a slice neither makes the lanes' groups wait for SQLite's write lock nor
    /// empties the writer's page cache, as a commit on another connection does.
    pub async fn purge(&self, rows: Vec<i64>) -> Result<Vec<i64>, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.tx
            .send(Work::Purge(Purge { rows, reply }))
            .await
            .map_err(|_| StoreError::Closed)?;
        answer.await.map_err(|_| StoreError::Closed)?
    }

    pub async fn record(&self, passages: Vec<NewPassage>) -> Result<Vec<Recorded>, StoreError> {
        if passages.is_empty() {
            return Ok(Vec::new());
        }
        self.send(passages, Vec::new()).await
    }

    /// Appends audit entries to the chain in the next group's transaction: one writer per
    /// process extends the chain, so entries of reads share the registrations' commits instead
    /// of contending with them for the database's write lock.
    pub async fn append_audit(&self, audit: Vec<AuditEntry>) -> Result<(), StoreError> {
        if audit.is_empty() {
            return Ok(());
        }
        self.send(Vec::new(), audit).await.map(drop)
    }

    async fn send(
        &self,
        passages: Vec<NewPassage>,
        audit: Vec<AuditEntry>,
    ) -> Result<Vec<Recorded>, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.tx
            .send(Work::Job(Job {
                passages,
                audit,
                reply,
            }))
            .await
            .map_err(|_| StoreError::Closed)?;
        let (passages, slots) = answer.await.map_err(|_| StoreError::Closed)?;
        Ok(slots?
            .into_iter()
            .zip(passages)
            .map(|(slot, p)| slot.record(p))
            .collect())
    }
}

/// A job's weight against the group budget: its persons and its audit entries.
fn persons(job: &Job) -> usize {
    job.passages
        .iter()
        .map(|p| p.draft.occupants.len())
        .sum::<usize>()
        + job.audit.len()
}

/// The first job and whatever else is waiting, up to the row budget; a purge's slice met on the
/// way ends the group and comes back to be written after it.
fn gather(first: Job, rx: &mut mpsc::Receiver<Work>) -> (Vec<Job>, Option<Work>) {
    let mut rows = persons(&first);
    let mut jobs = vec![first];
    while rows < GROUP_ROWS {
        match rx.try_recv() {
            Ok(Work::Job(job)) => {
                rows += persons(&job);
                jobs.push(job);
            }
            Ok(purge) => return (jobs, Some(purge)),
            Err(_) => break,
        }
    }
    (jobs, None)
}

fn answer(
    jobs: Vec<Job>,
    outcome: Result<Vec<JobResult>, StoreError>,
    started: std::time::Instant,
) {
    metrics::histogram!("cordon_store_group_seconds").record(started.elapsed().as_secs_f64());
    metrics::histogram!("cordon_store_group_requests").record(jobs.len() as f64);
    match outcome {
        Ok(results) => {
            for (job, result) in jobs.into_iter().zip(results) {
                let _ = job
                    .reply
                    .send((job.passages, result.map_err(StoreError::Rejected)));
            }
        }
        Err(e) => {
            tracing::error!(error = %e, requests = jobs.len(), "group write failed");
            let text = e.to_string();
            for job in jobs {
                let _ = job
                    .reply
                    .send((job.passages, Err(StoreError::Unavailable(text.clone()))));
            }
        }
    }
}
