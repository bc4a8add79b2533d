//! The hub's route watch ("tracked", 即追): every freight pass in force
//! ([`RouteWatch`]) followed through the trace index. A sweep looks watched vehicles up in the
//! index (their passages since a day ago, so a station's late push is still seen), raises
//! `off_route` for a passage at a checkpoint its route does not name, and `overdue` for a
//! planned arrival six hours gone with no passage within six hours of it. Alerts go to the
//! issuing command, once per pass and kind (the store's unique index; the watch remembers what
//! it raised).
//!
//! What it costs the lanes: a recorded passage's plate is looked up in the watch (one map
//! look-up, [`RouteWatcher::noticed`]); a watched plate is set aside for a sweep of the plates
//! set aside, which runs on its own task (at most one a second). Every [`SWEEP`] the whole
//! watch is swept (what other processes recorded, the arrivals that came due), and every few
//! minutes, or after a pass is issued or revoked, the passes are read again.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use cordon_domain::checkpoint::CheckpointCode;
use cordon_domain::freight::alert::{AlertKind, SeenAt};
use cordon_domain::freight::route::{RouteWatch, WatchedPass};
use cordon_store::freight::RouteAlert;
use cordon_store::trace::TraceCheckpoint;
use cordon_store::{Recorded, Store, StoreError};
use cordon_trace::TraceIndex;
use tokio::sync::Notify;

use crate::trace::live::LiveTrace;

/// How often the whole watch is swept.
pub const SWEEP: Duration = Duration::from_secs(60);
/// The least time between two sweeps, however often the lanes ask (a busy lane network's
/// watched plates would otherwise keep a core sweeping).
const MIN_GAP: Duration = Duration::from_secs(1);
/// Every this many whole sweeps (about five minutes), the passes are read again.
const RELOAD_EVERY: u32 = 5;
/// How far back a sweep looks for passages off a route.
const LOOK_BACK_MS: i64 = 24 * 3_600_000;
/// An arrival missed longer ago than this is no longer reported (the hub was down).
const OVERDUE_FOR_MS: i64 = 7 * 86_400_000;
/// How far back the alert lists an overdue vehicle's passages, before its planned arrival.
const OVERDUE_SEEN_MS: i64 = 48 * 3_600_000;

/// What a sweep found, not yet raised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub kind: AlertKind,
    /// The pass's position in the watch.
    pub pass: usize,
    pub plate: String,
    /// The passage off the route: its checkpoint's number and time.
    pub off_route_at: Option<(u32, i64)>,
    pub seen_from_ms: i64,
}

/// Whether an alert of this kind was raised for this pass.
pub type Raised = HashSet<(String, AlertKind)>;

/// One sweep over the index at `now_ms`: what the watched vehicles' passages say (those of
/// `only`'s plates, or every one), leaving out what was raised. `code_of` names a checkpoint by
/// its number.
pub fn sweep(
    watch: &RouteWatch,
    index: &TraceIndex,
    code_of: &dyn Fn(u32) -> Option<CheckpointCode>,
    raised: &Raised,
    only: Option<&HashSet<String>>,
    now_ms: i64,
) -> Vec<Finding> {
    let was = |p: &WatchedPass, k: AlertKind| raised.contains(&(p.number.to_string(), k));
    let plates: Box<dyn Iterator<Item = (&str, &[u32])>> = match only {
        Some(set) => Box::new(set.iter().filter_map(|p| watch.plate(p))),
        None => Box::new(watch.plates()),
    };
    let mut out = Vec::new();
    for (plate, passes) in plates {
        let mut from = i64::MAX;
        let wanted: Vec<(usize, &WatchedPass, bool, bool)> = passes
            .iter()
            .map(|&i| (i as usize, &watch.passes()[i as usize]))
            .filter(|(_, p)| p.valid_from_ms <= now_ms)
            .map(|(i, p)| {
                let stray = !p.via.is_empty() && !was(p, AlertKind::OffRoute);
                let overdue = p.arrival_window().is_some_and(|(lo, hi)| {
                    hi <= now_ms && hi > now_ms - OVERDUE_FOR_MS && {
                        from = from.min(lo);
                        !was(p, AlertKind::Overdue)
                    }
                });
                if stray {
                    from = from.min((now_ms - LOOK_BACK_MS).max(p.valid_from_ms));
                }
                (i, p, stray, overdue)
            })
            .filter(|&(_, _, s, o)| s || o)
            .collect();
        if wanted.is_empty() {
            continue;
        }
        let seen = cordon_trace::sightings(index, plate, from, now_ms + 1);
        for (i, p, stray, overdue) in wanted {
            if stray {
                let off = seen.iter().find(|&&(cp, at)| {
                    at >= now_ms - LOOK_BACK_MS
                        && code_of(cp).is_some_and(|c| p.strays(c.as_str(), at))
                });
                if let Some(&(cp, at)) = off {
                    out.push(Finding {
                        kind: AlertKind::OffRoute,
                        pass: i,
                        plate: plate.to_owned(),
                        off_route_at: Some((cp, at)),
                        seen_from_ms: (at - LOOK_BACK_MS).max(p.valid_from_ms),
                    });
                }
            }
            if overdue {
                let (Some((lo, hi)), Some(due)) = (p.arrival_window(), p.expected_arrival_ms)
                else {
                    continue;
                };
                if !seen.iter().any(|&(_, at)| (lo..hi).contains(&at)) {
                    out.push(Finding {
                        kind: AlertKind::Overdue,
                        pass: i,
                        plate: plate.to_owned(),
                        off_route_at: None,
                        seen_from_ms: (due - OVERDUE_SEEN_MS).max(p.valid_from_ms),
                    });
                }
            }
        }
    }
    // A pass filed under its tractor's plate too is reported once.
    out.sort_by_key(|f| (f.pass, f.kind as u8, f.off_route_at.map(|(_, at)| at)));
    out.dedup_by_key(|f| (f.pass, f.kind));
    out
}

