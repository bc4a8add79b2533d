//! A campaign's area as stored: its division code, and a campaign's area looked up.

use cordon_domain::division::DivisionCode;

use crate::db::on_pool;
use crate::store::SqlStore;
use crate::StoreError;

/// The area of a campaign; `NotFound` for none.
pub(super) async fn campaign_area(
    store: &SqlStore,
    campaign: i64,
) -> Result<DivisionCode, StoreError> {
    let found: Option<(i64,)> = on_pool!(&store.db.read, |p| sqlx::query_as(
        "SELECT area FROM testing_campaigns WHERE id = $1"
    )
    .bind(campaign)
    .fetch_optional(p)
    .await?);
    match found {
        Some((a,)) => division(a),
        None => Err(StoreError::not_found(format!("campaign {campaign}"))),
    }
}

/// A stored division code, checked again on the way out.
pub(super) fn division(v: i64) -> Result<DivisionCode, StoreError> {
    u32::try_from(v)
        .ok()
        .and_then(DivisionCode::from_value)
        .ok_or_else(|| StoreError::Corrupt("campaign area".into()))
}
