//! Grants of edge stations: a station pushing its checkpoint's registrations, and a commander
//! issuing and revoking stations' credentials. Each grant's fields are private: the `may_*` method beside it is the
//! only way to make one.

use super::{Capability, Denied, Principal, Role, Scope};
use crate::checkpoint::CheckpointCode;

/// Leave for an edge station to push its checkpoint's registrations to the hub, as its own
/// account (the hub keeps one series per station account).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StationSync {
    account: i64,
    checkpoint: CheckpointCode,
}

impl StationSync {
    pub fn account(&self) -> i64 {
        self.account
    }
    /// The one checkpoint the station writes for.
    pub fn checkpoint(&self) -> &CheckpointCode {
        &self.checkpoint
    }
}

/// Leave to issue and revoke stations' credentials for checkpoints in a scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StationAdmin {
    scope: Scope,
}

impl StationAdmin {
    pub fn scope(&self) -> &Scope {
        &self.scope
    }
}

impl Principal {
    pub fn may_sync(&self) -> Result<StationSync, Denied> {
        match (&self.role, &self.scope) {
            (Role::Station, Scope::Checkpoints(list)) if list.len() == 1 => Ok(StationSync {
                account: self.account,
                checkpoint: list[0].clone(),
            }),
            _ => Err(Self::deny("push a station's registrations")),
        }
    }

    pub fn may_administer_stations(&self) -> Result<StationAdmin, Denied> {
        match self.role {
            Role::Commander => Ok(StationAdmin {
                scope: self.scope.clone(),
            }),
            _ => Err(Self::deny("issue or revoke station credentials")),
        }
    }
}

impl Capability for StationSync {
    fn grant(p: &Principal, _now_ms: i64) -> Result<Self, Denied> {
        p.may_sync()
    }
}

impl Capability for StationAdmin {
    fn grant(p: &Principal, _now_ms: i64) -> Result<Self, Denied> {
        p.may_administer_stations()
    }
}