/// The watch as the hub keeps it, and its task.
#[derive(Default)]
pub struct RouteWatcher {
    watch: RwLock<Arc<RouteWatch>>,
    raised: Mutex<Raised>,
    /// Watched plates the lanes recorded since the last sweep.
    pending: Mutex<HashSet<String>>,
    reload: AtomicBool,
    nudge: Notify,
}

impl RouteWatcher {
    /// Looks the plates of passages just recorded up in the watch: a watched one asks for a
    /// sweep.
    pub fn noticed<'a>(&self, recorded: impl IntoIterator<Item = &'a Recorded>) {
        let watch = self.current();
        if watch.is_empty() {
            return;
        }
        let mut watched = recorded
            .into_iter()
            .filter_map(|r| match r {
                Recorded::Created(p) => p.vehicle.as_ref().map(|v| v.plate.as_str()),
                Recorded::Replayed(_) => None,
            })
            .filter(|plate| watch.plate(plate).is_some())
            .peekable();
        if watched.peek().is_some() {
            self.pending
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .extend(watched.map(str::to_owned));
            self.nudge.notify_one();
        }
    }

    /// Asks for the passes to be read again (one was issued or revoked) and a sweep.
    pub fn reload(&self) {
        self.reload.store(true, Ordering::Release);
        self.nudge.notify_one();
    }

    pub fn current(&self) -> Arc<RouteWatch> {
        self.watch.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    async fn load(&self, store: &dyn Store, now_ms: i64) -> Result<(), StoreError> {
        let passes = store.watched_passes(now_ms).await?;
        let raised: Raised = store
            .route_alerts_raised(now_ms - 40 * 86_400_000)
            .await?
            .into_iter()
            .collect();
        *self.watch.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(RouteWatch::new(passes));
        *self.raised.lock().unwrap_or_else(|e| e.into_inner()) = raised;
        Ok(())
    }

    /// One sweep (of `only`'s plates, or of every one): what it finds is raised (each once).
    /// Returns how many alerts were raised.
    pub async fn sweep_once(
        &self,
        store: &dyn Store,
        trace: &LiveTrace,
        only: Option<&HashSet<String>>,
        now_ms: i64,
    ) -> Result<usize, StoreError> {
        let watch = self.current();
        if watch.is_empty() || !trace.is_ready() {
            return Ok(0);
        }
        let checkpoints = trace.checkpoint_list();
        let code_of = |n: u32| named(&checkpoints, n).map(|c| c.code.clone());
        let raised = self
            .raised
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let found = trace.with(|index| sweep(&watch, index, &code_of, &raised, only, now_ms));
        let mut n = 0;
        for f in found {
            let pass = &watch.passes()[f.pass];
            let off_route_at = match f.off_route_at {
                Some((cp, at)) => match named(&checkpoints, cp) {
                    Some(c) => Some(SeenAt {
                        checkpoint_name: store.get_checkpoint(&c.code).await?.name,
                        checkpoint: c.code.clone(),
                        at: cordon_domain::time::from_ms(at),
                    }),
                    None => None,
                },
                None => None,
            };
            let alert = RouteAlert {
                kind: f.kind,
                pass,
                plate: &f.plate,
                off_route_at,
                seen_from_ms: f.seen_from_ms,
            };
            if store.raise_route_alert(&alert, now_ms).await? {
                n += 1;
                tracing::warn!(pass = %pass.number, kind = f.kind.as_str(), "freight pass alert");
            }
            self.raised
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert((pass.number.to_string(), f.kind));
        }
        Ok(n)
    }

    /// Starts the watch: the passes read, then a sweep of the plates the lanes set aside when
    /// asked (at most one a second), and of the whole watch every [`SWEEP`].
    pub fn spawn(self: &Arc<Self>, store: Arc<dyn Store>, trace: Arc<LiveTrace>) {
        let me = self.clone();
        tokio::spawn(async move {
            let mut whole = 0u32;
            let mut last_whole = tokio::time::Instant::now();
            me.reload.store(true, Ordering::Release);
            loop {
                let now = cordon_domain::time::now_ms();
                let mut due = last_whole.elapsed() >= SWEEP || whole == 0;
                // Passes read again are swept whole: what the lanes recorded while the old
                // watch did not know a pass is in the index.
                if me.reload.swap(false, Ordering::AcqRel)
                    || (due && whole.is_multiple_of(RELOAD_EVERY))
                {
                    due = true;
                    if let Err(e) = me.load(store.as_ref(), now).await {
                        tracing::warn!(error = %e, "the route watch could not read the passes");
                    }
                }
                let pending =
                    std::mem::take(&mut *me.pending.lock().unwrap_or_else(|e| e.into_inner()));
                let only = (!due).then_some(&pending);
                if due || !pending.is_empty() {
                    if let Err(e) = me.sweep_once(store.as_ref(), &trace, only, now).await {
                        tracing::warn!(error = %e, "the route watch's sweep failed");
                    }
                }
                if due {
                    whole = whole.wrapping_add(1);
                    last_whole = tokio::time::Instant::now();
                }
                tokio::time::sleep(MIN_GAP).await;
                let left = SWEEP.saturating_sub(last_whole.elapsed());
                let _ = tokio::time::timeout(left, me.nudge.notified()).await;
            }
        });
    }
}

