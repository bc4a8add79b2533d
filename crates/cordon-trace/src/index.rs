//! The in-memory index: every passage as a row of parallel arrays (id, time, checkpoint, lane and
//! direction, vehicle, occupants), persons and vehicles interned to dense numbers, and posting
//! lists by person, vehicle and checkpoint in time order ([`crate::postings`]).
//!
//! Persons are known only by the first 128 bits of their keyed hash ([`person_key`]): the index
//! holds no identity number, name or phone.

use std::collections::HashMap;

use crate::hash::IdMap;
use std::hash::Hasher;

use cordon_domain::passage::Role;
use uuid::Uuid;

use crate::postings::Postings;

/// A person as the index knows them: the first 128 bits of the keyed hash of their document.
pub type PersonKey = u128;

/// The [`PersonKey`] of a keyed hash written as hex (the store's `doc_key`); `None` when it is
/// not hex of at least 32 digits.
pub fn person_key(hex: &str) -> Option<PersonKey> {
    let head = hex.get(..32)?;
    u128::from_str_radix(head, 16).ok()
}

/// How long after a passage's recording it may still become visible to the loader: a
/// transaction stamps `recorded_at` before it commits, so rows can appear slightly out of order.
pub const RECORDING_LAG_MS: i64 = 60_000;

/// One passage as the loader reads it from the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexRow {
    pub id: Uuid,
    /// The store's internal checkpoint number.
    pub checkpoint: u32,
    pub lane: u16,
    pub inbound: bool,
    pub observed_ms: i64,
    pub recorded_ms: i64,
    pub plate: Option<String>,
    pub occupants: Vec<(PersonKey, Role)>,
}

const NO_VEHICLE: u32 = u32::MAX;

/// A passage as [`TraceIndex::sample`] answers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sampled {
    pub id: Uuid,
    pub checkpoint: u32,
    pub observed_ms: i64,
    pub persons: usize,
}

/// Base passages per entry of the time sample.
const AT_STRIDE: usize = 32;

fn prefix(key: &[u8; 16]) -> usize {
    usize::from(key[0]) << 8 | usize::from(key[1])
}

/// Passages added since the build past which the index wants rebuilding (and past an eighth of
/// those it was built with).
const TAIL_REBUILD: usize = 65_536;

#[derive(Debug, Default)]
pub struct TraceIndex {
    ids: Vec<Uuid>,
    pub(crate) at: Vec<i64>,
    /// `lane << 1 | inbound`.
    lane_dir: Vec<u16>,
    vehicle: Vec<u32>,
    /// `occupants[occ_off[p]..occ_off[p + 1]]` are passage `p`'s occupants: `person << 2 | role`.
    occ_off: Vec<u32>,
    occupants: Vec<u32>,
    /// Passages `0..base` (those the index was built with) are in checkpoint then time order:
    /// checkpoint `c`'s are `cp_off[c]..cp_off[c + 1]`, so neither a checkpoint per passage nor
    /// a posting list per checkpoint is stored for them.
    base: u32,
    cp_off: Vec<u32>,
    /// Every [`AT_STRIDE`]th base passage's time (`at[i * AT_STRIDE]`): a checkpoint's window is
    /// found by searching these few first, then one stride of `at`, instead of the whole of a
    /// busy checkpoint's fortnight (each step of which would be a cache miss).
    at_sample: Vec<i64>,
    /// The checkpoint of each passage added since (passage `base + i`), and their lists.
    tail_checkpoint: Vec<u32>,
    tail_by_checkpoint: Postings,
    /// Persons the index was built with, in key order: a person's number is its position. Keys
    /// are bytes (a `u128` would align to 16 and pad a map's entries).
    person_keys: Vec<[u8; 16]>,
    /// `person_dir[b]` is the first of `person_keys` whose first two bytes are at least `b`, so
    /// a lookup searches one small run instead of every key (keys are hashes, spread evenly).
    person_dir: Vec<u32>,
    /// Persons first seen since, numbered on from `person_keys.len()`.
    tail_persons: IdMap<[u8; 16], u32>,
    /// Vehicles are filed under a 64-bit hash of their plate (a rare collision takes the next
    /// value): those the index was built with in slot order, a vehicle's number being its
    /// position; those first seen since in `tail_vehicles`, numbered on. The text is in
    /// `plate_text`.
    vehicle_slots: Vec<u64>,
    tail_vehicles: IdMap<u64, u32>,
    /// Every plate's text, one after the other; vehicle `v`'s is
    /// `plate_text[plate_off[v]..plate_off[v + 1]]`.
    plate_text: String,
    plate_off: Vec<u32>,
    pub(crate) by_person: Postings,
    pub(crate) by_vehicle: Postings,
    /// Ids recorded within [`RECORDING_LAG_MS`] of the newest: a reload that reads them again
    /// recognises them.
    recent: HashMap<Uuid, i64>,
    recent_pruned: usize,
    /// Passages superseded by a correction, a bit per passage number ([`crate::withdrawn`]):
    /// left out of every answer, and out of the next rebuild.
    pub(crate) withdrawn: Vec<u64>,
    watermark: i64,
    checkpoints: u32,
}

