//! Grants of drivers' pre-declarations: revoking one. Each grant's fields are private: the `may_*` method beside it is the
//! only way to make one.

use super::{Capability, Denied, Principal, Role};

/// Leave to revoke a driver's pre-declaration (a commander of any scope: a declaration is good at
/// every checkpoint).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeclarationRevoke(());

impl Principal {
    pub fn may_revoke_declarations(&self) -> Result<DeclarationRevoke, Denied> {
        match self.role {
            Role::Commander => Ok(DeclarationRevoke(())),
            _ => Err(Self::deny("revoke pre-declarations")),
        }
    }
}

impl Capability for DeclarationRevoke {
    fn grant(p: &Principal, _now_ms: i64) -> Result<Self, Denied> {
        p.may_revoke_declarations()
    }
}
