//! `cordon bench trace`: case traces on the in-memory index against the same questions asked of
//! SQLite and PostgreSQL with their indexes. On a generated province (the demo's ~1,300
//! checkpoints; households that share a car and commute through the same few checkpoints; some
//! who ride with others; pedestrians), `--passages` person-passages over `--days`:
//!
//! Cars carry 2.3 persons on average (the demo's traffic: 2.4).
//!
//! 1. builds the index from the rows (time, bytes per person-passage);
//! 2. loads the same rows into a fresh SQLite and a fresh PostgreSQL database (the schema's own
//!    indexes: the person index, passages by checkpoint and time, by plate and time);
//! 3. runs the same `--traces` one-hop case traces on each, and two-hop traces (all on the
//!    index, `--sql-two-hop` of them on each database, breadth first over the one-hop query);
//! 4. prints p50 and p99 latency and each database's ratio to the index, after checking on a
//!    sample that both sides find the same links.

use std::time::{Duration, Instant};

use clap::Args;
use cordon_domain::access::trace::TrajectoryRead;
use cordon_domain::access::{Principal, Role, Scope, Username};
use cordon_domain::passage::Role as Seat;
use cordon_store::trace::{SqlSubject, SqlTraceQuery, TraceRow};
use cordon_store::{Period, Store};
use cordon_trace::{person_key, trace, IndexRow, Subject, TraceIndex, TraceQuery};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

use super::ingest::{percentile, prepare, Backend, Fresh, Rows};
use crate::demo::network;

#[derive(Debug, Args)]
pub struct TraceArgs {
    /// Person-passages to generate (10 million by default; up to 300 million, which is about
    /// 135 million passages; past 10 million use --index-only, the databases take hours).
    #[arg(long, default_value_t = 10_000_000)]
    pub passages: usize,
    /// Days the generated passages span.
    #[arg(long, default_value_t = 14)]
    pub days: i64,
    /// One-hop case traces run on each.
    #[arg(long, default_value_t = 1_000)]
    pub traces: usize,
    /// Two-hop traces asked of each database (each is one query per contact).
    #[arg(long, default_value_t = 20)]
    pub sql_two_hop: usize,
    /// Plus or minus this many minutes at the same checkpoint.
    #[arg(long, default_value_t = 30)]
    pub window_minutes: i64,
    /// PostgreSQL server to measure too (a fresh database is created and dropped).
    #[arg(long, env = "CORDON_BENCH_POSTGRES")]
    pub postgres: Option<String>,
    /// Measure the index only (no database).
    #[arg(long)]
    pub index_only: bool,
    /// Skip SQLite.
    #[arg(long)]
    pub skip_sqlite: bool,
}

/// A keyed hash stand-in for person `n`: 64 hex digits, spread like the real ones.
fn key(n: u64) -> String {
    let mut x = n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let mut out = String::with_capacity(64);
    for _ in 0..4 {
        x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = x;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        out.push_str(&format!("{:016x}", z ^ (z >> 31)));
    }
    out
}

/// The generated province: its checkpoints and a stream of passages, the same for the same
/// arguments, so that a 100-million run never holds the rows themselves.
#[derive(Clone)]
struct Province {
    rng: SmallRng,
    checkpoints: Vec<cordon_store::NewCheckpoint>,
    /// Cumulative traffic weights, to pick checkpoints by volume.
    cumulative: Vec<f64>,
    persons: u64,
    /// Households: first person, size, the two checkpoints they mostly pass.
    households: Vec<(u64, u64, i64, i64)>,
    end: i64,
    span: i64,
    n: u128,
}

impl Province {
    fn new(target: usize, days: i64) -> Self {
        let mut rng = SmallRng::seed_from_u64(20_220_513);
        let demo = network::checkpoints(&mut rng);
        let mut cumulative = Vec::with_capacity(demo.len());
        let mut sum = 0.0;
        for c in &demo {
            sum += c.weight;
            cumulative.push(sum);
        }
        let mut province = Self {
            rng,
            checkpoints: demo.into_iter().map(|c| c.checkpoint).collect(),
            cumulative,
            persons: (target / 5).max(10) as u64,
            households: Vec::new(),
            end: cordon_domain::time::now_ms(),
            span: days * 86_400_000,
            n: 0,
        };
        let mut next = 0u64;
        while next < province.persons {
            let size = province
                .rng
                .gen_range(1..=4u64)
                .min(province.persons - next);
            let (home, work) = (province.pick(), province.pick());
            province.households.push((next, size, home, work));
            next += size;
        }
        province
    }