fn role_bits(r: Role) -> u32 {
    match r {
        Role::Driver => 0,
        Role::Passenger => 1,
        Role::Pedestrian => 2,
    }
}

fn role_of(bits: u32) -> Role {
    match bits & 3 {
        0 => Role::Driver,
        1 => Role::Passenger,
        _ => Role::Pedestrian,
    }
}

impl TraceIndex {
    /// Builds the index from rows in any order (the loader's first pass, and each rebuild).
    pub fn build(rows: impl IntoIterator<Item = IndexRow>) -> Self {
        // First as they come, persons numbered as met; then reordered.
        let mut index = Self::default();
        for row in rows {
            index.push_row(row);
        }
        index.reorder();
        index.prune_recent();
        index.shrink();
        index
    }

    /// Turns every passage into a base passage: passages in checkpoint and time order, persons
    /// numbered in key order, posting lists rebuilt.
    fn reorder(&mut self) {
        let n = self.ids.len();
        // Persons: every one is in `tail_persons` (numbered as met); renumber by key.
        let mut keys: Vec<([u8; 16], u32)> = self.tail_persons.drain().collect();
        keys.sort_unstable();
        let mut renumber = vec![0u32; keys.len()];
        for (new, (_, old)) in keys.iter().enumerate() {
            renumber[*old as usize] = new as u32;
        }
        self.person_keys = keys.into_iter().map(|(k, _)| k).collect();
        self.person_dir = (0..=1usize << 16)
            .map(|b| self.person_keys.partition_point(|k| prefix(k) < b) as u32)
            .collect();
        self.tail_persons = IdMap::default();
        // Vehicles: every one is in `tail_vehicles`; renumber by slot, plates in that order.
        let mut slots: Vec<(u64, u32)> = self.tail_vehicles.drain().collect();
        slots.sort_unstable();
        let mut vehicle_renumber = vec![0u32; slots.len()];
        let mut text = String::with_capacity(self.plate_text.len());
        let mut off = Vec::with_capacity(slots.len() + 1);
        off.push(0u32);
        for (new, (_, old)) in slots.iter().enumerate() {
            vehicle_renumber[*old as usize] = new as u32;
            text.push_str(self.plate(*old));
            off.push(text.len() as u32);
        }
        (self.plate_text, self.plate_off) = (text, off);
        self.vehicle_slots = slots.into_iter().map(|(h, _)| h).collect();
        self.tail_vehicles = IdMap::default();
        for v in self.vehicle.iter_mut() {
            if *v != NO_VEHICLE {
                *v = vehicle_renumber[*v as usize];
            }
        }
        // Passages: by checkpoint, then time, then id (not arrival: the first load reads parts
        // of the store at once, and the same rows make the same index).
        let cp: Vec<u32> = (0..n as u32).map(|p| self.checkpoint_of(p)).collect();
        let mut order: Vec<u32> = (0..n as u32).collect();
        order
            .sort_unstable_by_key(|&p| (cp[p as usize], self.at[p as usize], self.ids[p as usize]));
        let ids: Vec<Uuid> = permuted(&self.ids, &order);
        let at: Vec<i64> = permuted(&self.at, &order);
        let lane_dir: Vec<u16> = permuted(&self.lane_dir, &order);
        let vehicle: Vec<u32> = permuted(&self.vehicle, &order);
        let mut occ_off = Vec::with_capacity(n + 1);
        let mut occupants = Vec::with_capacity(self.occupants.len());
        occ_off.push(0u32);
        for &p in &order {
            let (a, b) = (self.occ_off[p as usize], self.occ_off[p as usize + 1]);
            occupants.extend(
                self.occupants[a as usize..b as usize]
                    .iter()
                    .map(|o| renumber[(o >> 2) as usize] << 2 | (o & 3)),
            );
            occ_off.push(occupants.len() as u32);
        }
        let mut cp_off = vec![0u32; self.checkpoints as usize + 1];
        for &c in &cp {
            cp_off[c as usize + 1] += 1;
        }
        for c in 1..cp_off.len() {
            cp_off[c] += cp_off[c - 1];
        }
        (self.ids, self.at, self.lane_dir, self.vehicle) = (ids, at, lane_dir, vehicle);
        (self.occ_off, self.occupants) = (occ_off, occupants);
        self.base = n as u32;
        self.cp_off = cp_off;
        self.at_sample = self.at.iter().step_by(AT_STRIDE).copied().collect();
        self.tail_checkpoint = Vec::new();
        self.tail_by_checkpoint = Postings::default();
        let mut people = Vec::with_capacity(self.occupants.len());
        let mut vehicles = Vec::with_capacity(n);
        for p in 0..n as u32 {
            people.extend(self.occupants(p).map(|(o, _)| (o, p)));
            if let Some(v) = self.has_vehicle(p) {
                vehicles.push((v, p));
            }
        }
        self.by_person = Postings::build(people, self.person_keys.len(), &self.at);
        self.by_vehicle = Postings::build(vehicles, self.vehicle_count(), &self.at);
    }

