//! The command dashboard's figures: per checkpoint and per hour, vehicles and persons, decisions
//! by outcome, and the lanes' handling time (recorded minus observed, for vehicles registered at
//! the lane). Computed from the store's summary rows and the checkpoint list within the reader's
//! scope; served as JSON (`GET /api/v1/dashboard`) and drawn by the dashboard page. Kept for a
//! few seconds per scope, so that a wall of screens refreshing does not each scan the day.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use cordon_domain::access::passage::PassageRead;
use cordon_domain::access::Scope;
use cordon_domain::checkpoint::{Checkpoint, CheckpointStatus};
use cordon_store::dashboard::Summary;
use cordon_store::{CheckpointFilter, Store, StoreError};
use serde::Serialize;

const HOUR_MS: i64 = 3_600_000;

/// How long a computed dashboard is served again to readers of the same scope and period.
pub const CACHE_MS: i64 = 5_000;
/// The longest period the dashboard covers.
pub const MAX_HOURS: i64 = 72;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Dashboard {
    pub from: String,
    pub to: String,
    pub hours: i64,
    pub passages: i64,
    pub persons: i64,
    /// Vehicles (passages) per outcome.
    pub outcomes: BTreeMap<String, i64>,
    /// Per hour of the period, oldest first.
    pub hourly: Vec<HourFigures>,
    /// Every checkpoint in scope, busiest first.
    pub checkpoints: Vec<CheckpointFigures>,
    /// Passages per hour over the last hour of the period.
    pub last_hour: i64,
    pub open: usize,
    pub closed: usize,
    /// Vehicles through the green channel (a verified freight pass on its route).
    pub green_channel: GreenChannel,
}

