//! `cordon bench testing`: mass testing and the lab at the size the issue sets, over HTTP as
//! samplers and labs use it. `--tubes` 10-in-1 tubes (default 10,000: a day's lab, 100,000
//! persons) opened and filled from `--connections` samplers at once (default 100): bindings per
//! second and a scan's p99, against the same persons inserted plainly one per transaction, and
//! against the ceiling of the machine for this client (as many authenticated requests that
//! read and write nothing). The tubes received
//! and plated 94 to a run; a 96-well result file imported (one positive well in the first
//! run), against a read of the same run; the day's runs released by a second person, in all;
//! the positive pool's recall (its persons, their list, each one's 14 days of passages); and
//! with `--roster` persons expected, who has not been sampled, by building, against a plain
//! count of the same rows by building. On SQLite, and on PostgreSQL with `--postgres`.

use std::time::{Duration, Instant};

use clap::Args;
use cordon_domain::access::{Principal, Role, Scope, Username};
use cordon_domain::division::DivisionCode;
use cordon_domain::identity::{DocumentType, IdentityDocument, MaskedDocument};
use cordon_domain::person::PersonName;
use cordon_domain::testing::lab::{AssayRequest, RunStep, Target, Well};
use cordon_domain::testing::{Barcode, NewCampaign, PoolSize};
use cordon_store::testing::{member_context, roster_context, NewMember, NewRosterRow};
use serde_json::json;

use super::http1;
use super::ingest::{percentile, serve, session_token, Backend, Fresh};

#[derive(Debug, Args)]
pub struct TestingArgs {
    /// 10-in-1 tubes filled, received, run and released (a day's lab).
    #[arg(long, default_value_t = 10_000)]
    pub tubes: usize,
    /// Samplers scanning at once, each at their own site (a city tested in a day has
    /// thousands of sites; 100 at once is a small part of them).
    #[arg(long, default_value_t = 100)]
    pub connections: usize,
    /// Persons on the campaign's roster.
    #[arg(long, default_value_t = 1_000_000)]
    pub roster: usize,
    /// Requests per measured read.
    #[arg(long, default_value_t = 50)]
    pub requests: usize,
    /// PostgreSQL server to measure too (a fresh database, dropped after).
    #[arg(long, env = "CORDON_BENCH_POSTGRES")]
    pub postgres: Option<String>,
    /// Measure PostgreSQL only.
    #[arg(long)]
    pub skip_sqlite: bool,
}

const POOL: usize = 10;
const PER_RUN: usize = 94;
const BINDINGS_TARGET: f64 = 5_000.0;
const SCAN_TARGET_MS: f64 = 50.0;
const IMPORT_TARGET_MS: f64 = 50.0;
const RELEASE_TARGET_S: f64 = 1.0;
const RECALL_TARGET_MS: f64 = 50.0;
const MISSING_TARGET_MS: f64 = 500.0;
/// Buildings of the roster: persons are spread over them.
const BUILDINGS: usize = 2_000;

fn county() -> DivisionCode {
    DivisionCode::parse("130102").expect("长安区")
}

/// Person `i`'s resident identity number in 长安区 (distinct for every `i` below 16 million).
fn resident_id(i: usize) -> String {
    let (seq, day, month, year) = (
        i % 1000,
        1 + (i / 1000) % 28,
        1 + (i / 28_000) % 12,
        1950 + (i / 336_000) % 50,
    );
    let mut s = format!("130102{year:04}{month:02}{day:02}{seq:03}").into_bytes();
    s.push(cordon_domain::identity::check_char(&s));
    String::from_utf8(s).expect("ascii")
}

fn principal(name: &str, role: Role, scope: &str) -> Principal {
    Principal {
        account: 0,
        username: Username::parse(name).expect("a name"),
        role,
        scope: Scope::parse(scope).expect("a scope"),
    }
}

fn barcode(t: usize) -> String {
    format!("BENCH{t:08}")
}

fn figures(label: &str, mut d: Vec<Duration>, target: f64, baseline: Option<f64>) -> f64 {
    d.sort();
    let (p50, p99) = (percentile(&d, 0.5), percentile(&d, 0.99));
    let against = baseline.map_or(String::new(), |b| {
        format!("   baseline p50 {b:.1} ms, ratio {:.2}", p50 / b)
    });
    println!(
        "  {label:<44} p50 {p50:>7.1} ms   p99 {p99:>7.1} ms   (target p99 < {target} ms: {}){against}",
        if p99 < target { "met" } else { "NOT met" }
    );
    p50
}

