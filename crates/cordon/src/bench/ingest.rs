//! `cordon bench ingest`: how fast registrations are recorded, against what the database itself
//! can do. On the same generated rows, for each backend, on a fresh database each time:
//!
//! 1. single-vehicle registrations over HTTP on loopback, `--concurrency` keep-alive
//!    connections at once (the lean load generator of [`super::http1`]);
//! 2. batches of `--batch-size` passages over HTTP;
//! 3. the baseline: the same rows inserted with one prepared statement per row, in transactions
//!    of `--batch-size` passages, with no parsing, checks or idempotency.
//!
//! It prints throughput (vehicles and person-passages per second), p50/p99 latency, and each
//! rate's ratio to the baseline.

use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Args;
use cordon_store::{NewCheckpoint, NewPassage, Store, StoreOptions};
use rand::rngs::SmallRng;
use rand::SeedableRng;
use serde_json::{json, Value};

use super::http1;
use crate::demo::{network, traffic};

#[derive(Debug, Args)]
pub struct IngestArgs {
    /// Vehicles registered one by one over HTTP.
    #[arg(long, default_value_t = 20_000)]
    pub single: usize,
    /// Passages registered in batches over HTTP, and inserted raw for the baseline.
    #[arg(long, default_value_t = 100_000)]
    pub passages: usize,
    /// Passages per batch.
    #[arg(long, default_value_t = 1_000)]
    pub batch_size: usize,
    /// Concurrent HTTP clients for single registrations.
    #[arg(long, default_value_t = 64)]
    pub concurrency: usize,
    /// Concurrent HTTP clients sending batches (stations pushing at once). Four keep both cores
    /// busy: while the writer stores one batch, others are parsed and decided.
    #[arg(long, default_value_t = 4)]
    pub batch_concurrency: usize,
    /// PostgreSQL server to measure too (a fresh database is created per phase and dropped).
    #[arg(long, env = "CORDON_BENCH_POSTGRES")]
    pub postgres: Option<String>,
    /// Measure PostgreSQL only.
    #[arg(long)]
    pub skip_sqlite: bool,
    /// Freight passes in force for the route watch: single registrations are measured again
    /// with this many passes in the store, and the watch's own costs are printed.
    #[arg(long, default_value_t = 0)]
    pub active_passes: usize,
    /// Passages of a day checked one by one against the passes (a province's day by default).
    #[arg(long, default_value_t = 941_726)]
    pub day: usize,
}

/// The key the generated rows are sealed with and every fresh store opens with.
pub(super) fn bench_keyring() -> cordon_store::keyring::Keyring {
    cordon_store::keyring::Keyring::from_master(&[0x42; 32])
}

/// A fresh SQLite store holding the demo (seed 1) at `scale` over `days`, with the codes of its
/// checkpoints (of those open, when `only_open`).
pub(super) async fn demo_store(
    scale: f64,
    days: u32,
    only_open: bool,
) -> anyhow::Result<(Arc<dyn Store>, Fresh, Vec<String>)> {
    demo_store_on(&Backend::Sqlite, scale, days, only_open).await
}

/// [`demo_store`] on `backend`.
pub(super) async fn demo_store_on(
    backend: &Backend,
    scale: f64,
    days: u32,
    only_open: bool,
) -> anyhow::Result<(Arc<dyn Store>, Fresh, Vec<String>)> {
    let (store, fresh) = Fresh::open(backend).await?;
    let options = crate::demo::DemoOptions {
        scale,
        days,
        seed: 1,
    };
    crate::demo::load_if_empty(store.as_ref(), &options).await?;
    let filter = cordon_store::CheckpointFilter {
        status: only_open.then_some(cordon_domain::checkpoint::CheckpointStatus::Open),
        ..cordon_store::CheckpointFilter::default()
    };
    let codes = store
        .list_checkpoints(&filter)
        .await?
        .into_iter()
        .map(|c| c.code.to_string())
        .collect();
    Ok((store, fresh, codes))
}

/// A fresh store of one backend; `remove` removes it.
pub(super) enum Fresh {
    Sqlite(std::path::PathBuf),
    Postgres { admin: String, name: String },
}

