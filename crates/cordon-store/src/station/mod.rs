//! Edge stations' series. At the hub: each station account's high-water mark and which passage
//! each number of its series recorded. At a station: its outbox, which is its own passages in
//! recording order (their rowids are the series' numbers: the table is only ever appended to),
//! and how far the hub has acknowledged them. [`StationStore`] is a supertrait of
//! [`crate::Store`]; both backends share its SQL ([`sql`]), except the outbox, which only the
//! embedded database keeps (a station always runs on SQLite). Sampling sites as stations are
//! [`sampling`].

use async_trait::async_trait;
use cordon_domain::access::station::StationSync;
use cordon_domain::passage::Passage;
use uuid::Uuid;

use crate::StoreError;

pub mod sampling;
mod sampling_sql;
mod sql;

/// A station's series as the hub holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StationSeries {
    pub account: String,
    pub checkpoint: String,
    pub high_water: i64,
    /// When its last batch arrived (0: never).
    pub last_sync_ms: i64,
    /// When the newest passage it pushed was observed (0: none).
    pub newest_observed_ms: i64,
}

/// How far a station's series has reached the hub.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Uplink {
    pub acknowledged: i64,
    /// When the hub last acknowledged (0: never).
    pub at_ms: i64,
    /// The station's newest number.
    pub newest: i64,
}

#[async_trait]
pub trait StationStore: Send + Sync + 'static {
    /// Hub: the highest number of the station's series held (0 before its first batch).
    async fn station_high_water(&self, grant: &StationSync) -> Result<i64, StoreError>;

    /// Hub: the passages recorded under numbers `from..=to` of the station's series.
    async fn station_records(
        &self,
        grant: &StationSync,
        from: i64,
        to: i64,
    ) -> Result<Vec<(i64, Uuid)>, StoreError>;

    /// Hub: notes numbers of the station's series as held (after their passages are written)
    /// and raises its high-water mark; answers the new mark.
    async fn advance_station(
        &self,
        grant: &StationSync,
        records: &[(i64, Uuid)],
        at_ms: i64,
    ) -> Result<i64, StoreError>;

    /// Hub: every station's series, for the dashboard.
    async fn station_series(&self) -> Result<Vec<StationSeries>, StoreError>;

    /// Station: its passages after number `after`, in series order, at most `limit`.
    async fn outbox(&self, after: i64, limit: i64) -> Result<Vec<(i64, Passage)>, StoreError>;

    /// Station: how far the hub has acknowledged its series.
    async fn uplink(&self) -> Result<Uplink, StoreError>;

    /// Station: the hub holds the series up to `acknowledged`.
    async fn acknowledge_uplink(&self, acknowledged: i64, at_ms: i64) -> Result<(), StoreError>;
}