    /// Adds rows read since the last load; rows already held are skipped. Answers how many were
    /// new.
    pub fn add(&mut self, rows: impl IntoIterator<Item = IndexRow>) -> usize {
        let mut added = 0;
        for row in rows {
            if self.recent.contains_key(&row.id) {
                continue;
            }
            let p = self.push_row(row);
            for i in self.occ_off[p as usize]..self.occ_off[p as usize + 1] {
                let person = self.occupants[i as usize] >> 2;
                self.by_person.add(person, p, &self.at);
            }
            if let Some(v) = self.has_vehicle(p) {
                self.by_vehicle.add(v, p, &self.at);
            }
            self.tail_by_checkpoint.add(
                self.tail_checkpoint[(p - self.base) as usize],
                p,
                &self.at,
            );
            added += 1;
        }
        if self.recent.len() > 2 * self.recent_pruned + 1024 {
            self.prune_recent();
        }
        added
    }

    /// Whether the passage `id`, recorded within [`RECORDING_LAG_MS`] of the newest held, is
    /// held: the live loader reads whole rows only for the positions this answers `false` for.
    pub fn holds_recent(&self, id: &Uuid) -> bool {
        self.recent.contains_key(id)
    }

    /// Whether enough passages arrived since the build that a rebuild
    /// ([`TraceIndex::without_before`]) would make the index compact again.
    pub fn wants_rebuild(&self) -> bool {
        let tail = self.tail_checkpoint.len();
        tail > TAIL_REBUILD && tail * 8 > self.base as usize
    }

    /// Releases what the arrays and maps reserved beyond their contents.
    fn shrink(&mut self) {
        self.ids.shrink_to_fit();
        self.at.shrink_to_fit();
        self.lane_dir.shrink_to_fit();
        self.vehicle.shrink_to_fit();
        self.occ_off.shrink_to_fit();
        self.occupants.shrink_to_fit();
        self.cp_off.shrink_to_fit();
        self.person_keys.shrink_to_fit();
        self.vehicle_slots.shrink_to_fit();
        self.plate_text.shrink_to_fit();
        self.plate_off.shrink_to_fit();
        self.recent.shrink_to_fit();
    }

    fn vehicle_count(&self) -> usize {
        self.plate_off.len().saturating_sub(1)
    }

    fn plate_hash(plate: &str) -> u64 {
        let mut f = Fnv::default();
        f.write(plate.as_bytes());
        f.finish()
    }

    fn vehicle_in_slot(&self, h: u64) -> Option<u32> {
        match self.vehicle_slots.binary_search(&h) {
            Ok(n) => Some(n as u32),
            Err(_) => self.tail_vehicles.get(&h).copied(),
        }
    }

    /// The vehicle with this plate, and the hash slot it is (or would be) filed under.
    fn find_vehicle(&self, plate: &str) -> (Option<u32>, u64) {
        let mut h = Self::plate_hash(plate);
        loop {
            match self.vehicle_in_slot(h) {
                None => return (None, h),
                Some(v) if self.plate(v) == plate => return (Some(v), h),
                Some(_) => h = h.wrapping_add(1),
            }
        }
    }

