//! The lanes' view of the directives' clock, and the escalation of overdue stations. A lane (or
//! a station) asks with the clock it last saw and may wait for a change ([`DirectiveFeed::wait`]:
//! a long poll); the answer "unchanged" costs no query, since this process reads the store's
//! clock at most once per [`FRESH`] however many wait, and at once after its own writes, which
//! wake the waiting at once. A directive issued on another process (PostgreSQL behind several
//! servers) reaches the waiting within [`FRESH`].

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
    moved: tokio::sync::Notify,
    /// The server is stopping: every wait answers at once.
    closing: std::sync::atomic::AtomicBool,
}

/// The longest a lane or station may wait for a change, in seconds.
pub const MAX_WAIT_S: u32 = 25;

impl Default for DirectiveFeed {
    fn default() -> Self {
        Self {
            clock: AtomicI64::new(-1),
            read_at: Mutex::new(None),
            moved: tokio::sync::Notify::new(),
            closing: std::sync::atomic::AtomicBool::new(false),
        }
    }
}

impl DirectiveFeed {
    /// Answers every long poll now and every later one at once: the server is stopping, and a
    /// lane asks the next one (or the restarted one) again, so a shutdown waits for no poll.
    pub fn close(&self) {
        self.closing
            .store(true, std::sync::atomic::Ordering::SeqCst);
        self.moved.notify_waiters();
    }

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

    /// Reads the clock now: after this process changed a directive. Wakes the waiting when it
    /// moved.
    pub async fn reread(&self, store: &dyn Store) -> Result<i64, StoreError> {
        let v = store.directive_clock().await?;
        let before = self.clock.swap(v, Ordering::AcqRel);
        if let Ok(mut t) = self.read_at.lock() {
            *t = Some(Instant::now());
        }
        if before != v {
            self.moved.notify_waiters();
        }
        Ok(v)
    }

    /// The clock once it differs from `known`, or as it is after `wait` (a long poll).
    pub async fn wait(
        &self,
        store: &dyn Store,
        known: Option<i64>,
        wait: Duration,
    ) -> Result<i64, StoreError> {
        let until = tokio::time::Instant::now() + wait;
        loop {
            let moved = self.moved.notified();
            let now = self.clock(store).await?;
            let closing = self.closing.load(std::sync::atomic::Ordering::SeqCst);
            if closing || known != Some(now) || tokio::time::Instant::now() >= until {
                return Ok(now);
            }
            // Woken by this process's own change, else by the next reading of the store's.
            let tick = (tokio::time::Instant::now() + FRESH).min(until);
            tokio::select! {
                _ = moved => {}
                _ = tokio::time::sleep_until(tick) => {}
            }
        }
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
