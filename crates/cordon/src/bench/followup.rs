//! `cordon bench followup`: a province's follow-up at the size the issue sets. A list of
//! `--rows` persons, a fifth of them on an earlier list, imported with identity resolution
//! (keyed hashes, matching, handing out to the least-loaded caller) against a plain insert of
//! the same sealed rows; then, with `--subjects` persons in the province, a caller's worklist,
//! the province's completion board (by list, team and county) and an attempt recorded with its
//! answers, over HTTP, at their p50 and p99. On SQLite, and on PostgreSQL with `--postgres`.

use std::time::{Duration, Instant};

use clap::Args;
use cordon_domain::access::{Principal, Role, Scope, Username};
use cordon_domain::division::DivisionCode;
use cordon_domain::followup::{ListRow, ListSource};
use cordon_domain::identity::{DocumentType, IdentityDocument};
use cordon_store::followup::{NewList, NewListRow, NewTeam};
use cordon_store::Store;
use serde_json::json;
use uuid::Uuid;

use super::http1;
use super::ingest::{percentile, serve, session_token, Backend, Fresh};

#[derive(Debug, Args)]
pub struct FollowupArgs {
    /// Rows of the list whose import is measured (a fifth already on an earlier list).
    #[arg(long, default_value_t = 100_000)]
    pub rows: usize,
    /// Persons in the province when the reads and attempts are measured.
    #[arg(long, default_value_t = 300_000)]
    pub subjects: usize,
    /// Requests per measured read or write.
    #[arg(long, default_value_t = 400)]
    pub requests: usize,
    /// PostgreSQL server to measure too (a fresh database, dropped after).
    #[arg(long, env = "CORDON_BENCH_POSTGRES")]
    pub postgres: Option<String>,
    /// Measure PostgreSQL only.
    #[arg(long)]
    pub skip_sqlite: bool,
}

/// Teams per county and callers per team.
const TEAMS: usize = 5;
const CALLERS: usize = 10;
const IMPORT_TARGET_S: f64 = 10.0;
const READ_TARGET_MS: f64 = 100.0;
const ATTEMPT_TARGET_MS: f64 = 20.0;

/// The counties of Shijiazhuang and Tangshan (the bench's province has teams in each).
fn counties() -> Vec<DivisionCode> {
    ["1301", "1302"]
        .iter()
        .flat_map(|c| cordon_domain::places::search(c, 50))
        .filter(|p| !p.code.ends_with("00"))
        .filter_map(|p| DivisionCode::parse(p.code).ok())
        .collect()
}

/// Person `i`'s resident identity number: one of its own for every `i` below 16 million.
fn resident_id(i: usize, county: DivisionCode) -> String {
    let (seq, day, month, year) = (
        i % 1000,
        1 + (i / 1000) % 28,
        1 + (i / 28_000) % 12,
        1950 + (i / 336_000) % 50,
    );
    let mut s = format!("{county}{year:04}{month:02}{day:02}{seq:03}").into_bytes();
    s.push(cordon_domain::identity::check_char(&s));
    String::from_utf8(s).expect("ascii")
}

/// Person `i`: a document of its county (every tenth known by phone only), living there.
fn person(i: usize, counties: &[DivisionCode]) -> ListRow {
    let county = counties[i % counties.len()];
    let place = cordon_domain::places::by_code(&county.to_string());
    let document = (!i.is_multiple_of(10)).then(|| {
        IdentityDocument::parse(DocumentType::ResidentId, &resident_id(i, county))
            .expect("a generated number")
    });
    ListRow {
        row: 0,
        name: cordon_domain::person::PersonName::parse(&format!("测试{i}")).expect("a name"),
        document,
        phone: cordon_domain::contact::MobileNumber::parse(&format!("13{:09}", i)).ok(),
        from: Some("北京市朝阳区".into()),
        arrived_on: None,
        address: place.map(|p| format!("{}某小区 {} 号", p.name, i % 500)),
        note: None,
    }
}

fn list(id: Uuid, people: &[ListRow], store: &dyn Store) -> NewList {
    let scope = DivisionCode::parse("130000").expect("the province");
    NewList {
        id,
        source: ListSource::Push,
        label: format!("bench {id}"),
        deadline_ms: cordon_domain::time::now_ms() + 24 * 3_600_000,
        skipped: 0,
        rows: people
            .iter()
            .enumerate()
            .map(|(n, p)| {
                let mut p = p.clone();
                p.row = n as u32 + 1;
                NewListRow::new(id, &p, scope, store.keyring())
            })
            .collect(),
    }
}

fn commander() -> Principal {
    Principal {
        account: 0,
        username: Username::parse("bench-commander").expect("a name"),
        role: Role::Commander,
        scope: Scope::parse("130000").expect("the province"),
    }
}

fn figures(label: &str, mut d: Vec<Duration>, target: f64) {
    d.sort();
    let (p50, p99) = (percentile(&d, 0.5), percentile(&d, 0.99));
    println!(
        "  {label:<34} p50 {p50:>7.1} ms   p99 {p99:>7.1} ms   (target p99 < {target} ms: {})",
        if p99 < target { "met" } else { "NOT met" }
    );
}

