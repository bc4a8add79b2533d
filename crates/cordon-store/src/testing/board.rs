//! A campaign's board: where its tubes stand (open at the sites, sealed and on the way, in a
//! lab, resulted), the tubes sealed too long ago and not yet received (flagged), the labs'
//! throughput on the campaign's tubes by hour and the time from sampling to result, and the
//! positives. Read by `board_sql.rs`.

use serde::Serialize;

/// Tubes by where they stand.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct TubeStages {
    pub open: i64,
    /// Sealed, not received at a lab yet.
    pub in_transit: i64,
    /// Received, not released.
    pub in_lab: i64,
    pub resulted: i64,
}

/// A tube sealed before the flag's time and not received at a lab.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct LateTube {
    pub barcode: String,
    pub site_name: String,
    pub persons: i64,
    pub sealed_at_ms: i64,
}

/// Tubes released in one hour.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct HourCount {
    /// The hour's start.
    pub hour_ms: i64,
    pub tubes: i64,
}

/// A released run that found positive (or unclear) tubes of the campaign: its recall.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RecallRun {
    pub run: i64,
    pub tubes: i64,
    pub persons: i64,
    pub released_at_ms: i64,
}

/// A campaign's board.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CampaignBoard {
    pub tubes: TubeStages,
    /// Persons in the campaign's tubes.
    pub persons: i64,
    /// Hours after sealing a tube not yet received is flagged.
    pub late_after_hours: u32,
    /// How many tubes are late, and the first of them (oldest first, at most 100).
    pub late: i64,
    pub late_tubes: Vec<LateTube>,
    /// Tubes released in each of the last 12 hours, oldest first.
    pub per_hour: Vec<HourCount>,
    /// Minutes from sealing to release of the tubes released in the last 24 hours (`null` when
    /// none was).
    pub turnaround_p50_minutes: Option<i64>,
    pub turnaround_p95_minutes: Option<i64>,
    /// Tubes that read positive or unclear, and the persons they recall (or found positive).
    pub positive_tubes: i64,
    pub recalled: i64,
    /// The released runs that recall persons of the campaign, newest first (at most 50).
    pub recalls: Vec<RecallRun>,
    /// Antigen tests at the campaign's sites.
    pub antigen: AntigenCounts,
}

/// Antigen tests at a campaign's sites: waiting to be read, read, and read positive.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AntigenCounts {
    pub waiting: i64,
    pub read: i64,
    pub positive: i64,
}

/// The value below which `q` of `sorted` lies (nearest rank).
pub fn percentile(sorted: &[i64], q: f64) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1])
}

#[cfg(test)]
mod tests {
    #[test]
    fn percentiles_by_nearest_rank() {
        let v: Vec<i64> = (1..=100).collect();
        assert_eq!(super::percentile(&v, 0.5), Some(50));
        assert_eq!(super::percentile(&v, 0.95), Some(95));
        assert_eq!(super::percentile(&[7], 0.95), Some(7));
        assert_eq!(super::percentile(&[], 0.5), None);
    }
}
