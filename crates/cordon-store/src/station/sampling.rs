//! Sampling sites as edge stations. At the hub: which site each site station's account pushes
//! for, and how far the hub has taken its series of events. At a site station: the site and
//! its campaign, copied from the hub with the hub's ids; its outbox (a row per tube opened,
//! person scanned, tube sealed, antigen swab and read, written by triggers in the transaction
//! of the write, so no write path can forget it), read back as events with the persons
//! unsealed for the push; how far the hub has taken it; and what the hub refused, to show.
//! [`SamplingSyncStore`] is a supertrait of [`crate::Store`]; its SQL is `sampling_sql.rs`.

use async_trait::async_trait;
use cordon_domain::access::testing::SiteSync;
use cordon_domain::station::sampling::{RefusedEvent, SamplingEvent};

use super::Uplink;
use crate::testing::{Campaign, Site};
use crate::StoreError;

/// A site station's series as the hub holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteSeries {
    pub account: String,
    pub site: i64,
    pub high_water: i64,
    /// When its last push arrived (0: never).
    pub last_sync_ms: i64,
}

/// An event of the station's outbox: ready to push, or one that cannot be (its person's data
/// was purged before the link came back), with the reason.
pub type OutboxEvent = Result<SamplingEvent, String>;

/// An event the hub refused, as the station keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub event: RefusedEvent,
    pub at_ms: i64,
}

#[async_trait]
pub trait SamplingSyncStore: Send + Sync + 'static {
    /// Hub: binds a (new) station account to the site it pushes for.
    async fn bind_site_station(&self, account: i64, site: i64) -> Result<(), StoreError>;

    /// Hub: the site and series of the station's account (`None`: not a site station).
    async fn site_station(&self, grant: &SiteSync) -> Result<Option<SiteSeries>, StoreError>;

    /// Hub: the station's series is taken up to `high` (never lowered); answers the mark.
    async fn advance_site_station(
        &self,
        grant: &SiteSync,
        high: i64,
        at_ms: i64,
    ) -> Result<i64, StoreError>;

    /// Hub: every site station's series.
    async fn site_stations(&self) -> Result<Vec<SiteSeries>, StoreError>;

    /// Station: whether the site is kept here already.
    async fn has_site(&self, site: i64) -> Result<bool, StoreError>;

    /// Station: keeps the hub's campaign and site under the hub's ids (once).
    async fn adopt_site(&self, campaign: &Campaign, site: &Site) -> Result<(), StoreError>;

    /// Station: makes every write of tubes and antigen tests note itself in the outbox.
    async fn install_sampling_outbox(&self) -> Result<(), StoreError>;

    /// Station: the outbox's events after number `after`, in order, at most `limit`.
    async fn sampling_outbox(
        &self,
        after: i64,
        limit: i64,
    ) -> Result<Vec<(i64, OutboxEvent)>, StoreError>;

    /// Station: how far the hub has taken the outbox.
    async fn sampling_uplink(&self) -> Result<Uplink, StoreError>;

    /// Station: the hub has taken the outbox up to `acknowledged`, refusing `refused`.
    async fn acknowledge_sampling(
        &self,
        acknowledged: i64,
        refused: &[RefusedEvent],
        at_ms: i64,
    ) -> Result<(), StoreError>;

    /// Station: the events the hub refused, newest first, at most `limit`.
    async fn sampling_refused(&self, limit: i64) -> Result<Vec<Refusal>, StoreError>;
}
