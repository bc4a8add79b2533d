//! Dry-runs: a draft policy replayed over the passages stored in a period, to see what it would
//! have decided before it goes live. The store streams each passage's compact facts; the policy
//! is evaluated on a blocking thread beside the scan (no explanation strings are made), and the
//! report counts outcomes before and after, by checkpoint, and keeps example passages for each
//! change.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, FixedOffset};
use cordon_domain::checkpoint::DefenceLine;
use cordon_domain::passage::Outcome;
use cordon_domain::policy::facts::FactsBuf;
use cordon_domain::policy::Policy;
use cordon_domain::risk::RiskRegister;
use cordon_store::{Period, Store, StoreError};
use serde::Serialize;
use uuid::Uuid;

const OUTCOMES: usize = 5;

/// Outcome counts, one field per outcome.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct OutcomeCounts {
    pub pass: u64,
    pub test_on_site: u64,
    pub hold: u64,
    pub refer: u64,
    pub persuade_return: u64,
}

impl OutcomeCounts {
    fn from_array(a: &[u64; OUTCOMES]) -> Self {
        let at = |o: Outcome| a[o as usize];
        Self {
            pass: at(Outcome::Pass),
            test_on_site: at(Outcome::TestOnSite),
            hold: at(Outcome::Hold),
            refer: at(Outcome::Refer),
            persuade_return: at(Outcome::PersuadeReturn),
        }
    }
}

/// Passages whose outcome would go from one value to another.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Transition {
    pub from: Outcome,
    pub to: Outcome,
    pub passages: u64,
    /// The first few such passages, to open and check.
    pub examples: Vec<Uuid>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CheckpointReplay {
    pub checkpoint: String,
    pub passages: u64,
    pub changed: u64,
    pub before: OutcomeCounts,
    pub after: OutcomeCounts,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DryRunReport {
    pub from: DateTime<FixedOffset>,
    pub to: DateTime<FixedOffset>,
    /// Passages replayed.
    pub passages: u64,
    /// Of them, how many would be decided differently.
    pub changed: u64,
    /// Passages whose stored facts could not be read (reported, never guessed).
    pub unreadable: u64,
    pub before: OutcomeCounts,
    pub after: OutcomeCounts,
    /// Each change of outcome, most frequent first.
    pub transitions: Vec<Transition>,
    /// Checkpoints with passages in the period, those with most changes first.
    pub checkpoints: Vec<CheckpointReplay>,
    pub elapsed_ms: u64,
}

#[derive(Default)]
struct Tally {
    passages: u64,
    changed: u64,
    unreadable: u64,
    matrix: [[u64; OUTCOMES]; OUTCOMES],
    examples: [[Vec<Uuid>; OUTCOMES]; OUTCOMES],
    /// Per checkpoint index: before and after counts, and changes.
    per_checkpoint: Vec<([u64; OUTCOMES], [u64; OUTCOMES], u64)>,
}

/// Replays `policy` over the passages of `period` and reports how decisions would change.
pub async fn dry_run(
    store: Arc<dyn Store>,
    policy: Arc<Policy>,
    risk: Arc<RiskRegister>,
    period: Period,
    examples: usize,
) -> Result<DryRunReport, StoreError> {
    let started = Instant::now();
    let keys = store.checkpoint_keys().await?;
    let index: HashMap<i64, usize> = keys.iter().enumerate().map(|(i, k)| (k.id, i)).collect();
    let names: Vec<(String, DefenceLine)> = keys
        .iter()
        .map(|k| (k.code.as_str().to_owned(), k.defence_line))
        .collect();
    let (tx, mut rx) = tokio::sync::mpsc::channel(8);
    let scan = {
        let store = store.clone();
        tokio::spawn(async move { store.replay_passages(period, tx).await })
    };
    let n_checkpoints = names.len();
    let names = Arc::new(names);
    let evaluate = tokio::task::spawn_blocking({
        let names = names.clone();
        move || {
            let mut t = Tally {
                per_checkpoint: vec![([0; OUTCOMES], [0; OUTCOMES], 0); n_checkpoints],
                ..Tally::default()
            };
            let mut buf = FactsBuf::default();
            while let Some(batch) = rx.blocking_recv() {
                for row in batch {
                    let Some(&c) = index.get(&row.checkpoint_id) else {
                        t.unreadable += 1;
                        continue;
                    };
                    if !buf.decode(&row.facts) {
                        t.unreadable += 1;
                        continue;
                    }
                    let (code, line) = &names[c];
                    let p = buf.passage(code, *line, row.observed_ms, row.offset_s);
                    let mut after = Outcome::Pass;
                    for i in 0..buf.occupant_count() {
                        let v = policy.evaluate(&p, &buf.occupant(i), &risk);
                        if v.outcome.severity() > after.severity() {
                            after = v.outcome;
                        }
                    }
                    let (b, a) = (row.outcome as usize, after as usize);
                    t.passages += 1;
                    t.matrix[b][a] += 1;
                    t.per_checkpoint[c].0[b] += 1;
                    t.per_checkpoint[c].1[a] += 1;
                    if b != a {
                        t.changed += 1;
                        t.per_checkpoint[c].2 += 1;
                        if t.examples[b][a].len() < examples {
                            t.examples[b][a].push(row.id);
                        }
                    }
                }
            }
            t
        }
    });
    let tally = evaluate
        .await
        .map_err(|e| StoreError::Unavailable(e.to_string()))?;
    scan.await
        .map_err(|e| StoreError::Unavailable(e.to_string()))??;
    Ok(report(tally, &names, period, started))
}

fn report(
    t: Tally,
    names: &[(String, DefenceLine)],
    period: Period,
    started: Instant,
) -> DryRunReport {
    let mut before = [0u64; OUTCOMES];
    let mut after = [0u64; OUTCOMES];
    let mut transitions = Vec::new();
    for (b, row) in t.matrix.iter().enumerate() {
        for (a, &n) in row.iter().enumerate() {
            before[b] += n;
            after[a] += n;
            if b != a && n > 0 {
                transitions.push(Transition {
                    from: Outcome::ALL[b],
                    to: Outcome::ALL[a],
                    passages: n,
                    examples: t.examples[b][a].clone(),
                });
            }
        }
    }
    transitions.sort_by_key(|x| std::cmp::Reverse(x.passages));
    let mut checkpoints: Vec<CheckpointReplay> = t
        .per_checkpoint
        .iter()
        .enumerate()
        .filter(|(_, (b, _, _))| b.iter().sum::<u64>() > 0)
        .map(|(i, (b, a, changed))| CheckpointReplay {
            checkpoint: names[i].0.clone(),
            passages: b.iter().sum(),
            changed: *changed,
            before: OutcomeCounts::from_array(b),
            after: OutcomeCounts::from_array(a),
        })
        .collect();
    checkpoints.sort_by(|x, y| {
        y.changed
            .cmp(&x.changed)
            .then(x.checkpoint.cmp(&y.checkpoint))
    });
    let time = cordon_domain::time::from_ms;
    DryRunReport {
        from: time(period.from_ms),
        to: time(period.to_ms),
        passages: t.passages,
        changed: t.changed,
        unreadable: t.unreadable,
        before: OutcomeCounts::from_array(&before),
        after: OutcomeCounts::from_array(&after),
        transitions,
        checkpoints,
        elapsed_ms: started.elapsed().as_millis() as u64,
    }
}
