//! Grants of mass testing: commanders open campaigns, their sites and labs; samplers fill tubes
//! at the sites of campaigns that touch their jurisdiction; lab accounts receive tubes, run
//! plates and release them at labs that touch theirs (a run is released by an account other
//! than the one that made it: the store holds that); all three read campaigns. Each grant's
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

/// Leave to receive tubes, run plates, read them and release them at labs (and for campaigns)
/// that touch a jurisdiction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabWork {
    username: Username,
    scope: DivisionCode,
}

impl LabWork {
    pub fn username(&self) -> &Username {
        &self.username
    }
    /// The same account's leave to read testing (what it works on, it reads).
    pub fn read(&self) -> TestingRead {
        TestingRead { scope: self.scope }
    }
    /// Whether a lab (or a campaign) over `area` is one this account works for: one of the two
    /// holds the other.
    pub fn serves(&self, area: DivisionCode) -> bool {
        self.scope.contains(area) || area.contains(self.scope)
    }
}

/// Leave to read the campaigns that touch a jurisdiction, and their sites.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestingRead {
    scope: DivisionCode,
}

/// Leave for a sampling site running as an edge station to push what its samplers did, as its
/// own account (bound at the hub to one site; the hub keeps one series per account). Its scope
/// is the site's campaign area.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteSync {
    account: i64,
    scope: DivisionCode,
}

impl SiteSync {
    pub fn account(&self) -> i64 {
        self.account
    }
    /// Leave to read the campaign the site belongs to.
    pub fn read(&self) -> TestingRead {
        TestingRead { scope: self.scope }
    }
    /// The station's sampler `username`, as the hub applies what they did at the station.
    pub fn sampler(&self, username: Username) -> Sample {
        Sample {
            username,
            scope: self.scope,
        }
    }
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

    pub fn may_work_in_lab(&self) -> Result<LabWork, Denied> {
        match (self.role, &self.scope) {
            (Role::Lab, Scope::Division(d)) => Ok(LabWork {
                username: self.username.clone(),
                scope: *d,
            }),
            _ => Err(Self::deny("work in a lab")),
        }
    }

    pub fn may_sync_site(&self) -> Result<SiteSync, Denied> {
        match (self.role, &self.scope) {
            (Role::Station, Scope::Division(d)) => Ok(SiteSync {
                account: self.account,
                scope: *d,
            }),
            _ => Err(Self::deny("push a sampling site's tubes")),
        }
    }

    pub fn may_read_testing(&self) -> Result<TestingRead, Denied> {
        match (self.role, &self.scope) {
            (Role::Commander | Role::Sampler | Role::Lab, Scope::Division(d)) => {
                Ok(TestingRead { scope: *d })
            }
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

impl Capability for LabWork {
    fn grant(p: &Principal, _now_ms: i64) -> Result<Self, Denied> {
        p.may_work_in_lab()
    }
}

impl Capability for SiteSync {
    fn grant(p: &Principal, _now_ms: i64) -> Result<Self, Denied> {
        p.may_sync_site()
    }
}

impl Capability for TestingRead {
    fn grant(p: &Principal, _now_ms: i64) -> Result<Self, Denied> {
        p.may_read_testing()
    }
}
