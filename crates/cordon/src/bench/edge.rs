//! `cordon bench edge`: an edge station and a hub on loopback, each with its own SQLite store in
//! this process. First the station holds a backlog (the link was down): the time for the whole
//! backlog to reach the hub through the station's uplink, against the hub writing the same
//! passages straight into its store (the baseline: what the sync adds is the ratio). Then the
//! link is up and vehicles are registered at the station's lane API at a steady rate: how long
//! each takes to be at the hub (the hub's record time minus the station's).

use std::time::{Duration, Instant};

use clap::Args;
use cordon_domain::access::{Principal, Role, Scope, Username};
use cordon_store::{NewPassage, Store};

use super::ingest::{generate, percentile, prepare, request, serve, session_token, Backend, Fresh};
use crate::station::{spawn_uplink, Upstream};

#[derive(Debug, Args)]
pub struct EdgeArgs {
    /// Records waiting at the station when the link comes back.
    #[arg(long, default_value_t = 100_000)]
    pub queued: usize,
    /// Vehicles registered at the station with the link up.
    #[arg(long, default_value_t = 2_000)]
    pub live: usize,
    /// Registrations per second with the link up (a busy station: two lanes, one vehicle every
    /// second or so, is 2/s; this is far more).
    #[arg(long, default_value_t = 200)]
    pub rate: u32,
}

const BACKLOG_TARGET_S: f64 = 10.0;
const LIVE_P99_TARGET_MS: f64 = 1_000.0;

fn reader() -> cordon_domain::access::passage::PassageRead {
    Principal {
        account: 0,
        username: Username::parse("bench").expect("name"),
        role: Role::Commander,
        scope: Scope::parse("130000").expect("scope"),
    }
    .may_read_passages(0)
    .expect("a commander reads")
}

pub async fn run(args: EdgeArgs) -> anyhow::Result<()> {
    let rows = generate(args.queued + args.live);
    let code = rows
        .checkpoints
        .iter()
        .find(|c| c.status == cordon_domain::checkpoint::CheckpointStatus::Open)
        .map(|c| c.code.clone())
        .ok_or_else(|| anyhow::anyhow!("no open checkpoint"))?;
    let keyring = super::ingest::bench_keyring();
    // Every generated vehicle, moved to the station's checkpoint, lane 1.
    let at_station = |p: &NewPassage| {
        let mut d = p.draft.clone();
        d.checkpoint = code.clone();
        d.lane = 1;
        NewPassage::new(d, p.decision.clone(), &keyring)
    };
    let backlog: Vec<NewPassage> = rows.passages[..args.queued]
        .iter()
        .map(at_station)
        .collect();
    let persons: usize = backlog.iter().map(|p| p.draft.occupants.len()).sum();
    println!(
        "edge station at {code}: {} queued records ({persons} persons), then {} live at {}/s",
        args.queued, args.live, args.rate
    );

    // Baseline: the hub writes the same passages straight into its store.
    let (direct, fresh) = Fresh::open(&Backend::Sqlite).await?;
    prepare(direct.as_ref(), &rows).await?;
    let t = Instant::now();
    for chunk in backlog.chunks(1_000) {
        direct.record_passages(chunk.to_vec()).await?;
    }
    let baseline = t.elapsed().as_secs_f64();
    drop(direct);
    fresh.remove().await;

    // The hub and the station, each with its own store.
    let (hub, hub_fresh) = Fresh::open(&Backend::Sqlite).await?;
    prepare(hub.as_ref(), &rows).await?;
    let token = session_token(hub.as_ref(), "st-bench-1", Role::Station, code.as_str()).await?;
    let hub_server = serve(hub.clone()).await?;
    let (station, station_fresh) = Fresh::open(&Backend::Sqlite).await?;
    prepare(station.as_ref(), &rows).await?;
    for chunk in backlog.chunks(1_000) {
        station.record_passages(chunk.to_vec()).await?;
    }
    let officer = session_token(
        station.as_ref(),
        "bench-officer",
        Role::Officer,
        code.as_str(),
    )
    .await?;
    let station_server = serve(station.clone()).await?;

    // The link comes back: the backlog goes up.
    let t = Instant::now();
    spawn_uplink(
        station.clone(),
        Upstream::new(&format!("http://{}", hub_server.addr), &token, None)?,
    );
    wait_until_acknowledged(station.as_ref(), args.queued as i64).await?;
    let synced = t.elapsed().as_secs_f64();
    anyhow::ensure!(hub.count_passages().await? == args.queued as i64);
    println!(
        "backlog of {} records at the hub in {synced:.2} s ({:.0} records/s) = {:.2} of the 10 s target; the hub writing them straight into its store: {baseline:.2} s (sync / direct = {:.2})",
        args.queued,
        args.queued as f64 / synced,
        synced / BACKLOG_TARGET_S,
        synced / baseline
    );

    // The link up: vehicles at the lane, at a steady rate.
    let http = reqwest::Client::new();
    let base = format!("http://{}", station_server.addr);
    let mut ids = Vec::with_capacity(args.live);
    let mut tick =
        tokio::time::interval(Duration::from_secs_f64(1.0 / f64::from(args.rate.max(1))));
    let now = || chrono::Utc::now().with_timezone(&cordon_domain::time::china());
    for p in &rows.passages[args.queued..] {
        tick.tick().await;
        let mut body = request(p);
        let id = uuid::Uuid::now_v7();
        body["id"] = serde_json::json!(id);
        body["checkpoint"] = serde_json::json!(code.as_str());
        body["lane"] = serde_json::json!(1);
        body["observed_at"] = serde_json::json!(now());
        let r = http
            .post(format!("{base}/api/v1/passages"))
            .bearer_auth(&officer)
            .json(&body)
            .send()
            .await?;
        anyhow::ensure!(
            r.status().as_u16() == 201,
            "the station answered {}",
            r.status()
        );
        ids.push(id);
    }
    wait_until_acknowledged(station.as_ref(), (args.queued + args.live) as i64).await?;
    let grant = reader();
    let mut delays = Vec::with_capacity(ids.len());
    for id in &ids {
        let at_hub = hub.get_passage(&grant, *id).await?.recorded_at;
        let at_station = station.get_passage(&grant, *id).await?.recorded_at;
        delays.push((at_hub - at_station).to_std().unwrap_or(Duration::ZERO));
    }
    delays.sort();
    let p99 = percentile(&delays, 0.99);
    println!(
        "live: {} registrations at the station, at the hub after p50 {:.0} ms, p99 {p99:.0} ms, max {:.0} ms = {:.2} of the 1 s target (p99)",
        ids.len(),
        percentile(&delays, 0.5),
        percentile(&delays, 1.0),
        p99 / LIVE_P99_TARGET_MS
    );
    station_server.stop().await;
    hub_server.stop().await;
    drop((hub, station));
    hub_fresh.remove().await;
    station_fresh.remove().await;
    Ok(())
}

async fn wait_until_acknowledged(station: &dyn Store, n: i64) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        if station.uplink().await?.acknowledged >= n {
            return Ok(());
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "the station's records did not reach the hub"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}