    /// A checkpoint (numbered from 1 in the demo's order), by traffic volume.
    fn pick(&mut self) -> i64 {
        let sum = *self.cumulative.last().expect("the demo has checkpoints");
        let x = self.rng.gen_range(0.0..sum);
        self.cumulative.partition_point(|&w| w < x) as i64 + 1
    }

    /// The next passage.
    fn row(&mut self) -> TraceRow {
        let at = self.end - self.rng.gen_range(0..self.span);
        self.n += 1;
        let id = Uuid::from_u128((at as u128) << 64 | self.n);
        let (checkpoint, plate, occupants) = if self.rng.gen_bool(0.05) {
            let who = self.rng.gen_range(0..self.persons);
            (self.pick(), None, vec![(key(who), Seat::Pedestrian)])
        } else {
            let h = self.rng.gen_range(0..self.households.len());
            let (first, size, home, work) = self.households[h];
            let mut who = vec![(key(first), Seat::Driver)];
            for m in 1..size {
                if self.rng.gen_bool(0.8) {
                    who.push((key(first + m), Seat::Passenger));
                }
            }
            if self.rng.gen_bool(0.1) {
                // Someone from elsewhere rides along (never twice in one passage).
                let other = key(self.rng.gen_range(0..self.persons));
                if who.iter().all(|(k, _)| *k != other) {
                    who.push((other, Seat::Passenger));
                }
            }
            let checkpoint = match self.rng.gen_range(0..10) {
                0..=3 => home,
                4..=7 => work,
                _ => self.pick(),
            };
            (
                checkpoint,
                Some(format!("冀{}{:05}", (b'A' + (h % 11) as u8) as char, h)),
                who,
            )
        };
        TraceRow {
            id,
            checkpoint_id: checkpoint,
            lane: self.rng.gen_range(1..=4),
            inbound: self.rng.gen_bool(0.5),
            observed_ms: at,
            recorded_ms: at,
            plate,
            occupants,
        }
    }
}

/// Passages of a province until `target` person-passages; keeps the first occupant of every
/// 16th passage as a candidate case, and the time spent generating.
struct Stream<'a> {
    province: &'a mut Province,
    target: usize,
    passages: usize,
    person_passages: usize,
    candidates: Vec<String>,
    generating: Duration,
}

impl<'a> Stream<'a> {
    fn new(province: &'a mut Province, target: usize) -> Self {
        Stream {
            province,
            target,
            passages: 0,
            person_passages: 0,
            candidates: Vec::new(),
            generating: Duration::ZERO,
        }
    }
}

impl Iterator for Stream<'_> {
    type Item = TraceRow;

    fn next(&mut self) -> Option<TraceRow> {
        if self.person_passages >= self.target {
            return None;
        }
        let started = Instant::now();
        let row = self.province.row();
        self.person_passages += row.occupants.len();
        if self.passages.is_multiple_of(16) {
            self.candidates.push(row.occupants[0].0.clone());
        }
        self.passages += 1;
        self.generating += started.elapsed();
        Some(row)
    }
}

fn index_row(r: &TraceRow) -> IndexRow {
    IndexRow {
        id: r.id,
        checkpoint: r.checkpoint_id as u32,
        lane: r.lane as u16,
        inbound: r.inbound,
        observed_ms: r.observed_ms,
        recorded_ms: r.recorded_ms,
        plate: r.plate.clone(),
        occupants: r
            .occupants
            .iter()
            .map(|(k, s)| (person_key(k).expect("generated keys are hex"), *s))
            .collect(),
    }
}

/// What one case trace asks.
#[derive(Clone)]
struct Case {
    person: String,
    period: Period,
}

struct Timed {
    latencies: Vec<Duration>,
    links: usize,
}

impl Timed {
    fn p(&self, q: f64) -> f64 {
        let mut l = self.latencies.clone();
        l.sort();
        percentile(&l, q)
    }
}

fn province() -> TrajectoryRead {
    Principal {
        account: 0,
        username: Username::parse("bench").expect("valid"),
        role: Role::Tracer,
        scope: Scope::parse("130000").expect("valid"),
    }
    .may_read_trajectories()
    .expect("tracers read trajectories")
}

