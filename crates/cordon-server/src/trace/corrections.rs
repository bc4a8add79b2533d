//! Corrections as the live trace index sees them. A registration may supersede an earlier one at
//! the same checkpoint (a wrong plate, a person missed): the earlier passage stays in the
//! registry, but traces and trajectories must not answer with it, or a wrongly registered person
//! would remain a contact. The live index keeps the ids of every superseded passage: rows read
//! from the store and rows this process records are checked against them before they go in,
//! and a passage the index already holds is withdrawn ([`TraceIndex::withdraw`]) when its
//! correction is read. Corrections are read again when this process notes one
//! ([`Withdrawals::noted`]) and, for those other processes note (several hubs on one
//! PostgreSQL, a station's pushed corrections), whenever their count changed: checked before
//! every read a trace or trajectory waits for, and every lag sweep.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::RwLock;

use cordon_store::{Store, StoreError};
use cordon_trace::TraceIndex;
use uuid::Uuid;

#[derive(Debug)]
pub struct Withdrawals {
    superseded: RwLock<HashSet<Uuid>>,
    /// The count of corrections when they were last read (-1: never).
    seen: AtomicI64,
    /// Set when this process noted a correction: the next read takes it in.
    dirty: AtomicBool,
}

impl Default for Withdrawals {
    fn default() -> Self {
        Self {
            superseded: RwLock::new(HashSet::new()),
            seen: AtomicI64::new(-1),
            dirty: AtomicBool::new(false),
        }
    }
}

impl Withdrawals {
    /// Whether the passage `id` was superseded (as of the last read).
    pub fn superseded(&self, id: &Uuid) -> bool {
        let set = self.superseded.read().unwrap_or_else(|e| e.into_inner());
        !set.is_empty() && set.contains(id)
    }

    /// Leaves the superseded ones out of `rows` (one look at the set for them all).
    pub fn leave_out<T>(&self, rows: &mut Vec<T>, id: impl Fn(&T) -> Uuid) {
        let set = self.superseded.read().unwrap_or_else(|e| e.into_inner());
        if !set.is_empty() {
            rows.retain(|r| !set.contains(&id(r)));
        }
    }

    /// Marks that this process recorded corrections: the next read of the index takes them in.
    pub fn noted(&self) {
        self.dirty.store(true, Ordering::Release);
    }

    /// Whether a read is due: a correction noted here, or `sweep` (a check of the count, for
    /// corrections other processes noted).
    pub fn due(&self, sweep: bool) -> bool {
        self.dirty.swap(false, Ordering::AcqRel) || sweep
    }

    /// Reads the corrections if their count changed (or `force`), and withdraws from `index`
    /// the passages superseded since the last read. Answers how many were new.
    pub async fn read(
        &self,
        store: &dyn Store,
        index: &RwLock<TraceIndex>,
        force: bool,
    ) -> Result<usize, StoreError> {
        let count = store.count_corrections().await?;
        if !force && count == self.seen.load(Ordering::Acquire) {
            return Ok(0);
        }
        let places = store.superseded_passages().await?;
        let new: Vec<_> = {
            let mut set = self.superseded.write().unwrap_or_else(|e| e.into_inner());
            places.into_iter().filter(|p| set.insert(p.id)).collect()
        };
        if !new.is_empty() {
            let mut index = index.write().unwrap_or_else(|e| e.into_inner());
            for p in &new {
                if let Ok(checkpoint) = u32::try_from(p.checkpoint_id) {
                    index.withdraw(p.id, checkpoint, p.observed_ms);
                }
            }
        }
        self.seen.store(count, Ordering::Release);
        Ok(new.len())
    }
}
