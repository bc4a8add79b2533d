//! Stored column values to domain values and back, shared by the passage's forms: times
//! (milliseconds and an offset), division codes (integers).

use chrono::{DateTime, FixedOffset, TimeZone};
use cordon_domain::division::DivisionCode;

use crate::StoreError;

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

pub(crate) fn time(ms: i64, offset_s: i64) -> Result<DateTime<FixedOffset>, StoreError> {
    let offset =
        FixedOffset::east_opt(offset_s as i32).ok_or_else(|| corrupt("offset", offset_s))?;
    offset
        .timestamp_millis_opt(ms)
        .single()
        .ok_or_else(|| corrupt("time", ms))
}

pub(crate) fn china_time(ms: i64) -> Result<DateTime<FixedOffset>, StoreError> {
    time(ms, 8 * 3600)
}

pub(crate) fn division(code: i64) -> Result<DivisionCode, StoreError> {
    DivisionCode::parse(&format!("{code:06}")).map_err(|e| corrupt("division code", e.code))
}

pub(crate) fn division_int(code: DivisionCode) -> i64 {
    i64::from(code.value())
}
