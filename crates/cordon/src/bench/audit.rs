//! `cordon bench audit`: how many audited reads of personal data a hub answers per second, against
//! the same server answering reads it does not audit. On a fresh database per backend, with the
//! demo network and `--passages` stored passages (in the last `--passages` seconds, or spread over
//! `--days`), a tracer's session reads:
//!
//! 1. baseline: `GET /api/v1/checkpoints/{code}` (signed in, scope-checked, not audited);
//! 2. audited: `GET /api/v1/passages/{id}` (signed in, scope-filtered, and an audit entry committed
//!    before each answer leaves);
//! 3. the trail alone: `--concurrency` tasks each handing one read's entry to the server's audit
//!    appender and waiting for its commit, as every audited request does, without the HTTP and the
//!    read around it (which share the two cores with the load generator).
//!
//! Then it checks that the trail holds one entry per audited read and per appended entry, and
//! that its chain verifies.

use std::time::Instant;

use clap::Args;
use cordon_domain::access::Role;

use super::http1;
use super::ingest::{
    generate, generate_over, percentile, prepare, serve, session_token, Backend, Fresh,
};

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Reads in each phase.
    #[arg(long, default_value_t = 50_000)]
    pub reads: usize,
    /// Passages stored (the audited reads cycle through them).
    #[arg(long, default_value_t = 5_000)]
    pub passages: usize,
    /// Days before now the stored passages spread over: PostgreSQL keeps each day's personal
    /// data in a partition of its own, and a province's month holds about thirty.
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=28))]
    pub days: u32,
    /// Concurrent HTTP clients.
    #[arg(long, default_value_t = 64)]
    pub concurrency: usize,
    /// PostgreSQL server to measure too (a fresh database is created and dropped).
    #[arg(long, env = "CORDON_BENCH_POSTGRES")]
    pub postgres: Option<String>,
}

struct Phase {
    reads: usize,
    seconds: f64,
    latencies: Vec<std::time::Duration>,
}

impl Phase {
    fn rate(&self) -> f64 {
        self.reads as f64 / self.seconds
    }
}

/// Entries like an audited read's, appended by `concurrency` tasks through one appender.
async fn trail_alone(
    store: std::sync::Arc<dyn cordon_store::Store>,
    entries: usize,
    concurrency: usize,
) -> anyhow::Result<Phase> {
    let auditor = cordon_server::audit::Auditor::start(store);
    let started = Instant::now();
    let per_task = entries.div_ceil(concurrency);
    let mut tasks = Vec::new();
    for t in 0..concurrency {
        let auditor = auditor.clone();
        let n = per_task.min(entries.saturating_sub(t * per_task));
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(n);
            for i in 0..n {
                let entry = cordon_domain::audit::AuditEntry {
                    at_ms: cordon_domain::time::now_ms(),
                    actor: "bench-tracer".into(),
                    role: "tracer".into(),
                    scope: "130000".into(),
                    address: "127.0.0.1".into(),
                    action: "GET /api/v1/passages/{id}".into(),
                    outcome: "ok".into(),
                    purpose: String::new(),
                    target: format!("passage {t}-{i}"),
                    subjects: vec![format!("{:064x}", t * 1_000_003 + i)],
                    persons: 2,
                };
                let sent = Instant::now();
                anyhow::ensure!(auditor.record(entry).await, "an audit append failed");
                latencies.push(sent.elapsed());
            }
            Ok(latencies)
        }));
    }
    let mut latencies = Vec::with_capacity(entries);
    for t in tasks {
        latencies.extend(t.await??);
    }
    let seconds = started.elapsed().as_secs_f64();
    latencies.sort();
    Ok(Phase {
        reads: latencies.len(),
        seconds,
        latencies,
    })
}

async fn phase(addr: &str, requests: &[Vec<u8>], concurrency: usize) -> anyhow::Result<Phase> {
    let started = Instant::now();
    let mut latencies = http1::run(addr, requests, concurrency, 200).await?;
    let seconds = started.elapsed().as_secs_f64();
    latencies.sort();
    Ok(Phase {
        reads: requests.len(),
        seconds,
        latencies,
    })
}

pub async fn run(args: AuditArgs) -> anyhow::Result<()> {
    let rows = match args.days {
        0 => generate(args.passages),
        days => generate_over(args.passages, chrono::Duration::days(days.into())),
    };
    let mut backends = vec![Backend::Sqlite];
    match &args.postgres {
        Some(url) => backends.push(Backend::Postgres(url.clone())),
        None => println!("PostgreSQL skipped: pass --postgres URL to measure it"),
    }
    println!(
        "\n| backend | what | reads/s | p50 | p99 | ratio to unaudited |\n|---|---|---:|---:|---:|---:|"
    );
    for backend in &backends {
        let (store, fresh) = Fresh::open(backend).await?;
        prepare(store.as_ref(), &rows).await?;
        for chunk in rows.passages.chunks(1_000) {
            store.record_passages(chunk.to_vec()).await?;
        }
        let token = session_token(store.as_ref(), "bench-tracer", Role::Tracer, "130000").await?;
        let server = serve(store.clone()).await?;
        let addr = server.addr.clone();
        let codes: Vec<String> = rows
            .checkpoints
            .iter()
            .map(|c| c.code.to_string())
            .collect();
        let unaudited: Vec<Vec<u8>> = (0..args.reads)
            .map(|i| {
                let path = format!("/api/v1/checkpoints/{}", codes[i % codes.len()]);
                http1::get(&addr, &path, &token)
            })
            .collect();
        let audited: Vec<Vec<u8>> = (0..args.reads)
            .map(|i| {
                let id = rows.passages[i % rows.passages.len()].draft.id;
                http1::get(&addr, &format!("/api/v1/passages/{id}"), &token)
            })
            .collect();
        let before = cordon_store::audit::verify_audit(store.as_ref())
            .await?
            .entries;
        let base = phase(&addr, &unaudited, args.concurrency).await?;
        let read = phase(&addr, &audited, args.concurrency).await?;
        let alone = trail_alone(store.clone(), args.reads, args.concurrency).await?;
        let check = cordon_store::audit::verify_audit(store.as_ref()).await?;
        anyhow::ensure!(
            check.intact && check.entries - before == 2 * args.reads as i64,
            "expected {} new audit entries in an intact chain, found {:?}",
            2 * args.reads,
            check
        );
        for (what, p, ratio) in [
            ("unaudited reads (baseline)", &base, 1.0),
            (
                "audited reads of passages",
                &read,
                read.rate() / base.rate(),
            ),
            (
                "audit trail alone (entries/s)",
                &alone,
                alone.rate() / base.rate(),
            ),
        ] {
            println!(
                "| {} | {what} | {:.0} | {:.1} ms | {:.1} ms | {ratio:.2} |",
                backend.name(),
                p.rate(),
                percentile(&p.latencies, 0.5),
                percentile(&p.latencies, 0.99),
            );
        }
        println!(
            "| {} | audit trail after the run | {} entries, chain intact | | | |",
            backend.name(),
            check.entries
        );
        server.stop().await;
        drop(store);
        fresh.remove().await;
    }
    Ok(())
}
