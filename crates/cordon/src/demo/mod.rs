//! `cordon demo` and `serve --demo`: a Hebei-like province to explore. The jurisdiction tree
//! (11 cities and Xiong'an with their counties, real division codes), about 1,300 checkpoints on
//! the three defence lines, and days of passages up to now at a volume set by `--scale`; and
//! with `serve --demo`, follow-up teams, a questionnaire and two lists ([`followup`]), and a
//! testing campaign with its sites, antigen tests and a lab ([`testing`]).

mod antigen;
pub(crate) mod command;
pub(crate) mod escorts;
pub(crate) mod followup;
pub(crate) mod hebei;
mod lab;
pub(crate) mod lots;
pub(crate) mod network;
pub(crate) mod passes;
pub(crate) mod patrols;
mod policy;
pub(crate) mod rosters;
pub(crate) mod testing;
pub(crate) mod traffic;

use std::time::Instant;

use clap::Args;
use cordon_store::{CheckpointFilter, NewCheckpoint, Store};
use indicatif::{ProgressBar, ProgressStyle};
use rand::rngs::SmallRng;
use rand::SeedableRng;

use crate::options::StoreArgs;

#[derive(Debug, Clone, Args)]
pub struct DemoOptions {
    /// Traffic volume as a share of a province at the height of the controls (1.0 is about a
    /// million vehicles a day). The default loads in seconds.
    #[arg(long, env = "CORDON_DEMO_SCALE", default_value_t = 0.05)]
    pub scale: f64,
    /// Days of passages, ending now.
    #[arg(long, env = "CORDON_DEMO_DAYS", default_value_t = 3)]
    pub days: u32,
    /// Seed of the generator: the same seed gives the same province.
    #[arg(long, env = "CORDON_DEMO_SEED", default_value_t = 2022)]
    pub seed: u64,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    #[command(flatten)]
    pub options: DemoOptions,
    #[command(flatten)]
    pub store: StoreArgs,
}

pub async fn run(args: DemoArgs) -> anyhow::Result<()> {
    let store = args.store.open().await?;
    if !load_if_empty(store.as_ref(), &args.options).await? {
        println!("The store already holds checkpoints; demo data not loaded again.");
    }
    Ok(())
}

/// Loads the demo province unless the store already has checkpoints; answers whether it did.
/// The demo officer's checkpoints: the first two of Shijiazhuang's (130100) by code.
/// A demo account acting (its grants are asked of it as the server would).
pub(crate) fn principal(
    name: &str,
    role: cordon_domain::access::Role,
    scope: &str,
) -> anyhow::Result<cordon_domain::access::Principal> {
    Ok(cordon_domain::access::Principal {
        account: 0,
        username: cordon_domain::access::Username::parse(name)
            .map_err(|e| anyhow::anyhow!(e.message))?,
        role,
        scope: cordon_domain::access::Scope::parse(scope)
            .map_err(|e| anyhow::anyhow!(e.message))?,
    })
}

pub async fn officer_checkpoints(store: &dyn Store) -> anyhow::Result<String> {
    let mut codes: Vec<String> = store
        .list_checkpoints(&CheckpointFilter {
            within: cordon_domain::division::DivisionCode::from_value(130100),
            ..CheckpointFilter::default()
        })
        .await?
        .into_iter()
        .map(|c| c.code.to_string())
        .collect();
    codes.sort();
    codes.truncate(2);
    if codes.is_empty() {
        anyhow::bail!("the demo province has no checkpoint in 130100");
    }
    Ok(codes.join(","))
}

pub async fn load_if_empty(store: &dyn Store, options: &DemoOptions) -> anyhow::Result<bool> {
    if !store
        .list_checkpoints(&CheckpointFilter::default())
        .await?
        .is_empty()
    {
        tracing::info!("store has checkpoints; demo data not loaded");
        return Ok(false);
    }
    if !(options.scale > 0.0 && options.scale <= 10.0) {
        anyhow::bail!("--scale must be above 0 and at most 10");
    }
    let started = Instant::now();
    let mut rng = SmallRng::seed_from_u64(options.seed);
    let jurisdictions = network::create_jurisdictions(store).await?;
    let checkpoints = network::checkpoints(&mut rng);
    let list: Vec<NewCheckpoint> = checkpoints.iter().map(|c| c.checkpoint.clone()).collect();
    store.create_checkpoints(list, "demo").await?;
    println!(
        "Demo province: {jurisdictions} jurisdictions, {} checkpoints",
        checkpoints.len()
    );

    let per_day = traffic::VEHICLES_PER_DAY_AT_SCALE_1 * options.scale;
    let now = chrono::Utc::now().with_timezone(&cordon_domain::time::china());
    let start = now - chrono::Duration::days(i64::from(options.days) + 1);
    policy::publish(store, start, now).await?;
    let engine = cordon_server::policy::decide::Lanes::load(store)
        .await?
        .current();
    let schedule = traffic::schedule(&mut rng, &checkpoints, per_day, options.days, now);
    let total: u64 = schedule.iter().map(|(_, _, n)| u64::from(*n)).sum();
    let bar = ProgressBar::new(total).with_style(
        ProgressStyle::with_template(
            "{msg} [{bar:40}] {pos}/{len} passages, {per_sec}, {eta} left",
        )
        .expect("valid template")
        .progress_chars("=> "),
    );
    bar.set_message("Generating traffic");

    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<cordon_store::NewPassage>>(4);
    let seed = options.seed;
    let keyring = store.keyring().clone();
    let producer = tokio::task::spawn_blocking(move || {
        let mut rng = SmallRng::seed_from_u64(seed.wrapping_add(1));
        let population = traffic::Population::generate(&mut rng, per_day);
        let mut batch = Vec::with_capacity(2_000);
        let mut hour: Vec<(chrono::DateTime<chrono::FixedOffset>, usize)> = Vec::new();
        let mut schedule = schedule.into_iter().peekable();
        while let Some((i, start, n)) = schedule.next() {
            for _ in 0..n {
                hour.push((traffic::minute_in_hour(&mut rng, start), i));
            }
            if schedule.peek().is_some_and(|next| next.1 == start) {
                continue;
            }
            // Recorded as the lanes register them: in time, the checkpoints interleaved (the
            // store's pages and indexes then hold an hour as a hub's do).
            hour.sort_by_key(|(at, _)| *at);
            for (at, i) in hour.drain(..) {
                let draft = traffic::passage(&mut rng, &population, &checkpoints[i], at);
                batch.push(traffic::with_decision(&engine, &keyring, draft));
                if batch.len() == 2_000 && tx.blocking_send(std::mem::take(&mut batch)).is_err() {
                    return;
                }
            }
        }
        if !batch.is_empty() {
            let _ = tx.blocking_send(batch);
        }
    });
    let mut persons = 0usize;
    while let Some(batch) = rx.recv().await {
        let n = batch.len() as u64;
        persons += batch.iter().map(|p| p.draft.occupants.len()).sum::<usize>();
        store.record_passages(batch).await?;
        bar.inc(n);
    }
    producer.await?;
    bar.finish_and_clear();
    // As a server's autovacuum would after a load (this one may have it off).
    store.refresh_statistics().await?;
    println!(
        "Demo traffic: {total} passages ({persons} person-passages) over {} days, loaded in {:.1} s",
        options.days,
        started.elapsed().as_secs_f64()
    );
    Ok(true)
}