/// A request with a CSV body, as the lab page sends a result file.
fn post_csv(addr: &str, path: &str, token: &str, body: &str) -> Vec<u8> {
    let mut r = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Type: text/csv\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    r.extend_from_slice(body.as_bytes());
    r
}

async fn one(backend: &Backend, args: &TestingArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.connections > 0 && args.tubes.is_multiple_of(args.connections),
        "--tubes is a multiple of --connections"
    );
    let (store, fresh) = Fresh::open(backend).await?;
    let s = store.as_ref();
    let boss = principal("bench-commander", Role::Commander, "130000");
    let manage = boss.may_manage_campaigns()?;
    let campaign = s
        .create_campaign(
            &manage,
            NewCampaign {
                name: "bench".into(),
                area: county(),
                deadline_ms: cordon_domain::time::now_ms() + 86_400_000,
                pool_size: PoolSize::DEFAULT,
            },
        )
        .await?;
    let mut sites = Vec::new();
    for i in 0..args.connections {
        sites.push(
            s.create_site(&manage, campaign.id, &format!("site {i}"), 4)
                .await?
                .id,
        );
    }
    let lab = s.create_lab(&manage, "bench lab", county()).await?;
    let lab1 = principal("bench-lab1", Role::Lab, "130102").may_work_in_lab()?;
    let assay = s
        .create_assay(
            &lab1,
            &AssayRequest {
                name: "bench".into(),
                targets: ["ORF1ab", "N"]
                    .map(|n| Target {
                        name: n.into(),
                        cutoff: 40.0,
                    })
                    .into(),
                positive_when: "all".into(),
            }
            .parse()
            .map_err(|e| anyhow::anyhow!("{e:?}"))?,
            cordon_domain::time::now_ms(),
        )
        .await?;
    let server = serve(store.clone()).await?;
    let addr = server.addr.clone();
    let sampler = session_token(s, "bench-sampler", Role::Sampler, "130102").await?;
    let lab_token = session_token(s, "bench-lab1", Role::Lab, "130102").await?;
    let reviewer = session_token(s, "bench-lab2", Role::Lab, "130102").await?;
    let city = session_token(s, "bench-city", Role::Commander, "130100").await?;
    println!(
        "{}: {} tubes of {POOL} from {} samplers at once",
        s.backend(),
        args.tubes,
        args.connections
    );

    // Tubes opened, each at its sampler's site; then every person scanned in.
    let opens: Vec<Vec<u8>> = (0..args.tubes)
        .map(|t| {
            let body = json!({"site": sites[t % sites.len()], "barcode": barcode(t)});
            http1::post(
                &addr,
                "/api/v1/testing/tubes",
                &sampler,
                body.to_string().as_bytes(),
            )
        })
        .collect();
    http1::run(&addr, &opens, args.connections, 201).await?;
    // Each sampler (connection `c`) fills its own tubes one after another: connection c's k-th
    // request is person k % POOL of tube c + (k / POOL) * connections.
    let conn = args.connections;
    let scans: Vec<Vec<u8>> = (0..args.tubes * POOL)
        .map(|j| {
            let (k, c) = (j / conn, j % conn);
            let t = c + (k / POOL) * conn;
            let i = t * POOL + k % POOL;
            let body = json!({"document": {"type": "resident_id", "number": resident_id(i)}, "name": "测试"});
            http1::post(
                &addr,
                &format!("/api/v1/testing/tubes/{}/members", barcode(t)),
                &sampler,
                body.to_string().as_bytes(),
            )
        })
        .collect();
    // The ceiling of this machine for this client: as many authenticated requests that read
    // and write nothing (the link's state), as many at once.
    let idle: Vec<Vec<u8>> = (0..scans.len())
        .map(|_| http1::get(&addr, "/api/v1/link", &sampler))
        .collect();
    let started = Instant::now();
    http1::run(&addr, &idle, args.connections, 200).await?;
    let ceiling = idle.len() as f64 / started.elapsed().as_secs_f64();
    println!(
        "  the ceiling: an authenticated request that reads and writes nothing, {ceiling:.0} a second"
    );
    let started = Instant::now();
    let latencies = http1::run(&addr, &scans, args.connections, 201).await?;
    let bind_s = started.elapsed().as_secs_f64();
    let rate = scans.len() as f64 / bind_s;
    // The baseline: the same persons inserted plainly, one per transaction, as many at once.
    let keyring = s.keyring().clone();
    let plain: Vec<NewMember> = (0..args.tubes * POOL)
        .map(|i| {
            let doc = IdentityDocument::parse(DocumentType::ResidentId, &resident_id(i))
                .expect("a generated number");
            let name = PersonName::parse("测试").expect("a name");
            let code = Barcode::parse(&barcode(i / POOL)).expect("a barcode");
            NewMember::sealed(&keyring, &doc, &name, |k| member_context(&code, k))
        })
        .collect();
    store.bench_plain_members(&[]).await?;
    let started = Instant::now();
    let chunk = plain.len().div_ceil(args.connections);
    let mut tasks = Vec::new();
    for part in plain.chunks(chunk) {
        let store = store.clone();
        let part = part.to_vec();
        tasks.push(tokio::spawn(async move {
            store.bench_plain_members(&part).await
        }));
    }
    for t in tasks {
        t.await??;
    }
    let plain_s = started.elapsed().as_secs_f64();
    println!(
        "  {} persons bound: {rate:.0} a second ({bind_s:.1} s; a plain insert of the same rows {plain_s:.1} s, ratio {:.2}; {:.0}% of the ceiling) (target >= {BINDINGS_TARGET}: {})",
        scans.len(),
        bind_s / plain_s,
        100.0 * rate / ceiling,
        if rate >= BINDINGS_TARGET { "met" } else { "NOT met" }
    );
    figures(
        "a person scanned into a tube",
        latencies,
        SCAN_TARGET_MS,
        None,
    );
    let seals: Vec<Vec<u8>> = (0..args.tubes)
        .map(|t| {
            http1::post(
                &addr,
                &format!("/api/v1/testing/tubes/{}/seal", barcode(t)),
                &sampler,
                b"{}",
            )
        })
        .collect();
    http1::run(&addr, &seals, args.connections, 200).await?;

    // Received, plated 94 to a run, run to amplification.
    let now = cordon_domain::time::now_ms();
    let mut runs = Vec::new();
    let controls = (Well::parse("H11")?, Well::parse("H12")?);
    for (r, chunk) in (0..args.tubes)
        .collect::<Vec<_>>()
        .chunks(PER_RUN)
        .enumerate()
    {
        let run = s.create_run(&lab1, lab.id, assay.id, controls, now).await?;
        for &t in chunk {
            let code = Barcode::parse(&barcode(t))?;
            s.receive_tube(&lab1, lab.id, &code, now).await?;
            s.place_tube(&lab1, run.id, &code, None, now).await?;
        }
        for step in [RunStep::Inactivated, RunStep::Sorted, RunStep::Amplified] {
            s.record_step(&lab1, run.id, step, now).await?;
        }
        // One positive pool, in the first run.
        let mut csv = String::from("Well,ORF1ab,N\n");
        let plated = Well::all().filter(|w| *w != controls.0 && *w != controls.1);
        for (i, w) in plated.take(chunk.len()).enumerate() {
            if r == 0 && i == 7 {
                csv.push_str(&format!("{w},31.2,29.9\n"));
            } else {
                csv.push_str(&format!("{w},Undetermined,Undetermined\n"));
            }
        }
        csv.push_str("H11,Undetermined,Undetermined\nH12,27.8,28.4\n");
        runs.push((run.id, csv));
    }
    println!("  {} runs of up to {PER_RUN} tubes plated", runs.len());
    let imports: Vec<Vec<u8>> = runs
        .iter()
        .map(|(id, csv)| {
            post_csv(
                &addr,
                &format!("/api/v1/testing/runs/{id}/results"),
                &lab_token,
                csv,
            )
        })
        .collect();
    let reads: Vec<Vec<u8>> = runs
        .iter()
        .map(|(id, _)| http1::get(&addr, &format!("/api/v1/testing/runs/{id}"), &lab_token))
        .collect();
    let mut base = http1::run(&addr, &reads, 1, 200).await?;
    base.sort();
    figures(
        "a 96-well result file imported and read",
        http1::run(&addr, &imports, 1, 200).await?,
        IMPORT_TARGET_MS,
        Some(percentile(&base, 0.5)),
    );
    let releases: Vec<Vec<u8>> = runs
        .iter()
        .map(|(id, _)| {
            http1::post(
                &addr,
                &format!("/api/v1/testing/runs/{id}/release"),
                &reviewer,
                b"",
            )
        })
        .collect();
    let started = Instant::now();
    let each = http1::run(&addr, &releases, 1, 200).await?;
    let release_s = started.elapsed().as_secs_f64();
    println!(
        "  the day's {} tubes released in {} runs: {release_s:.2} s (target < {RELEASE_TARGET_S} s for 10,000: {})",
        args.tubes,
        runs.len(),
        if release_s * 10_000.0 / (args.tubes as f64) < RELEASE_TARGET_S { "met" } else { "NOT met" }
    );
    figures("one run released", each, 1_000.0, None);
    let first = runs[0].0;
    let recalls: Vec<Vec<u8>> = (0..args.requests)
        .map(|_| {
            http1::get(
                &addr,
                &format!("/api/v1/testing/runs/{first}/recall"),
                &city,
            )
        })
        .collect();
    figures(
        "a positive pool's recall with 14 days each",
        http1::run(&addr, &recalls, 1, 200).await?,
        RECALL_TARGET_MS,
        None,
    );

    // The roster: `roster` persons expected (the sampled ones among them), by building.
    let keyring = s.keyring().clone();
    let mut at = 0;
    while at < args.roster {
        let end = (at + 100_000).min(args.roster);
        let keyring = keyring.clone();
        let campaign_id = campaign.id;
        let rows = tokio::task::spawn_blocking(move || {
            (at..end)
                .map(|i| {
                    let doc = IdentityDocument::parse(DocumentType::ResidentId, &resident_id(i))
                        .expect("a generated number");
                    let key = keyring.person(&doc);
                    NewRosterRow {
                        sealed: keyring.seal(&roster_context(campaign_id, &key), b"{}"),
                        person_key: key,
                        masked_name: "测*".into(),
                        document: MaskedDocument {
                            kind: doc.kind(),
                            number: doc.masked_number(),
                        },
                        compound: format!("小区{}", (i % BUILDINGS) / 20),
                        building: format!("{}号楼", i % 20 + 1),
                    }
                })
                .collect::<Vec<_>>()
        })
        .await?;
        s.add_roster(&manage, campaign.id, rows).await?;
        at = end;
    }
    let mut base = Vec::new();
    for _ in 0..args.requests.min(20) {
        let t = Instant::now();
        s.bench_roster_by_building(campaign.id).await?;
        base.push(t.elapsed());
    }
    base.sort();
    let completeness: Vec<Vec<u8>> = (0..args.requests.min(20))
        .map(|_| {
            http1::get(
                &addr,
                &format!("/api/v1/testing/campaigns/{}/completeness", campaign.id),
                &city,
            )
        })
        .collect();
    figures(
        &format!("{} expected: not sampled, by building", args.roster),
        http1::run(&addr, &completeness, 1, 200).await?,
        MISSING_TARGET_MS,
        Some(percentile(&base, 0.5)),
    );
    let missing: Vec<Vec<u8>> = (0..args.requests)
        .map(|i| {
            let q = format!(
                "compound=%E5%B0%8F%E5%8C%BA{}&building={}%E5%8F%B7%E6%A5%BC",
                i % (BUILDINGS / 20),
                i % 20 + 1
            );
            http1::get(
                &addr,
                &format!("/api/v1/testing/campaigns/{}/missing?{q}", campaign.id),
                &city,
            )
        })
        .collect();
    figures(
        "one building's persons not sampled",
        http1::run(&addr, &missing, 1, 200).await?,
        MISSING_TARGET_MS,
        None,
    );
    server.stop().await;
    drop(store);
    fresh.remove().await;
    Ok(())
}

pub async fn run(args: TestingArgs) -> anyhow::Result<()> {
    if !args.skip_sqlite {
        one(&Backend::Sqlite, &args).await?;
    }
    if let Some(url) = &args.postgres {
        one(&Backend::Postgres(url.clone()), &args).await?;
    }
    Ok(())
}