fn named(list: &[TraceCheckpoint], n: u32) -> Option<&TraceCheckpoint> {
    list.binary_search_by_key(&i64::from(n), |c| c.id)
        .ok()
        .map(|i| &list[i])
}

#[cfg(test)]
mod tests {
    use super::*;
    use cordon_domain::freight::pass::PassNumber;
    use cordon_domain::passage::Role;
    use cordon_trace::IndexRow;
    use uuid::Uuid;

    const H: i64 = 3_600_000;

    fn pass(n: &str, plate: &str, via: &[&str], arrival: Option<i64>) -> WatchedPass {
        WatchedPass {
            number: PassNumber::parse(n).unwrap(),
            plate: plate.into(),
            tractor_plate: None,
            via: via
                .iter()
                .map(|c| CheckpointCode::parse(c).unwrap())
                .collect(),
            valid_from_ms: 0,
            valid_until_ms: 72 * H,
            expected_arrival_ms: arrival,
        }
    }

    fn seen(n: u128, checkpoint: u32, at: i64, plate: &str) -> IndexRow {
        IndexRow {
            id: Uuid::from_u128(n),
            checkpoint,
            lane: 1,
            inbound: true,
            observed_ms: at,
            recorded_ms: at,
            plate: Some(plate.into()),
            occupants: vec![(n, Role::Driver)],
        }
    }

    #[test]
    fn a_sweep_finds_the_vehicles_off_their_routes_and_the_overdue_once() {
        let codes = ["CP-130100-0001", "CP-130100-0002", "CP-130200-0009"];
        let code_of = |n: u32| {
            codes
                .get(n as usize)
                .map(|c| CheckpointCode::parse(c).unwrap())
        };
        let watch = RouteWatch::new(vec![
            // On its route, then off it.
            pass("130100000001", "鄂A11111", &codes[..2], None),
            // On its route only; due at hour 10, seen at hour 9.
            pass("130100000002", "鄂A22222", &codes[..2], Some(10 * H)),
            // Any route; due at hour 5, never seen.
            pass("130100000003", "鄂A33333", &[], Some(5 * H)),
            // Due at hour 30: not yet overdue at hour 20.
            pass("130100000004", "鄂A44444", &[], Some(30 * H)),
        ]);
        let index = TraceIndex::build(vec![
            seen(1, 0, H, "鄂A11111"),
            seen(2, 2, 3 * H, "鄂A11111"),
            seen(3, 1, 9 * H, "鄂A22222"),
            seen(4, 2, 2 * H, "冀B99999"),
        ]);
        let mut raised = Raised::new();
        let found = sweep(&watch, &index, &code_of, &raised, None, 20 * H);
        let kinds: Vec<(usize, AlertKind)> = found.iter().map(|f| (f.pass, f.kind)).collect();
        assert_eq!(kinds, [(0, AlertKind::OffRoute), (2, AlertKind::Overdue)]);
        assert_eq!(found[0].off_route_at, Some((2, 3 * H)));
        assert_eq!(found[0].plate, "鄂A11111");
        // A sweep of the plates the lanes set aside looks at those only.
        let only: HashSet<String> = ["鄂A11111".to_owned(), "冀B99999".to_owned()].into();
        let some = sweep(&watch, &index, &code_of, &raised, Some(&only), 20 * H);
        assert_eq!(
            some.iter().map(|f| (f.pass, f.kind)).collect::<Vec<_>>(),
            [(0, AlertKind::OffRoute)]
        );
        // Raised once: the next sweep leaves them out.
        for f in &found {
            raised.insert((watch.passes()[f.pass].number.to_string(), f.kind));
        }
        assert!(sweep(&watch, &index, &code_of, &raised, None, 21 * H).is_empty());
        // Hours later the fourth is overdue too.
        let later = sweep(&watch, &index, &code_of, &raised, None, 37 * H);
        assert_eq!(
            later.iter().map(|f| (f.pass, f.kind)).collect::<Vec<_>>(),
            [(3, AlertKind::Overdue)]
        );
    }
}
