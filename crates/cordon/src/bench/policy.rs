//! `cordon bench policy`: how fast the engine decides, against native code, and how fast a
//! dry-run replays stored passages, against a plain scan of the same rows.
//!
//! 1. Evaluation: the occupants of generated demo traffic evaluated one by one on one core,
//!    under a policy of `--rules` rules (the shipped May 2022 rules behind rarely matching
//!    plate-and-hour rules, so that most evaluations walk all of them), against the baseline:
//!    the May 2022 rules written by hand as Rust. The engine's outcomes under the shipped rules
//!    are checked against the hand-written ones first; a difference stops the benchmark.
//! 2. Dry-run: `--passages` generated passages stored in a fresh database, then the December
//!    2022 rules replayed over them with [`cordon_server::policy::dryrun::dry_run`], against the
//!    baseline: the same replay scan with nothing evaluated.

use std::sync::Arc;
use std::time::Instant;

use chrono::Duration;
use clap::Args;
use cordon_domain::checkpoint::DefenceLine;
use cordon_domain::passage::{Direction, HealthCode, Outcome, TestKind, TestResult, VehicleClass};
use cordon_domain::policy::facts::{OccupantFacts, PassageFacts};
use cordon_domain::policy::{compile, examples, Policy};
use cordon_domain::risk::{RiskArea, RiskLevel, RiskRegister};
use cordon_store::{NewPassage, Period};
use indicatif::{ProgressBar, ProgressStyle};
use rand::rngs::SmallRng;
use rand::SeedableRng;

use super::ingest::{Backend, Fresh};
use crate::demo::{network, traffic};

#[derive(Debug, Args)]
pub struct PolicyArgs {
    /// Occupant evaluations to time.
    #[arg(long, default_value_t = 5_000_000)]
    pub evaluations: usize,
    /// Rules in the evaluated policy (at least the 10 shipped ones).
    #[arg(long, default_value_t = 50)]
    pub rules: usize,
    /// Passages stored for the dry-run (0 skips it).
    #[arg(long, default_value_t = 1_000_000)]
    pub passages: usize,
    /// PostgreSQL server to run the dry-run on too (a fresh database, dropped after).
    #[arg(long, env = "CORDON_BENCH_POSTGRES")]
    pub postgres: Option<String>,
}

/// The shipped May 2022 rules behind `extra` rules that match only a plate province at one hour.
fn policy_of(rules: usize) -> anyhow::Result<Policy> {
    let provinces: Vec<char> = cordon_domain::plate::PROVINCES.chars().collect();
    let (head, tail) = examples::STANDARD_2022_05
        .split_once("[[rules]]")
        .expect("the example has rules");
    let mut src = head.to_owned();
    for i in 0..rules.saturating_sub(10) {
        let p = provinces[(i * 7) % provinces.len()];
        let h = i % 24;
        src.push_str(&format!(
            "[[rules]]\nid = \"night_{i}\"\ntitle = \"夜间外省车辆核查 {i}\"\noutcome = \"test_on_site\"\nactions = [\"antigen_sample\"]\n\
             when = {{ plate_province = [\"{p}\"], direction = [\"out\"], time_of_day = \"{h:02}:00-{h:02}:07\" }}\n\n"
        ));
    }
    src.push_str("[[rules]]");
    src.push_str(tail);
    compile(&src).map_err(|p| anyhow::anyhow!("the benchmark policy does not compile: {p:?}"))
}

/// The May 2022 rules by hand: what the engine must match, and the speed to compare it with.
fn native(p: &PassageFacts, o: &OccupantFacts, risk: &RiskRegister) -> Outcome {
    const H: i64 = 3_600_000;
    let pcr_48 = o.test.is_some_and(|t| {
        t.kind == TestKind::Pcr
            && t.result == TestResult::Negative
            && p.observed_ms - t.taken_ms <= 48 * H
    });
    let visited = |level: RiskLevel| {
        o.visited.iter().any(|v| {
            risk.worst_overlap(
                *v,
                p.observed_ms - 14 * 24 * H,
                p.observed_ms + 1,
                level.bit(),
            )
            .is_some()
        })
    };
    let truck = p.vehicle_class == Some(VehicleClass::Truck);
    use cordon_domain::status::PersonStatus as S;
    if matches!(o.status, S::Case | S::Asymptomatic | S::CloseContact)
        || o.temperature.is_some_and(|t| t >= 373)
        || o.health_code == HealthCode::Red
        || o.test.is_some_and(|t| t.result == TestResult::Positive)
        || visited(RiskLevel::High)
    {
        Outcome::Refer
    } else if matches!(o.status, S::SecondaryContact | S::Companion) {
        Outcome::TestOnSite
    } else if truck && p.freight_pass && pcr_48 {
        Outcome::Pass
    } else if truck && !pcr_48 {
        Outcome::Hold
    } else if visited(RiskLevel::Medium) {
        Outcome::Pass
    } else if o.health_code == HealthCode::Yellow {
        Outcome::TestOnSite
    } else if p.defence_line == DefenceLine::CapitalRing && p.direction == Direction::In && !pcr_48
    {
        Outcome::PersuadeReturn
    } else if !pcr_48 {
        Outcome::TestOnSite
    } else {
        Outcome::Pass
    }
}

