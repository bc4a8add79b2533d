//! Grants of follow-up: bringing lists in and reading them. Each grant's fields are private:
//! the `may_*` method beside it is the only way to make one.

use super::{Capability, Denied, Principal, Role, Scope, Username};

/// Leave to bring a list in (upload, push, from a trace), as this account, for its scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListWrite {
    username: Username,
    scope: Scope,
}

/// Leave to read the lists and their subjects (masked) in a scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListRead {
    scope: Scope,
}

impl ListWrite {
    pub fn username(&self) -> &Username {
        &self.username
    }
    /// The scope the list belongs to: those who read it are those whose scope holds it.
    pub fn scope(&self) -> &Scope {
        &self.scope
    }
}

impl ListRead {
    pub fn scope(&self) -> &Scope {
        &self.scope
    }
}

impl Principal {
    /// Tracers (who make lists from their traces) and commanders bring lists in.
    pub fn may_write_lists(&self) -> Result<ListWrite, Denied> {
        match (self.role, &self.scope) {
            (Role::Commander | Role::Tracer, Scope::Division(_)) => Ok(ListWrite {
                username: self.username.clone(),
                scope: self.scope.clone(),
            }),
            _ => Err(Self::deny("bring in a follow-up list")),
        }
    }

    pub fn may_read_lists(&self) -> Result<ListRead, Denied> {
        match self.role {
            Role::Commander | Role::Tracer => Ok(ListRead {
                scope: self.scope.clone(),
            }),
            _ => Err(Self::deny("read follow-up lists")),
        }
    }
}

impl Capability for ListWrite {
    fn grant(p: &Principal, _now_ms: i64) -> Result<Self, Denied> {
        p.may_write_lists()
    }
}

impl Capability for ListRead {
    fn grant(p: &Principal, _now_ms: i64) -> Result<Self, Denied> {
        p.may_read_lists()
    }
}
