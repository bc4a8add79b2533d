//! Time at the checkpoints: China Standard Time (UTC+08:00) is the zone people read; instants are
//! stored as milliseconds since the Unix epoch.

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};

/// UTC+08:00.
pub fn china() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("valid offset")
}

pub fn today_china() -> NaiveDate {
    Utc::now().with_timezone(&china()).date_naive()
}

pub fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

/// The instant `ms` shown in China Standard Time.
pub fn from_ms(ms: i64) -> DateTime<FixedOffset> {
    china()
        .timestamp_millis_opt(ms)
        .single()
        .unwrap_or_else(|| china().timestamp_millis_opt(0).unwrap())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_in_china_time() {
        let t = from_ms(0);
        assert_eq!(t.to_rfc3339(), "1970-01-01T08:00:00+08:00");
    }
}