async fn one(backend: &Backend, args: &FollowupArgs) -> anyhow::Result<()> {
    let (store, fresh) = Fresh::open(backend).await?;
    let s = store.as_ref();
    let counties = counties();
    let boss = commander();
    let manage = boss.may_manage_teams()?;
    for county in &counties {
        for t in 0..TEAMS {
            s.create_team(
                &manage,
                NewTeam {
                    name: format!("{county}-{t}"),
                    county: *county,
                    lead: Username::parse(&format!("lead-{county}-{t}")).expect("a name"),
                    members: (0..CALLERS)
                        .map(|c| Username::parse(&format!("c-{county}-{t}-{c}")).expect("a name"))
                        .collect(),
                },
            )
            .await?;
        }
    }
    println!(
        "{}: {} counties, {} teams of {CALLERS} callers",
        s.backend(),
        counties.len(),
        counties.len() * TEAMS
    );
    let people: Vec<ListRow> = (0..args.subjects.max(args.rows))
        .map(|i| person(i, &counties))
        .collect();
    let write = boss.may_write_lists()?;
    // An earlier list names the first fifth.
    let known = args.rows / 5;
    s.add_followup_list(&write, list(Uuid::now_v7(), &people[..known], s))
        .await?;
    // The measured import: rows sealed and hashed, matched, handed out, counted.
    let started = Instant::now();
    let measured = list(Uuid::now_v7(), &people[..args.rows], s);
    let added = s.add_followup_list(&write, measured).await?;
    let import = started.elapsed().as_secs_f64();
    anyhow::ensure!(
        added.subjects_added as usize == args.rows - known,
        "{} new persons, not {}",
        added.subjects_added,
        args.rows - known
    );
    let started = Instant::now();
    let plain = list(Uuid::now_v7(), &people[..args.rows], s);
    s.bench_plain_rows(&plain).await?;
    let baseline = started.elapsed().as_secs_f64();
    println!(
        "  import of {} rows ({} on an earlier list): {import:.2} s, a plain insert of the same rows {baseline:.2} s, ratio {:.2} (target < {IMPORT_TARGET_S} s: {})",
        args.rows,
        known,
        import / baseline,
        if import < IMPORT_TARGET_S { "met" } else { "NOT met" }
    );
    // The province grows to `subjects` persons.
    let mut at = args.rows;
    while at < args.subjects {
        let end = (at + args.rows).min(args.subjects);
        s.add_followup_list(&write, list(Uuid::now_v7(), &people[at..end], s))
            .await?;
        at = end;
    }
    let version = {
        let change = boss.may_change_questionnaires()?;
        let source = cordon_domain::followup::questionnaire::STANDARD;
        let v = s.create_questionnaire(&change, "bench", source).await?;
        s.publish_questionnaire(&change, v.version).await?;
        v.version
    };
    println!("  {} persons in the province", args.subjects);

    let server = serve(store.clone()).await?;
    let addr = server.addr.clone();
    let province = session_token(s, "bench-province", Role::Commander, "130000").await?;
    // Callers of the first county's first team, signed in.
    let mut callers = Vec::new();
    for c in 0..CALLERS {
        let name = format!("c-{}-0-{c}", counties[0]);
        callers.push(session_token(s, &name, Role::Caller, &counties[0].to_string()).await?);
    }
    let worklists: Vec<Vec<u8>> = (0..args.requests)
        .map(|i| {
            http1::get(
                &addr,
                "/api/v1/followup/worklist",
                &callers[i % callers.len()],
            )
        })
        .collect();
    figures(
        "a caller's worklist",
        http1::run(&addr, &worklists, 4, 200).await?,
        READ_TARGET_MS,
    );
    for by in ["list", "team", "county"] {
        let path = format!("/api/v1/followup/board?by={by}");
        let boards: Vec<Vec<u8>> = (0..args.requests / 4)
            .map(|_| http1::get(&addr, &path, &province))
            .collect();
        figures(
            &format!("the province's board by {by}"),
            http1::run(&addr, &boards, 2, 200).await?,
            READ_TARGET_MS,
        );
    }
    // Attempts with answers, each on a person of the caller's own worklist.
    let mut attempts = Vec::new();
    let day = cordon_domain::time::today_china().to_string();
    let body = serde_json::to_vec(&json!({"kind": "call", "outcome": "reached",
        "questionnaire": version, "answers": {"visited": [{"division": "110105", "date": day}],
        "returned_on": day, "address": "长安区某小区", "temperature": 36.5}}))?;
    for token in &callers {
        let r = reqwest::Client::new()
            .get(format!("http://{addr}/api/v1/followup/worklist"))
            .bearer_auth(token)
            .send()
            .await?
            .json::<serde_json::Value>()
            .await?;
        for item in r["items"]
            .as_array()
            .into_iter()
            .flatten()
            .take(args.requests / callers.len())
        {
            let path = format!("/api/v1/followup/subjects/{}/attempts", item["subject"]);
            attempts.push(http1::post(&addr, &path, token, &body));
        }
    }
    figures(
        "an attempt with its answers",
        http1::run(&addr, &attempts, 4, 201).await?,
        ATTEMPT_TARGET_MS,
    );
    server.stop().await;
    drop(store);
    fresh.remove().await;
    Ok(())
}

pub async fn run(args: FollowupArgs) -> anyhow::Result<()> {
    if !args.skip_sqlite {
        one(&Backend::Sqlite, &args).await?;
    }
    if let Some(url) = &args.postgres {
        one(&Backend::Postgres(url.clone()), &args).await?;
    }
    Ok(())
}
