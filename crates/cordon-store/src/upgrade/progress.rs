//! How far a long conversion is, in the log: what it does and how many rows at the start (and
//! that a stop before the end leaves the database as it was), the share done every few
//! seconds, and the time it took at the end. Used by the conversions that run in one
//! transaction over every passage (data migration 1038, migration 43's move by day).

use std::time::{Duration, Instant};

/// How often the share done is logged.
const EVERY: Duration = Duration::from_secs(5);

pub(crate) struct Progress {
    /// What is being done, as the log says it ("converting the stored passages").
    doing: &'static str,
    total: i64,
    done: i64,
    started: Instant,
    said: Instant,
}

impl Progress {
    /// Starts counting `total` rows, saying so if there are any.
    pub(crate) fn new(doing: &'static str, total: i64) -> Self {
        if total > 0 {
            tracing::info!(
                passages = total,
                "{doing} (one transaction; a stop before the end leaves the database as it was)"
            );
        }
        let now = Instant::now();
        Progress {
            doing,
            total,
            done: 0,
            started: now,
            said: now,
        }
    }

    /// Counts `n` more rows done; says how far it is if the last saying is old enough.
    pub(crate) fn add(&mut self, n: usize) {
        self.done += n as i64;
        if self.said.elapsed() >= EVERY {
            self.said = Instant::now();
            let percent = self.done * 100 / self.total.max(1);
            tracing::info!(
                done = self.done,
                total = self.total,
                "{}: {percent} %",
                self.doing
            );
        }
    }

    /// Says that it is over, with `outcome` (what was changed), if there was anything to do.
    pub(crate) fn end(&self, outcome: &str) {
        if self.total == 0 {
            return;
        }
        tracing::info!(
            passages = self.done,
            seconds = self.started.elapsed().as_secs_f64(),
            "{}: done, {outcome}",
            self.doing
        );
    }
}
