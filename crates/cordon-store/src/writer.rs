//! Group commit for registrations. Requests arrive from many connections at once; one writer
//! task per process gathers whatever is waiting (up to a row budget) into a single transaction,
//! commits it, and answers each request. A vehicle is written whole or not at all, a rejected
//! request writes nothing, and the commit's cost is shared by everyone in the group.

use std::sync::Arc;

use async_trait::async_trait;
use tokio::sync::{mpsc, oneshot};

use crate::{NewPassage, RecordRejection, Recorded, StoreError};

/// The result of one request in a group: its records, or why it was refused.
pub type JobResult = Result<Vec<Recorded>, RecordRejection>;

/// A backend that can write a group of requests in one transaction.
#[async_trait]
pub trait GroupWrite: Send + Sync + 'static {
    async fn write_group(&self, jobs: &[&[NewPassage]]) -> Result<Vec<JobResult>, StoreError>;
}

struct Job {
    passages: Vec<NewPassage>,
    reply: oneshot::Sender<Result<Vec<Recorded>, StoreError>>,
}

/// Handle to the writer task; cheap to clone.
#[derive(Clone)]
pub struct PassageWriter {
    tx: mpsc::Sender<Job>,
}

/// Most persons written in one group.
const GROUP_ROWS: usize = 4_000;

impl PassageWriter {
    pub fn spawn(backend: Arc<dyn GroupWrite>) -> Self {
        let (tx, rx) = mpsc::channel::<Job>(4_096);
        tokio::spawn(run(backend, rx));
        Self { tx }
    }

    pub async fn record(&self, passages: Vec<NewPassage>) -> Result<Vec<Recorded>, StoreError> {
        if passages.is_empty() {
            return Ok(Vec::new());
        }
        let (reply, answer) = oneshot::channel();
        self.tx
            .send(Job { passages, reply })
            .await
            .map_err(|_| StoreError::Closed)?;
        answer.await.map_err(|_| StoreError::Closed)?
    }
}

fn persons(job: &Job) -> usize {
    job.passages.iter().map(|p| p.draft.occupants.len()).sum()
}

async fn run(backend: Arc<dyn GroupWrite>, mut rx: mpsc::Receiver<Job>) {
    while let Some(first) = rx.recv().await {
        let mut rows = persons(&first);
        let mut jobs = vec![first];
        while rows < GROUP_ROWS {
            match rx.try_recv() {
                Ok(job) => {
                    rows += persons(&job);
                    jobs.push(job);
                }
                Err(_) => break,
            }
        }
        let started = std::time::Instant::now();
        let inputs: Vec<&[NewPassage]> = jobs.iter().map(|j| j.passages.as_slice()).collect();
        let outcome = backend.write_group(&inputs).await;
        metrics::histogram!("cordon_store_group_seconds").record(started.elapsed().as_secs_f64());
        metrics::histogram!("cordon_store_group_requests").record(jobs.len() as f64);
        match outcome {
            Ok(results) => {
                for (job, result) in jobs.into_iter().zip(results) {
                    let _ = job.reply.send(result.map_err(StoreError::Rejected));
                }
            }
            Err(e) => {
                tracing::error!(error = %e, requests = jobs.len(), "group write failed");
                let text = e.to_string();
                for job in jobs {
                    let _ = job.reply.send(Err(StoreError::Unavailable(text.clone())));
                }
            }
        }
    }
}
