//! Grants of the checkpoint network: changing jurisdictions and checkpoints within a scope. Each grant's fields are private: the `may_*` method beside it is the
//! only way to make one.

use super::{Capability, Denied, Principal, Role, Scope};

/// Leave to change the checkpoint network within a scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkChange {
    scope: Scope,
}

impl NetworkChange {
    pub fn scope(&self) -> &Scope {
        &self.scope
    }
}

impl Principal {
    pub fn may_change_network(&self) -> Result<NetworkChange, Denied> {
        match self.role {
            Role::Commander => Ok(NetworkChange {
                scope: self.scope.clone(),
            }),
            _ => Err(Self::deny("change the checkpoint network")),
        }
    }
}

impl Capability for NetworkChange {
    fn grant(p: &Principal, _now_ms: i64) -> Result<Self, Denied> {
        p.may_change_network()
    }
}
