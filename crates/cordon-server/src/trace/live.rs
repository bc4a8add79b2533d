//! The live trace index: loaded from the store once at start (in the background: lanes serve at
//! once, traces answer `503 trace_index_loading` until it is ready), then kept current two ways.
//! What this process records goes in as it is acknowledged ([`LiveTrace::prepare`],
//! [`LiveTrace::recorded`]). Every second, the poller reads the positions of what was recorded
//! since (from the recording index alone) and reads whole rows only for those the index lacks:
//! rows other processes on the same PostgreSQL recorded, rows recorded while the index was being
//! loaded or rebuilt. Rows whose transaction committed late are caught by reading the last
//! minute's positions again every 30 polls. Passages superseded by a correction are kept out
//! and withdrawn ([`crate::trace::corrections`]). A trace or trajectory asks for a read first
//! ([`LiveTrace::fresh`]), so it sees every passage acknowledged before it was asked, whichever
//! process recorded it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use cordon_domain::access::Scope;
use cordon_store::trace::{TraceCheckpoint, TraceCursor, TraceRow};
use cordon_store::{NewPassage, Recorded, Store, StoreError};
use cordon_trace::{person_key, IndexRow, TraceIndex, RECORDING_LAG_MS};
use futures_util::{StreamExt, TryStreamExt};
use tokio::sync::{watch, Notify};

use crate::error::ApiError;

/// Rows per read while loading and polling.
const PAGE: u32 = 20_000;
/// The first load reads the span of recording times in this many parts of equal time,
/// [`LOAD_AT_ONCE`] at a time: on PostgreSQL each row's personal part is looked up by its key
/// (migration 43), and one read at a time left the database's second core idle (a province's
/// three days: 11.2-11.9 s against 15.4-17.9; three or four at a time no faster on two cores;
/// docs/BENCHMARKS.md, eleventh part).
const LOAD_PARTS: i64 = 8;
const LOAD_AT_ONCE: usize = 2;
/// How often the index reads what was recorded since.
const POLL: Duration = Duration::from_secs(1);
/// Every this many polls (about an hour), passages past the retention period are dropped.
const FORGET_EVERY: u32 = 3_600;
/// After a nudge, how long to wait for more registrations before reading.
const NUDGE_BATCH: Duration = Duration::from_millis(50);
/// How often the index is saved (if it changed since): polls come faster than one a second
/// while lanes register, so this is kept by the clock.
const SAVE_EVERY: Duration = Duration::from_secs(30 * 60);
/// Passages of a saved index checked against the store when it is loaded (spread over it, and
/// as many of the last added).
const CHECKED: usize = 48;
/// Every this many polls, the last [`RECORDING_LAG_MS`] are read again.
const LAG_SWEEP_EVERY: u32 = 30;
/// How long a query waits for the index to read what was recorded before it; past this it
/// answers from what the index holds.
const FRESH_WAIT: Duration = Duration::from_secs(2);

pub struct LiveTrace {
    index: RwLock<TraceIndex>,
    checkpoints: RwLock<Arc<Vec<TraceCheckpoint>>>,
    /// Each checkpoint's internal number by its code, for the passages this process records.
    numbers: RwLock<Arc<HashMap<String, u32>>>,
    ready: AtomicBool,
    nudge: Notify,
    /// Set by a query waiting for a read: the poller reads at once instead of waiting for more
    /// registrations.
    urgent: AtomicBool,
    /// When the last completed read of the store started: everything recorded before then is in
    /// the index.
    read_since: watch::Sender<Instant>,
    /// Milliseconds the first load took.
    load_ms: AtomicU64,
    /// How many days of personal data the hub keeps: a trace spans at most this.
    pub retention_days: u32,
    /// Passages superseded by corrections, left out of the index.
    pub withdrawals: crate::trace::corrections::Withdrawals,
    /// Where the index is saved (at a stop, and every half hour it changed), to be loaded at
    /// the next start instead of read from the store.
    saved: Option<crate::trace::saved::SavedIndex>,
    /// The watermark of the index last saved or loaded from the file.
    saved_watermark: AtomicI64,
    /// Whether the first load was from the saved file.
    from_file: AtomicBool,
}

/// The index rows of passages being recorded by this process ([`LiveTrace::prepare`]).
pub struct Pending(Vec<Option<IndexRow>>);

