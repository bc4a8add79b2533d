//! A campaign's walk-ins: the persons its tubes hold whom its roster does not list (registered
//! and sampled on the spot), masked, newest first, with the site and tube that took them.

use cordon_domain::access::testing::TestingRead;
use cordon_domain::identity::{DocumentType, MaskedDocument};
use serde::Serialize;

use super::area::campaign_area as area;
use crate::db::on_pool;
use crate::store::SqlStore;
use crate::StoreError;

/// A person sampled at a campaign's site who is not on its roster, masked.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct WalkIn {
    pub name: String,
    pub document: MaskedDocument,
    pub site: String,
    pub tube: String,
    pub sampled_at_ms: i64,
}

pub(super) async fn walk_ins(
    store: &SqlStore,
    grant: &TestingRead,
    campaign: i64,
    limit: i64,
) -> Result<Vec<WalkIn>, StoreError> {
    if !grant.sees(area(store, campaign).await?) {
        return Err(StoreError::not_found(format!("campaign {campaign}")));
    }
    let rows: Vec<(String, String, String, String, String, i64)> =
        on_pool!(&store.db.read, |p| sqlx::query_as(
            "SELECT m.masked_name, m.document_type, m.masked_number, s.name, t.barcode, \
             m.bound_at FROM testing_members m JOIN testing_tubes t ON t.id = m.tube_id \
             JOIN testing_sites s ON s.id = t.site_id WHERE s.campaign_id = $1 \
             AND NOT EXISTS (SELECT 1 FROM testing_roster r \
             WHERE r.campaign_id = $1 AND r.person_key = m.person_key) \
             ORDER BY m.bound_at DESC, m.person_key LIMIT $2"
        )
        .bind(campaign)
        .bind(limit)
        .fetch_all(p)
        .await?);
    rows.into_iter()
        .map(|(name, kind, number, site, tube, at)| {
            Ok(WalkIn {
                name,
                document: MaskedDocument {
                    kind: DocumentType::parse(&kind)
                        .map_err(|_| StoreError::Corrupt("document type".into()))?,
                    number,
                },
                site,
                tube,
                sampled_at_ms: at,
            })
        })
        .collect()
}
