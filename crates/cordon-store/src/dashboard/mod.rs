//! The command dashboard's figures: passages per checkpoint, hour and outcome, with the lanes'
//! handling time, overall and for the green channel (counts only, no personal data). [`DashboardStore`] is a supertrait of
//! [`crate::Store`]; its SQL ([`sql`]) is written once for both backends.

use std::collections::{BTreeMap, HashMap};

use async_trait::async_trait;
use cordon_domain::access::passage::PassageRead;

use crate::StoreError;

pub(crate) mod counts;
mod sql;

/// Passages at one checkpoint in one hour with one outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryRow {
    pub checkpoint: String,
    pub hour_ms: i64,
    pub outcome: String,
    pub passages: i64,
    pub persons: i64,
    /// Passages registered at the lane within [`LANE_HANDLING_MAX_MS`] of their observation: the
    /// ones whose handling time counts.
    pub handled: i64,
    /// Sum of their handling times (recorded minus observed).
    pub handling_ms: i64,
    /// The green channel: passages with a verified freight pass on its route, and of those the
    /// handled ones and their handling time.
    pub green: i64,
    pub green_handled: i64,
    pub green_handling_ms: i64,
}

/// Passages and persons in one hour, every checkpoint in scope together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HourCount {
    pub hour_ms: i64,
    pub passages: i64,
    pub persons: i64,
}

/// A checkpoint's figures over a period.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckpointCount {
    pub checkpoint: String,
    pub passages: i64,
    pub persons: i64,
    pub handled: i64,
    pub handling_ms: i64,
    pub green: i64,
    pub green_handled: i64,
    pub green_handling_ms: i64,
    /// Vehicles per outcome, the outcomes that occurred.
    pub outcomes: BTreeMap<String, i64>,
}

/// A period's figures: per checkpoint (in code order) and per hour (oldest first).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub checkpoints: Vec<CheckpointCount>,
    pub hours: Vec<HourCount>,
}

impl Summary {
    /// Rows per checkpoint, hour and outcome, summed per checkpoint and per hour.
    pub fn of_rows(rows: &[SummaryRow]) -> Summary {
        let mut checkpoints: BTreeMap<&str, CheckpointCount> = BTreeMap::new();
        let mut hours: BTreeMap<i64, HourCount> = BTreeMap::new();
        for r in rows {
            let c = checkpoints
                .entry(r.checkpoint.as_str())
                .or_insert_with(|| CheckpointCount {
                    checkpoint: r.checkpoint.clone(),
                    ..CheckpointCount::default()
                });
            c.passages += r.passages;
            c.persons += r.persons;
            c.handled += r.handled;
            c.handling_ms += r.handling_ms;
            c.green += r.green;
            c.green_handled += r.green_handled;
            c.green_handling_ms += r.green_handling_ms;
            *c.outcomes.entry(r.outcome.clone()).or_default() += r.passages;
            let h = hours.entry(r.hour_ms).or_insert(HourCount {
                hour_ms: r.hour_ms,
                passages: 0,
                persons: 0,
            });
            h.passages += r.passages;
            h.persons += r.persons;
        }
        Summary {
            checkpoints: checkpoints.into_values().collect(),
            hours: hours.into_values().collect(),
        }
    }

    /// Adds another period's figures (an hour's head read from the passages to the whole
    /// hours' counts).
    pub fn add(&mut self, other: Summary) {
        let at: HashMap<String, usize> = self
            .checkpoints
            .iter()
            .enumerate()
            .map(|(i, c)| (c.checkpoint.clone(), i))
            .collect();
        for o in other.checkpoints {
            match at.get(&o.checkpoint).map(|i| &mut self.checkpoints[*i]) {
                Some(c) => {
                    c.passages += o.passages;
                    c.persons += o.persons;
                    c.handled += o.handled;
                    c.handling_ms += o.handling_ms;
                    c.green += o.green;
                    c.green_handled += o.green_handled;
                    c.green_handling_ms += o.green_handling_ms;
                    for (k, n) in o.outcomes {
                        *c.outcomes.entry(k).or_default() += n;
                    }
                }
                None => self.checkpoints.push(o),
            }
        }
        self.checkpoints
            .sort_by(|a, b| a.checkpoint.cmp(&b.checkpoint));
        for h in other.hours {
            match self.hours.iter_mut().find(|x| x.hour_ms == h.hour_ms) {
                Some(x) => {
                    x.passages += h.passages;
                    x.persons += h.persons;
                }
                None => self.hours.push(h),
            }
        }
        self.hours.sort_by_key(|h| h.hour_ms);
    }
}

/// A passage recorded later than this after its observation was entered afterwards (from paper,
/// or synced late), not handled at the lane: its delay says nothing of the lane's speed.
pub const LANE_HANDLING_MAX_MS: i64 = 10 * 60_000;

#[async_trait]
pub trait DashboardStore: Send + Sync + 'static {
    /// Passages observed in `[from_ms, to_ms)` within the grant's scope, per checkpoint, hour
    /// and outcome.
    async fn network_summary(
        &self,
        grant: &PassageRead,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<SummaryRow>, StoreError>;

    /// The whole hours `first_hour..=last_hour` (hours since the epoch) within the grant's
    /// scope, from the counts the registration writer keeps (migration 37): what
    /// [`Self::network_summary`] would answer over those hours, summed per checkpoint and
    /// outcome and per hour, without reading the passages.
    async fn counted_summary(
        &self,
        grant: &PassageRead,
        first_hour: i64,
        last_hour: i64,
    ) -> Result<Summary, StoreError>;

    /// The revision of the counts of past hours (migration 42): it moves, in the same
    /// transaction, with every change to an hour's counts after that hour ended (a late record,
    /// a correction). Sums of past hours read at a revision stay right while it stays.
    async fn counts_revision(&self) -> Result<i64, StoreError>;

    /// Vehicles observed in `[from_ms, to_ms)` within the grant's scope (a passage a
    /// correction superseded not counted).
    async fn passages_between(
        &self,
        grant: &PassageRead,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<i64, StoreError>;
}
