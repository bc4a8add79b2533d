//! Edge mode (`cordon serve --upstream URL --checkpoint CODE`): the station serves its lanes
//! from its own SQLite database and pushes what they record to the hub whenever the hub can be
//! reached.
//!
//! - [`bootstrap`]: at first start, the station asks the hub for its checkpoint (and the
//!   jurisdictions above it) and records them locally; afterwards it starts without the hub.
//! - [`spawn_uplink`]: the outbox is the station's own passages in recording order (their
//!   rowids number the station's series); a task pushes them in batches to
//!   `POST /api/v1/sync/passages`, remembers what the hub acknowledged (in the same database, so
//!   it resumes after a restart of either side), retries with exponential backoff and jitter,
//!   and on a gap resends from the hub's high-water mark. A registration is answered once it is
//!   on the station's disk; the push never holds a lane up.
//! - [`spawn_downlink`]: every [`DOWNLINK_EVERY`] (and at start) the station asks the hub for its
//!   policy versions and publication log, risk areas and revoked declarations
//!   (`GET /api/v1/sync/state`) and copies what it lacks, in the hub's order, so that versions
//!   keep the hub's numbers; the lanes pick them up within their 5-second refresh. Decisions
//!   taken before keep the version they were taken under.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use cordon_domain::checkpoint::{
    CheckpointCode, CheckpointKind, CheckpointStatus, DefenceLine, Location,
};
use cordon_domain::division::DivisionCode;
use cordon_domain::station::{SyncAnswer, SyncRecord};
use cordon_store::{NewCheckpoint, NewJurisdiction, Store, StoreError};
use rand::Rng as _;
use serde_json::{json, Value};

/// Records per push.
pub const BATCH: i64 = 1_000;
/// How often an idle station looks for new records (a registration reaches the hub within this
/// plus one round trip).
pub const POLL: Duration = Duration::from_millis(100);
/// The longest wait between failed pushes.
pub const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// The hub as a station sees it.
#[derive(Clone)]
pub struct Upstream {
    pub base: String,
    pub token: String,
    pub http: reqwest::Client,
}

impl Upstream {
    /// The hub at `base` (http:// or https://), with the station's credential; `ca` is the
    /// certificate (PEM) of a private authority that signed the hub's certificate, trusted
    /// besides the system's.
    pub fn new(base: &str, token: &str, ca: Option<&std::path::Path>) -> anyhow::Result<Upstream> {
        cordon_server::tls::install_provider();
        let mut http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(60));
        if let Some(path) = ca {
            let pem = std::fs::read(path)
                .with_context(|| format!("the hub's certificate authority {}", path.display()))?;
            for cert in reqwest::Certificate::from_pem_bundle(&pem)
                .with_context(|| format!("{}: not a PEM certificate", path.display()))?
            {
                http = http.add_root_certificate(cert);
            }
        }
        let http = http.build()?;
        Ok(Upstream {
            base: base.trim_end_matches('/').to_owned(),
            token: token.trim().to_owned(),
            http,
        })
    }

    pub(crate) async fn get(&self, path: &str) -> anyhow::Result<Value> {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .with_context(|| format!("the hub at {} cannot be reached", self.base))?;
        let status = r.status();
        let body = r.json::<Value>().await;
        match body {
            Ok(body) if status.is_success() => Ok(body),
            Ok(body) => anyhow::bail!("the hub answered {status} to {path}: {body}"),
            // An answer cut part-way is the link's doing, as a refused connection is.
            Err(e) if status.is_success() => {
                anyhow::bail!(
                    "the hub at {} cannot be reached: its answer was cut ({e})",
                    self.base
                )
            }
            Err(_) => anyhow::bail!("the hub answered {status} to {path}"),
        }
    }
}

/// How many times a station's first start asks the hub before it gives up: a flaky link cuts
/// some requests, and the first start is the one time the station cannot work without the hub.
const FIRST_START_ATTEMPTS: u32 = 8;

