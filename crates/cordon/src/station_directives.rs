//! Directives at a checkpoint's edge station (`cordon serve --upstream URL --checkpoint CODE`):
//! two tasks. [`spawn`]'s listener asks the hub for the directives to its checkpoint with the
//! clock it last saw, the hub holding the question until something changes (a long poll of up
//! to [`WAIT_S`]), and copies new ones, revisions and cancellations; its sender pushes the
//! officers' openings and acknowledgements (the outbox, filled by triggers in the same
//! transaction as each step, so none is lost to a crash) and the reports filed here, every
//! [`EVERY`] while there are any; the hub's answers to those reports, and the checkpoint's
//! roster (a day back, two ahead), come down with the directives.
//! The station's lanes read and acknowledge from its own database, link or not. The hub records
//! each receipt once however often it is sent, so the outbox is emptied only after the hub
//! answered, and a lost answer means a resend.

use std::sync::Arc;
use std::time::Duration;

use cordon_domain::checkpoint::CheckpointCode;
use cordon_domain::command::relay::{ReceiptAnswer, StationDirective, MAX_RECEIPTS};
use cordon_domain::command::report::Report;
use cordon_domain::command::roster::Shift;
use cordon_server::command::relay_api::{SHIFTS_AHEAD_MS, SHIFTS_BACK_MS};
use cordon_store::Store;

const HOUR_MS: i64 = 3_600_000;

use crate::station::{backoff, push, Pushed, Upstream};

/// How often the station looks in its outbox.
pub const EVERY: Duration = Duration::from_secs(1);
/// How long the hub may hold a station's question.
pub const WAIT_S: u32 = 15;

const PATH: &str = "/api/v1/sync/directives";

/// Pushes the outboxes (reports first, then openings and acknowledgements) until they are
/// empty; answers how many records went.
pub async fn send(store: &dyn Store, upstream: &Upstream) -> anyhow::Result<usize> {
    let mut sent = 0;
    loop {
        let out = store.report_outbox(500).await?;
        let Some(last) = out.last().map(|r| r.seq) else {
            break;
        };
        match push::<serde_json::Value, _>(upstream, "/api/v1/sync/reports", &out).await {
            Pushed::Answered(_) => store.report_outbox_sent(last).await?,
            Pushed::Retry(why) | Pushed::Refused(why) => anyhow::bail!(why),
            Pushed::Gap => anyhow::bail!("the hub answered a gap to reports"),
        }
        sent += out.len();
    }
    loop {
        let out = store.directive_outbox(MAX_RECEIPTS as i64).await?;
        let Some(last) = out.last().map(|r| r.seq) else {
            return Ok(sent);
        };
        match push::<ReceiptAnswer, _>(upstream, PATH, &out).await {
            Pushed::Answered(_) => store.directive_outbox_sent(last).await?,
            Pushed::Retry(why) | Pushed::Refused(why) => anyhow::bail!(why),
            Pushed::Gap => anyhow::bail!("the hub answered a gap to receipts"),
        }
        sent += out.len();
    }
}

/// One question to the hub (held until a change when `clock` is known); answers how many
/// directives changed here.
pub async fn listen(
    store: &dyn Store,
    upstream: &Upstream,
    code: &CheckpointCode,
    clock: &mut Option<i64>,
) -> anyhow::Result<usize> {
    let q = clock
        .map(|c| format!("?known={c}&wait={WAIT_S}"))
        .unwrap_or_default();
    let feed = upstream.get(&format!("{PATH}{q}")).await?;
    let mut changed = 0;
    if !feed["unchanged"].as_bool().unwrap_or(false) {
        let list: Vec<StationDirective> = serde_json::from_value(feed["directives"].clone())?;
        changed = store.mirror_directives(code, &list).await?;
        let reports: Vec<Report> = serde_json::from_value(feed["reports"].clone())?;
        changed += store.mirror_reports(&reports).await?;
        // The checkpoint's roster, for its lanes' duty line (a hub before rosters sends none).
        if let Some(shifts) = feed.get("shifts") {
            let shifts: Vec<Shift> = serde_json::from_value(shifts.clone())?;
            let now = cordon_domain::time::now_ms();
            // A little inside the hub's span, so that a clock apart removes nothing it sent.
            store
                .mirror_shifts(
                    code,
                    now - SHIFTS_BACK_MS + HOUR_MS,
                    now + SHIFTS_AHEAD_MS - HOUR_MS,
                    &shifts,
                )
                .await?;
        }
    }
    *clock = feed["clock"].as_i64();
    Ok(changed)
}

/// Runs `step` for ever: again at once (or after `pause`) while it succeeds, after a growing
/// backoff while it fails; `what` names it in the log.
async fn keep<F, Fut>(what: &'static str, pause: Duration, mut step: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<usize>>,
{
    let mut failures = 0u32;
    loop {
        match step().await {
            Ok(n) => {
                if n > 0 {
                    tracing::info!(n, what, "directives exchanged with the hub");
                }
                failures = 0;
                tokio::time::sleep(pause).await;
            }
            Err(e) => {
                failures = failures.saturating_add(1);
                if failures == 1 || failures.is_multiple_of(20) {
                    tracing::warn!(error = %e, failures, what, "cannot reach the hub for directives; retrying");
                }
                tokio::time::sleep(backoff(failures).max(EVERY)).await;
            }
        }
    }
}

/// Starts the station's two directive tasks; they run until the process ends.
pub fn spawn(store: Arc<dyn Store>, upstream: Upstream, code: CheckpointCode) {
    let (s, u) = (store.clone(), upstream.clone());
    tokio::spawn(async move {
        // The clock last seen, kept across the listener's questions (-1: none yet).
        let seen = Arc::new(std::sync::atomic::AtomicI64::new(-1));
        keep("directives copied", Duration::ZERO, || {
            let (s, u, code, seen) = (s.clone(), u.clone(), code.clone(), seen.clone());
            async move {
                use std::sync::atomic::Ordering;
                let mut clock = Some(seen.load(Ordering::Acquire)).filter(|c| *c >= 0);
                let changed = listen(s.as_ref(), &u, &code, &mut clock).await?;
                seen.store(clock.unwrap_or(-1), Ordering::Release);
                Ok(changed)
            }
        })
        .await;
    });
    tokio::spawn(async move {
        keep("receipts sent", EVERY, || {
            let (s, u) = (store.clone(), upstream.clone());
            async move { send(s.as_ref(), &u).await }
        })
        .await;
    });
}
