//! Group commit for scans. Samplers at many sites scan persons into tubes at once; one writer
//! per process gathers whatever scans are waiting into a single transaction, reads the facts the
//! group needs (its tubes, locked; who of its persons stands in an open tube or in the tube
//! already), decides every scan in order here ([`plan`]), writes the accepted ones and answers
//! each. A refused scan writes nothing and the others go on; a group that fails underneath is
//! written again scan by scan, so that one bad scan cannot fail its neighbours.
//!
//! What a scan comes to is decided once for both backends, by
//! [`cordon_domain::testing::tube`]'s rules in the same order as a scan alone would: the tube
//! (found, and served by the sampler), the person already in it (answered again), in another open
//! tube (refused), the tube's room, a recalled person alone; and which persons are new to their
//! campaign (its count of persons, whence its walk-ins). The audit entries of the scans it
//! answers are appended in the same transaction, so a scan waits for one commit, not two. PostgreSQL's writer is an async task
//! that writes a group's rows in one statement (`postgres.rs`); SQLite's a thread that owns a
//! direct connection (`sqlite.rs`), as the passage writer's.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use async_trait::async_trait;
use cordon_domain::access::testing::Sample;
use cordon_domain::audit::AuditEntry;
use cordon_domain::testing::antigen::CordonTest;
use cordon_domain::testing::lab::MemberResult;
use cordon_domain::testing::tube::{self, Tube, TubeState};
use cordon_domain::testing::{Barcode, PoolSize};
use tokio::sync::{mpsc, oneshot};

use super::{division, results_sql, Added, NewMember, TubeView};
use crate::StoreError;

pub(crate) mod postgres;
pub(crate) mod sqlite;

/// One scan: a person into a tube, by a sampler, at a time, with the audit entry of its
/// request (appended in the group's transaction if the scan is answered).
pub(crate) struct Scan {
    pub barcode: Barcode,
    pub grant: Sample,
    pub member: NewMember,
    pub at_ms: i64,
    pub audit: Option<AuditEntry>,
}

/// What [`plan`] decided of a scan: whether the person was in the tube already, or why it was
/// refused.
pub(crate) type Decided = Result<bool, StoreError>;

/// What became of a scan: the tube as it stands after the group, or why it was refused.
pub(crate) type ScanResult = Result<Added, StoreError>;

/// A tube as a write reads it (locked for the write's transaction).
#[derive(Debug, Clone)]
pub(crate) struct TubeRow {
    pub id: i64,
    pub state: String,
    pub pool_size: i64,
    pub members: i64,
    pub area: i64,
    pub campaign: i64,
}

/// A tube as a write reads it, ending `WHERE t.barcode`: the columns of [`TubeCols`].
pub(crate) const TUBE: &str = "SELECT t.id, t.state, t.pool_size, t.members, c.area, c.id \
     FROM testing_tubes t JOIN testing_sites s ON s.id = t.site_id \
     JOIN testing_campaigns c ON c.id = s.campaign_id WHERE t.barcode ";

/// The columns of [`TUBE`]: id, state, pool size, persons, the campaign's area and id.
pub(crate) type TubeCols = (i64, String, i64, i64, i64, i64);

impl From<TubeCols> for TubeRow {
    fn from((id, state, pool_size, members, area, campaign): TubeCols) -> Self {
        TubeRow {
            id,
            state,
            pool_size,
            members,
            area,
            campaign,
        }
    }
}

impl TubeRow {
    /// The tube as its rules see it.
    pub(crate) fn rules(&self) -> Result<Tube, StoreError> {
        Ok(Tube {
            state: TubeState::parse(&self.state)
                .map_err(|_| StoreError::Corrupt("tube state".into()))?,
            pool_size: PoolSize::parse(self.pool_size as u32)
                .map_err(|_| StoreError::Corrupt("pool size".into()))?,
            members: self.members as u32,
        })
    }
}

/// What is stored that a group's scans depend on.
#[derive(Debug, Default)]
pub(crate) struct Facts {
    /// The group's tubes by barcode.
    pub tubes: HashMap<String, TubeRow>,
    /// The open tube each of the group's persons stands in.
    pub open: HashMap<String, i64>,
    /// (tube, person) pairs stored among the group's tubes and persons.
    pub held: HashSet<(i64, String)>,
    /// (campaign, person) pairs stored: the group's persons and the campaigns whose tubes hold
    /// them.
    pub in_campaign: HashSet<(i64, String)>,
    /// The group's persons whose latest result is a positive pool's recall: they go into a
    /// tube of one only.
    pub recalled: HashSet<String>,
}

impl Facts {
    /// Notes the persons recalled, from their results as [`results_sql::latest_sql`] reads them.
    pub fn note_recalled(
        &mut self,
        persons: &[String],
        rows: Vec<results_sql::ResultRow>,
    ) -> Result<(), StoreError> {
        let latest = results_sql::fold(persons, rows)?;
        for (key, r) in persons.iter().zip(latest) {
            if r.is_some_and(|r| r.test == CordonTest::Lab(MemberResult::Recall)) {
                self.recalled.insert(key.clone());
            }
        }
        Ok(())
    }
}

