//! A sampling site as an edge station (`cordon serve --upstream URL --site ID`): samplers fill
//! tubes and read antigen tests on the station's own disk with no link, and what they did
//! reaches the hub once, in order, when the link is there.
//!
//! - [`bootstrap`]: at first start the station asks the hub for its site and campaign
//!   (`GET /api/v1/sync/site`) and keeps them under the hub's ids; afterwards it starts without
//!   the hub. It then installs the outbox's triggers (each write of a tube, a person in a tube
//!   or an antigen test notes itself in `sampling_outbox` in its own transaction).
//! - [`spawn_uplink`]: pushes the outbox in order to `POST /api/v1/sync/sampling`, keeps what
//!   the hub took (and the events it refused, which the sampling page shows) in the same
//!   database, retries with the edge station's backoff, and on a gap (the hub was restored)
//!   starts again from the hub's mark.

use std::sync::Arc;

use anyhow::Context as _;
use cordon_domain::station::sampling::{SamplingAnswer, SamplingEvent, SamplingRecord};
use cordon_store::testing::{Campaign, Site};
use cordon_store::Store;

use crate::station::{keep_pushing, push, Pushed, Upstream};

/// Events per push.
const BATCH: i64 = 500;

/// Makes sure the station's site and campaign are in its store, asking the hub the first time,
/// and that its writes fill the outbox.
pub async fn bootstrap(store: &dyn Store, upstream: &Upstream, site: i64) -> anyhow::Result<()> {
    if !store.has_site(site).await? {
        let bound = upstream
            .get_patiently("/api/v1/sync/site")
            .await
            .context("a sampling station's first start needs the hub once, to learn its site")?;
        let campaign: Campaign =
            serde_json::from_value(bound["campaign"].clone()).context("the hub's campaign")?;
        let found: Site =
            serde_json::from_value(bound["site"].clone()).context("the hub's site")?;
        anyhow::ensure!(
            found.id == site,
            "the station's credential is for site {}, not --site {site}",
            found.id
        );
        store.adopt_site(&campaign, &found).await?;
        tracing::info!(site, campaign = %campaign.name, "the station's site, learnt from the hub");
    }
    store.install_sampling_outbox().await?;
    Ok(())
}

/// One pass: pushes what is pending until the outbox is empty or a push fails.
async fn drain(store: &dyn Store, upstream: &Upstream) -> Result<(), Pushed<SamplingAnswer>> {
    let retry = |e: cordon_store::StoreError| Pushed::Retry(e.to_string());
    loop {
        let link = store.sampling_uplink().await.map_err(retry)?;
        if link.newest <= link.acknowledged {
            return Ok(());
        }
        let records: Vec<SamplingRecord> = store
            .sampling_outbox(link.acknowledged, BATCH)
            .await
            .map_err(retry)?
            .into_iter()
            .map(|(seq, event)| SamplingRecord {
                seq,
                event: event.unwrap_or_else(|reason| SamplingEvent::Lost {
                    what: format!("event {seq}"),
                    reason,
                }),
            })
            .collect();
        let sent_to = records.last().map_or(link.acknowledged, |r| r.seq);
        let answer = match push::<SamplingAnswer, _>(upstream, "/api/v1/sync/sampling", &records)
            .await
        {
            Pushed::Answered(a) if a.high_water > sent_to => {
                return Err(Pushed::Refused(format!(
                    "the hub holds this station's series up to {}, beyond the {sent_to} events the station has: the station's database is older than what it sent; it needs a new credential",
                    a.high_water
                )));
            }
            Pushed::Answered(a) => a,
            // The hub was restored from a backup: start again from its mark.
            Pushed::Gap => {
                let bound = upstream
                    .get("/api/v1/sync/site")
                    .await
                    .map_err(|e| Pushed::Retry(e.to_string()))?;
                let high = bound["high_water"].as_i64().unwrap_or(0).min(sent_to);
                SamplingAnswer {
                    high_water: high,
                    applied: 0,
                    replayed: 0,
                    refused: Vec::new(),
                }
            }
            other => return Err(other),
        };
        store
            .acknowledge_sampling(
                answer.high_water,
                &answer.refused,
                cordon_domain::time::now_ms(),
            )
            .await
            .map_err(retry)?;
    }
}

/// Starts the push of the site's events; it runs until the process ends.
pub fn spawn_uplink(store: Arc<dyn Store>, upstream: Upstream) {
    tokio::spawn(keep_pushing("sampling events", move || {
        let (store, upstream) = (store.clone(), upstream.clone());
        async move { drain(store.as_ref(), &upstream).await }
    }));
}
