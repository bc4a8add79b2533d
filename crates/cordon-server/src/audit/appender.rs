//! Appending to the audit trail. Handlers describe what they returned in an [`AuditNote`]
//! (a response extension); the guard turns it, with the caller, the route and the status, into
//! an entry and waits until the entry is committed before the response leaves: personal data is
//! never released without its audit entry on disk. Entries that arrive together are gathered by
//! one task ([`Auditor`]) and appended in one transaction by the store's passage writer, which is
//! how the trail keeps pace with the lanes.

use std::sync::Arc;

use cordon_domain::audit::AuditEntry;
use cordon_store::Store;
use tokio::sync::{mpsc, oneshot};

/// Entries appended in one transaction at most.
const GROUP: usize = 2_000;

/// What a handler adds to its request's audit entry.
#[derive(Debug, Clone, Default)]
pub struct AuditNote {
    /// Replaces the default action (`METHOD /route/template`).
    pub action: Option<&'static str>,
    pub target: String,
    /// Keyed hashes of the persons or plates asked about.
    pub subjects: Vec<String>,
    pub persons: i64,
    pub purpose: String,
    /// For a sign-in, the name that was tried.
    pub actor: Option<String>,
    /// The entry was appended already, in the transaction of the write it records.
    pub recorded: bool,
}

impl AuditNote {
    /// A read that returned `persons` persons.
    pub fn read(target: impl Into<String>, persons: usize) -> AuditNote {
        AuditNote {
            target: target.into(),
            persons: persons as i64,
            ..AuditNote::default()
        }
    }

    pub fn subjects(mut self, subjects: Vec<String>) -> AuditNote {
        self.subjects = subjects;
        self
    }
}

type Job = (AuditEntry, oneshot::Sender<bool>);

/// The single appender of this process.
#[derive(Clone)]
pub struct Auditor {
    tx: mpsc::Sender<Job>,
}

impl Auditor {
    pub fn start(store: Arc<dyn Store>) -> Auditor {
        let (tx, mut rx) = mpsc::channel::<Job>(16 * GROUP);
        tokio::spawn(async move {
            let mut jobs: Vec<Job> = Vec::with_capacity(GROUP);
            while rx.recv_many(&mut jobs, GROUP).await > 0 {
                let entries: Vec<AuditEntry> = jobs.iter().map(|(e, _)| e.clone()).collect();
                let ok = match store.append_audit(&entries).await {
                    Ok(_) => true,
                    Err(e) => {
                        tracing::error!(error = %e, entries = entries.len(), "audit append failed");
                        false
                    }
                };
                metrics::counter!("cordon_audit_entries_total").increment(entries.len() as u64);
                for (_, reply) in jobs.drain(..) {
                    let _ = reply.send(ok);
                }
            }
        });
        Auditor { tx }
    }

    /// Appends an entry and waits for its commit; false if it could not be written.
    pub async fn record(&self, entry: AuditEntry) -> bool {
        let (reply, done) = oneshot::channel();
        if self.tx.send((entry, reply)).await.is_err() {
            return false;
        }
        done.await.unwrap_or(false)
    }
}
