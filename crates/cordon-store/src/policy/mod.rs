//! The policy engine's storage: policy versions, the publication log, the checkpoints as the
//! engine knows them, and the replay of stored passages' facts for dry-runs. [`PolicyStore`] is a
//! supertrait of [`crate::Store`]; both backends share its SQL ([`sql`]) except the replay scan,
//! which each backend streams its own way ([`replay`]).

use async_trait::async_trait;
use cordon_domain::checkpoint::{CheckpointCode, DefenceLine};
use cordon_domain::passage::Outcome;
use cordon_domain::policy::record::{PolicyVersion, Publication, PublicationAction};
use tokio::sync::mpsc;
use uuid::Uuid;

use crate::{Period, StoreError};

mod replay;
mod sql;

#[derive(Debug, Clone)]
pub struct NewPolicyVersion {
    pub name: String,
    pub source: String,
    pub digest: String,
    pub note: String,
    pub actor: String,
}

#[derive(Debug, Clone)]
pub struct NewPublication {
    pub version: i64,
    pub effective_ms: i64,
    pub action: PublicationAction,
    pub reason: String,
    pub actor: String,
}

/// A stored passage as a dry-run sees it: where and when, what was decided, and its facts.
#[derive(Debug, Clone)]
pub struct ReplayRow {
    pub id: Uuid,
    pub checkpoint_id: i64,
    pub observed_ms: i64,
    pub offset_s: i32,
    pub outcome: Outcome,
    pub facts: Vec<u8>,
    /// The division the vehicle came from, as a code.
    pub origin: Option<i64>,
}

/// A checkpoint's stored id with what the engine needs of it.
#[derive(Debug, Clone)]
pub struct CheckpointKey {
    pub id: i64,
    pub code: CheckpointCode,
    pub defence_line: DefenceLine,
}

/// Rows per batch a replay sends.
pub const REPLAY_BATCH: usize = 4_096;

#[async_trait]
pub trait PolicyStore: Send + Sync + 'static {
    /// Stores a new, immutable version; its number is assigned here.
    async fn create_policy_version(&self, v: NewPolicyVersion)
        -> Result<PolicyVersion, StoreError>;
    async fn list_policy_versions(&self) -> Result<Vec<PolicyVersion>, StoreError>;
    async fn get_policy_version(&self, version: i64) -> Result<PolicyVersion, StoreError>;
    /// Appends to the publication log.
    async fn publish_policy(&self, p: NewPublication) -> Result<Publication, StoreError>;
    /// The whole publication log, oldest first.
    async fn list_publications(&self) -> Result<Vec<Publication>, StoreError>;

    async fn checkpoint_keys(&self) -> Result<Vec<CheckpointKey>, StoreError>;
    /// Streams the passages observed in `period` in batches of [`REPLAY_BATCH`], in no
    /// particular order; answers how many were sent. Stops early if the receiver goes away.
    async fn replay_passages(
        &self,
        period: Period,
        to: mpsc::Sender<Vec<ReplayRow>>,
    ) -> Result<u64, StoreError>;
}