/// A person to write into a tube: the scan, and the tube's id and campaign.
pub(crate) struct Accepted<'a> {
    pub scan: &'a Scan,
    pub tube: i64,
    pub campaign: i64,
}

/// What a group comes to: each scan's answer, the persons to write, each touched tube's new
/// count of persons, and each campaign's count of persons new to it.
pub(crate) struct Plan<'a> {
    pub results: Vec<Decided>,
    pub accepted: Vec<Accepted<'a>>,
    pub counts: Vec<(i64, i64)>,
    pub new_persons: Vec<(i64, i64)>,
}

fn in_open_tube() -> StoreError {
    StoreError::invalid(
        "in_open_tube",
        "document",
        "this person is in another open tube: seal that one first",
    )
}

/// Decides each scan of a group, in order; a scan accepted earlier in the group counts as
/// stored.
pub(crate) fn plan<'a>(scans: &[&'a Scan], mut facts: Facts) -> Plan<'a> {
    let mut accepted = Vec::new();
    let mut touched: Vec<i64> = Vec::new();
    let mut new_persons: Vec<(i64, i64)> = Vec::new();
    let results = scans
        .iter()
        .map(|s| {
            let key = &s.member.person_key;
            let Some(t) = facts
                .tubes
                .get_mut(s.barcode.as_str())
                .filter(|t| division(t.area).is_ok_and(|a| s.grant.serves(a)))
            else {
                return Err(StoreError::not_found(format!("tube {}", s.barcode)));
            };
            match facts.open.get(key) {
                Some(id) if *id == t.id => return Ok(true),
                Some(_) => return Err(in_open_tube()),
                None => {}
            }
            if facts.held.contains(&(t.id, key.clone())) {
                return Ok(true);
            }
            let rules = t.rules()?;
            tube::may_add(&rules).map_err(StoreError::Invalid)?;
            if facts.recalled.contains(key) {
                tube::may_take_recalled(&rules).map_err(StoreError::Invalid)?;
            }
            t.members += 1;
            facts.open.insert(key.clone(), t.id);
            if facts.in_campaign.insert((t.campaign, key.clone())) {
                match new_persons.iter_mut().find(|(c, _)| *c == t.campaign) {
                    Some((_, n)) => *n += 1,
                    None => new_persons.push((t.campaign, 1)),
                }
            }
            if !touched.contains(&t.id) {
                touched.push(t.id);
            }
            accepted.push(Accepted {
                scan: s,
                tube: t.id,
                campaign: t.campaign,
            });
            Ok(false)
        })
        .collect();
    let counts = touched
        .into_iter()
        .filter_map(|id| {
            let t = facts.tubes.values().find(|t| t.id == id)?;
            Some((id, t.members))
        })
        .collect();
    Plan {
        results,
        accepted,
        counts,
        new_persons,
    }
}

/// The distinct barcodes and persons of a group: the facts [`plan`] needs.
pub(crate) fn group_keys(scans: &[&Scan]) -> (Vec<String>, Vec<String>) {
    let mut codes: Vec<String> = scans.iter().map(|s| s.barcode.to_string()).collect();
    codes.sort_unstable();
    codes.dedup();
    let mut persons: Vec<String> = scans.iter().map(|s| s.member.person_key.clone()).collect();
    persons.sort_unstable();
    persons.dedup();
    (codes, persons)
}

/// The barcodes of the tubes a group's answers show: those of the scans not refused.
pub(crate) fn shown(scans: &[&Scan], decided: &[Decided]) -> Vec<String> {
    let mut codes: Vec<String> = scans
        .iter()
        .zip(decided)
        .filter(|(_, d)| d.is_ok())
        .map(|(s, _)| s.barcode.to_string())
        .collect();
    codes.sort_unstable();
    codes.dedup();
    codes
}

/// Each scan's answer: its decision, with its tube as the group left it.
/// The audit entries of the scans a group answers (added, or found in the tube already), in
/// order: appended in the group's transaction. A refused scan's request is audited as any
/// refusal is, after its answer.
pub(crate) fn answered_audit<'a>(scans: &[&'a Scan], decided: &[Decided]) -> Vec<&'a AuditEntry> {
    scans
        .iter()
        .zip(decided)
        .filter(|(_, d)| d.is_ok())
        .filter_map(|(s, _)| s.audit.as_ref())
        .collect()
}

pub(crate) fn answers(
    scans: &[&Scan],
    decided: Vec<Decided>,
    views: &HashMap<String, TubeView>,
) -> Vec<ScanResult> {
    scans
        .iter()
        .zip(decided)
        .map(|(s, d)| {
            let already = d?;
            let tube = views
                .get(s.barcode.as_str())
                .cloned()
                .ok_or_else(|| StoreError::Corrupt(format!("tube {} not read back", s.barcode)))?;
            Ok(Added { tube, already })
        })
        .collect()
}

