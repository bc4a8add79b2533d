//! The lanes' view of the directives' clock, and the escalation of overdue stations. A lane
//! polls with the clock it last saw; the answer "unchanged" costs no query, since this process
//! reads the store's clock at most once per [`FRESH`] (and at once after its own writes), so a
//! directive issued on any process reaches every lane within a poll plus [`FRESH`].

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cordon_store::{Store, StoreError};

/// How old the clock a lane is compared against may be.
pub const FRESH: Duration = Duration::from_secs(1);

/// How often the hub looks for stations newly past a deadline.
pub const ESCALATE_EVERY: Duration = Duration::from_secs(30);

/// The directives' clock as this process last read it.
#[derive(Debug)]
pub struct DirectiveFeed {
    clock: AtomicI64,
    read_at: Mutex<Option<Instant>>,
}

impl Default for DirectiveFeed {
    fn default() -> Self {
        Self {
            clock: AtomicI64::new(-1),
            read_at: Mutex::new(None),
        }
    }
}

impl DirectiveFeed {
    /// The clock, read from the store when the last reading is older than [`FRESH`].
    pub async fn clock(&self, store: &dyn Store) -> Result<i64, StoreError> {
        let fresh = self
            .read_at
            .lock()
            .map(|t| t.is_some_and(|t| t.elapsed() < FRESH))
            .unwrap_or(false);
        if fresh {
            return Ok(self.clock.load(Ordering::Acquire));
        }
        self.reread(store).await
    }

    /// Reads the clock now: after this process changed a directive.
    pub async fn reread(&self, store: &dyn Store) -> Result<i64, StoreError> {
        let v = store.directive_clock().await?;
        self.clock.store(v, Ordering::Release);
        if let Ok(mut t) = self.read_at.lock() {
            *t = Some(Instant::now());
        }
        Ok(v)
    }
}

/// Starts the hub's sweep that notes stations newly past a deadline as escalated to the
/// commanders above them; it runs until the process ends.
pub fn spawn_escalation(store: Arc<dyn Store>) {
    tokio::spawn(async move {
        loop {
            match store.escalate_overdue(cordon_domain::time::now_ms()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(stations = n, "directives overdue: escalated"),
                Err(e) => tracing::warn!(error = %e, "cannot escalate overdue directives"),
            }
            tokio::time::sleep(ESCALATE_EVERY).await;
        }
    });
}
