//! The checkpoint network: jurisdictions (province > city > county) and checkpoints, with every
//! opening and closing kept in their history. [`NetworkStore`] is a supertrait of
//! [`crate::Store`]; its SQL ([`sql`]) is written once for both backends.

use async_trait::async_trait;
use cordon_domain::checkpoint::{
    Checkpoint, CheckpointCode, CheckpointKind, CheckpointStatus, DefenceLine, Jurisdiction,
    Location, StatusEvent,
};
use cordon_domain::division::DivisionCode;

use crate::StoreError;

pub(crate) mod sql;

#[derive(Debug, Clone)]
pub struct NewJurisdiction {
    pub code: DivisionCode,
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct NewCheckpoint {
    pub code: CheckpointCode,
    pub name: String,
    pub jurisdiction: DivisionCode,
    pub kind: CheckpointKind,
    pub defence_line: DefenceLine,
    pub location: Location,
    pub lanes: u16,
    pub cameras: u16,
    pub status: CheckpointStatus,
}

/// Fields to change on a checkpoint; `None` leaves a field as it is. Status changes go through
/// [`NetworkStore::set_checkpoint_status`] so that each is kept in the history.
#[derive(Debug, Clone, Default)]
pub struct CheckpointPatch {
    pub name: Option<String>,
    pub kind: Option<CheckpointKind>,
    pub defence_line: Option<DefenceLine>,
    pub location: Option<Location>,
    pub lanes: Option<u16>,
    pub cameras: Option<u16>,
}

#[derive(Debug, Clone, Default)]
pub struct CheckpointFilter {
    /// Only checkpoints within this division (province, city or county).
    pub within: Option<DivisionCode>,
    pub status: Option<CheckpointStatus>,
    pub defence_line: Option<DefenceLine>,
    pub kind: Option<CheckpointKind>,
}

/// Open or close many checkpoints at once, with one reason.
#[derive(Debug, Clone)]
pub struct StatusChange {
    pub codes: Vec<CheckpointCode>,
    pub status: CheckpointStatus,
    pub reason: String,
    pub actor: String,
}

/// What a bulk status change did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChangeSummary {
    pub changed: Vec<CheckpointCode>,
    pub unchanged: Vec<CheckpointCode>,
}

#[async_trait]
pub trait NetworkStore: Send + Sync + 'static {
    async fn create_jurisdiction(&self, j: NewJurisdiction) -> Result<Jurisdiction, StoreError>;
    async fn list_jurisdictions(&self) -> Result<Vec<Jurisdiction>, StoreError>;
    async fn get_jurisdiction(&self, code: DivisionCode) -> Result<Jurisdiction, StoreError>;
    async fn rename_jurisdiction(
        &self,
        code: DivisionCode,
        name: String,
    ) -> Result<Jurisdiction, StoreError>;

    /// Creates a checkpoint and the first entry of its status history.
    async fn create_checkpoint(
        &self,
        c: NewCheckpoint,
        actor: &str,
    ) -> Result<Checkpoint, StoreError> {
        let code = c.code.clone();
        self.create_checkpoints(vec![c], actor).await?;
        self.get_checkpoint(&code).await
    }
    /// Creates many checkpoints in one transaction: all of them, or none.
    async fn create_checkpoints(
        &self,
        list: Vec<NewCheckpoint>,
        actor: &str,
    ) -> Result<(), StoreError>;
    async fn list_checkpoints(&self, f: &CheckpointFilter) -> Result<Vec<Checkpoint>, StoreError>;
    async fn get_checkpoint(&self, code: &CheckpointCode) -> Result<Checkpoint, StoreError>;
    async fn update_checkpoint(
        &self,
        code: &CheckpointCode,
        patch: CheckpointPatch,
    ) -> Result<Checkpoint, StoreError>;
    /// Opens or closes all the listed checkpoints in one transaction, or none of them.
    async fn set_checkpoint_status(
        &self,
        change: StatusChange,
    ) -> Result<StatusChangeSummary, StoreError>;
    async fn checkpoint_history(
        &self,
        code: &CheckpointCode,
    ) -> Result<Vec<StatusEvent>, StoreError>;
}
