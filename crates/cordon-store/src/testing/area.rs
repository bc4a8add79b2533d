//! A campaign's area as stored: its division code.

use cordon_domain::division::DivisionCode;

use crate::StoreError;

/// A stored division code, checked again on the way out.
pub(super) fn division(v: i64) -> Result<DivisionCode, StoreError> {
    u32::try_from(v)
        .ok()
        .and_then(DivisionCode::from_value)
        .ok_or_else(|| StoreError::Corrupt("campaign area".into()))
}