/// The index saved to a file as a hub saves it at a stop, and loaded from it as the next
/// start does: each timed, against the build from the rows (what a start without the file
/// costs, before reading the store); the loaded index's two-hop answers checked against the
/// built one's.
fn from_file(
    index: TraceIndex,
    build: Duration,
    passages: usize,
    cases: &[Case],
    window_ms: i64,
    two: &Timed,
) -> anyhow::Result<()> {
    use cordon_server::trace::saved::SavedIndex;
    let path = std::env::temp_dir().join(format!(
        "cordon-bench-trace-{}.bin",
        Uuid::now_v7().simple()
    ));
    let saved = SavedIndex::new(path.clone(), "bench");
    let started = Instant::now();
    let bytes = saved.save(&index)?;
    let save = started.elapsed().as_secs_f64();
    drop(index);
    let started = Instant::now();
    let loaded = saved.load().map_err(|e| anyhow::anyhow!("{e}"));
    let load = started.elapsed().as_secs_f64();
    let _ = std::fs::remove_file(&path);
    let loaded = loaded?;
    let again = on_index(&loaded, cases, window_ms, 2);
    anyhow::ensure!(
        again.links == two.links,
        "the loaded index links {} against {}",
        again.links,
        two.links
    );
    println!(
        "saved to its file in {save:.1} s ({} MB), loaded from it in {load:.1} s ({:.2} of the \
         build's {:.1} s; 10^8 passages at this rate {:.1} s)  /10 s: {:.2}; two-hop answers the same",
        bytes / 1_000_000,
        load / build.as_secs_f64(),
        build.as_secs_f64(),
        load * 1e8 / passages.max(1) as f64,
        load * 1e8 / passages.max(1) as f64 / 10.0
    );
    Ok(())
}

fn on_index(index: &TraceIndex, cases: &[Case], window_ms: i64, hops: u8) -> Timed {
    let all = |_: u32| true;
    let mut latencies = Vec::with_capacity(cases.len());
    let mut links = 0;
    for c in cases {
        let started = Instant::now();
        let a = trace(
            index,
            &TraceQuery {
                subject: Subject::Person(person_key(&c.person).expect("hex")),
                from_ms: c.period.from_ms,
                to_ms: c.period.to_ms,
                window_ms,
                hops,
                same_direction: false,
                same_lane: false,
                max_contacts: 10_000,
                max_evidence: usize::MAX,
                visible: &all,
            },
        );
        latencies.push(started.elapsed());
        links += a
            .contacts
            .iter()
            .filter(|c| c.hop == 1)
            .map(|c| c.links)
            .sum::<usize>();
    }
    Timed { latencies, links }
}

fn sql_query(person: String, period: Period, window_ms: i64) -> SqlTraceQuery {
    SqlTraceQuery {
        subject: SqlSubject::Person(person),
        period,
        window_ms,
        same_direction: false,
        same_lane: false,
    }
}

async fn on_sql(
    store: &dyn Store,
    cases: &[Case],
    window_ms: i64,
    hops: u8,
) -> anyhow::Result<Timed> {
    let grant = province();
    let mut latencies = Vec::with_capacity(cases.len());
    let mut links = 0;
    for c in cases {
        let started = Instant::now();
        let first = store
            .trace_hop_sql(&grant, &sql_query(c.person.clone(), c.period, window_ms))
            .await?;
        links += first.links.len();
        if hops == 2 {
            let mut seen: std::collections::HashSet<String> =
                first.links.iter().map(|l| l.person.clone()).collect();
            seen.insert(c.person.clone());
            let contacts: Vec<String> = seen.iter().filter(|p| **p != c.person).cloned().collect();
            for p in contacts {
                store
                    .trace_hop_sql(&grant, &sql_query(p, c.period, window_ms))
                    .await?;
            }
        }
        latencies.push(started.elapsed());
    }
    Ok(Timed { latencies, links })
}

fn line(what: &str, t: &Timed, baseline: Option<&Timed>) {
    let ratio = baseline
        .map(|b| format!("{:.0}x the index", t.p(0.5) / b.p(0.5).max(1e-6)))
        .unwrap_or_default();
    println!(
        "  {what:<34} p50 {:>9.3} ms  p99 {:>9.3} ms  ({} traces)  {ratio}",
        t.p(0.5),
        t.p(0.99),
        t.latencies.len()
    );
}