    fn push_row(&mut self, row: IndexRow) -> u32 {
        let p = self.ids.len() as u32;
        if self.occ_off.is_empty() {
            self.occ_off.push(0);
        }
        if self.plate_off.is_empty() {
            self.plate_off.push(0);
        }
        self.ids.push(row.id);
        self.at.push(row.observed_ms);
        self.tail_checkpoint.push(row.checkpoint);
        self.checkpoints = self.checkpoints.max(row.checkpoint + 1);
        self.lane_dir
            .push((row.lane.min(0x7fff)) << 1 | u16::from(row.inbound));
        let vehicle = match row.plate {
            None => NO_VEHICLE,
            Some(plate) => match self.find_vehicle(&plate) {
                (Some(v), _) => v,
                (None, slot) => {
                    let v = self.vehicle_count() as u32;
                    self.plate_text.push_str(&plate);
                    self.plate_off.push(self.plate_text.len() as u32);
                    self.tail_vehicles.insert(slot, v);
                    v
                }
            },
        };
        self.vehicle.push(vehicle);
        for (key, role) in row.occupants {
            let key = key.to_le_bytes();
            let person = match self.person_keys.binary_search(&key) {
                Ok(n) => n as u32,
                Err(_) => {
                    let next = (self.person_keys.len() + self.tail_persons.len()) as u32;
                    *self.tail_persons.entry(key).or_insert(next)
                }
            };
            self.occupants.push(person << 2 | role_bits(role));
        }
        self.occ_off.push(self.occupants.len() as u32);
        self.watermark = self.watermark.max(row.recorded_ms);
        if row.recorded_ms >= self.watermark - RECORDING_LAG_MS {
            self.recent.insert(row.id, row.recorded_ms);
        }
        p
    }

    fn prune_recent(&mut self) {
        let keep_from = self.watermark - RECORDING_LAG_MS;
        self.recent.retain(|_, &mut r| r >= keep_from);
        self.recent_pruned = self.recent.len();
    }

    /// A rebuilt copy without the passages observed before `cutoff_ms` (whose personal data the
    /// store has purged) nor those withdrawn ([`TraceIndex::withdraw`]): swapped in after each
    /// retention purge, so the index neither answers with purged passages nor grows without
    /// end, and when passages added since the build want folding in
    /// ([`TraceIndex::wants_rebuild`]).
    pub fn without_before(&self, cutoff_ms: i64) -> TraceIndex {
        let keys = self.person_key_list();
        let rows = (0..self.ids.len() as u32)
            .filter(|&p| self.at[p as usize] >= cutoff_ms && !self.is_withdrawn(p))
            .map(|p| IndexRow {
                id: self.ids[p as usize],
                checkpoint: self.checkpoint_of(p),
                lane: self.lane(p),
                inbound: self.inbound(p),
                observed_ms: self.at[p as usize],
                recorded_ms: self
                    .recent
                    .get(&self.ids[p as usize])
                    .copied()
                    .unwrap_or(i64::MIN),
                plate: self.has_vehicle(p).map(|v| self.plate(v).to_owned()),
                occupants: self
                    .occupants(p)
                    .map(|(o, role)| (keys[o as usize], role))
                    .collect(),
            });
        let mut index = TraceIndex::build(rows);
        index.watermark = index.watermark.max(self.watermark);
        index.prune_recent();
        index
    }

    /// Every person's key, by person number.
    fn person_key_list(&self) -> Vec<u128> {
        let mut keys: Vec<u128> = self
            .person_keys
            .iter()
            .map(|k| u128::from_le_bytes(*k))
            .collect();
        keys.resize(self.persons(), 0);
        for (&k, &n) in &self.tail_persons {
            keys[n as usize] = u128::from_le_bytes(k);
        }
        keys
    }

    /// Up to `k` passages held, not withdrawn, observed at or after `from_ms`, spread evenly
    /// over the index, and the last `k` added: what a loader checks against the store when the
    /// index was read from a file ([`TraceIndex::read_from`]).
    pub fn sample(&self, k: usize, from_ms: i64) -> Vec<Sampled> {
        let n = self.ids.len();
        if n == 0 || k == 0 {
            return Vec::new();
        }
        let step = n.div_ceil(k).max(1);
        let mut picked: Vec<u32> = (0..n).step_by(step).map(|p| p as u32).collect();
        picked.extend((n.saturating_sub(k)..n).map(|p| p as u32));
        picked.sort_unstable();
        picked.dedup();
        picked
            .into_iter()
            .filter(|&p| self.at[p as usize] >= from_ms && !self.is_withdrawn(p))
            .map(|p| Sampled {
                id: self.ids[p as usize],
                checkpoint: self.checkpoint_of(p),
                observed_ms: self.at[p as usize],
                persons: self.occupants(p).count(),
            })
            .collect()
    }

