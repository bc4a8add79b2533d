//! Grants of the audit trail: reading it (an auditor). Each grant's fields are private: the `may_*` method beside it is the
//! only way to make one.

use super::{Capability, Denied, Principal, Role};

/// Leave to read the audit trail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditRead(());

impl Principal {
    pub fn may_read_audit(&self) -> Result<AuditRead, Denied> {
        match self.role {
            Role::Auditor => Ok(AuditRead(())),
            _ => Err(Self::deny("read the audit trail")),
        }
    }
}

impl Capability for AuditRead {
    fn grant(p: &Principal, _now_ms: i64) -> Result<Self, Denied> {
        p.may_read_audit()
    }
}