impl Upstream {
    /// [`Upstream::get`], asked again after a growing wait when the link fails (not when the
    /// hub answers a refusal).
    pub(crate) async fn get_patiently(&self, path: &str) -> anyhow::Result<Value> {
        let mut failures = 0;
        loop {
            match self.get(path).await {
                Ok(v) => return Ok(v),
                Err(e)
                    if failures + 1 < FIRST_START_ATTEMPTS
                        && e.to_string().contains("cannot be reached") =>
                {
                    failures += 1;
                    tracing::warn!(error = %e, failures, "the hub cannot be reached; asking again");
                    tokio::time::sleep(backoff(failures)).await;
                }
                Err(e) => return Err(e),
            }
        }
    }
}

fn parse<T>(r: Result<T, cordon_domain::FieldError>) -> anyhow::Result<T> {
    r.map_err(|e| anyhow::anyhow!("the hub's checkpoint: {}", e.message))
}

fn text<'a>(v: &'a Value, field: &str) -> anyhow::Result<&'a str> {
    v[field]
        .as_str()
        .with_context(|| format!("the hub's checkpoint has no {field}"))
}

/// Makes sure the station's checkpoint is in its own store, asking the hub the first time.
pub async fn bootstrap(
    store: &dyn Store,
    upstream: &Upstream,
    code: &CheckpointCode,
) -> anyhow::Result<()> {
    match store.get_checkpoint(code).await {
        Ok(_) => return Ok(()),
        Err(StoreError::NotFound { .. }) => {}
        Err(e) => return Err(e.into()),
    }
    let cp = upstream
        .get_patiently(&format!("/api/v1/checkpoints/{code}"))
        .await
        .context("a station's first start needs the hub once, to learn its checkpoint")?;
    let county = DivisionCode::parse(text(&cp, "jurisdiction")?)
        .map_err(|e| anyhow::anyhow!("{}", e.message))?;
    // Province, city, county: each created once, parents first.
    let value = county.value();
    let mut chain = vec![value / 10_000 * 10_000, value / 100 * 100, value];
    chain.dedup();
    for c in chain {
        let j = upstream
            .get_patiently(&format!("/api/v1/jurisdictions/{c}"))
            .await?;
        let code =
            DivisionCode::parse(text(&j, "code")?).map_err(|e| anyhow::anyhow!("{}", e.message))?;
        if store.get_jurisdiction(code).await.is_ok() {
            continue;
        }
        store
            .create_jurisdiction(NewJurisdiction {
                code,
                name: text(&j, "name")?.to_owned(),
            })
            .await?;
    }
    store
        .create_checkpoint(
            NewCheckpoint {
                code: code.clone(),
                name: text(&cp, "name")?.to_owned(),
                jurisdiction: county,
                kind: parse(CheckpointKind::parse(text(&cp, "kind")?))?,
                defence_line: parse(DefenceLine::parse(text(&cp, "defence_line")?))?,
                location: Location {
                    lat: cp["location"]["lat"].as_f64().unwrap_or(0.0),
                    lon: cp["location"]["lon"].as_f64().unwrap_or(0.0),
                },
                lanes: cp["lanes"].as_u64().unwrap_or(1) as u16,
                cameras: cp["cameras"].as_u64().unwrap_or(0) as u16,
                status: parse(CheckpointStatus::parse(text(&cp, "status")?))?,
            },
            "station",
        )
        .await?;
    tracing::info!(checkpoint = %code, "the station's checkpoint, learnt from the hub");
    Ok(())
}

/// How often a station asks the hub for its rules.
pub const DOWNLINK_EVERY: Duration = Duration::from_secs(15);

