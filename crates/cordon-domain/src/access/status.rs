//! Grants of person statuses: requesting a change, deciding another account's request, and
//! reading the changes. Each grant's fields are private: the `may_*` method beside it is the
//! only way to make one.

use super::{Capability, Denied, Principal, Role, Username};

/// Leave to request a change of a person's status, as this account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusRequest {
    account: i64,
    username: Username,
}

/// Leave to approve or reject a status change that another account requested, as this account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusDecision {
    account: i64,
    username: Username,
}

/// Leave to read the status changes (persons masked).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusRead(());

impl StatusRequest {
    pub fn account(&self) -> i64 {
        self.account
    }
    pub fn username(&self) -> &Username {
        &self.username
    }
}

impl StatusDecision {
    /// The deciding account: the store refuses a decision on this account's own request.
    pub fn account(&self) -> i64 {
        self.account
    }
    pub fn username(&self) -> &Username {
        &self.username
    }
}

impl Principal {
    /// Tracers (who find the contacts) and commanders request status changes.
    pub fn may_request_status_change(&self) -> Result<StatusRequest, Denied> {
        match self.role {
            Role::Commander | Role::Tracer => Ok(StatusRequest {
                account: self.account,
                username: self.username.clone(),
            }),
            _ => Err(Self::deny("request a person's status change")),
        }
    }

    /// A caller's answer that meets a questionnaire's rule proposes a change in the caller's
    /// name: a pending request, for two commanders to decide like any other.
    pub fn may_propose_status_from_followup(&self) -> Result<StatusRequest, Denied> {
        match self.role {
            Role::Caller => Ok(StatusRequest {
                account: self.account,
                username: self.username.clone(),
            }),
            _ => Err(Self::deny("propose a status from a follow-up answer")),
        }
    }

    /// Commanders approve or reject; never their own request (the store checks that).
    pub fn may_decide_status_change(&self) -> Result<StatusDecision, Denied> {
        match self.role {
            Role::Commander => Ok(StatusDecision {
                account: self.account,
                username: self.username.clone(),
            }),
            _ => Err(Self::deny("approve a person's status change")),
        }
    }

    pub fn may_read_status_changes(&self) -> Result<StatusRead, Denied> {
        match self.role {
            Role::Commander | Role::Tracer => Ok(StatusRead(())),
            _ => Err(Self::deny("read status changes")),
        }
    }
}

impl Capability for StatusRequest {
    fn grant(p: &Principal, _now_ms: i64) -> Result<Self, Denied> {
        p.may_request_status_change()
    }
}

impl Capability for StatusDecision {
    fn grant(p: &Principal, _now_ms: i64) -> Result<Self, Denied> {
        p.may_decide_status_change()
    }
}

impl Capability for StatusRead {
    fn grant(p: &Principal, _now_ms: i64) -> Result<Self, Denied> {
        p.may_read_status_changes()
    }
}