pub async fn run(args: TraceArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        (1..=300_000_000).contains(&args.passages),
        "--passages is 1 to 300,000,000"
    );
    println!(
        "Generating {} person-passages over {} days on the demo network...",
        args.passages, args.days
    );
    let mut province = Province::new(args.passages, args.days);
    // The databases get the same rows, generated again from the same state.
    let mut replay = (!args.index_only).then(|| province.clone());
    let mut rows = Stream::new(&mut province, args.passages);
    let started = Instant::now();
    // The index is built from the stream, never from rows held in memory, as a hub builds it
    // from its store (a 100-million run would not fit otherwise); the rows the databases need
    // are generated again after it. Built from 10 million held rows, the same index answered
    // one hop at 0.030 ms against 0.020 ms streamed (docs/BENCHMARKS.md).
    let index = TraceIndex::build(rows.by_ref().map(|r| index_row(&r)));
    let build = started.elapsed() - rows.generating;
    let kept: Vec<TraceRow> = match replay.as_mut() {
        Some(replay) => Stream::new(replay, args.passages).collect(),
        None => Vec::new(),
    };
    let (passages, person_passages) = (rows.passages, rows.person_passages);
    let candidates = std::mem::take(&mut rows.candidates);
    println!("{passages} passages, {person_passages} person-passages");
    let bytes = index.bytes();
    println!(
        "index: built in {:.2} s ({:.0} person-passages/s), {} MB, {:.1} bytes per person-passage, {} persons",
        build.as_secs_f64(),
        person_passages as f64 / build.as_secs_f64(),
        bytes / 1_000_000,
        bytes as f64 / person_passages as f64,
        index.persons()
    );
    if let Some(peak) = peak_resident_mb() {
        println!(
            "process peak resident memory: {peak} MB{}",
            if args.index_only {
                " (the index and its build)"
            } else {
                " (with the generated rows held for the databases)"
            }
        );
    }

    // The same random cases everywhere: a person seen in a random passage, the whole span.
    let mut rng = SmallRng::seed_from_u64(7);
    let period = Period {
        from_ms: cordon_domain::time::now_ms() - args.days * 86_400_000 - 1,
        to_ms: cordon_domain::time::now_ms() + 1,
    };
    let cases: Vec<Case> = (0..args.traces)
        .map(|_| Case {
            person: candidates[rng.gen_range(0..candidates.len())].clone(),
            period,
        })
        .collect();
    drop(candidates);
    let window_ms = args.window_minutes * 60_000;
    // Every side runs the one-hop cases once untimed first (the index fresh from its build,
    // a database fresh from its load), then the timed pass.
    on_index(&index, &cases, window_ms, 1);
    let one = on_index(&index, &cases, window_ms, 1);
    let two = on_index(&index, &cases, window_ms, 2);
    println!(
        "one-hop traces (same vehicle, same checkpoint within {} min, shared vehicle):",
        args.window_minutes
    );
    line("index, one hop", &one, None);
    line("index, two hops", &two, None);
    println!(
        "  on average {:.0} links per one-hop trace",
        one.links as f64 / cases.len().max(1) as f64
    );

    if args.index_only {
        return from_file(index, build, passages, &cases, window_ms, &two);
    }
    let mut backends = Vec::new();
    if !args.skip_sqlite {
        backends.push(Backend::Sqlite);
    }
    if let Some(url) = &args.postgres {
        backends.push(Backend::Postgres(url.clone()));
    }
    for backend in backends {
        let (store, fresh) = Fresh::open(&backend).await?;
        let rows = Rows {
            checkpoints: province.checkpoints.clone(),
            passages: Vec::new(),
        };
        prepare(store.as_ref(), &rows).await?;
        let ids: std::collections::HashMap<String, i64> = store
            .trace_checkpoints()
            .await?
            .into_iter()
            .map(|c| (c.code.as_str().to_owned(), c.id))
            .collect();
        // Generated rows number checkpoints by position; the database by its own ids.
        let by_position: Vec<i64> = province
            .checkpoints
            .iter()
            .map(|c| ids[c.code.as_str()])
            .collect();
        let loaded: Vec<TraceRow> = kept
            .iter()
            .map(|r| TraceRow {
                checkpoint_id: by_position[(r.checkpoint_id - 1) as usize],
                ..r.clone()
            })
            .collect();
        let started = Instant::now();
        store.load_trace_bench(loaded).await?;
        println!(
            "{}: loaded and indexed in {:.1} s",
            backend.name(),
            started.elapsed().as_secs_f64()
        );
        on_sql(store.as_ref(), &cases, window_ms, 1).await?;
        let sql_one = on_sql(store.as_ref(), &cases, window_ms, 1).await?;
        anyhow::ensure!(
            sql_one.links == one.links,
            "{} found {} links, the index {}: the answers differ",
            backend.name(),
            sql_one.links,
            one.links
        );
        line(
            &format!("{}, one hop", backend.name()),
            &sql_one,
            Some(&one),
        );
        let few = &cases[..args.sql_two_hop.min(cases.len())];
        let sql_two = on_sql(store.as_ref(), few, window_ms, 2).await?;
        let index_two_few = on_index(&index, few, window_ms, 2);
        line(
            &format!("{}, two hops", backend.name()),
            &sql_two,
            Some(&index_two_few),
        );
        println!("  (the same {} links found on both sides)", sql_one.links);
        drop(store);
        fresh.remove().await;
    }
    Ok(())
}

/// The process's peak resident set, from `/proc/self/status` (Linux only).
fn peak_resident_mb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024)
}
