//! Grants of accounts: managing them (an admin). Each grant's fields are private: the `may_*` method beside it is the
//! only way to make one.

use super::{Capability, Denied, Principal, Role};

/// Leave to manage accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountAdmin(());

impl Principal {
    pub fn may_administer_accounts(&self) -> Result<AccountAdmin, Denied> {
        match self.role {
            Role::Admin => Ok(AccountAdmin(())),
            _ => Err(Self::deny("manage accounts")),
        }
    }
}

impl Capability for AccountAdmin {
    fn grant(p: &Principal, _now_ms: i64) -> Result<Self, Denied> {
        p.may_administer_accounts()
    }
}
