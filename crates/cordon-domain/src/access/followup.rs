//! Grants of follow-up: bringing lists in and reading them, managing teams and questionnaires,
//! and a caller's work on its own worklist. Each grant's fields are private: the `may_*` method
//! beside it is the only way to make one.

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

/// Leave to work through one's own worklist (and, for a team's lead, the team's home visits).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Work {
    username: Username,
}

/// Leave to make teams of callers, and hand persons out again, within a jurisdiction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamManage {
    username: Username,
    scope: Scope,
}

/// Leave to write and publish questionnaires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionnaireChange {
    username: Username,
}

impl Work {
    pub fn username(&self) -> &Username {
        &self.username
    }
}

impl TeamManage {
    pub fn username(&self) -> &Username {
        &self.username
    }
    pub fn scope(&self) -> &Scope {
        &self.scope
    }
}

impl QuestionnaireChange {
    pub fn username(&self) -> &Username {
        &self.username
    }
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

impl ListWrite {
    /// Leave for a lab account to bring in the recall list of a run it released, for the
    /// campaign's `area` (whose commanders and callers then read and work it); `None` for an
    /// area the account does not work for.
    pub fn recall(
        by: &super::testing::LabWork,
        area: crate::division::DivisionCode,
    ) -> Option<Self> {
        by.serves(area).then(|| ListWrite {
            username: by.username().clone(),
            scope: Scope::Division(area),
        })
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

impl Principal {
    pub fn may_work_followup(&self) -> Result<Work, Denied> {
        match self.role {
            Role::Caller => Ok(Work {
                username: self.username.clone(),
            }),
            _ => Err(Self::deny("work through a follow-up worklist")),
        }
    }

    /// Commanders make the teams of their jurisdiction.
    pub fn may_manage_teams(&self) -> Result<TeamManage, Denied> {
        match (self.role, &self.scope) {
            (Role::Commander, Scope::Division(_)) => Ok(TeamManage {
                username: self.username.clone(),
                scope: self.scope.clone(),
            }),
            _ => Err(Self::deny("manage follow-up teams")),
        }
    }

    pub fn may_change_questionnaires(&self) -> Result<QuestionnaireChange, Denied> {
        match self.role {
            Role::Commander => Ok(QuestionnaireChange {
                username: self.username.clone(),
            }),
            _ => Err(Self::deny("write questionnaires")),
        }
    }
}

impl Capability for Work {
    fn grant(p: &Principal, _now_ms: i64) -> Result<Self, Denied> {
        p.may_work_followup()
    }
}

impl Capability for TeamManage {
    fn grant(p: &Principal, _now_ms: i64) -> Result<Self, Denied> {
        p.may_manage_teams()
    }
}

impl Capability for QuestionnaireChange {
    fn grant(p: &Principal, _now_ms: i64) -> Result<Self, Denied> {
        p.may_change_questionnaires()
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
