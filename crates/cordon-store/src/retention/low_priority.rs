//! A thread of lower priority (nice [`NICE`]) with a connection of its own to SQLite's file, for
//! the purge's work that takes no write lock: reading an hour's row ids and copying the
//! write-ahead log back to the file between batches (a `PASSIVE` checkpoint). On the machine's
//! two cores this work took time from the lanes' requests; at a lower priority it runs in what
//! they leave. The purge's writes stay on the registration writer (a thread holding the write
//! lock must not wait for the processor behind the lanes that wait for it).

use std::path::Path;
use std::sync::mpsc;

use rusqlite::Connection;

use crate::StoreError;

/// The thread's nice value: below every thread of the hub, which run at 0.
const NICE: i32 = 10;

type Job = Box<dyn FnOnce(&Connection) + Send>;

/// The thread ends when this is dropped (the purge's run is over).
pub(super) struct LowPriority {
    jobs: mpsc::Sender<Job>,
}

impl LowPriority {
    /// Starts the thread and opens its connection (the registration writer's settings).
    pub fn start(path: &Path) -> Result<Self, StoreError> {
        let (jobs, queue) = mpsc::channel::<Job>();
        let (opened, open) = mpsc::sync_channel(1);
        let path = path.to_owned();
        std::thread::Builder::new()
            .name("cordon-purge".into())
            .spawn(move || {
                lower_priority();
                let conn = match crate::passage::sqlite_writer::connect(&path) {
                    Ok(c) => {
                        let _ = opened.send(Ok(()));
                        c
                    }
                    Err(e) => {
                        let _ = opened.send(Err(e));
                        return;
                    }
                };
                for job in queue {
                    job(&conn);
                }
            })
            .map_err(|e| StoreError::Unavailable(format!("the purge's thread: {e}")))?;
        open.recv()
            .map_err(|_| StoreError::Unavailable("the purge's thread stopped".into()))??;
        Ok(Self { jobs })
    }

    /// Runs `f` on the thread's connection and answers what it answers.
    pub async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |conn| {
            let _ = reply.send(f(conn));
        });
        let stopped = || StoreError::Unavailable("the purge's thread stopped".into());
        self.jobs.send(job).map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

/// The calling thread's nice value raised to [`NICE`] (on Linux a thread's own; elsewhere
/// nothing). A failure leaves it as it was: the purge is slower for the lanes, not wrong.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    {
        let me = Some(rustix::thread::gettid());
        if let Err(e) = rustix::process::setpriority_process(me, NICE) {
            tracing::debug!(error = %e, "the purge's thread kept its priority");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn runs_on_a_thread_of_lower_priority_with_its_own_connection() {
        let dir = std::env::temp_dir().join(format!("cordon-low-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("store.db");
        let thread = LowPriority::start(&path).unwrap();
        let (mode, nice) = thread
            .run(|conn| {
                let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
                #[cfg(target_os = "linux")]
                let nice = rustix::process::getpriority_process(Some(rustix::thread::gettid()))
                    .map_err(|e| StoreError::Unavailable(e.to_string()))?;
                #[cfg(not(target_os = "linux"))]
                let nice = NICE;
                Ok((mode, nice))
            })
            .await
            .unwrap();
        assert_eq!(mode, "wal");
        assert!(nice >= NICE, "the thread's nice value: {nice}");
        let err = thread
            .run(|_| Err::<(), _>(StoreError::Corrupt("refused".into())))
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Corrupt(_)), "{err:?}");
        drop(thread);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
