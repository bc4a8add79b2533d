//! `cordon bench freight`: a holding lot of 1,200 bays at a province's traffic (`--scale`,
//! `--days` of demo passages, so the gate's look-up of the lane's passage runs over a real
//! day). An officer registers `--trucks` out-of-province trucks without a test at the lot's
//! checkpoints (the policy sends each to the lot: the registration is the baseline write); the
//! lot's staff check each in by plate (p99 against 50 ms and against the registration) and park
//! it; then the board of 1,200 trucks is read (p50, p99, bytes); then `--changes` steps are
//! taken while `--watchers` boards wait on the lot's clock as the page does and `--pollers`
//! boards read it every 5 s as a plain page would (the baseline): how long until each board
//! shows each change, against 1 s. Last, a pass issued at the hub is checked at an edge station
//! with no link ([`super::pass_check`]).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::Args;
use cordon_domain::access::Role;
use serde_json::{json, Value};

use super::ingest::{demo_store, percentile, serve, session_token};

#[derive(Debug, Args)]
pub struct FreightArgs {
    /// Demo traffic per day, as `cordon demo --scale` (1.0: a province).
    #[arg(long, default_value_t = 0.05)]
    pub scale: f64,
    /// Days of demo traffic stored before the run.
    #[arg(long, default_value_t = 1)]
    pub days: u32,
    /// Trucks sent to the lot, checked in and parked.
    #[arg(long, default_value_t = 1_200)]
    pub trucks: usize,
    /// Reads of the full board, each read fresh (spaced past the second a board read at a
    /// clock is answered again), then as many again back to back (answered the shared read).
    #[arg(long, default_value_t = 40)]
    pub board_reads: usize,
    /// Steps taken while the boards watch, half a second apart.
    #[arg(long, default_value_t = 40)]
    pub changes: usize,
    /// Boards waiting on the lot's clock, as the page does.
    #[arg(long, default_value_t = 10)]
    pub watchers: usize,
    /// Boards reading every 5 s (the baseline).
    #[arg(long, default_value_t = 10)]
    pub pollers: usize,
    /// A pass's code checked this many times at a station with no link.
    #[arg(long, default_value_t = 2_000)]
    pub pass_checks: usize,
    /// Revocations the station holds while it checks.
    #[arg(long, default_value_t = 1_000)]
    pub revocations: usize,
}

const CHECK_IN_P99_MS: f64 = 50.0;
const SHOWN_S: f64 = 1.0;

fn stats(mut v: Vec<Duration>) -> (f64, f64, f64) {
    v.sort();
    (
        percentile(&v, 0.5),
        percentile(&v, 0.99),
        v.last().map_or(0.0, |d| d.as_secs_f64() * 1000.0),
    )
}

/// A truck without a test at `code`, observed now: the standard policy holds it for the lot.
fn truck(code: &str, plate: &str) -> Value {
    let now = chrono::Utc::now().with_timezone(&cordon_domain::time::china());
    json!({"id": uuid::Uuid::now_v7(), "checkpoint": code, "lane": 1, "direction": "in",
        "observed_at": now.to_rfc3339(),
        "vehicle": {"plate": plate, "plate_color": "yellow", "class": "truck"},
        "occupants": [{"document": {"type": "resident_id", "number": "11010519491231002X"},
            "name": "张三", "role": "driver", "temperature_c": 36.5, "health_code": "green",
            "visited": ["420100"]}]})
}

/// When each board first showed each truck in the state a change put it in.
type Shown = Arc<Mutex<HashMap<(usize, i64), Instant>>>;

/// One board: waits on the lot's clock (`long`) or reads every 5 s, noting when it first shows
/// each truck in `want`'s state.
async fn board(
    http: reqwest::Client,
    url: String,
    token: String,
    who: usize,
    long: bool,
    want: Arc<Mutex<HashMap<i64, String>>>,
    shown: Shown,
) {
    let mut clock: Option<i64> = None;
    loop {
        let q = match (clock, long) {
            (Some(c), true) => format!("?known={c}&wait=20"),
            _ => String::new(),
        };
        let Ok(r) = http
            .get(format!("{url}{q}"))
            .bearer_auth(&token)
            .send()
            .await
        else {
            tokio::time::sleep(Duration::from_secs(1)).await;
            continue;
        };
        let b: Value = r.json().await.unwrap_or(Value::Null);
        let now = Instant::now();
        clock = b["clock"].as_i64().or(clock);
        let wanted = want.lock().map(|w| w.clone()).unwrap_or_default();
        if let Ok(mut s) = shown.lock() {
            for t in b["trucks"].as_array().into_iter().flatten() {
                let id = t["id"].as_i64().unwrap_or(0);
                if wanted.get(&id).map(String::as_str) == t["state"].as_str() {
                    s.entry((who, id)).or_insert(now);
                }
            }
        }
        if !long {
            tokio::time::sleep(Duration::from_secs(5)).await;
        }
    }
}

