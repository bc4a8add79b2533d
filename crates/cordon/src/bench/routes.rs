//! The route watch's part of `cordon bench ingest --active-passes N`: N freight passes issued
//! into the phase's store (a tenth of them for vehicles among the generated passages, so the
//! lanes' look-up finds them and asks for sweeps; one in a hundred of those on a route that
//! names a single checkpoint, so some passages leave their route), and, in process, what the
//! watch costs: reading the passes, checking a day's passages against them one by one, and a
//! sweep over the trace index.

use std::time::Instant;

use cordon_domain::access::Role;
use cordon_domain::checkpoint::CheckpointCode;
use cordon_domain::freight::pass::{GoodsCategory, PassDraft};
use cordon_domain::freight::route::RouteWatch;
use cordon_domain::freight::truck::Driver;
use cordon_domain::plate::Plate;
use cordon_server::freight::route_watch::{sweep, Raised};
use cordon_store::{NewPassage, Store};
use cordon_trace::{IndexRow, TraceIndex};

const HOUR: i64 = 3_600_000;
/// Passes issued per transaction.
const CHUNK: usize = 10_000;

/// Issues `n` passes in force for the next two days, a tenth of them for the vehicles of
/// `passages`; returns the seconds it took.
pub async fn issue(
    store: &dyn Store,
    checkpoints: &[CheckpointCode],
    passages: &[NewPassage],
    n: usize,
) -> anyhow::Result<f64> {
    let grant =
        crate::demo::principal("commander.bench", Role::Commander, "130100")?.may_issue_passes()?;
    let now = cordon_domain::time::now_ms();
    let plates: Vec<&str> = passages
        .iter()
        .filter_map(|p| p.draft.vehicle.as_ref().map(|v| v.plate.as_str()))
        .collect();
    let first_checkpoint = checkpoints
        .first()
        .cloned()
        .ok_or_else(|| anyhow::anyhow!("no checkpoints"))?;
    let driver = Driver {
        name: cordon_domain::person::PersonName::parse("张师傅")
            .map_err(|e| anyhow::anyhow!(e.message))?,
        phone: cordon_domain::contact::MobileNumber::parse("13740000000")
            .map_err(|e| anyhow::anyhow!(e.message))?,
    };
    let provinces = ['鄂', '豫', '鲁', '晋', '京', '津', '辽', '苏'];
    let county = cordon_domain::division::DivisionCode::parse("130102")?;
    let started = Instant::now();
    let mut drafts = Vec::with_capacity(CHUNK);
    for i in 0..n {
        let watched = i % 10 == 0 && !plates.is_empty();
        let plate = if watched {
            plates[(i / 10) % plates.len()].to_owned()
        } else {
            format!(
                "{}{}{:05}",
                provinces[i % 8],
                ['A', 'B', 'C'][i % 3],
                i % 100_000
            )
        };
        drafts.push(PassDraft {
            plate: Plate::parse(&plate).map_err(|e| anyhow::anyhow!(e.message))?,
            tractor_plate: None,
            origin: county,
            destination: county,
            via: if watched && i % 1000 == 0 {
                vec![first_checkpoint.clone()]
            } else {
                Vec::new()
            },
            goods: GoodsCategory::ALL[i % GoodsCategory::ALL.len()],
            drivers: vec![driver.clone()],
            valid_from_ms: now - HOUR,
            valid_until_ms: now + 48 * HOUR,
            expected_arrival_ms: Some(now + 24 * HOUR),
        });
        if drafts.len() == CHUNK || i + 1 == n {
            store.issue_passes(&grant, &drafts, now).await?;
            drafts.clear();
        }
    }
    Ok(started.elapsed().as_secs_f64())
}

/// What the watch costs at this size, measured in process over the generated passages.
pub struct WatchCost {
    pub passes: usize,
    pub read_ms: f64,
    /// Passages checked one by one (the generated ones, again and again to a province's day).
    pub checked: usize,
    pub check_s: f64,
    pub strays: usize,
    pub sweep_ms: f64,
    pub sweep_found: usize,
}

/// Reads the passes in force from `store` as the watch does, checks `day` passages against them
/// (`passages` over and over), and sweeps the trace index of `passages`.
pub async fn cost(
    store: &dyn Store,
    codes: &[CheckpointCode],
    passages: &[NewPassage],
    day: usize,
) -> anyhow::Result<WatchCost> {
    let now = cordon_domain::time::now_ms();
    let t = Instant::now();
    let watch = RouteWatch::new(store.watched_passes(now).await?);
    let read_ms = t.elapsed().as_secs_f64() * 1e3;
    let number = |code: &CheckpointCode| codes.iter().position(|c| c == code).unwrap_or(0) as u32;
    let seen: Vec<(&str, u32, i64)> = passages
        .iter()
        .filter_map(|p| {
            let d = &p.draft;
            d.vehicle.as_ref().map(|v| {
                (
                    v.plate.as_str(),
                    number(&d.checkpoint),
                    d.observed_at.timestamp_millis(),
                )
            })
        })
        .collect();
    let t = Instant::now();
    let mut strays = 0;
    let mut checked = 0;
    while checked < day && !seen.is_empty() {
        for &(plate, cp, at) in &seen {
            strays += watch.strays(plate, codes[cp as usize].as_str(), at).count();
        }
        checked += seen.len();
    }
    let check_s = t.elapsed().as_secs_f64();
    let index = TraceIndex::build(passages.iter().enumerate().map(|(i, p)| {
        let d = &p.draft;
        IndexRow {
            id: d.id,
            checkpoint: number(&d.checkpoint),
            lane: d.lane,
            inbound: true,
            observed_ms: d.observed_at.timestamp_millis(),
            recorded_ms: d.observed_at.timestamp_millis(),
            plate: d.vehicle.as_ref().map(|v| v.plate.as_str().to_owned()),
            occupants: vec![(i as u128, cordon_domain::passage::Role::Driver)],
        }
    }));
    let code_of = |n: u32| codes.get(n as usize).cloned();
    let t = Instant::now();
    let found = sweep(&watch, &index, &code_of, &Raised::new(), None, now);
    let sweep_ms = t.elapsed().as_secs_f64() * 1e3;
    Ok(WatchCost {
        passes: watch.len(),
        read_ms,
        checked,
        check_s,
        strays,
        sweep_ms,
        sweep_found: found.len(),
    })
}
