//! Grants of freight: commanders set up the holding lots of their jurisdiction ([`LotKeep`]);
//! the lot's staff (role `lot`, scoped to a jurisdiction) and the commanders work them
//! ([`LotWork`]): the gate, the trucks' steps, the drivers' requests, the freight alerts.
//! Commanders issue and revoke freight passes numbered by their jurisdiction ([`PassIssue`]);
//! officers, lot staff and commanders check a pass's code ([`PassCheck`]). Commanders assign
//! escorts from their jurisdiction's checkpoints ([`EscortAssign`]); the escorting officers
//! (scoped to the checkpoint it leaves from) and the commanders record its steps
//! ([`EscortWork`]). Each grant's fields are private: the `may_*` method beside it is the only
//! way to make one.

use super::{Capability, Denied, Principal, Role, Scope, Username};
use crate::division::DivisionCode;

/// Leave to set up holding lots in a jurisdiction: a commander with one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LotKeep {
    username: Username,
    division: DivisionCode,
}

/// Leave to work the holding lots of a jurisdiction and read their alerts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LotWork {
    username: Username,
    division: DivisionCode,
}

impl LotKeep {
    pub fn username(&self) -> &Username {
        &self.username
    }
    pub fn division(&self) -> DivisionCode {
        self.division
    }
    /// The same commander's leave to work the lots it sets up.
    pub fn work(&self) -> LotWork {
        LotWork {
            username: self.username.clone(),
            division: self.division,
        }
    }
}

impl LotWork {
    pub fn username(&self) -> &Username {
        &self.username
    }
    pub fn division(&self) -> DivisionCode {
        self.division
    }
    pub fn scope(&self) -> Scope {
        Scope::Division(self.division)
    }
}

impl Principal {
    pub fn may_keep_lots(&self) -> Result<LotKeep, Denied> {
        match (self.role, &self.scope) {
            (Role::Commander, Scope::Division(d)) => Ok(LotKeep {
                username: self.username.clone(),
                division: *d,
            }),
            _ => Err(Self::deny("set up holding lots")),
        }
    }

    pub fn may_work_lots(&self) -> Result<LotWork, Denied> {
        match (self.role, &self.scope) {
            (Role::Commander | Role::Lot, Scope::Division(d)) => Ok(LotWork {
                username: self.username.clone(),
                division: *d,
            }),
            _ => Err(Self::deny("work holding lots")),
        }
    }
}

/// Leave to issue, list and revoke the freight passes of a jurisdiction (numbered by its code).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PassIssue {
    username: Username,
    division: DivisionCode,
}

impl PassIssue {
    pub fn username(&self) -> &Username {
        &self.username
    }
    pub fn division(&self) -> DivisionCode {
        self.division
    }
}

/// Leave to check a freight pass's code (at a lane, a lot's gate, the command).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PassCheck {
    username: Username,
}

impl PassCheck {
    pub fn username(&self) -> &Username {
        &self.username
    }
}

impl Principal {
    pub fn may_issue_passes(&self) -> Result<PassIssue, Denied> {
        match (self.role, &self.scope) {
            (Role::Commander, Scope::Division(d)) => Ok(PassIssue {
                username: self.username.clone(),
                division: *d,
            }),
            _ => Err(Self::deny("issue freight passes")),
        }
    }

    pub fn may_check_passes(&self) -> Result<PassCheck, Denied> {
        match self.role {
            Role::Officer | Role::Commander | Role::Lot => Ok(PassCheck {
                username: self.username.clone(),
            }),
            _ => Err(Self::deny("check freight passes")),
        }
    }
}

impl Capability for PassIssue {
    fn grant(p: &Principal, _now_ms: i64) -> Result<Self, Denied> {
        p.may_issue_passes()
    }
}

impl Capability for PassCheck {
    fn grant(p: &Principal, _now_ms: i64) -> Result<Self, Denied> {
        p.may_check_passes()
    }
}

impl Capability for LotKeep {
    fn grant(p: &Principal, _now_ms: i64) -> Result<Self, Denied> {
        p.may_keep_lots()
    }
}

impl Capability for LotWork {
    fn grant(p: &Principal, _now_ms: i64) -> Result<Self, Denied> {
        p.may_work_lots()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(role: Role, scope: &str) -> Principal {
        Principal {
            account: 1,
            username: Username::parse("someone").unwrap(),
            role,
            scope: Scope::parse(scope).unwrap(),
        }
    }

    #[test]
    fn commanders_keep_lots_and_staff_work_them() {
        assert!(principal(Role::Commander, "130100").may_keep_lots().is_ok());
        assert!(principal(Role::Lot, "130104").may_keep_lots().is_err());
        assert!(principal(Role::Lot, "130104").may_work_lots().is_ok());
        assert!(principal(Role::Commander, "130000").may_work_lots().is_ok());
        for r in [
            Role::Officer,
            Role::Tracer,
            Role::Lab,
            Role::Sampler,
            Role::Caller,
        ] {
            let scope = if r == Role::Officer {
                "CP-130100-0001"
            } else {
                "130100"
            };
            assert!(principal(r, scope).may_work_lots().is_err(), "{r:?}");
        }
        assert!(
            principal(Role::Lot, "130104")
                .may_work_lots()
                .unwrap()
                .division()
                .value()
                == 130104
        );
    }
}

/// Leave to assign escorts leaving from the checkpoints of a jurisdiction, and cancel them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EscortAssign {
    username: Username,
    division: DivisionCode,
}

impl EscortAssign {
    pub fn username(&self) -> &Username {
        &self.username
    }
    pub fn division(&self) -> DivisionCode {
        self.division
    }
    /// The same commander's leave to follow and step the escorts it assigns.
    pub fn work(&self) -> EscortWork {
        EscortWork {
            username: self.username.clone(),
            scope: Scope::Division(self.division),
        }
    }
}

/// Leave to follow the escorts leaving from a scope's checkpoints and record their steps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EscortWork {
    username: Username,
    scope: Scope,
}

impl EscortWork {
    pub fn username(&self) -> &Username {
        &self.username
    }
    pub fn scope(&self) -> &Scope {
        &self.scope
    }
}

impl Principal {
    pub fn may_assign_escorts(&self) -> Result<EscortAssign, Denied> {
        match (self.role, &self.scope) {
            (Role::Commander, Scope::Division(d)) => Ok(EscortAssign {
                username: self.username.clone(),
                division: *d,
            }),
            _ => Err(Self::deny("assign escorts")),
        }
    }

    pub fn may_work_escorts(&self) -> Result<EscortWork, Denied> {
        match self.role {
            Role::Commander | Role::Officer => Ok(EscortWork {
                username: self.username.clone(),
                scope: self.scope.clone(),
            }),
            _ => Err(Self::deny("record escorts")),
        }
    }
}

impl Capability for EscortAssign {
    fn grant(p: &Principal, _now_ms: i64) -> Result<Self, Denied> {
        p.may_assign_escorts()
    }
}

impl Capability for EscortWork {
    fn grant(p: &Principal, _now_ms: i64) -> Result<Self, Denied> {
        p.may_work_escorts()
    }
}
