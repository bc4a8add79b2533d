//! Directives at a checkpoint's edge station (`cordon serve --upstream URL --checkpoint CODE`):
//! every [`EVERY`] the station sends the hub its officers' openings and acknowledgements (the
//! outbox, filled by triggers in the same transaction as each step, so none is lost to a crash)
//! and asks for the directives to its checkpoint with the clock it last saw (an unchanged answer
//! is free), copying new ones, revisions and cancellations. Its lanes read and acknowledge them
//! from its own database, link or not. The hub records each receipt once however often it is
//! sent, so the outbox is emptied only after the hub answered, and a lost answer means a resend.

use std::sync::Arc;
use std::time::Duration;

use cordon_domain::checkpoint::CheckpointCode;
use cordon_domain::command::relay::{ReceiptAnswer, StationDirective, MAX_RECEIPTS};
use cordon_store::Store;

use crate::station::{backoff, push, Pushed, Upstream};

/// How often a linked station exchanges directives with the hub: a directive reaches its lanes
/// within this plus a lane's poll.
pub const EVERY: Duration = Duration::from_secs(2);

const PATH: &str = "/api/v1/sync/directives";

/// One exchange: the outbox up, then the directives down; answers how many directives changed
/// here.
pub async fn exchange(
    store: &dyn Store,
    upstream: &Upstream,
    code: &CheckpointCode,
    clock: &mut Option<i64>,
) -> anyhow::Result<usize> {
    loop {
        let out = store.directive_outbox(MAX_RECEIPTS as i64).await?;
        let Some(last) = out.last().map(|r| r.seq) else {
            break;
        };
        match push::<ReceiptAnswer, _>(upstream, PATH, &out).await {
            Pushed::Answered(_) => store.directive_outbox_sent(last).await?,
            Pushed::Retry(why) | Pushed::Refused(why) => anyhow::bail!(why),
            Pushed::Gap => anyhow::bail!("the hub answered a gap to receipts"),
        }
    }
    let q = clock.map(|c| format!("?known={c}")).unwrap_or_default();
    let feed = upstream.get(&format!("{PATH}{q}")).await?;
    let mut changed = 0;
    if !feed["unchanged"].as_bool().unwrap_or(false) {
        let list: Vec<StationDirective> = serde_json::from_value(feed["directives"].clone())?;
        changed = store.mirror_directives(code, &list).await?;
    }
    *clock = feed["clock"].as_i64();
    Ok(changed)
}

/// Starts the station's exchange of directives; it runs until the process ends.
pub fn spawn(store: Arc<dyn Store>, upstream: Upstream, code: CheckpointCode) {
    tokio::spawn(async move {
        let (mut clock, mut failures) = (None, 0u32);
        loop {
            match exchange(store.as_ref(), &upstream, &code, &mut clock).await {
                Ok(changed) => {
                    if changed > 0 {
                        tracing::info!(changed, "directives copied from the hub");
                    }
                    failures = 0;
                    tokio::time::sleep(EVERY).await;
                }
                Err(e) => {
                    failures = failures.saturating_add(1);
                    if failures == 1 || failures.is_multiple_of(20) {
                        tracing::warn!(error = %e, failures, "cannot exchange directives with the hub; retrying");
                    }
                    tokio::time::sleep(backoff(failures).max(EVERY)).await;
                }
            }
        }
    });
}
