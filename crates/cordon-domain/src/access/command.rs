//! Grants of command: issuing and managing directives (commanders, in their jurisdiction),
//! reading them and their boards (commanders: the recipients their jurisdiction holds), and
//! reading and acknowledging them at a lane (officers, for their checkpoints). Each grant's
//! fields are private: the `may_*` method beside it is the only way to make one.

use super::{Capability, Denied, Principal, Role, Scope, Username};
use crate::checkpoint::CheckpointCode;
use crate::division::DivisionCode;

/// Leave to issue directives to checkpoints of a scope, and to update, remind and cancel those
/// issued for a jurisdiction within it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectiveIssue {
    username: Username,
    scope: Scope,
}

impl DirectiveIssue {
    pub fn username(&self) -> &Username {
        &self.username
    }
    pub fn scope(&self) -> &Scope {
        &self.scope
    }
    /// The jurisdiction a directive is issued for when its target names none: the account's.
    pub fn own_division(&self) -> Option<DivisionCode> {
        match &self.scope {
            Scope::Division(d) => Some(*d),
            Scope::Checkpoints(_) => None,
        }
    }
}

/// Leave to read directives and their recipients within a scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectiveRead {
    scope: Scope,
}

impl DirectiveRead {
    pub fn scope(&self) -> &Scope {
        &self.scope
    }
}

/// Leave to see, open and acknowledge directives at a lane of the account's checkpoints, as a
/// named officer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectiveAck {
    username: Username,
    scope: Scope,
}

impl DirectiveAck {
    pub fn username(&self) -> &Username {
        &self.username
    }
    /// Whether the account works at this checkpoint (the store checks its jurisdiction).
    pub fn works_at(&self, code: &CheckpointCode) -> bool {
        match &self.scope {
            Scope::Checkpoints(list) => list.binary_search(code).is_ok(),
            Scope::Division(d) => d.contains(code.division()),
        }
    }
    pub fn scope(&self) -> &Scope {
        &self.scope
    }
}

impl Principal {
    pub fn may_issue_directives(&self) -> Result<DirectiveIssue, Denied> {
        match (self.role, &self.scope) {
            (Role::Commander, Scope::Division(_)) => Ok(DirectiveIssue {
                username: self.username.clone(),
                scope: self.scope.clone(),
            }),
            _ => Err(Self::deny("issue directives")),
        }
    }

    pub fn may_read_directives(&self) -> Result<DirectiveRead, Denied> {
        match self.role {
            Role::Commander => Ok(DirectiveRead {
                scope: self.scope.clone(),
            }),
            _ => Err(Self::deny("read directives")),
        }
    }

    /// Officers acknowledge at their checkpoints' lanes.
    pub fn may_acknowledge_directives(&self) -> Result<DirectiveAck, Denied> {
        match self.role {
            Role::Officer => Ok(DirectiveAck {
                username: self.username.clone(),
                scope: self.scope.clone(),
            }),
            _ => Err(Self::deny("acknowledge directives")),
        }
    }
}

impl Capability for DirectiveIssue {
    fn grant(p: &Principal, _now_ms: i64) -> Result<Self, Denied> {
        p.may_issue_directives()
    }
}

impl Capability for DirectiveRead {
    fn grant(p: &Principal, _now_ms: i64) -> Result<Self, Denied> {
        p.may_read_directives()
    }
}

impl Capability for DirectiveAck {
    fn grant(p: &Principal, _now_ms: i64) -> Result<Self, Denied> {
        p.may_acknowledge_directives()
    }
}

/// Leave to read duty rosters and who is on duty within a scope (commanders: their
/// jurisdiction; officers: their checkpoints), and to leave a hand-over note on a shift the
/// account is on (the store checks that).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterRead {
    username: Username,
    scope: Scope,
}

impl RosterRead {
    pub fn username(&self) -> &Username {
        &self.username
    }
    /// A commander (a jurisdiction's scope) rather than an officer (its checkpoints).
    pub fn is_commander(&self) -> bool {
        matches!(self.scope, Scope::Division(_))
    }
    pub fn scope(&self) -> &Scope {
        &self.scope
    }
}

/// Leave to plan a checkpoint's shifts: a commander for the checkpoints of its jurisdiction, an
/// officer for those it is named lead of (the store checks the naming).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterKeep {
    username: Username,
    scope: Scope,
    commander: bool,
}

impl RosterKeep {
    pub fn username(&self) -> &Username {
        &self.username
    }
    pub fn scope(&self) -> &Scope {
        &self.scope
    }
    /// A commander keeps every roster in scope; an officer only where it leads the station.
    pub fn is_commander(&self) -> bool {
        self.commander
    }
}

impl Principal {
    pub fn may_read_rosters(&self) -> Result<RosterRead, Denied> {
        match self.role {
            Role::Commander | Role::Officer => Ok(RosterRead {
                username: self.username.clone(),
                scope: self.scope.clone(),
            }),
            _ => Err(Self::deny("read duty rosters")),
        }
    }

    pub fn may_keep_rosters(&self) -> Result<RosterKeep, Denied> {
        match (self.role, &self.scope) {
            (Role::Commander, Scope::Division(_)) | (Role::Officer, Scope::Checkpoints(_)) => {
                Ok(RosterKeep {
                    username: self.username.clone(),
                    scope: self.scope.clone(),
                    commander: self.role == Role::Commander,
                })
            }
            _ => Err(Self::deny("keep duty rosters")),
        }
    }
}

impl Capability for RosterRead {
    fn grant(p: &Principal, _now_ms: i64) -> Result<Self, Denied> {
        p.may_read_rosters()
    }
}

impl Capability for RosterKeep {
    fn grant(p: &Principal, _now_ms: i64) -> Result<Self, Denied> {
        p.may_keep_rosters()
    }
}

/// Leave to read the daily reports of a scope: commanders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DailyRead {
    scope: Scope,
}

impl DailyRead {
    pub fn scope(&self) -> &Scope {
        &self.scope
    }
}

impl Principal {
    pub fn may_read_daily_reports(&self) -> Result<DailyRead, Denied> {
        match self.role {
            Role::Commander => Ok(DailyRead {
                scope: self.scope.clone(),
            }),
            _ => Err(Self::deny("read daily reports")),
        }
    }
}

impl Capability for DailyRead {
    fn grant(p: &Principal, _now_ms: i64) -> Result<Self, Denied> {
        p.may_read_daily_reports()
    }
}

/// Leave to keep the camera channels of a jurisdiction's checkpoints and patrol them: a
/// commander with a jurisdiction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatrolRun {
    username: Username,
    division: DivisionCode,
}

impl PatrolRun {
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
    pub fn may_patrol(&self) -> Result<PatrolRun, Denied> {
        match (self.role, &self.scope) {
            (Role::Commander, Scope::Division(d)) => Ok(PatrolRun {
                username: self.username.clone(),
                division: *d,
            }),
            _ => Err(Self::deny("patrol video channels")),
        }
    }
}

impl Capability for PatrolRun {
    fn grant(p: &Principal, _now_ms: i64) -> Result<Self, Denied> {
        p.may_patrol()
    }
}