impl Fresh {
    pub(super) async fn open(backend: &Backend) -> anyhow::Result<(Arc<dyn Store>, Fresh)> {
        let id = uuid::Uuid::now_v7().simple().to_string();
        match backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join(format!("cordon-bench-{id}"));
                std::fs::create_dir_all(&dir)?;
                let store = cordon_store::open(
                    &format!("sqlite://{}", dir.join("cordon.db").display()),
                    &StoreOptions::default(),
                    bench_keyring(),
                )
                .await?;
                Ok((store, Fresh::Sqlite(dir)))
            }
            Backend::Postgres(admin) => {
                let (name, url) =
                    cordon_store::scratch::create_postgres_database(admin, "bench").await?;
                let store = cordon_store::open(
                    &url,
                    &StoreOptions {
                        max_connections: 16,
                    },
                    bench_keyring(),
                )
                .await?;
                Ok((
                    store,
                    Fresh::Postgres {
                        admin: admin.clone(),
                        name,
                    },
                ))
            }
        }
    }

    pub(super) async fn remove(self) {
        match self {
            Fresh::Sqlite(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Fresh::Postgres { admin, name } => {
                if let Err(e) = cordon_store::scratch::drop_postgres_database(&admin, &name).await {
                    eprintln!("could not drop {name}: {e}");
                }
            }
        }
    }
}

pub(super) enum Backend {
    Sqlite,
    Postgres(String),
}

impl Backend {
    pub(super) fn name(&self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }
}