    /// The earliest observation held, if any.
    pub fn oldest_ms(&self) -> Option<i64> {
        self.at.iter().copied().min()
    }

    /// The newest recording time held: the loader asks for rows recorded since
    /// `watermark() - RECORDING_LAG_MS`.
    pub fn watermark(&self) -> i64 {
        self.watermark
    }

    /// One more than the largest checkpoint number held.
    pub fn checkpoint_bound(&self) -> u32 {
        self.checkpoints
    }

    pub fn passages(&self) -> usize {
        self.ids.len()
    }

    pub fn person_passages(&self) -> usize {
        self.occupants.len()
    }

    pub fn persons(&self) -> usize {
        self.person_keys.len() + self.tail_persons.len()
    }

    /// Bytes held by the index's arrays, maps and lists (what they reserved, not only what
    /// they use).
    pub fn bytes(&self) -> usize {
        fn vec<T>(v: &Vec<T>) -> usize {
            v.capacity() * std::mem::size_of::<T>()
        }
        vec(&self.ids)
            + vec(&self.at)
            + vec(&self.lane_dir)
            + vec(&self.vehicle)
            + vec(&self.occ_off)
            + vec(&self.occupants)
            + vec(&self.cp_off)
            + vec(&self.at_sample)
            + vec(&self.tail_checkpoint)
            + self.tail_by_checkpoint.bytes()
            + vec(&self.person_keys)
            + vec(&self.person_dir)
            + map_bytes(&self.tail_persons)
            + vec(&self.vehicle_slots)
            + map_bytes(&self.tail_vehicles)
            + self.plate_text.capacity()
            + vec(&self.plate_off)
            + map_bytes(&self.recent)
            + self.by_person.bytes()
            + self.by_vehicle.bytes()
            + vec(&self.withdrawn)
    }

    /// The number the index gave a person, if it holds any passage of theirs.
    pub fn person_number(&self, key: PersonKey) -> Option<u32> {
        let key = key.to_le_bytes();
        let run = match (
            self.person_dir.get(prefix(&key)),
            self.person_dir.get(prefix(&key) + 1),
        ) {
            (Some(&a), Some(&b)) => a as usize..b as usize,
            _ => 0..0,
        };
        match self.person_keys[run.clone()].binary_search(&key) {
            Ok(n) => Some((run.start + n) as u32),
            Err(_) => self.tail_persons.get(&key).copied(),
        }
    }

    pub(crate) fn vehicle_of(&self, plate: &str) -> Option<u32> {
        self.find_vehicle(plate).0
    }

    pub(crate) fn plate(&self, v: u32) -> &str {
        let (a, b) = (self.plate_off[v as usize], self.plate_off[v as usize + 1]);
        &self.plate_text[a as usize..b as usize]
    }

    pub(crate) fn lane(&self, p: u32) -> u16 {
        self.lane_dir[p as usize] >> 1
    }

    pub(crate) fn inbound(&self, p: u32) -> bool {
        self.lane_dir[p as usize] & 1 == 1
    }