/// A backend that writes a group of scans in one transaction, asynchronously; `Err` when the
/// group as a whole failed underneath (nothing of it written).
#[async_trait]
pub(crate) trait ScanGroupWrite: Send + Sync + 'static {
    async fn write_group(&self, scans: &[&Scan]) -> Result<Vec<ScanResult>, StoreError>;
}

/// A backend that writes a group of scans in one transaction on its own thread.
pub(crate) trait BlockingScanGroupWrite: Send + 'static {
    fn write_group(&mut self, scans: &[&Scan]) -> Result<Vec<ScanResult>, StoreError>;
}

struct Job {
    scan: Scan,
    reply: oneshot::Sender<ScanResult>,
}

/// Most scans written in one group.
const GROUP_SCANS: usize = 512;

/// Handle to the scan writer; cheap to clone.
#[derive(Clone)]
pub(crate) struct ScanWriter {
    tx: mpsc::Sender<Job>,
}

impl ScanWriter {
    /// A writer task driving an async backend.
    pub fn spawn(backend: Arc<dyn ScanGroupWrite>) -> Self {
        let (tx, mut rx) = mpsc::channel::<Job>(4_096);
        tokio::spawn(async move {
            while let Some(first) = rx.recv().await {
                let jobs = gather(first, &mut rx);
                let scans: Vec<&Scan> = jobs.iter().map(|j| &j.scan).collect();
                let outcome = match backend.write_group(&scans).await {
                    Ok(results) => Ok(results),
                    Err(e) if scans.len() > 1 => {
                        tracing::warn!(error = %e, scans = scans.len(), "scan group failed; writing its scans one by one");
                        let mut each = Vec::with_capacity(scans.len());
                        for s in &scans {
                            each.push(backend.write_group(&[s]).await.and_then(one));
                        }
                        Ok(each)
                    }
                    Err(e) => Err(e),
                };
                answer(jobs, outcome);
            }
        });
        Self { tx }
    }

    /// A writer thread driving a blocking backend.
    pub fn spawn_thread(mut backend: impl BlockingScanGroupWrite) -> Self {
        let (tx, mut rx) = mpsc::channel::<Job>(4_096);
        std::thread::Builder::new()
            .name("cordon-scans".into())
            .spawn(move || {
                while let Some(first) = rx.blocking_recv() {
                    let jobs = gather(first, &mut rx);
                    let scans: Vec<&Scan> = jobs.iter().map(|j| &j.scan).collect();
                    let outcome = match backend.write_group(&scans) {
                        Ok(results) => Ok(results),
                        Err(e) if scans.len() > 1 => {
                            tracing::warn!(error = %e, scans = scans.len(), "scan group failed; writing its scans one by one");
                            Ok(scans
                                .iter()
                                .map(|s| backend.write_group(&[s]).and_then(one))
                                .collect())
                        }
                        Err(e) => Err(e),
                    };
                    answer(jobs, outcome);
                }
            })
            .expect("start the scan writer thread");
        Self { tx }
    }

    /// Writes one scan with whatever else is waiting: the tube as it stands after, and whether
    /// the person was in it already.
    pub async fn scan(&self, scan: Scan) -> ScanResult {
        let (reply, answer) = oneshot::channel();
        self.tx
            .send(Job { scan, reply })
            .await
            .map_err(|_| StoreError::Closed)?;
        answer.await.map_err(|_| StoreError::Closed)?
    }
}

/// The one answer of a group of one.
fn one(mut results: Vec<ScanResult>) -> ScanResult {
    results.pop().unwrap_or_else(|| {
        Err(StoreError::Corrupt(
            "a group of one answered nothing".into(),
        ))
    })
}

/// The first job and whatever else is waiting, up to the group's size.
fn gather(first: Job, rx: &mut mpsc::Receiver<Job>) -> Vec<Job> {
    let mut jobs = vec![first];
    while jobs.len() < GROUP_SCANS {
        match rx.try_recv() {
            Ok(job) => jobs.push(job),
            Err(_) => break,
        }
    }
    jobs
}

fn answer(jobs: Vec<Job>, outcome: Result<Vec<ScanResult>, StoreError>) {
    metrics::histogram!("cordon_store_scan_group").record(jobs.len() as f64);
    match outcome {
        Ok(results) => {
            for (job, result) in jobs.into_iter().zip(results) {
                let _ = job.reply.send(result);
            }
        }
        Err(e) => {
            tracing::error!(error = %e, "scan write failed");
            let text = e.to_string();
            for job in jobs {
                let _ = job.reply.send(Err(StoreError::Unavailable(text.clone())));
            }
        }
    }
}

#[cfg(test)]
mod tests;