/// Copies the hub's risk-area intervals the station lacks (matched by division, area, level
/// and start), ends those the hub has ended, and keeps the hub's revoked declarations and
/// freight passes; answers how many changes it made.
async fn apply_risk_and_revocations(store: &dyn Store, state: &Value) -> anyhow::Result<usize> {
    use cordon_domain::risk::RiskLevel;
    use cordon_store::declaration::{DeclarationRecord, Revocation};
    use cordon_store::risk::NewRiskArea;
    let mut changes = 0;
    let local = store.list_risk_areas().await?;
    for a in state["risk_areas"].as_array().into_iter().flatten() {
        let division = parse(DivisionCode::parse(text(a, "division")?))?;
        let area = text(a, "area")?;
        let level = parse(RiskLevel::parse(text(a, "level")?))?;
        let from = a["valid_from_ms"]
            .as_i64()
            .context("a risk area without a start")?;
        let to = a["valid_to_ms"].as_i64();
        let mine = local.iter().find(|l| {
            l.division == division && l.area == area && l.level == level && l.valid_from_ms == from
        });
        match mine {
            None => {
                store
                    .add_risk_areas(
                        vec![NewRiskArea {
                            division,
                            area: area.to_owned(),
                            level,
                            valid_from_ms: from,
                            valid_to_ms: to,
                        }],
                        "hub",
                        text(a, "actor")?,
                    )
                    .await?;
                changes += 1;
            }
            Some(l) if l.valid_to_ms != to => {
                if let Some(end) = to {
                    store
                        .end_risk_area(l.id, end, "hub", "ended at the hub")
                        .await?;
                    changes += 1;
                }
            }
            Some(_) => {}
        }
    }
    for d in state["revoked"].as_array().into_iter().flatten() {
        let id: uuid::Uuid = text(d, "id")?.parse()?;
        if store.declaration(id).await?.is_some() {
            continue;
        }
        store
            .record_declaration(&DeclarationRecord {
                id,
                issued_at_ms: d["issued_at_ms"].as_i64().unwrap_or(0),
                expires_at_ms: d["expires_at_ms"].as_i64().unwrap_or(0),
                plate_key: None,
                persons: d["persons"].as_i64().unwrap_or(0) as i32,
                revoked: Some(Revocation {
                    at_ms: d["revoked_at_ms"].as_i64().unwrap_or(0),
                    by: text(d, "revoked_by")?.to_owned(),
                    reason: text(d, "reason")?.to_owned(),
                }),
            })
            .await?;
        changes += 1;
    }
    for r in state["revoked_passes"].as_array().into_iter().flatten() {
        let r: cordon_store::freight::PassRevocation =
            serde_json::from_value(r.clone()).context("a revoked pass the station cannot read")?;
        if store.copy_revocation(&r).await? {
            changes += 1;
        }
    }
    Ok(changes)
}

/// Copies the hub's risk areas and revoked declarations, then the policy versions and
/// publications the station lacks; answers how many policy versions and other changes it copied.
pub async fn apply_hub_state(store: &dyn Store, state: &Value) -> anyhow::Result<(usize, usize)> {
    use cordon_domain::policy::record::PublicationAction;
    use cordon_store::policy::{NewPolicyVersion, NewPublication};
    // Risk areas and revocations first: once a policy is visible to the lanes, what it looks at
    // is there too.
    let mut copied = (0, apply_risk_and_revocations(store, state).await?);
    let local = store.list_policy_versions().await?;
    for v in state["policies"].as_array().into_iter().flatten() {
        let number = v["version"]
            .as_i64()
            .context("a policy version without a number")?;
        let digest = text(v, "digest")?;
        if let Some(mine) = local.iter().find(|l| l.version == number) {
            anyhow::ensure!(
                mine.digest == digest,
                "policy version {number} differs from the hub's: this station's policies were changed locally"
            );
            continue;
        }
        let made = store
            .create_policy_version(NewPolicyVersion {
                name: text(v, "name")?.to_owned(),
                source: text(v, "source")?.to_owned(),
                digest: digest.to_owned(),
                note: text(v, "note")?.to_owned(),
                actor: text(v, "created_by")?.to_owned(),
            })
            .await?;
        anyhow::ensure!(
            made.version == number,
            "the hub's policy version {number} became {} here: this station's policies were changed locally",
            made.version
        );
        copied.0 += 1;
    }
    let held = store.list_publications().await?.len();
    for p in state["publications"]
        .as_array()
        .into_iter()
        .flatten()
        .skip(held)
    {
        let effective = chrono::DateTime::parse_from_rfc3339(text(p, "effective_at")?)?;
        store
            .publish_policy(NewPublication {
                version: p["version"]
                    .as_i64()
                    .context("a publication without a version")?,
                effective_ms: effective.timestamp_millis(),
                action: PublicationAction::parse(text(p, "action")?)
                    .map_err(|e| anyhow::anyhow!(e.message))?,
                reason: text(p, "reason")?.to_owned(),
                actor: text(p, "actor")?.to_owned(),
            })
            .await?;
        copied.1 += 1;
    }
    Ok(copied)
}

