//! The days personal data is kept by: a day runs from midnight to midnight in China Standard
//! Time (UTC+8, the network's clock), so a day's purge falls at night. PostgreSQL keeps each
//! day's personal data in a partition of its own (migration 43), which the purge drops whole;
//! the retention job purges whole days on both backends ([`retention_cutoff`]).

use crate::hours::HOUR_MS;

/// A day in milliseconds.
pub const DAY_MS: i64 = 86_400_000;

/// China Standard Time's offset from UTC (migration 43's partitions are bounded by it too).
const OFFSET_MS: i64 = 8 * HOUR_MS;

/// The day (since 1970-01-01, in UTC+8) an instant falls on.
pub(crate) fn day_of(ms: i64) -> i64 {
    (ms + OFFSET_MS).div_euclid(DAY_MS)
}

/// [`day_of`] of a row's `observed_at`, in SQL (the passages observed before 1970 have none).
pub(crate) const DAY_OF_OBSERVED_SQL: &str = "((observed_at + 28800000) / 86400000)";

/// The instant a day starts (its midnight in UTC+8).
pub(crate) fn day_start(day: i64) -> i64 {
    day * DAY_MS - OFFSET_MS
}

/// Where a retention of `days` days purges at `now_ms`: the start of the day that was running
/// `days` days before, so that a passage's personal data is kept at least `days` days and at
/// most one day more, and the purge takes whole days (on PostgreSQL, a partition dropped).
pub fn retention_cutoff(now_ms: i64, days: u32) -> i64 {
    day_start(day_of(now_ms - i64::from(days) * DAY_MS))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_runs_from_midnight_in_china() {
        // 2026-12-07T00:00+08:00 is 2026-12-06T16:00Z.
        let midnight = 1_796_572_800_000;
        assert_eq!(day_start(day_of(midnight)), midnight);
        assert_eq!(day_of(midnight - 1), day_of(midnight) - 1);
        assert_eq!(day_of(midnight + DAY_MS - 1), day_of(midnight));
    }

    #[test]
    fn the_cutoff_keeps_whole_days() {
        let midnight = 1_796_572_800_000;
        // At 15:00 on the 7th, 28 days keep everything from midnight on November 9th.
        let now = midnight + 15 * HOUR_MS;
        assert_eq!(retention_cutoff(now, 28), midnight - 28 * DAY_MS);
        // At midnight the day 28 days back has just ended.
        assert_eq!(retention_cutoff(midnight, 28), midnight - 28 * DAY_MS);
        assert_eq!(retention_cutoff(midnight - 1, 28), midnight - 29 * DAY_MS);
    }

    #[test]
    fn the_sql_day_is_the_day() {
        let sql = DAY_OF_OBSERVED_SQL.replace(' ', "");
        assert_eq!(sql, format!("((observed_at+{OFFSET_MS})/{DAY_MS})"));
    }
}
