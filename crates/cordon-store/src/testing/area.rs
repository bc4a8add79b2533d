//! A campaign's area as stored: a campaign's area looked up, and whether a
//! sampler serves a site's campaign.

use cordon_domain::access::testing::Sample;
use cordon_domain::division::DivisionCode;

use super::division;
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

/// Whether the sampler serves the site's campaign; `NotFound` otherwise.
pub(crate) async fn site_served(
    store: &SqlStore,
    grant: &Sample,
    site: i64,
) -> Result<(), StoreError> {
    let found: Option<(i64,)> = on_pool!(&store.db.read, |p| sqlx::query_as(
        "SELECT c.area FROM testing_sites s JOIN testing_campaigns c ON c.id = s.campaign_id \
         WHERE s.id = $1"
    )
    .bind(site)
    .fetch_optional(p)
    .await?);
    match found {
        Some((area,)) if grant.serves(division(area)?) => Ok(()),
        _ => Err(StoreError::not_found(format!("site {site}"))),
    }
}
