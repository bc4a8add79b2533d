//! What the freight SQL files share: the lot's clock, the refusal of a row that does not read,
//! the jurisdiction's filter, and what a freight alert keeps of its truck.

use cordon_domain::division::DivisionCode;
use cordon_domain::freight::alert::SeenAt;
use sqlx::QueryBuilder;

use crate::db::division_range;
use crate::StoreError;

/// Moves a lot's clock: in the transaction of every change to the lot.
pub(super) const BUMP: &str = "UPDATE lots SET clock = clock + 1 WHERE id = $1";

/// A stored row of freight that does not read.
pub(super) fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(format!("freight: {what}"))
}

/// Appends ` AND <col> BETWEEN` the grant's jurisdiction's codes.
pub(super) fn push_within<'a, DB: sqlx::Database>(
    q: &mut QueryBuilder<'a, DB>,
    col: &str,
    division: DivisionCode,
) where
    i64: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    let (lo, hi) = division_range(division);
    q.push(format!(" AND {col} BETWEEN "))
        .push_bind(lo)
        .push(" AND ")
        .push_bind(hi);
}

/// What an alert keeps: of a truck, where it was sent from and when it left; of a pass's
/// vehicle, the passage off its route or the arrival it missed, and from when its passages are
/// listed.
#[derive(serde::Serialize, serde::Deserialize, Default)]
pub(super) struct AlertDetail {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_from: Option<SeenAt>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub left_ms: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub off_route_at: Option<SeenAt>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_arrival_ms: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seen_from_ms: Option<i64>,
}