/// A row the store read, as the index holds it; `None` for a row whose keys are not hashes
/// (never written by Cordon).
fn index_row(r: TraceRow) -> Option<IndexRow> {
    let occupants = r
        .occupants
        .iter()
        .map(|(hex, role)| person_key(hex).map(|k| (k, *role)))
        .collect::<Option<Vec<_>>>()?;
    Some(IndexRow {
        id: r.id,
        checkpoint: u32::try_from(r.checkpoint_id).ok()?,
        lane: u16::try_from(r.lane).ok()?,
        inbound: r.inbound,
        observed_ms: r.observed_ms,
        recorded_ms: r.recorded_ms,
        plate: r.plate,
        occupants,
    })
}

impl LiveTrace {
    pub fn new(retention_days: u32) -> Arc<Self> {
        Self::saved_at(retention_days, None)
    }

    /// A live index saved to (and loaded from) `saved`.
    pub fn saved_at(
        retention_days: u32,
        saved: Option<crate::trace::saved::SavedIndex>,
    ) -> Arc<Self> {
        Arc::new(Self {
            index: RwLock::new(TraceIndex::default()),
            checkpoints: RwLock::new(Arc::new(Vec::new())),
            numbers: RwLock::new(Arc::new(HashMap::new())),
            ready: AtomicBool::new(false),
            nudge: Notify::new(),
            urgent: AtomicBool::new(false),
            read_since: watch::Sender::new(Instant::now()),
            load_ms: AtomicU64::new(0),
            retention_days,
            withdrawals: Default::default(),
            saved,
            saved_watermark: AtomicI64::new(i64::MIN),
            from_file: AtomicBool::new(false),
        })
    }

    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }

    /// Asks for a read of what was recorded since (after this process recorded passages).
    pub fn nudge(&self) {
        self.nudge.notify_one();
    }

    /// The index rows of passages about to be recorded (their recording time comes with
    /// [`LiveTrace::recorded`]); `None` where one cannot be made here (a checkpoint created
    /// since the list was read, the index still loading): the poller reads those.
    pub fn prepare(&self, passages: &[NewPassage]) -> Pending {
        if !self.is_ready() {
            return Pending(vec![None; passages.len()]);
        }
        let numbers = self
            .numbers
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        Pending(
            passages
                .iter()
                .map(|p| {
                    let d = &p.draft;
                    let occupants = d
                        .occupants
                        .iter()
                        .zip(p.subjects())
                        .map(|(o, key)| person_key(key).map(|k| (k, o.role)))
                        .collect::<Option<Vec<_>>>()?;
                    Some(IndexRow {
                        id: d.id,
                        checkpoint: *numbers.get(d.checkpoint.as_str())?,
                        lane: d.lane,
                        inbound: d.direction == cordon_domain::passage::Direction::In,
                        observed_ms: d.observed_at.timestamp_millis(),
                        recorded_ms: 0,
                        plate: d.vehicle.as_ref().map(|v| v.plate.as_str().to_owned()),
                        occupants,
                    })
                })
                .collect(),
        )
    }

    /// Adds the passages just recorded (those created, not replayed) to the index, so that the
    /// poller need not read them back; asks the poller for a read if some could not be added here
    /// (the index busy: a rebuild or a query holds it).
    pub fn recorded(&self, pending: Pending, recorded: &[Recorded]) {
        let mut missed = false;
        let rows: Vec<IndexRow> = pending
            .0
            .into_iter()
            .zip(recorded)
            .filter_map(|(row, r)| match (row, r) {
                (Some(_), Recorded::Created(p)) if self.withdrawals.superseded(&p.id) => None,
                (Some(mut row), Recorded::Created(p)) => {
                    row.recorded_ms = p.recorded_at.timestamp_millis();
                    Some(row)
                }
                (None, Recorded::Created(_)) => {
                    missed = true;
                    None
                }
                (_, Recorded::Replayed(_)) => None,
            })
            .collect();
        if !rows.is_empty() {
            // Never wait here: a rebuild holds the read lock for seconds, and queries for a
            // moment. Whatever is not added now, the poller reads.
            match self.index.try_write() {
                Ok(mut index) => {
                    index.add(rows);
                }
                Err(std::sync::TryLockError::Poisoned(e)) => {
                    e.into_inner().add(rows);
                }
                Err(std::sync::TryLockError::WouldBlock) => missed = true,
            }
        }
        if missed {
            self.nudge();
        }
    }

    /// Waits (up to [`FRESH_WAIT`]) until the index holds every passage recorded before the call:
    /// `503 trace_index_loading` while the first load runs.
    pub async fn fresh(&self) -> Result<(), ApiError> {
        if !self.is_ready() {
            return Err(ApiError::IndexLoading);
        }
        let asked = Instant::now();
        let mut read = self.read_since.subscribe();
        self.urgent.store(true, Ordering::Release);
        self.nudge.notify_one();
        if tokio::time::timeout(FRESH_WAIT, read.wait_for(|since| *since >= asked))
            .await
            .is_err()
        {
            tracing::warn!("the trace index is behind the store; answering from what it holds");
        }
        Ok(())
    }

    /// Runs `f` over the index (under its read lock).
    pub fn with<T>(&self, f: impl FnOnce(&TraceIndex) -> T) -> T {
        let guard = self.index.read().unwrap_or_else(|e| e.into_inner());
        f(&guard)
    }

    /// For each checkpoint number, whether `scope` covers it.
    pub fn visibility(&self, scope: &Scope) -> Vec<bool> {
        let list = self
            .checkpoints
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let len = list.iter().map(|c| c.id + 1).max().unwrap_or(0).max(0) as usize;
        let mut out = vec![false; len];
        for c in list.iter() {
            if scope.covers(&c.code, c.jurisdiction) {
                out[c.id as usize] = true;
            }
        }
        out
    }

    /// Every checkpoint the index knows, by internal number.
    pub fn checkpoint_list(&self) -> Arc<Vec<TraceCheckpoint>> {
        self.checkpoints
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The checkpoint with this internal number.
    pub fn checkpoint(&self, id: u32) -> Option<TraceCheckpoint> {
        let list = self
            .checkpoints
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        list.binary_search_by_key(&i64::from(id), |c| c.id)
            .ok()
            .map(|i| list[i].clone())
    }

    /// One more than the largest checkpoint number known.
    fn checkpoint_bound(&self) -> u32 {
        let list = self.checkpoints.read().unwrap_or_else(|e| e.into_inner());
        list.last().map(|c| c.id as u32 + 1).unwrap_or(0)
    }

    /// Whether the first load read the saved file (`false` until it is done, and when it read
    /// the store).
    pub fn loaded_from_file(&self) -> bool {
        self.from_file.load(Ordering::Relaxed)
    }

    /// Milliseconds the first load took (0 until it is done).
    pub fn load_ms(&self) -> u64 {
        self.load_ms.load(Ordering::Relaxed)
    }

    async fn reload_checkpoints(&self, store: &dyn Store) -> Result<(), StoreError> {
        let list = store.trace_checkpoints().await?;
        let numbers = list
            .iter()
            .filter_map(|c| Some((c.code.to_string(), u32::try_from(c.id).ok()?)))
            .collect();
        *self.checkpoints.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(list);
        *self.numbers.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(numbers);
        Ok(())
    }

    /// Loads the whole index from the store.
    pub async fn load(self: &Arc<Self>, store: &dyn Store) -> Result<(), StoreError> {
        let started = Instant::now();
        self.reload_checkpoints(store).await?;
        // The superseded passages first, so that none goes in.
        self.withdrawals.read(store, &self.index, true).await?;
        let total = store.count_passages().await?.max(1) as u64;
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<IndexRow>>(4);
        let build =
            tokio::task::spawn_blocking(move || TraceIndex::build(rx.into_iter().flatten()));
        let parts = match store.trace_span().await? {
            Some((first, last)) => load_parts(first, last),
            None => Vec::new(),
        };
        let progress = LoadProgress::new(total);
        futures_util::stream::iter(parts)
            .map(|(from, until)| self.load_part(store, from, until, &tx, &progress))
            .buffer_unordered(LOAD_AT_ONCE)
            .try_collect::<Vec<()>>()
            .await?;
        drop(tx);
        let index = build
            .await
            .map_err(|e| StoreError::Unavailable(format!("trace index builder: {e}")))?;
        let took = started.elapsed();
        tracing::info!(
            passages = index.passages(),
            person_passages = index.person_passages(),
            persons = index.persons(),
            megabytes = index.bytes() / 1_000_000,
            seconds = format!("{:.1}", took.as_secs_f64()),
            "trace index loaded"
        );
        *self.index.write().unwrap_or_else(|e| e.into_inner()) = index;
        self.load_ms
            .store(took.as_millis().max(1) as u64, Ordering::Relaxed);
        self.ready.store(true, Ordering::Release);
        Ok(())
    }

    /// Loads the index from its saved file, if there is one of this hub, whole, and true to the
    /// store: its passages checked against the store's (a file of another database, or of a
    /// store restored from an older copy, is not). Corrections are then read as at a full
    /// load, passages past the retention period dropped, and the poller reads what was
    /// recorded since the file's watermark. Answers whether it did; on `false` the caller
    /// loads from the store.
    pub async fn load_saved(self: &Arc<Self>, store: &dyn Store) -> Result<bool, StoreError> {
        let Some(saved) = self.saved.clone() else {
            return Ok(false);
        };
        let started = Instant::now();
        let path = saved.path().display().to_string();
        let loaded = tokio::task::spawn_blocking(move || saved.load())
            .await
            .map_err(|e| StoreError::Unavailable(format!("trace index file: {e}")))?;
        let index = match loaded {
            Ok(index) => index,
            Err(crate::trace::saved::Unusable::Missing) => return Ok(false),
            Err(e) => {
                tracing::warn!(file = %path, reason = %e, "reading the trace index from the store instead");
                return Ok(false);
            }
        };
        let sample = index.sample(CHECKED, self.retention_cutoff_ms() + 3_600_000);
        let ids: Vec<uuid::Uuid> = sample.iter().map(|s| s.id).collect();
        let rows: HashMap<uuid::Uuid, TraceRow> = store
            .trace_rows_by_id(&ids)
            .await?
            .into_iter()
            .map(|r| (r.id, r))
            .collect();
        let true_to_store = sample.iter().all(|s| {
            rows.get(&s.id).is_some_and(|r| {
                r.checkpoint_id == i64::from(s.checkpoint)
                    && r.observed_ms == s.observed_ms
                    && r.occupants.len() == s.persons
            })
        });
        if !true_to_store {
            tracing::warn!(file = %path, "the saved trace index does not match the store; reading the store instead");
            return Ok(false);
        }
        self.reload_checkpoints(store).await?;
        let watermark = index.watermark();
        *self.index.write().unwrap_or_else(|e| e.into_inner()) = index;
        self.withdrawals.read(store, &self.index, true).await?;
        self.saved_watermark.store(watermark, Ordering::Relaxed);
        let took = started.elapsed();
        tracing::info!(
            passages = self.with(|i| i.passages()),
            seconds = format!("{:.1}", took.as_secs_f64()),
            "trace index loaded from its file"
        );
        self.load_ms
            .store(took.as_millis().max(1) as u64, Ordering::Relaxed);
        self.from_file.store(true, Ordering::Relaxed);
        self.ready.store(true, Ordering::Release);
        // Passages whose personal data was purged since the file was saved.
        self.rebuild_if_due(true).await;
        Ok(true)
    }

    /// Saves the index to its file if it changed since it was last saved or loaded (at a stop,
    /// and every half hour). Holds the index's read lock while it writes: the poller waits,
    /// traces go on.
    pub async fn save(self: &Arc<Self>) {
        let Some(saved) = self.saved.clone() else {
            return;
        };
        if !self.is_ready() {
            return;
        }
        let watermark = self.with(|i| i.watermark());
        if watermark <= self.saved_watermark.load(Ordering::Relaxed) {
            return;
        }
        let live = self.clone();
        let started = Instant::now();
        match tokio::task::spawn_blocking(move || live.with(|i| saved.save(i))).await {
            Ok(Ok(bytes)) => {
                self.saved_watermark.store(watermark, Ordering::Relaxed);
                tracing::info!(
                    megabytes = bytes / 1_000_000,
                    seconds = format!("{:.1}", started.elapsed().as_secs_f64()),
                    "trace index saved"
                );
            }
            Ok(Err(e)) => tracing::warn!(error = %e, "could not save the trace index"),
            Err(e) => tracing::warn!(error = %e, "could not save the trace index"),
        }
    }

    /// The rows the index takes of those read: not superseded, and written by Cordon.
    fn kept(&self, mut rows: Vec<TraceRow>) -> Vec<IndexRow> {
        self.withdrawals.leave_out(&mut rows, |r| r.id);
        rows.into_iter().filter_map(index_row).collect()
    }

    /// The passages recorded from `from` until before `until_ms`, page by page, handed to the
    /// index's builder.
    async fn load_part(
        &self,
        store: &dyn Store,
        from: i64,
        until_ms: i64,
        tx: &std::sync::mpsc::SyncSender<Vec<IndexRow>>,
        progress: &LoadProgress,
    ) -> Result<(), StoreError> {
        let mut cursor = TraceCursor::since(from);
        loop {
            let rows = store.trace_rows(cursor, until_ms, PAGE).await?;
            let Some(last) = rows.last() else {
                return Ok(());
            };
            cursor = TraceCursor {
                recorded_ms: last.recorded_ms,
                id: last.id,
            };
            let full = rows.len() == PAGE as usize;
            progress.add(rows.len() as u64);
            let batch: Vec<IndexRow> = self.kept(rows);
            let tx = tx.clone();
            // The channel is bounded: hand the batch over without blocking the runtime.
            tokio::task::spawn_blocking(move || tx.send(batch))
                .await
                .map_err(|e| StoreError::Unavailable(format!("trace index loader: {e}")))?
                .map_err(|_| StoreError::Unavailable("the trace index builder stopped".into()))?;
            if !full {
                return Ok(());
            }
        }
    }

    /// The earliest observation time a trace may reach: the retention period before now.
    pub fn retention_cutoff_ms(&self) -> i64 {
        cordon_domain::time::now_ms() - i64::from(self.retention_days) * 86_400_000
    }

    /// Rebuilds the index when passages are past the retention cutoff (the store purges their
    /// personal data on the same schedule; `look_for_old`, since finding them scans every
    /// passage) or when enough arrived since the last build that folding them in makes it compact
    /// again. Queries go on meanwhile; only this task adds passages, so none is missed.
    pub async fn rebuild_if_due(self: &Arc<Self>, look_for_old: bool) {
        let cutoff = self.retention_cutoff_ms();
        let old = look_for_old && self.with(|i| i.oldest_ms()).is_some_and(|o| o < cutoff);
        if !old && !self.with(|i| i.wants_rebuild()) {
            return;
        }
        let live = self.clone();
        let started = Instant::now();
        match tokio::task::spawn_blocking(move || live.with(|i| i.without_before(cutoff))).await {
            Ok(index) => {
                tracing::info!(
                    passages = index.passages(),
                    seconds = format!("{:.1}", started.elapsed().as_secs_f64()),
                    "trace index rebuilt"
                );
                *self.index.write().unwrap_or_else(|e| e.into_inner()) = index;
            }
            Err(e) => tracing::warn!(error = %e, "could not rebuild the trace index"),
        }
    }

    /// Reads what was recorded after `cursor` into the index: the positions first, then whole
    /// rows for those the index lacks. Answers the new cursor and how many rows were new.
    async fn catch_up(
        &self,
        store: &dyn Store,
        mut cursor: TraceCursor,
    ) -> Result<(TraceCursor, usize), StoreError> {
        let mut added = 0;
        loop {
            let positions = store.trace_positions(cursor, PAGE).await?;
            let Some(&last) = positions.last() else { break };
            if last.recorded_ms > cursor.recorded_ms
                || (last.recorded_ms == cursor.recorded_ms && last.id > cursor.id)
            {
                cursor = last;
            }
            let full = positions.len() == PAGE as usize;
            let lacking: Vec<uuid::Uuid> = self.with(|index| {
                positions
                    .iter()
                    .filter(|p| !index.holds_recent(&p.id))
                    .map(|p| p.id)
                    .collect()
            });
            if !lacking.is_empty() {
                let rows = store.trace_rows_by_id(&lacking).await?;
                let batch: Vec<IndexRow> = self.kept(rows);
                added += self
                    .index
                    .write()
                    .unwrap_or_else(|e| e.into_inner())
                    .add(batch);
            }
            if !full {
                break;
            }
        }
        Ok((cursor, added))
    }

    /// Loads the index, then keeps it current for as long as the process runs.
    pub fn spawn(self: &Arc<Self>, store: Arc<dyn Store>) {
        let live = Arc::downgrade(self);
        tokio::spawn(async move {
            loop {
                let Some(l) = live.upgrade() else { return };
                let loaded = match l.load_saved(store.as_ref()).await {
                    Ok(true) => Ok(()),
                    Ok(false) => l.load(store.as_ref()).await,
                    Err(e) => Err(e),
                };
                match loaded {
                    Ok(()) => break,
                    Err(e) => {
                        tracing::warn!(error = %e, "could not load the trace index; trying again");
                        drop(l);
                        tokio::time::sleep(Duration::from_secs(5)).await;
                    }
                }
            }
            let mut polls = 0u32;
            let mut saved_at = Instant::now();
            let mut cursor = match live.upgrade() {
                Some(l) => TraceCursor::since(l.with(|i| i.watermark()) - RECORDING_LAG_MS),
                None => return,
            };
            loop {
                let Some(l) = live.upgrade() else { return };
                let woken = tokio::time::timeout(POLL, l.nudge.notified()).await.is_ok();
                if Arc::strong_count(&l) == 1 {
                    // The server that held the index stopped while this waited: its store may
                    // be gone too.
                    return;
                }
                // A query waits for this read: it must see corrections made anywhere.
                let asked = l.urgent.swap(false, Ordering::AcqRel);
                if woken && !asked {
                    // Woken by a registration: let the next few arrive, and read them at once.
                    tokio::time::sleep(NUDGE_BATCH).await;
                }
                l.urgent.store(false, Ordering::Release);
                let started = Instant::now();
                polls += 1;
                l.rebuild_if_due(polls.is_multiple_of(FORGET_EVERY)).await;
                if saved_at.elapsed() >= SAVE_EVERY {
                    l.save().await;
                    saved_at = Instant::now();
                }
                if l.withdrawals
                    .due(asked || polls.is_multiple_of(LAG_SWEEP_EVERY))
                {
                    if let Err(e) = l.withdrawals.read(store.as_ref(), &l.index, false).await {
                        tracing::warn!(error = %e, "could not read the corrections for traces");
                    }
                }
                if polls.is_multiple_of(LAG_SWEEP_EVERY) {
                    cursor = TraceCursor::since(l.with(|i| i.watermark()) - RECORDING_LAG_MS);
                    if let Err(e) = l.reload_checkpoints(store.as_ref()).await {
                        tracing::warn!(error = %e, "could not reload the checkpoints for traces");
                    }
                }
                match l.catch_up(store.as_ref(), cursor).await {
                    Ok((next, added)) => {
                        cursor = next;
                        // A passage at a checkpoint created since the last read of the list.
                        if added > 0 && l.with(|i| i.checkpoint_bound()) > l.checkpoint_bound() {
                            if let Err(e) = l.reload_checkpoints(store.as_ref()).await {
                                tracing::warn!(error = %e, "could not reload the checkpoints for traces");
                            }
                        }
                        l.read_since.send_replace(started);
                    }
                    Err(e) => tracing::warn!(error = %e, "could not update the trace index"),
                }
            }
        });
    }
}

