//! The lot boards' long poll: a board asks with the clock it last saw and waits until the lot's
//! clock moves (its own process's writes wake it at once; another process's within
//! [`TICK`]), so a truck checked in or moved at the gate shows on every open board within a
//! second, without each board fetching 1,200 trucks every few seconds. The boards woken by one
//! change share one reading of the board, answered as the same bytes ([`LotFeed::boards`]): ten
//! waiting boards cost one read of 1,200 trucks, not ten.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// How often a waiting board reads its lot's clock when nothing in this process woke it.
pub const TICK: Duration = Duration::from_millis(500);
/// The longest a board may wait, in seconds.
pub const MAX_WAIT_S: u32 = 25;

/// A board read once for its readers: its JSON and how many trucks it holds (for the audit).
pub struct SharedBoard {
    pub json: axum::body::Bytes,
    pub trucks: usize,
}

/// The boards read, by lot and clock, kept a second (the readers one change wakes arrive
/// together); two lots read at a time.
pub type Boards = crate::flight::Flights<(i64, i64), SharedBoard>;

/// How long a board read at a clock is answered again.
pub const BOARD_FRESH_MS: i64 = 1_000;

pub struct LotFeed {
    moved: tokio::sync::Notify,
    closing: AtomicBool,
    pub boards: Boards,
}

impl Default for LotFeed {
    fn default() -> Self {
        Self {
            moved: Default::default(),
            closing: Default::default(),
            boards: Boards::new(BOARD_FRESH_MS, Duration::from_secs(20), 2),
        }
    }
}

impl std::fmt::Debug for LotFeed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LotFeed").finish_non_exhaustive()
    }
}

impl LotFeed {
    /// A lot changed in this process: every waiting board reads its clock again.
    pub fn moved(&self) {
        self.moved.notify_waiters();
    }

    /// The server is stopping: every wait ends now.
    pub fn close(&self) {
        self.closing.store(true, Ordering::SeqCst);
        self.moved.notify_waiters();
    }

    /// Waits until `clock` (a reading of the lot's clock) answers other than `known`, for at
    /// most `wait`.
    pub async fn wait<F, Fut, E>(&self, known: i64, wait: Duration, mut clock: F) -> Result<(), E>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<i64, E>>,
    {
        let until = tokio::time::Instant::now() + wait;
        loop {
            let moved = self.moved.notified();
            if self.closing.load(Ordering::SeqCst)
                || clock().await? != known
                || tokio::time::Instant::now() >= until
            {
                return Ok(());
            }
            let tick = (tokio::time::Instant::now() + TICK).min(until);
            tokio::select! {
                _ = moved => {}
                _ = tokio::time::sleep_until(tick) => {}
            }
        }
    }
}