/// The green channel's vehicles and how long the lanes took over them.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct GreenChannel {
    pub vehicles: i64,
    /// Mean seconds from observation to record, over those registered at the lane.
    pub handling_seconds: Option<f64>,
    pub handled: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HourFigures {
    pub hour: String,
    pub passages: i64,
    pub persons: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CheckpointFigures {
    pub code: String,
    pub name: String,
    pub status: String,
    pub defence_line: String,
    pub kind: String,
    pub lat: f64,
    pub lon: f64,
    pub passages: i64,
    pub persons: i64,
    pub outcomes: BTreeMap<String, i64>,
    /// Mean seconds from observation to record, over vehicles registered at the lane.
    pub handling_seconds: Option<f64>,
    pub handled: i64,
    /// Vehicles through the green channel.
    pub green: i64,
}

pub fn iso(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .with_timezone(&cordon_domain::time::china())
        .to_rfc3339()
}

/// Builds the dashboard of a period's `summary` over the checkpoints in scope; `recent` is the
/// vehicles of the last 60 minutes (of the last hour, not of the clock's hour).
pub fn compute(
    summary: &Summary,
    recent: i64,
    checkpoints: &[Checkpoint],
    from_ms: i64,
    to_ms: i64,
) -> Dashboard {
    let first_hour = from_ms.div_euclid(3_600_000);
    let last_hour = (to_ms - 1).div_euclid(3_600_000);
    let mut hourly: Vec<HourFigures> = (first_hour..=last_hour)
        .map(|h| HourFigures {
            hour: iso(h * 3_600_000),
            passages: 0,
            persons: 0,
        })
        .collect();
    let mut by_code: HashMap<&str, CheckpointFigures> = checkpoints
        .iter()
        .map(|c| {
            (
                c.code.as_str(),
                CheckpointFigures {
                    code: c.code.to_string(),
                    name: c.name.clone(),
                    status: c.status.as_str().into(),
                    defence_line: c.defence_line.as_str().into(),
                    kind: c.kind.as_str().into(),
                    lat: c.location.lat,
                    lon: c.location.lon,
                    passages: 0,
                    persons: 0,
                    outcomes: BTreeMap::new(),
                    handling_seconds: None,
                    handled: 0,
                    green: 0,
                },
            )
        })
        .collect();
    let mut handling_ms: HashMap<&str, i64> = HashMap::new();
    let mut outcomes = BTreeMap::new();
    let (mut passages, mut persons) = (0, 0);
    let mut green = GreenChannel::default();
    let mut green_ms = 0;
    for h in &summary.hours {
        let slot = (h.hour_ms.div_euclid(3_600_000) - first_hour) as usize;
        if let Some(slot) = hourly.get_mut(slot) {
            slot.passages += h.passages;
            slot.persons += h.persons;
        }
    }
    for r in &summary.checkpoints {
        let Some(cp) = by_code.get_mut(r.checkpoint.as_str()) else {
            continue;
        };
        cp.passages += r.passages;
        cp.persons += r.persons;
        cp.handled += r.handled;
        cp.green += r.green;
        green.vehicles += r.green;
        green.handled += r.green_handled;
        green_ms += r.green_handling_ms;
        for (outcome, n) in &r.outcomes {
            *cp.outcomes.entry(outcome.clone()).or_default() += n;
            *outcomes.entry(outcome.clone()).or_default() += n;
        }
        *handling_ms.entry(r.checkpoint.as_str()).or_default() += r.handling_ms;
        passages += r.passages;
        persons += r.persons;
    }
    let mut list: Vec<CheckpointFigures> = by_code
        .into_iter()
        .map(|(code, mut cp)| {
            if cp.handled > 0 {
                let ms = handling_ms.get(code).copied().unwrap_or(0);
                cp.handling_seconds = Some(ms as f64 / cp.handled as f64 / 1000.0);
            }
            cp
        })
        .collect();
    list.sort_by(|a, b| b.passages.cmp(&a.passages).then(a.code.cmp(&b.code)));
    if green.handled > 0 {
        green.handling_seconds = Some(green_ms as f64 / green.handled as f64 / 1000.0);
    }
    let open = list.iter().filter(|c| c.status == "open").count();
    Dashboard {
        from: iso(from_ms),
        to: iso(to_ms),
        hours: last_hour - first_hour + 1,
        passages,
        persons,
        outcomes,
        hourly,
        closed: list.len() - open,
        open,
        checkpoints: list,
        last_hour: recent,
        green_channel: green,
    }
}

/// The checkpoints a scope covers.
pub async fn checkpoints_in(
    store: &dyn Store,
    scope: &Scope,
) -> Result<Vec<Checkpoint>, StoreError> {
    match scope {
        Scope::Division(d) => {
            store
                .list_checkpoints(&CheckpointFilter {
                    within: Some(*d),
                    ..CheckpointFilter::default()
                })
                .await
        }
        // Many codes: one read of the network, filtered, rather than a read per code.
        Scope::Checkpoints(list) if list.len() > 16 => Ok(store
            .list_checkpoints(&CheckpointFilter::default())
            .await?
            .into_iter()
            .filter(|c| list.binary_search(&c.code).is_ok())
            .collect()),
        Scope::Checkpoints(list) => {
            let mut out = Vec::with_capacity(list.len());
            for code in list.iter() {
                match store.get_checkpoint(code).await {
                    Ok(c) => out.push(c),
                    Err(StoreError::NotFound { .. }) => {}
                    Err(e) => return Err(e),
                }
            }
            Ok(out)
        }
    }
}

/// How long a reader waits for a dashboard being computed (by another reader of the same scope,
/// or another scope's) before it is answered 429 with `Retry-After`.
pub const WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// A computed dashboard and its JSON, written once for all the readers who share it.
pub struct Computed {
    pub dashboard: Dashboard,
    pub json: axum::body::Bytes,
}

/// Why a dashboard was not answered: busy (429), or the store's failure.
pub type NotNow = crate::flight::NotNow<StoreError>;

/// Recently computed dashboards, by scope (in full) and period. A scope's dashboard is computed
/// from the counts the registration writer keeps; the sums of its settled hours (all but the
/// last two) are kept with the counts' revision they were read at and read again only when it
/// moved ([`Settled`]). The JSON is written on a blocking thread, so the async runtime keeps
/// answering the lanes and `/healthz`; and one scope is computed at a time, so the dashboards
/// leave a core to the lanes.
pub struct DashboardCache {
    flights: crate::flight::Flights<(String, i64), Computed>,
    settled: Mutex<HashMap<SettledKey, Arc<Settled>>>,
}

/// A scope (in full) and its settled hours, first and last.
type SettledKey = (String, i64, i64);

/// The sums of a scope's settled hours, read at a revision of the counts. An hour is settled
/// when two more have begun: a registration that decided before an hour's top and committed
/// after it has moved the revision if it changed an earlier hour (`revises_past` in the store),
/// and no transaction lasts an hour.
struct Settled {
    revision: i64,
    summary: Summary,
}

/// How many of the last hours are always read from the counts, the current one included.
pub const UNSETTLED_HOURS: i64 = 2;

impl Default for DashboardCache {
    fn default() -> Self {
        Self {
            flights: crate::flight::Flights::new(CACHE_MS, WAIT, 1),
            settled: Mutex::default(),
        }
    }
}

impl DashboardCache {
    /// The dashboard of the last `hours` hours for the grant's scope.
    pub async fn get(
        &self,
        store: &dyn Store,
        grant: &PassageRead,
        hours: i64,
    ) -> Result<Arc<Computed>, NotNow> {
        let key = (grant.scope().to_string(), hours);
        self.flights
            .get(key, || self.compute(store, grant, hours))
            .await
    }

    /// The sums of the whole hours `first..=last` of the grant's scope: those kept, if read
    /// at `revision`, or read now and kept (those of hours no longer settled let go).
    async fn settled(
        &self,
        store: &dyn Store,
        grant: &PassageRead,
        (first, last): (i64, i64),
        revision: i64,
    ) -> Result<Summary, StoreError> {
        if first > last {
            return Ok(Summary::default());
        }
        let key = (grant.scope().to_string(), first, last);
        let kept = self
            .settled
            .lock()
            .expect("settled sums")
            .get(&key)
            .cloned();
        if let Some(kept) = kept.filter(|k| k.revision == revision) {
            return Ok(kept.summary.clone());
        }
        let summary = store.counted_summary(grant, first, last).await?;
        let mut settled = self.settled.lock().expect("settled sums");
        settled.retain(|(_, _, l), _| *l >= last);
        let kept = Settled {
            revision,
            summary: summary.clone(),
        };
        settled.insert(key, Arc::new(kept));
        Ok(summary)
    }

    async fn compute(
        &self,
        store: &dyn Store,
        grant: &PassageRead,
        hours: i64,
    ) -> Result<Computed, StoreError> {
        let now = cordon_domain::time::now_ms();
        // Whole hours: the period starts at the top of the hour `hours - 1` hours ago.
        let to = now + 1;
        let now_hour = now.div_euclid(HOUR_MS);
        let from = (now_hour - (hours - 1)) * HOUR_MS;
        let since = from.max(grant.since_ms());
        // The whole hours from the counts the writer keeps, the settled ones' sums kept
        // between reads; an officer's period starts within an hour (their last 24 hours), and
        // that hour's head is read from its passages. The revision is read before the counts
        // it vouches for; the reads go together, on connections of their own.
        let first_whole = since.div_euclid(HOUR_MS) + i64::from(since.rem_euclid(HOUR_MS) != 0);
        let last_settled = now_hour - UNSETTLED_HOURS;
        let revision = store.counts_revision().await?;
        let head = async {
            if since < first_whole * HOUR_MS {
                store
                    .network_summary(grant, since, first_whole * HOUR_MS)
                    .await
            } else {
                Ok(Vec::new())
            }
        };
        let (checkpoints, mut summary, latest, head, recent) = tokio::try_join!(
            checkpoints_in(store, grant.scope()),
            self.settled(store, grant, (first_whole, last_settled), revision),
            store.counted_summary(grant, first_whole.max(last_settled + 1), now_hour),
            head,
            store.passages_between(grant, now - HOUR_MS, to),
        )?;
        summary.add(latest);
        if !head.is_empty() {
            summary.add(Summary::of_rows(&head));
        }
        tokio::task::spawn_blocking(move || {
            let dashboard = compute(&summary, recent, &checkpoints, since, to);
            let json = serde_json::to_vec(&dashboard).map(Into::into);
            json.map(|json| Computed { dashboard, json })
        })
        .await
        .map_err(|e| StoreError::Unavailable(e.to_string()))?
        .map_err(|e| StoreError::Unavailable(e.to_string()))
    }
}

/// Checkpoint status as its colour on the map.
pub fn status_colour(status: &str) -> &'static str {
    if status == CheckpointStatus::Open.as_str() {
        "#1b873f"
    } else {
        "#8a8f98"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cordon_store::dashboard::SummaryRow;

    #[test]
    fn rows_add_up_per_checkpoint_hour_and_outcome() {
        use cordon_domain::checkpoint::{CheckpointCode, CheckpointKind, DefenceLine, Location};
        let cp = Checkpoint {
            code: CheckpointCode::parse("CP-130100-0001").unwrap(),
            name: "A".into(),
            jurisdiction: cordon_domain::division::DivisionCode::parse("130102").unwrap(),
            kind: CheckpointKind::parse("toll_station").unwrap(),
            defence_line: DefenceLine::parse("capital_ring").unwrap(),
            location: Location {
                lat: 38.0,
                lon: 114.5,
            },
            lanes: 4,
            cameras: 2,
            status: CheckpointStatus::Open,
            status_changed_at: chrono::DateTime::parse_from_rfc3339("2022-05-01T00:00:00+08:00")
                .unwrap(),
        };
        let h = 3_600_000;
        let row = |hour: i64, outcome: &str, n: i64, handled: i64, ms: i64| SummaryRow {
            checkpoint: "CP-130100-0001".into(),
            hour_ms: hour * h,
            outcome: outcome.into(),
            passages: n,
            persons: 2 * n,
            handled,
            handling_ms: ms,
            green: 0,
            green_handled: 0,
            green_handling_ms: 0,
        };
        let rows = [
            // Two of them through the green channel, one handled in 6 s.
            SummaryRow {
                green: 2,
                green_handled: 1,
                green_handling_ms: 6_000,
                ..row(10, "pass", 5, 4, 40_000)
            },
            row(11, "pass", 3, 0, 0),
            row(11, "hold", 1, 1, 20_000),
            // A checkpoint out of scope is left out.
            SummaryRow {
                checkpoint: "CP-130200-0001".into(),
                ..row(11, "pass", 100, 0, 0)
            },
        ];
        // The hours as the store sums them in scope: the checkpoint out of scope left out.
        let mut summary = Summary::of_rows(&rows[..3]);
        summary
            .checkpoints
            .extend(Summary::of_rows(&rows[3..]).checkpoints);
        let d = compute(&summary, 4, &[cp], 10 * h, 12 * h);
        assert_eq!(d.passages, 9);
        assert_eq!(d.persons, 18);
        assert_eq!(d.hours, 2);
        assert_eq!(
            d.hourly.iter().map(|x| x.passages).collect::<Vec<_>>(),
            [5, 4]
        );
        assert_eq!(d.last_hour, 4);
        assert_eq!(d.outcomes["hold"], 1);
        let c = &d.checkpoints[0];
        assert_eq!(c.passages, 9);
        assert_eq!(c.handled, 5);
        assert_eq!(c.handling_seconds, Some(12.0));
        assert_eq!(c.green, 2);
        assert_eq!(d.green_channel.vehicles, 2);
        assert_eq!(d.green_channel.handling_seconds, Some(6.0));
        assert_eq!((d.open, d.closed), (1, 0));
    }
}
