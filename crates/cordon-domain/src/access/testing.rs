//! Grants of mass testing: commanders open campaigns and their sites; samplers fill tubes at
//! the sites of campaigns that touch their jurisdiction; both read campaigns. Each grant's
//! fields are private: the `may_*` method beside it is the only way to make one.

use super::{Capability, Denied, Principal, Role, Scope, Username};
use crate::division::DivisionCode;

/// Leave to open campaigns and sites in a jurisdiction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampaignManage {
    username: Username,
    scope: DivisionCode,
}

/// Leave to open, fill and seal tubes at sites of campaigns that touch a jurisdiction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sample {
    username: Username,
    scope: DivisionCode,
}

/// Leave to read the campaigns that touch a jurisdiction, and their sites.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestingRead {
    scope: DivisionCode,
}

impl CampaignManage {
    pub fn username(&self) -> &Username {
        &self.username
    }
    pub fn scope(&self) -> DivisionCode {
        self.scope
    }
}

impl Sample {
    pub fn username(&self) -> &Username {
        &self.username
    }
    /// Whether a campaign over `area` is one this sampler works for: one of the two holds the
    /// other (a county's sampler at a city's campaign, a city's sampler at a county's).
    pub fn serves(&self, area: DivisionCode) -> bool {
        self.scope.contains(area) || area.contains(self.scope)
    }
}

impl TestingRead {
    /// Whether a campaign over `area` is read: the jurisdiction holds it, or it holds the
    /// jurisdiction.
    pub fn sees(&self, area: DivisionCode) -> bool {
        self.scope.contains(area) || area.contains(self.scope)
    }
}

impl Principal {
    pub fn may_manage_campaigns(&self) -> Result<CampaignManage, Denied> {
        match (self.role, &self.scope) {
            (Role::Commander, Scope::Division(d)) => Ok(CampaignManage {
                username: self.username.clone(),
                scope: *d,
            }),
            _ => Err(Self::deny("open testing campaigns")),
        }
    }

    pub fn may_sample(&self) -> Result<Sample, Denied> {
        match (self.role, &self.scope) {
            (Role::Sampler, Scope::Division(d)) => Ok(Sample {
                username: self.username.clone(),
                scope: *d,
            }),
            _ => Err(Self::deny("take samples")),
        }
    }

    pub fn may_read_testing(&self) -> Result<TestingRead, Denied> {
        match (self.role, &self.scope) {
            (Role::Commander | Role::Sampler, Scope::Division(d)) => Ok(TestingRead { scope: *d }),
            _ => Err(Self::deny("read testing campaigns")),
        }
    }
}

impl Capability for CampaignManage {
    fn grant(p: &Principal, _now_ms: i64) -> Result<Self, Denied> {
        p.may_manage_campaigns()
    }
}

impl Capability for Sample {
    fn grant(p: &Principal, _now_ms: i64) -> Result<Self, Denied> {
        p.may_sample()
    }
}

impl Capability for TestingRead {
    fn grant(p: &Principal, _now_ms: i64) -> Result<Self, Denied> {
        p.may_read_testing()
    }
}
