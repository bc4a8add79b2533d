//! Lanes registering at a steady rate on a running hub while other work runs on its store
//! (`cordon bench scale`'s purge): each registration's latency, with when it was sent, so that
//! those sent before the work can be set against those sent while it ran.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cordon_domain::access::Role;
use cordon_domain::checkpoint::CheckpointStatus;
use cordon_store::{CheckpointFilter, Store};

use super::ingest::{generate, percentile, request, session_token};

/// One registration: when it was sent, how long its answer took, whether it was accepted.
pub(super) type Sample = (Instant, Duration, bool);

pub(super) struct Lanes {
    stop: Arc<AtomicBool>,
    samples: Arc<Mutex<Vec<Sample>>>,
    pacer: tokio::task::JoinHandle<Vec<tokio::task::JoinHandle<()>>>,
}

/// Starts lanes of the store's open checkpoints registering vehicles at `rate` a second
/// through the hub at `base` (each request on its own, so a slow answer delays no other).
pub(super) async fn start(store: &dyn Store, base: &str, rate: f64) -> anyhow::Result<Lanes> {
    let open = store
        .list_checkpoints(&CheckpointFilter {
            status: Some(CheckpointStatus::Open),
            ..CheckpointFilter::default()
        })
        .await?;
    let lanes: std::collections::HashMap<String, u16> =
        open.iter().map(|c| (c.code.to_string(), c.lanes)).collect();
    let bodies: Vec<Vec<u8>> = generate(20_000)
        .passages
        .iter()
        .filter(|p| {
            lanes
                .get(p.draft.checkpoint.as_str())
                .is_some_and(|&n| p.draft.lane <= n)
        })
        .map(|p| serde_json::to_vec(&request(p)).expect("requests serialise"))
        .collect();
    anyhow::ensure!(
        !bodies.is_empty(),
        "no generated passage fits an open checkpoint"
    );
    let codes: Vec<&str> = lanes.keys().map(String::as_str).collect();
    let token = session_token(store, "bench-lanes", Role::Officer, &codes.join(",")).await?;
    let stop = Arc::new(AtomicBool::new(false));
    let samples = Arc::new(Mutex::new(Vec::new()));
    let url = format!("{base}/api/v1/passages");
    let pacer = {
        let (stop, samples) = (stop.clone(), samples.clone());
        tokio::spawn(async move {
            let http = reqwest::Client::new();
            let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / rate));
            let mut sent = Vec::new();
            for body in bodies.into_iter().cycle() {
                tick.tick().await;
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let (http, url, token, samples) =
                    (http.clone(), url.clone(), token.clone(), samples.clone());
                sent.push(tokio::spawn(async move {
                    let at = Instant::now();
                    let ok = http
                        .post(&url)
                        .bearer_auth(&token)
                        .header("content-type", "application/json")
                        .body(body)
                        .send()
                        .await
                        .is_ok_and(|r| r.status().is_success());
                    samples
                        .lock()
                        .expect("samples")
                        .push((at, at.elapsed(), ok));
                }));
            }
            sent
        })
    };
    Ok(Lanes {
        stop,
        samples,
        pacer,
    })
}

impl Lanes {
    /// Stops the lanes and waits for every answer.
    pub(super) async fn stop(self) -> anyhow::Result<Vec<Sample>> {
        self.stop.store(true, Ordering::Relaxed);
        for request in self.pacer.await? {
            request.await?;
        }
        let samples = std::mem::take(&mut *self.samples.lock().expect("samples"));
        Ok(samples)
    }
}

/// Prints the latencies of the registrations sent within `[from, to)`.
pub(super) fn print(what: &str, samples: &[Sample], from: Instant, to: Instant) {
    let mut times: Vec<Duration> = samples
        .iter()
        .filter(|s| s.0 >= from && s.0 < to)
        .map(|s| s.1)
        .collect();
    let failed = samples
        .iter()
        .filter(|s| s.0 >= from && s.0 < to && !s.2)
        .count();
    times.sort();
    if times.is_empty() {
        println!("  {what}: no registration");
        return;
    }
    println!(
        "  {what}: {} registrations, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms, {failed} refused or failed",
        times.len(),
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        times.last().map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    );
}
