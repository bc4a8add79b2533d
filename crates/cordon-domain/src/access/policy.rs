//! Grants of policies and risk areas: changing them (a province commander). Each grant's fields are private: the `may_*` method beside it is the
//! only way to make one.

use super::{Capability, Denied, Principal, Role};

/// Leave to create, check, dry-run and publish policies and to change the risk-area register.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PolicyChange(());

impl Principal {
    /// Policies and risk areas hold for the whole province: only a province commander changes them.
    pub fn may_change_policy(&self) -> Result<PolicyChange, Denied> {
        if self.role == Role::Commander && self.scope.is_province() {
            Ok(PolicyChange(()))
        } else {
            Err(Self::deny("change policies or risk areas"))
        }
    }
}

impl Capability for PolicyChange {
    fn grant(p: &Principal, _now_ms: i64) -> Result<Self, Denied> {
        p.may_change_policy()
    }
}