fn risk_register(now_ms: i64) -> RiskRegister {
    let area = |code: u32, level| RiskArea {
        id: 0,
        division: cordon_domain::division::DivisionCode::from_value(code).expect("a division"),
        area: String::new(),
        level,
        valid_from_ms: now_ms - 20 * 86_400_000,
        valid_to_ms: None,
        source: "bench".into(),
        actor: "bench".into(),
        recorded_at_ms: 0,
    };
    RiskRegister::new(vec![
        area(130104, RiskLevel::High),
        area(110105, RiskLevel::Medium),
        area(410100, RiskLevel::Medium),
    ])
}

fn generate(n: usize, seed: u64) -> Vec<NewPassage> {
    let mut rng = SmallRng::seed_from_u64(seed);
    let checkpoints = network::checkpoints(&mut rng);
    let population = traffic::Population::generate(&mut rng, (n as f64).min(2_000_000.0));
    let now = chrono::Utc::now().with_timezone(&cordon_domain::time::china());
    let engine = cordon_server::policy::decide::Engine::default();
    let keyring = super::ingest::bench_keyring();
    (0..n)
        .map(|i| {
            let at = now - Duration::seconds((i % (13 * 86_400)) as i64);
            let c = &checkpoints[i % checkpoints.len()];
            traffic::with_decision(
                &engine,
                &keyring,
                traffic::passage(&mut rng, &population, c, at),
            )
        })
        .collect()
}

fn evaluation(args: &PolicyArgs) -> anyhow::Result<()> {
    let sample = generate(20_000, 11);
    let lines: Vec<DefenceLine> = {
        let mut rng = SmallRng::seed_from_u64(11);
        let lines: std::collections::HashMap<String, DefenceLine> = network::checkpoints(&mut rng)
            .into_iter()
            .map(|c| {
                (
                    c.checkpoint.code.as_str().to_owned(),
                    c.checkpoint.defence_line,
                )
            })
            .collect();
        sample
            .iter()
            .map(|p| lines[p.draft.checkpoint.as_str()])
            .collect()
    };
    let now_ms = cordon_domain::time::now_ms();
    let risk = risk_register(now_ms);
    let mut cases: Vec<(PassageFacts, OccupantFacts)> = Vec::new();
    for (p, line) in sample.iter().zip(&lines) {
        let facts = PassageFacts::of_draft(&p.draft, *line);
        for o in &p.draft.occupants {
            // About one person in 200 marked, as in a city with an outbreak under way.
            let status = match cases.len() % 400 {
                0 => cordon_domain::status::PersonStatus::CloseContact,
                1 => cordon_domain::status::PersonStatus::SecondaryContact,
                _ => cordon_domain::status::PersonStatus::Unmarked,
            };
            cases.push((facts, OccupantFacts::of(o, status)));
        }
    }
    let shipped = compile(examples::STANDARD_2022_05).map_err(|p| anyhow::anyhow!("{p:?}"))?;
    let mut by_outcome = [0usize; 5];
    for (p, o) in &cases {
        let engine = shipped.evaluate(p, o, &risk).outcome;
        let hand = native(p, o, &risk);
        anyhow::ensure!(
            engine == hand,
            "engine {engine:?} and hand-written {hand:?} disagree on {o:?} at {p:?}"
        );
        by_outcome[engine as usize] += 1;
    }
    println!(
        "checked: {} occupants decided alike by the engine and by hand-written rules (pass {}, test {}, hold {}, refer {}, return {})",
        cases.len(), by_outcome[0], by_outcome[1], by_outcome[2], by_outcome[3], by_outcome[4]
    );
    let policy = policy_of(args.rules.max(10))?;
    let n = args.evaluations;
    let time = |f: &dyn Fn(&PassageFacts, &OccupantFacts) -> Outcome| {
        let started = Instant::now();
        let mut sum = 0usize;
        for i in 0..n {
            let (p, o) = &cases[i % cases.len()];
            sum += f(p, o) as usize;
        }
        (started.elapsed().as_secs_f64(), sum)
    };
    let (engine_s, a) = time(&|p, o| policy.evaluate(p, o, &risk).outcome);
    let (native_s, b) = time(&|p, o| native(p, o, &risk));
    std::hint::black_box((a, b));
    let rate = |s: f64| n as f64 / s;
    println!("\nevaluation, one core, {n} occupant evaluations");
    println!("| what | rules | evaluations/s | ns each | ratio to hand-written |");
    println!("|---|---:|---:|---:|---:|");
    println!(
        "| engine | {} | {:.0} | {:.0} | {:.2} |",
        policy.rules.len(),
        rate(engine_s),
        engine_s * 1e9 / n as f64,
        rate(engine_s) / rate(native_s)
    );
    println!(
        "| hand-written May 2022 rules (baseline) | 10 | {:.0} | {:.0} | 1.00 |",
        rate(native_s),
        native_s * 1e9 / n as f64
    );
    Ok(())
}