/// Starts the station's copy of the hub's rules; it runs until the process ends.
pub fn spawn_downlink(store: Arc<dyn Store>, upstream: Upstream) {
    tokio::spawn(async move {
        let mut failures: u32 = 0;
        loop {
            let pulled = match upstream.get("/api/v1/sync/state").await {
                Ok(state) => apply_hub_state(store.as_ref(), &state).await,
                Err(e) => Err(e),
            };
            match pulled {
                Ok((versions, publications)) => {
                    if versions + publications > 0 {
                        tracing::info!(
                            versions,
                            changes = publications,
                            "rules copied from the hub"
                        );
                    }
                    failures = 0;
                    tokio::time::sleep(DOWNLINK_EVERY).await;
                }
                Err(e) => {
                    failures = failures.saturating_add(1);
                    if failures == 1 || failures.is_multiple_of(20) {
                        tracing::warn!(error = %e, failures, "cannot copy the hub's policies; retrying");
                    }
                    tokio::time::sleep(backoff(failures).max(Duration::from_secs(1))).await;
                }
            }
        }
    });
}

/// The hub's key for pre-declaration codes: asked of the hub, kept in `cache` for starts
/// without the link; `None` if neither is there (the station then refuses codes until it has
/// talked to the hub once).
pub async fn hub_key(
    upstream: &Upstream,
    cache: &std::path::Path,
) -> Option<cordon_domain::declaration::VerifyingKey> {
    use cordon_domain::declaration::public_key_from_hex;
    match upstream.get("/api/v1/declarations/key").await {
        Ok(v) => {
            let hex = v["public_key"].as_str().unwrap_or_default().to_owned();
            let key = public_key_from_hex(&hex)?;
            if let Err(e) = std::fs::write(cache, &hex) {
                tracing::warn!(error = %e, "cannot keep the hub's key for starts without the link");
            }
            Some(key)
        }
        Err(e) => {
            let key = std::fs::read_to_string(cache)
                .ok()
                .and_then(|hex| public_key_from_hex(&hex));
            if key.is_none() {
                tracing::warn!(error = %e, "the hub's key for pre-declaration codes is not known yet");
            }
            key
        }
    }
}

/// What one push came to.
pub(crate) enum Pushed<A> {
    /// The hub's answer.
    Answered(A),
    /// The hub expects an earlier number: resend from its mark.
    Gap,
    /// Not now: the hub is unreachable or busy.
    Retry(String),
    /// The hub refuses this station (credential revoked, series gone backwards, a record it
    /// cannot take): only an operator can fix it.
    Refused(String),
}

/// Pushes `records` of a station's series to the hub's `path` (a passages' or a sampling
/// site's series): its answer, or what stood in the way.
pub(crate) async fn push<A: serde::de::DeserializeOwned, R: serde::Serialize>(
    upstream: &Upstream,
    path: &str,
    records: &[R],
) -> Pushed<A> {
    let sent = upstream
        .http
        .post(format!("{}{path}", upstream.base))
        .bearer_auth(&upstream.token)
        .json(&json!({ "records": records }))
        .send()
        .await;
    let r = match sent {
        Ok(r) => r,
        Err(e) => return Pushed::Retry(e.to_string()),
    };
    let status = r.status();
    let body: Value = r.json().await.unwrap_or(Value::Null);
    if status.is_success() {
        return match serde_json::from_value::<A>(body) {
            Ok(a) => Pushed::Answered(a),
            Err(e) => Pushed::Retry(format!("an answer the station does not understand: {e}")),
        };
    }
    if body["error"]["code"].as_str() == Some("series_gap") {
        return Pushed::Gap;
    }
    if status.is_server_error() || status.as_u16() == 429 {
        return Pushed::Retry(format!("{status}: {body}"));
    }
    Pushed::Refused(format!("{status}: {body}"))
}

const PASSAGES: &str = "/api/v1/sync/passages";