    /// Passage `p`'s occupants: (person, role), in the order they were registered.
    pub(crate) fn occupants(&self, p: u32) -> impl Iterator<Item = (u32, Role)> + '_ {
        let (a, b) = (self.occ_off[p as usize], self.occ_off[p as usize + 1]);
        self.occupants[a as usize..b as usize]
            .iter()
            .map(|&o| (o >> 2, role_of(o)))
    }

    pub(crate) fn has_vehicle(&self, p: u32) -> Option<u32> {
        let v = self.vehicle[p as usize];
        (v != NO_VEHICLE).then_some(v)
    }

    /// The passage's id.
    pub fn id(&self, p: u32) -> Uuid {
        self.ids[p as usize]
    }

    /// The store's internal number of the passage's checkpoint.
    pub fn checkpoint_of(&self, p: u32) -> u32 {
        if p < self.base {
            (self.cp_off.partition_point(|&o| o <= p) - 1) as u32
        } else {
            self.tail_checkpoint[(p - self.base) as usize]
        }
    }

    /// The passages at checkpoint `c` observed in `[from, to)`, in time order.
    pub(crate) fn at_checkpoint(&self, c: u32, from: i64, to: i64) -> Near {
        let (lo, hi) = match (self.cp_off.get(c as usize), self.cp_off.get(c as usize + 1)) {
            (Some(&a), Some(&b)) => (a as usize, b as usize),
            _ => (0, 0),
        };
        let (a, b) = (
            self.first_at_or_after(lo, hi, from),
            self.first_at_or_after(lo, hi, to),
        );
        self.with_tail(c, a as u32..b as u32, from, to)
    }

    /// The passages at base or later passage `p`'s checkpoint `c` observed in `[from, to)`, a
    /// period around `p`'s own time, in time order. The base holds a checkpoint's passages in
    /// time order, so the base part is found by stepping outwards from `p` itself: the steps
    /// read the very times the caller then reads, where a search from the checkpoint's start
    /// would wait on a cache miss at each probe.
    pub(crate) fn around(&self, p: u32, c: u32, from: i64, to: i64) -> Near {
        let t = self.at[p as usize];
        if p >= self.base || t < from || t >= to {
            return self.at_checkpoint(c, from, to);
        }
        let (lo, hi) = (self.cp_off[c as usize], self.cp_off[c as usize + 1]);
        let (mut a, mut b) = (p, p + 1);
        while a > lo && self.at[a as usize - 1] >= from {
            a -= 1;
        }
        while b < hi && self.at[b as usize] < to {
            b += 1;
        }
        self.with_tail(c, a..b, from, to)
    }

    /// Base passages `base` merged with checkpoint `c`'s later passages in `[from, to)`.
    fn with_tail(&self, c: u32, base: std::ops::Range<u32>, from: i64, to: i64) -> Near {
        let tail = self.tail_by_checkpoint.between(c, &self.at, from, to);
        if tail.is_empty() {
            return Near::Base(base);
        }
        let mut out: Vec<u32> = base.chain(tail).collect();
        out.sort_unstable_by_key(|&p| (self.at[p as usize], p));
        Near::Merged(out.into_iter())
    }

    /// The first base passage in `lo..hi` (one checkpoint's, in time order) observed at or after
    /// `t`, or `hi`: searched in the time sample first, then within one stride.
    fn first_at_or_after(&self, lo: usize, hi: usize, t: i64) -> usize {
        // Sample entries `s0..s1` stand for positions inside `lo..hi`.
        let (s0, s1) = (lo.div_ceil(AT_STRIDE), hi.div_ceil(AT_STRIDE));
        let k = s0 + self.at_sample[s0..s1].partition_point(|&x| x < t);
        let start = if k > s0 { (k - 1) * AT_STRIDE + 1 } else { lo };
        let end = if k < s1 { k * AT_STRIDE } else { hi };
        start + self.at[start..end].partition_point(|&x| x < t)
    }
}

/// The passages of [`TraceIndex::at_checkpoint`]: a run of base passages, or base and later
/// ones merged.
pub(crate) enum Near {
    Base(std::ops::Range<u32>),
    Merged(std::vec::IntoIter<u32>),
}

impl Near {
    /// The run of base passages, when that is all there is.
    pub(crate) fn span(&self) -> Option<std::ops::Range<u32>> {
        match self {
            Near::Base(r) => Some(r.clone()),
            Near::Merged(_) => None,
        }
    }
}

impl Iterator for Near {
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        match self {
            Near::Base(r) => r.next(),
            Near::Merged(m) => m.next(),
        }
    }
}

/// `v` in the order `order` gives.
fn permuted<T: Copy>(v: &[T], order: &[u32]) -> Vec<T> {
    order.iter().map(|&p| v[p as usize]).collect()
}

/// Bytes a hash map holds: its buckets (a power of two, at most 7/8 full) with one control
/// byte each.
fn map_bytes<K, V, S>(m: &HashMap<K, V, S>) -> usize {
    if m.capacity() == 0 {
        return 0;
    }
    let buckets = (m.capacity() * 8 / 7).next_power_of_two();
    buckets * (std::mem::size_of::<(K, V)>() + 1)
}

/// FNV-1a: a fixed hash for plates, the same in every process.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

mod saved;
pub use saved::SAVED_FORMAT;
#[cfg(test)]
mod tests;