async fn load(store: &dyn cordon_store::Store, n: usize) -> anyhow::Result<()> {
    let mut rng = SmallRng::seed_from_u64(7);
    network::create_jurisdictions(store).await?;
    store
        .create_checkpoints(
            network::checkpoints(&mut rng)
                .into_iter()
                .map(|c| c.checkpoint)
                .collect(),
            "bench",
        )
        .await?;
    let bar = ProgressBar::new(n as u64).with_style(
        ProgressStyle::with_template(
            "storing passages [{bar:40}] {pos}/{len}, {per_sec}, {eta} left",
        )
        .expect("valid template"),
    );
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<NewPassage>>(2);
    let producer = tokio::task::spawn_blocking(move || {
        let chunk = 20_000;
        for (k, start) in (0..n).step_by(chunk).enumerate() {
            if tx
                .blocking_send(generate(chunk.min(n - start), 100 + k as u64))
                .is_err()
            {
                return;
            }
        }
    });
    while let Some(batch) = rx.recv().await {
        let len = batch.len() as u64;
        store.insert_raw_baseline(batch).await?;
        bar.inc(len);
    }
    producer.await?;
    bar.finish_and_clear();
    Ok(())
}

async fn dry_run(backend: &Backend, n: usize) -> anyhow::Result<()> {
    let (store, fresh) = Fresh::open(backend).await?;
    let started = Instant::now();
    load(store.as_ref(), n).await?;
    println!(
        "{}: stored {n} passages in {:.1} s",
        backend.name(),
        started.elapsed().as_secs_f64()
    );
    let now = cordon_domain::time::now_ms();
    let period = Period {
        from_ms: now - 14 * 86_400_000,
        to_ms: now + 60_000,
    };
    // Baseline: the same scan, nothing evaluated.
    let started = Instant::now();
    let (tx, mut rx) = tokio::sync::mpsc::channel(8);
    let scan = {
        let store = store.clone();
        tokio::spawn(async move { store.replay_passages(period, tx).await })
    };
    let mut rows = 0usize;
    while let Some(batch) = rx.recv().await {
        rows += batch.len();
    }
    scan.await??;
    let scan_s = started.elapsed().as_secs_f64();
    let december = compile(examples::OPEN_2022_12).map_err(|p| anyhow::anyhow!("{p:?}"))?;
    let may = compile(examples::STANDARD_2022_05).map_err(|p| anyhow::anyhow!("{p:?}"))?;
    let risk = Arc::new(risk_register(now));
    let mut lines = Vec::new();
    for (name, policy) in [("December 2022", december), ("May 2022", may)] {
        let started = Instant::now();
        let report = cordon_server::policy::dryrun::dry_run(
            store.clone(),
            Arc::new(policy),
            risk.clone(),
            period,
            5,
        )
        .await?;
        let s = started.elapsed().as_secs_f64();
        anyhow::ensure!(
            report.passages as usize == rows,
            "the dry-run saw {} of {rows} passages",
            report.passages
        );
        lines.push(format!(
            "| {} | dry-run, {name} rules | {} | {} | {:.2} | {:.0} | {:.2} |",
            backend.name(),
            report.passages,
            report.changed,
            s,
            report.passages as f64 / s,
            s / scan_s
        ));
    }
    println!("\ndry-run over stored passages");
    println!("| backend | what | passages | changed | seconds | passages/s | ratio to scan |");
    println!("|---|---|---:|---:|---:|---:|---:|");
    println!(
        "| {} | plain replay scan (baseline) | {rows} | | {scan_s:.2} | {:.0} | 1.00 |",
        backend.name(),
        rows as f64 / scan_s
    );
    for l in lines {
        println!("{l}");
    }
    fresh.remove().await;
    Ok(())
}

pub async fn run(args: PolicyArgs) -> anyhow::Result<()> {
    let a = args;
    tokio::task::block_in_place(|| evaluation(&a))?;
    if a.passages > 0 {
        dry_run(&Backend::Sqlite, a.passages).await?;
        if let Some(pg) = &a.postgres {
            dry_run(&Backend::Postgres(pg.clone()), a.passages).await?;
        }
    }
    Ok(())
}