/// One pass: pushes what is pending, in batches, until the outbox is empty or a push fails.
/// Answers the failure, if any.
async fn drain(store: &dyn Store, upstream: &Upstream) -> Result<(), Pushed<SyncAnswer>> {
    loop {
        let link = store
            .uplink()
            .await
            .map_err(|e| Pushed::Retry(e.to_string()))?;
        if link.newest <= link.acknowledged {
            return Ok(());
        }
        let rows = store
            .outbox(link.acknowledged, BATCH)
            .await
            .map_err(|e| Pushed::Retry(e.to_string()))?;
        let records: Vec<SyncRecord> = rows
            .iter()
            .map(|(seq, p)| SyncRecord {
                seq: *seq,
                passage: p.to_request(),
                decision: p.decision.clone(),
                recorded_at: p.recorded_at,
            })
            .collect();
        let sent_to = records.last().map_or(link.acknowledged, |r| r.seq);
        let acknowledged = match push::<SyncAnswer, _>(upstream, PASSAGES, &records).await {
            // The hub holds more of this series than the station has sent: the station's
            // database is older than what it once pushed.
            Pushed::Answered(a) if a.high_water > sent_to => {
                let high = a.high_water;
                return Err(Pushed::Refused(format!(
                    "the hub holds this station's series up to {high}, beyond the {sent_to} records the station has: the station's database is older than what it sent (restored from a backup?); it needs a new credential"
                )));
            }
            Pushed::Answered(a) => a.high_water,
            // The hub's mark is behind what this station thought acknowledged (the hub was
            // restored from a backup): start again from the hub's mark.
            Pushed::Gap => {
                match push::<SyncAnswer, _>(upstream, PASSAGES, &[] as &[SyncRecord]).await {
                    Pushed::Answered(a) => a.high_water.min(sent_to),
                    other => return Err(other),
                }
            }
            other => return Err(other),
        };
        store
            .acknowledge_uplink(acknowledged, cordon_domain::time::now_ms())
            .await
            .map_err(|e| Pushed::Retry(e.to_string()))?;
    }
}

/// Starts the push to the hub; it runs until the process ends.
pub fn spawn_uplink(store: Arc<dyn Store>, upstream: Upstream) {
    tokio::spawn(keep_pushing("records", move || {
        let (store, upstream) = (store.clone(), upstream.clone());
        async move { drain(store.as_ref(), &upstream).await }
    }));
}

/// Runs `drain` (one pass over a station's outbox) for ever: every [`POLL`] while it empties
/// the outbox, after a growing [`backoff`] while it fails; `what` names the records in the log.
pub(crate) async fn keep_pushing<A, F, Fut>(what: &'static str, mut drain: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<(), Pushed<A>>>,
{
    let mut failures: u32 = 0;
    loop {
        match drain().await {
            Ok(()) => {
                if failures > 0 {
                    tracing::info!(what, "the hub is reachable again; the outbox is pushed");
                }
                failures = 0;
                tokio::time::sleep(POLL).await;
            }
            Err(outcome) => {
                failures = failures.saturating_add(1);
                match outcome {
                    Pushed::Refused(why) => {
                        tracing::error!(%why, what, "the hub refuses this station's records");
                    }
                    Pushed::Retry(why) if failures == 1 || failures.is_multiple_of(20) => {
                        tracing::warn!(%why, failures, what, "cannot push to the hub; retrying");
                    }
                    _ => {}
                }
                tokio::time::sleep(backoff(failures)).await;
            }
        }
    }
}

/// Exponential backoff with jitter: a random wait between half and all of 200 ms × 2^(failures -
/// 1), capped at [`MAX_BACKOFF`], so that stations coming back together do not push in step.
pub fn backoff(failures: u32) -> Duration {
    let ceiling = Duration::from_millis(200)
        .saturating_mul(1u32 << failures.saturating_sub(1).min(16))
        .min(MAX_BACKOFF);
    let ms =
        rand::thread_rng().gen_range(ceiling.as_millis() as u64 / 2..=ceiling.as_millis() as u64);
    Duration::from_millis(ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_to_its_cap_with_jitter() {
        for failures in 1..40 {
            let d = backoff(failures);
            assert!(d <= MAX_BACKOFF, "{failures}: {d:?}");
            assert!(d >= Duration::from_millis(100), "{failures}: {d:?}");
        }
        assert!(backoff(30) >= MAX_BACKOFF / 2);
        let waits: std::collections::HashSet<Duration> = (0..20).map(|_| backoff(8)).collect();
        assert!(waits.len() > 1, "jittered");
    }
}