pub async fn run(args: FreightArgs) -> anyhow::Result<()> {
    let (store, fresh, _) = demo_store(args.scale, args.days, true).await?;
    let passages = store.count_passages().await?;
    let exits = crate::demo::lots::exits(store.as_ref()).await?;
    anyhow::ensure!(
        !exits.is_empty(),
        "the demo has no open highway exit in 130100"
    );
    println!(
        "the demo province at --scale {} over {} days: {passages} passages; a lot of 1,200 bays fed by {} highway exits",
        args.scale,
        args.days,
        exits.len()
    );
    let commander =
        session_token(store.as_ref(), "bench-commander", Role::Commander, "130100").await?;
    let staff = session_token(store.as_ref(), "bench-lot", Role::Lot, "130100").await?;
    let officer = session_token(
        store.as_ref(),
        "bench-officer",
        Role::Officer,
        &exits.join(","),
    )
    .await?;
    let server = serve(store.clone()).await?;
    let base = format!("http://{}", server.addr);
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()?;
    let zones: Vec<Value> = ["A", "B", "C"]
        .iter()
        .map(|z| json!({"kind": "parking", "name": format!("停车{z}区"), "capacity": 400}))
        .collect();
    let lot: Value = http
        .post(format!("{base}/api/v1/lots"))
        .bearer_auth(&commander)
        .json(&json!({"name": "石家庄货车滞留场", "division": "130100", "address": "京昆高速石家庄西出口",
            "zones": zones, "checkpoints": exits}))
        .send()
        .await?
        .json()
        .await?;
    let id = lot["id"].as_i64().context_lot(&lot)?;

    // The lanes send the trucks; the gate checks each in and parks it.
    let (mut registered, mut checked, mut parked) = (Vec::new(), Vec::new(), Vec::new());
    let mut trucks = Vec::with_capacity(args.trucks);
    for n in 0..args.trucks {
        let plate = format!("鄂{}{:05}", ['A', 'B', 'C', 'F'][n % 4], n);
        let t = Instant::now();
        let r = http
            .post(format!("{base}/api/v1/passages"))
            .bearer_auth(&officer)
            .json(&truck(&exits[n % exits.len()], &plate))
            .send()
            .await?;
        anyhow::ensure!(r.status().is_success(), "a registration: {}", r.status());
        registered.push(t.elapsed());
        let t = Instant::now();
        let r = http
            .post(format!("{base}/api/v1/lots/{id}/trucks"))
            .bearer_auth(&staff)
            .json(&json!({"plate": plate}))
            .send()
            .await?;
        anyhow::ensure!(r.status().is_success(), "a check-in: {}", r.status());
        checked.push(t.elapsed());
        let truck: Value = r.json().await?;
        anyhow::ensure!(
            truck["passage"].is_string(),
            "the check-in found no passage: {truck}"
        );
        let tid = truck["id"].as_i64().unwrap_or(0);
        let t = Instant::now();
        let r = http
            .post(format!("{base}/api/v1/lots/{id}/trucks/{tid}/steps"))
            .bearer_auth(&staff)
            .json(&json!({"step": "park", "bay": n + 1}))
            .send()
            .await?;
        anyhow::ensure!(r.status().is_success(), "parking: {}", r.status());
        parked.push(t.elapsed());
        trucks.push(tid);
    }
    let (reg50, reg99, _) = stats(registered);
    let (in50, in99, inmax) = stats(checked);
    let (park50, park99, _) = stats(parked);
    println!("{:<52} {:>9} {:>9} {:>9}", "", "p50 ms", "p99 ms", "max ms");
    println!(
        "  {:<50} {reg50:>9.1} {reg99:>9.1}",
        "a truck registered at the lane (baseline)"
    );
    println!(
        "  {:<50} {in50:>9.1} {in99:>9.1} {inmax:>9.1}  /50 ms: {:.2}  /registration: {:.2}",
        "checked in by plate (its passage looked up)",
        in99 / CHECK_IN_P99_MS,
        in99 / reg99.max(0.001)
    );
    println!("  {:<50} {park50:>9.1} {park99:>9.1}", "parked in a bay");

    // The whole board, as a page opens it: read from the store each time (a board read at a
    // clock is answered again for a second), then back to back (the shared read).
    let spacing = Duration::from_millis(cordon_server::freight::feed::BOARD_FRESH_MS as u64 + 50);
    let (mut reads, mut shared) = (Vec::new(), Vec::new());
    let mut bytes = 0;
    for i in 0..args.board_reads * 2 {
        let spaced = i < args.board_reads;
        if spaced {
            tokio::time::sleep(spacing).await;
        }
        let t = Instant::now();
        let r = http
            .get(format!("{base}/api/v1/lots/{id}"))
            .bearer_auth(&staff)
            .header("accept-encoding", "identity")
            .send()
            .await?;
        bytes = r.bytes().await?.len();
        if spaced { &mut reads } else { &mut shared }.push(t.elapsed());
    }
    // As a browser asks for it (the server compresses; reqwest here does not decode).
    let r = http
        .get(format!("{base}/api/v1/lots/{id}"))
        .bearer_auth(&staff)
        .header("accept-encoding", "gzip")
        .send()
        .await?;
    let gzip = r.bytes().await?.len();
    let (b50, b99, bmax) = stats(reads);
    println!(
        "  {:<50} {b50:>9.1} {b99:>9.1} {bmax:>9.1}  ({bytes} bytes, {gzip} gzipped)",
        format!("the board of {} trucks read whole", args.trucks)
    );
    let (s50, s99, smax) = stats(shared);
    println!(
        "  {:<50} {s50:>9.1} {s99:>9.1} {smax:>9.1}",
        "the same again within its second (shared)"
    );

    // Changes while boards watch.
    let want: Arc<Mutex<HashMap<i64, String>>> = Arc::default();
    let shown: Shown = Arc::default();
    let url = format!("{base}/api/v1/lots/{id}");
    let mut tasks = Vec::new();
    for w in 0..args.watchers + args.pollers {
        tasks.push(tokio::spawn(board(
            http.clone(),
            url.clone(),
            staff.clone(),
            w,
            w < args.watchers,
            want.clone(),
            shown.clone(),
        )));
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let mut made: Vec<(i64, Instant)> = Vec::new();
    for (n, tid) in trucks.iter().take(args.changes).enumerate() {
        if let Ok(mut w) = want.lock() {
            w.insert(*tid, "sampled".into());
        }
        let t = Instant::now();
        let r = http
            .post(format!("{base}/api/v1/lots/{id}/trucks/{tid}/steps"))
            .bearer_auth(&staff)
            .json(&json!({"step": "sample", "pcr_tube": format!("BENCH{n:07}")}))
            .send()
            .await?;
        anyhow::ensure!(r.status().is_success(), "sampling: {}", r.status());
        made.push((*tid, t));
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    // The pollers' last reads.
    tokio::time::sleep(Duration::from_secs(6)).await;
    for t in tasks {
        t.abort();
    }
    let shown = shown.lock().map(|s| s.clone()).unwrap_or_default();
    let lag = |watchers: std::ops::Range<usize>| {
        let mut v = Vec::new();
        let mut missed = 0;
        for (tid, at) in &made {
            for w in watchers.clone() {
                match shown.get(&(w, *tid)) {
                    Some(seen) => v.push(seen.saturating_duration_since(*at)),
                    None => missed += 1,
                }
            }
        }
        (stats(v), missed)
    };
    let ((l50, l99, lmax), lmiss) = lag(0..args.watchers);
    let ((p50, p99, pmax), pmiss) = lag(args.watchers..args.watchers + args.pollers);
    println!(
        "  {:<50} {l50:>9.1} {l99:>9.1} {lmax:>9.1}  /1 s: {:.2}  (not shown: {lmiss})",
        format!("a step shown on {} waiting boards", args.watchers),
        l99 / (SHOWN_S * 1000.0)
    );
    println!(
        "  {:<50} {p50:>9.1} {p99:>9.1} {pmax:>9.1}  waiting/polling p99: {:.2}  (not shown: {pmiss})",
        format!("on {} boards read every 5 s (baseline)", args.pollers),
        l99 / p99.max(0.001)
    );

    // A pass issued at the hub, checked at a station that cannot reach it.
    let pass: Value = http
        .post(format!("{base}/api/v1/freight-passes"))
        .bearer_auth(&commander)
        .json(
            &json!({"plate": "鄂A35791", "origin": "420102", "destination": "130102",
            "goods": "medical", "drivers": [{"name": "张师傅", "phone": "13740000000"}],
            "valid_from": chrono::Utc::now().to_rfc3339(),
            "valid_until": (chrono::Utc::now() + chrono::Duration::hours(48)).to_rfc3339()}),
        )
        .send()
        .await?
        .json()
        .await?;
    let code = pass["code"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("the pass was not issued: {pass}"))?;
    let hub_key = store.keyring().declaration_key().verifying_key();
    super::pass_check::at_station(
        hub_key,
        code,
        "鄂A35791",
        args.pass_checks,
        args.revocations,
    )
    .await?;
    server.stop().await;
    fresh.remove().await;
    Ok(())
}

trait LotId {
    fn context_lot(self, lot: &Value) -> anyhow::Result<i64>;
}

impl LotId for Option<i64> {
    fn context_lot(self, lot: &Value) -> anyhow::Result<i64> {
        self.ok_or_else(|| anyhow::anyhow!("the lot was not made: {lot}"))
    }
}
