//! Grants of traces: reading the trajectories of persons and vehicles through checkpoints in a
//! scope. Each grant's fields are private: the `may_*` method beside it is the
//! only way to make one.

use super::{Capability, Denied, Principal, Role, Scope};

/// Leave to read trajectories of persons and vehicles through checkpoints in a scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrajectoryRead {
    scope: Scope,
}

impl TrajectoryRead {
    pub fn scope(&self) -> &Scope {
        &self.scope
    }
}

impl Principal {
    pub fn may_read_trajectories(&self) -> Result<TrajectoryRead, Denied> {
        match self.role {
            Role::Commander | Role::Tracer => Ok(TrajectoryRead {
                scope: self.scope.clone(),
            }),
            _ => Err(Self::deny("read trajectories")),
        }
    }
}

impl Capability for TrajectoryRead {
    fn grant(p: &Principal, _now_ms: i64) -> Result<Self, Denied> {
        p.may_read_trajectories()
    }
}
