//! Grants of the passage registry: reading passages and counts at checkpoints in a scope (an
//! officer only the last 24 hours), revealing their occupants for a stated purpose, and
//! registering passages. Each grant's fields are private: the `may_*` method beside it is the
//! only way to make one.

use super::{Capability, Denied, Principal, Role, Scope, OFFICER_LOOKBACK_MS};

/// Leave to read passages (and counts) at checkpoints in a scope, from an instant on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PassageRead {
    scope: Scope,
    since_ms: i64,
}

/// Leave to see the clear identity numbers, names and phones of passages in a scope, for a
/// stated purpose (every reveal is audited).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reveal {
    read: PassageRead,
}

impl Reveal {
    /// The passages a reveal may name.
    pub fn passages(&self) -> &PassageRead {
        &self.read
    }
}

/// Leave to register passages at checkpoints in a scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    scope: Scope,
}

impl PassageRead {
    pub fn scope(&self) -> &Scope {
        &self.scope
    }
    /// Nothing observed before this instant may be read (an officer's 24 hours).
    pub fn since_ms(&self) -> i64 {
        self.since_ms
    }
}

impl Registration {
    pub fn scope(&self) -> &Scope {
        &self.scope
    }
}

impl Principal {
    /// Commanders and tracers read their scope; officers the last 24 hours of their checkpoints.
    pub fn may_read_passages(&self, now_ms: i64) -> Result<PassageRead, Denied> {
        let since_ms = match self.role {
            Role::Commander | Role::Tracer => i64::MIN,
            Role::Officer => now_ms - OFFICER_LOOKBACK_MS,
            Role::Auditor
            | Role::Admin
            | Role::Station
            | Role::Caller
            | Role::Sampler
            | Role::Lab
            | Role::Lot => return Err(Self::deny("read passages")),
        };
        Ok(PassageRead {
            scope: self.scope.clone(),
            since_ms,
        })
    }

    /// Tracers (who call people) and commanders may reveal; officers see the people in front
    /// of them, auditors and admins see no personal data.
    pub fn may_reveal(&self) -> Result<Reveal, Denied> {
        match self.role {
            Role::Commander | Role::Tracer => Ok(Reveal {
                read: PassageRead {
                    scope: self.scope.clone(),
                    since_ms: i64::MIN,
                },
            }),
            _ => Err(Self::deny("reveal personal data")),
        }
    }

    pub fn may_register(&self) -> Result<Registration, Denied> {
        match self.role {
            Role::Officer => Ok(Registration {
                scope: self.scope.clone(),
            }),
            _ => Err(Self::deny("register passages")),
        }
    }
}

impl Capability for PassageRead {
    fn grant(p: &Principal, now_ms: i64) -> Result<Self, Denied> {
        p.may_read_passages(now_ms)
    }
}

impl Capability for Reveal {
    fn grant(p: &Principal, _now_ms: i64) -> Result<Self, Denied> {
        p.may_reveal()
    }
}

impl Capability for Registration {
    fn grant(p: &Principal, _now_ms: i64) -> Result<Self, Denied> {
        p.may_register()
    }
}