/// The wire form of a generated passage, as an officer's device would send it.
pub(super) fn request(p: &NewPassage) -> Value {
    let d = &p.draft;
    let occupants: Vec<Value> = d
        .occupants
        .iter()
        .map(|o| {
            json!({
                "document": {"type": o.person.document.kind().as_str(), "number": o.person.document.expose_number()},
                "name": o.person.name.expose(),
                "phone": o.person.phone.as_ref().map(|p| p.expose()),
                "role": o.role.as_str(),
                "temperature_c": o.temperature_c.map(|t| t.celsius()),
                "health_code": o.health_code.as_str(),
                "latest_test": o.latest_test.as_ref().map(|t| json!({"kind": t.kind.as_str(), "taken_at": t.taken_at, "result": t.result.as_str()})),
                "visited": o.visited.iter().map(|v| v.to_string()).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "id": d.id, "checkpoint": d.checkpoint.as_str(), "lane": d.lane, "direction": d.direction.as_str(),
        "observed_at": d.observed_at,
        "vehicle": d.vehicle.as_ref().map(|v| json!({"plate": v.plate.as_str(), "plate_color": v.plate_color.as_str(), "class": v.class.as_str()})),
        "origin": d.origin.map(|c| c.to_string()), "destination": d.destination.map(|c| c.to_string()),
        "occupants": occupants,
    })
}

pub(super) struct Rows {
    pub(super) checkpoints: Vec<NewCheckpoint>,
    pub(super) passages: Vec<NewPassage>,
}

pub(super) fn generate(n: usize) -> Rows {
    generate_over(n, chrono::Duration::seconds(n as i64))
}

/// `n` passages evenly over the `span` before now (the last a second or less ago).
pub(super) fn generate_over(n: usize, span: chrono::Duration) -> Rows {
    let mut rng = SmallRng::seed_from_u64(7);
    let checkpoints = network::checkpoints(&mut rng);
    let open: Vec<&network::DemoCheckpoint> = checkpoints
        .iter()
        .filter(|c| c.checkpoint.status == cordon_domain::checkpoint::CheckpointStatus::Open)
        .collect();
    let population = traffic::Population::generate(&mut rng, n as f64);
    let now = chrono::Utc::now().with_timezone(&cordon_domain::time::china());
    let engine = cordon_server::policy::decide::Engine::default();
    let keyring = bench_keyring();
    let passages = (0..n)
        .map(|i| {
            let at = now
                - chrono::Duration::milliseconds(
                    span.num_milliseconds() * (n - i) as i64 / n.max(1) as i64,
                );
            traffic::with_decision(
                &engine,
                &keyring,
                traffic::passage(&mut rng, &population, open[i % open.len()], at),
            )
        })
        .collect();
    Rows {
        checkpoints: checkpoints.into_iter().map(|c| c.checkpoint).collect(),
        passages,
    }
}

pub(super) async fn prepare(store: &dyn Store, rows: &Rows) -> anyhow::Result<()> {
    network::create_jurisdictions(store).await?;
    store
        .create_checkpoints(rows.checkpoints.clone(), "bench")
        .await?;
    Ok(())
}

/// A signed-in officer bound to every open checkpoint of the generated network, as a lane's
/// client would be: its registrations go through authentication, scope checks and auditing.
pub(super) async fn officer_token(store: &dyn Store, rows: &Rows) -> anyhow::Result<String> {
    let codes: Vec<String> = rows
        .checkpoints
        .iter()
        .filter(|c| c.status == cordon_domain::checkpoint::CheckpointStatus::Open)
        .map(|c| c.code.to_string())
        .collect();
    session_token(
        store,
        "bench-officer",
        cordon_domain::access::Role::Officer,
        &codes.join(","),
    )
    .await
}

/// Creates an account and a session for it straight in the store; answers the bearer token.
pub(super) async fn session_token(
    store: &dyn Store,
    name: &str,
    role: cordon_domain::access::Role,
    scope: &str,
) -> anyhow::Result<String> {
    use cordon_server::auth::sessions::{new_secret, token_hash, SESSION_MS};
    let account = store
        .create_account(cordon_store::access::NewAccount {
            username: cordon_domain::access::Username::parse(name)?,
            role,
            scope: cordon_domain::access::Scope::parse(scope)?,
            password_hash: cordon_server::auth::password::hash(new_secret()).await,
            created_by: "bench".into(),
        })
        .await?;
    let token = new_secret();
    let now = cordon_domain::time::now_ms();
    store
        .create_session(cordon_store::access::NewSession {
            token_hash: token_hash(&token),
            account: account.id,
            csrf: new_secret(),
            address: "bench".into(),
            created_at_ms: now,
            expires_at_ms: now + SESSION_MS,
        })
        .await?;
    Ok(token)
}

/// A hub serving one phase on loopback; [`Served::stop`] ends it before its database is
/// removed (else its periodic reloads would find the database gone).
pub(super) struct Served {
    pub addr: String,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

impl Served {
    pub async fn stop(self) {
        let _ = self.stop.send(());
        // A stop saves the trace index when the hub has a file for it.
        let _ = tokio::time::timeout(Duration::from_secs(120), self.task).await;
    }

    /// Waits until the hub's trace index is ready; answers where it was loaded from (`file`
    /// or `store`).
    pub async fn trace_ready(&self) -> anyhow::Result<String> {
        let http = reqwest::Client::new();
        loop {
            let h: serde_json::Value = http
                .get(format!("http://{}/healthz", self.addr))
                .send()
                .await?
                .json()
                .await?;
            if h["trace_index"] == "ready" {
                return Ok(h["trace_index_from"].as_str().unwrap_or("").to_owned());
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

pub(super) async fn serve(store: Arc<dyn Store>) -> anyhow::Result<Served> {
    serve_with(store, cordon_server::Settings::default()).await
}

/// [`serve`] with these settings (a station's: its hub and the hub's key).
pub(super) async fn serve_with(
    store: Arc<dyn Store>,
    settings: cordon_server::Settings,
) -> anyhow::Result<Served> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let _ = cordon_server::serve(
            store,
            &settings,
            "127.0.0.1:0".parse().expect("addr"),
            |a| {
                let _ = tx.send(a);
            },
            async move {
                let _ = stopped.await;
            },
        )
        .await;
    });
    Ok(Served {
        addr: rx.await?.to_string(),
        stop,
        task,
    })
}

pub(super) fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

struct Measured {
    passages: usize,
    persons: usize,
    seconds: f64,
    latencies: Vec<Duration>,
}

impl Measured {
    fn persons_per_s(&self) -> f64 {
        self.persons as f64 / self.seconds
    }
    fn print(&self, backend: &str, what: &str, baseline: Option<f64>) {
        let mut l = self.latencies.clone();
        l.sort();
        let ratio = baseline
            .map(|b| format!("{:.2}", self.persons_per_s() / b))
            .unwrap_or_else(|| "1.00".into());
        println!(
            "{backend:<9} {what:<26} {:>9.0} vehicles/s {:>10.0} persons/s  p50 {:>7.2} ms  p99 {:>7.2} ms  ratio {ratio}",
            self.passages as f64 / self.seconds,
            self.persons_per_s(),
            percentile(&l, 0.5),
            percentile(&l, 0.99),
        );
    }
}

fn persons(p: &[NewPassage]) -> usize {
    p.iter().map(|p| p.draft.occupants.len()).sum()
}

/// One phase over HTTP on a fresh store of `backend`: the signed-in officer posts `bodies` to
/// `path` with `concurrency` keep-alive connections, each answered `expect`.
struct HttpPhase<'a> {
    path: &'a str,
    bodies: &'a [Vec<u8>],
    concurrency: usize,
    expect: u16,
    passages: usize,
    persons: usize,
}

fn codes(rows: &Rows) -> Vec<cordon_domain::checkpoint::CheckpointCode> {
    rows.checkpoints.iter().map(|c| c.code.clone()).collect()
}

/// Runs a phase on a fresh database; with `passes`, that many freight passes are in force
/// first, and the route watch's costs are measured after.
async fn over_http(
    backend: &Backend,
    rows: &Rows,
    phase: HttpPhase<'_>,
    passes: Option<(usize, usize)>,
) -> anyhow::Result<(Measured, Option<super::routes::WatchCost>)> {
    let (store, fresh) = Fresh::open(backend).await?;
    prepare(store.as_ref(), rows).await?;
    if let Some((n, _)) = passes {
        let s = super::routes::issue(store.as_ref(), &codes(rows), &rows.passages, n).await?;
        println!("{n} freight passes issued in {s:.1} s");
    }
    let token = officer_token(store.as_ref(), rows).await?;
    let server = serve(store.clone()).await?;
    let requests: Vec<Vec<u8>> = phase
        .bodies
        .iter()
        .map(|b| http1::post(&server.addr, phase.path, &token, b))
        .collect();
    // What a hub does as it starts (the trace index, the route watch's passes) is done before
    // the clock starts, in every phase alike.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let started = Instant::now();
    let latencies = http1::run(&server.addr, &requests, phase.concurrency, phase.expect).await;
    let seconds = started.elapsed().as_secs_f64();
    server.stop().await;
    let cost = match passes {
        Some((_, day)) => {
            Some(super::routes::cost(store.as_ref(), &codes(rows), &rows.passages, day).await?)
        }
        None => None,
    };
    drop(store);
    fresh.remove().await;
    Ok((
        Measured {
            passages: phase.passages,
            persons: phase.persons,
            seconds,
            latencies: latencies?,
        },
        cost,
    ))
}

async fn raw(store: &dyn Store, rows: &[NewPassage], batch: usize) -> anyhow::Result<Measured> {
    let chunks: Vec<Vec<NewPassage>> = rows.chunks(batch).map(<[NewPassage]>::to_vec).collect();
    let started = Instant::now();
    let mut latencies = Vec::new();
    for chunk in chunks {
        let t = Instant::now();
        store.insert_raw_baseline(chunk).await?;
        latencies.push(t.elapsed());
    }
    Ok(Measured {
        passages: rows.len(),
        persons: persons(rows),
        seconds: started.elapsed().as_secs_f64(),
        latencies,
    })
}

/// Single registrations again with `--active-passes` in force, against the run without, and
/// what the route watch costs.
async fn watched(
    backend: &Backend,
    rows: &Rows,
    bodies: &[Vec<u8>],
    args: &IngestArgs,
    without: &Measured,
    baseline: f64,
) -> anyhow::Result<()> {
    let single_rows = &rows.passages[..args.single];
    let (with, cost) = over_http(
        backend,
        rows,
        HttpPhase {
            path: "/api/v1/passages",
            bodies,
            concurrency: args.concurrency,
            expect: 201,
            passages: single_rows.len(),
            persons: persons(single_rows),
        },
        Some((args.active_passes, args.day)),
    )
    .await?;
    let name = backend.name();
    with.print(
        name,
        &format!("HTTP single, {} passes", args.active_passes),
        Some(baseline),
    );
    let (mut a, mut b) = (without.latencies.clone(), with.latencies.clone());
    a.sort();
    b.sort();
    println!(
        "{name:<9} with the passes against without: throughput {:.3}, p50 {:.3}, p99 {:.3}",
        with.persons_per_s() / without.persons_per_s(),
        percentile(&b, 0.5) / percentile(&a, 0.5),
        percentile(&b, 0.99) / percentile(&a, 0.99),
    );
    if let Some(c) = cost {
        let per_check_us = c.check_s * 1e6 / c.checked.max(1) as f64;
        let per_registration_us = without.seconds * 1e6 / without.passages.max(1) as f64;
        println!(
            "{name:<9} route watch: {} passes read in {:.0} ms; {} passages checked one by one in {:.2} s \
             ({:.3} µs each, {:.4}% of a registration's {:.0} µs at the measured rate; {} off a route); \
             a sweep of the trace index {:.1} ms ({} found)",
            c.passes,
            c.read_ms,
            c.checked,
            c.check_s,
            per_check_us,
            100.0 * per_check_us / per_registration_us,
            per_registration_us,
            c.strays,
            c.sweep_ms,
            c.sweep_found,
        );
    }
    Ok(())
}

pub async fn run(args: IngestArgs) -> anyhow::Result<()> {
    let total = args.single.max(args.passages);
    println!("Generating {total} passages on the demo network...");
    let rows = generate(total);
    let single_rows = &rows.passages[..args.single];
    let batch_rows = &rows.passages[..args.passages];
    let single_bodies: Vec<Vec<u8>> = single_rows
        .iter()
        .map(|p| serde_json::to_vec(&request(p)))
        .collect::<Result<_, _>>()?;
    let batch_bodies: Vec<Vec<u8>> = batch_rows
        .chunks(args.batch_size)
        .map(|c| {
            serde_json::to_vec(&json!({"passages": c.iter().map(request).collect::<Vec<_>>()}))
        })
        .collect::<Result<_, _>>()?;
    println!(
        "{} single registrations ({} persons), {} passages in batches of {} ({} persons); concurrency {} single, {} batches",
        args.single,
        persons(single_rows),
        args.passages,
        args.batch_size,
        persons(batch_rows),
        args.concurrency,
        args.batch_concurrency
    );
    let mut backends = Vec::new();
    if !args.skip_sqlite {
        backends.push(Backend::Sqlite);
    }
    match &args.postgres {
        Some(url) => backends.push(Backend::Postgres(url.clone())),
        None => println!(
            "PostgreSQL skipped: pass --postgres URL (or CORDON_BENCH_POSTGRES) to measure it"
        ),
    }
    for backend in &backends {
        let name = backend.name();
        let (store, fresh) = Fresh::open(backend).await?;
        prepare(store.as_ref(), &rows).await?;
        let baseline = raw(store.as_ref(), batch_rows, args.batch_size).await?;
        drop(store);
        fresh.remove().await;

        let batched = over_http(
            backend,
            &rows,
            HttpPhase {
                path: "/api/v1/passages/batch",
                bodies: &batch_bodies,
                concurrency: args.batch_concurrency,
                expect: 200,
                passages: batch_rows.len(),
                persons: persons(batch_rows),
            },
            None,
        )
        .await?
        .0;
        let (singles, _) = over_http(
            backend,
            &rows,
            HttpPhase {
                path: "/api/v1/passages",
                bodies: &single_bodies,
                concurrency: args.concurrency,
                expect: 201,
                passages: single_rows.len(),
                persons: persons(single_rows),
            },
            None,
        )
        .await?;

        let b = baseline.persons_per_s();
        println!(
            "\n{:<9} {:<26} (ratio: person-passages per second against the raw insert)",
            "backend", "phase"
        );
        baseline.print(name, "raw insert (baseline)", None);
        batched.print(
            name,
            &format!("HTTP batches of {}", args.batch_size),
            Some(b),
        );
        singles.print(
            name,
            &format!("HTTP single, {} clients", args.concurrency),
            Some(b),
        );
        if args.active_passes > 0 {
            watched(backend, &rows, &single_bodies, &args, &singles, b).await?;
        }
    }
    Ok(())
}