/// The first load's parts of the recording span `first..=last`: equal times, the first from
/// the beginning of time and the last to its end (so nothing recorded meanwhile at either end
/// is missed).
fn load_parts(first: i64, last: i64) -> Vec<(i64, i64)> {
    let span = i128::from(last) - i128::from(first) + 1;
    let bound = |i: i64| match i {
        0 => i64::MIN,
        LOAD_PARTS => i64::MAX,
        _ => (i128::from(first) + span * i128::from(i) / i128::from(LOAD_PARTS)) as i64,
    };
    (0..LOAD_PARTS).map(|i| (bound(i), bound(i + 1))).collect()
}

/// How far the first load is, in the log every tenth of the passages.
struct LoadProgress {
    read: AtomicU64,
    total: u64,
}

impl LoadProgress {
    fn new(total: u64) -> Self {
        Self {
            read: AtomicU64::new(0),
            total: total.max(1),
        }
    }

    fn add(&self, rows: u64) {
        let before = self.read.fetch_add(rows, Ordering::Relaxed);
        let now = before + rows;
        if before * 10 / self.total != now * 10 / self.total {
            tracing::info!(
                passages = now,
                percent = (now * 100 / self.total).min(100),
                "loading the trace index"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_load_parts_cover_all_time_in_order() {
        for (first, last) in [(0, 0), (1_000, 1_007), (5, 3_600_005), (i64::MIN, i64::MAX)] {
            let parts = load_parts(first, last);
            assert_eq!(parts.len(), LOAD_PARTS as usize);
            assert_eq!(parts[0].0, i64::MIN);
            assert_eq!(parts[parts.len() - 1].1, i64::MAX);
            assert!(parts.windows(2).all(|w| w[0].1 == w[1].0), "{parts:?}");
            assert!(parts.iter().all(|(from, until)| from <= until), "{parts:?}");
        }
        let parts = load_parts(1_000, 1_007);
        assert_eq!(parts[1].0, 1_001, "equal times: {parts:?}");
    }
}
