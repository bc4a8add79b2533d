//! Drivers' requests from the QR code at each bay of a lot: food, water or medical help, with
//! no account and no personal data (the bay says where). The QR code carries a bay token: the
//! lot, the bay and a keyed check made by the hub, so a token cannot be made up for another
//! bay or lot.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::checkpoint::string_enum;
use crate::FieldError;

string_enum! {
    /// What a driver asks for.
    DriverNeed { Food = "food", Water = "water", Medical = "medical" }
}

/// A bay token's parts: `{lot}-{bay}-{check}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BayToken {
    pub lot: i64,
    pub bay: u32,
    pub check: String,
}

impl BayToken {
    /// Splits a token; `None` when it is not one (the caller answers 404).
    pub fn parse(s: &str) -> Option<BayToken> {
        let mut parts = s.splitn(3, '-');
        let lot = parts.next()?.parse().ok()?;
        let bay = parts.next()?.parse().ok()?;
        let check = parts.next()?;
        (check.len() == 20 && check.bytes().all(|b| b.is_ascii_hexdigit())).then(|| BayToken {
            lot,
            bay,
            check: check.to_owned(),
        })
    }

    pub fn format(lot: i64, bay: u32, check: &str) -> String {
        format!("{lot}-{bay}-{check}")
    }
}

/// A driver's request as asked.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NeedRequest {
    pub need: DriverNeed,
}

/// A driver's request as the staff's queue lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BayRequest {
    pub id: i64,
    pub lot: i64,
    pub bay: u32,
    pub need: DriverNeed,
    pub asked_at: DateTime<FixedOffset>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<DateTime<FixedOffset>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_by: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_split_into_lot_bay_and_check() {
        let t = BayToken::format(7, 1200, "0123456789abcdef0123");
        assert_eq!(
            BayToken::parse(&t),
            Some(BayToken {
                lot: 7,
                bay: 1200,
                check: "0123456789abcdef0123".into()
            })
        );
        for bad in ["7-1200", "7-x-0123456789abcdef0123", "7-1-short", ""] {
            assert_eq!(BayToken::parse(bad), None, "{bad}");
        }
    }
}
