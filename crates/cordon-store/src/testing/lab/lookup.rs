//! What the lab's SQL files share: a stored value found corrupt, the area of a lab the account
//! works for, and an assay version read back.

use cordon_domain::division::DivisionCode;

use super::AssayVersion;
use crate::db::on_pool;
use crate::store::SqlStore;
use crate::testing::division;
use crate::StoreError;

pub(super) fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(what.to_owned())
}

/// The area of a lab the account works for; `NotFound` for any other.
pub(super) async fn lab_area(
    store: &SqlStore,
    grant_serves: impl Fn(DivisionCode) -> bool,
    lab: i64,
) -> Result<DivisionCode, StoreError> {
    let found: Option<(i64,)> = on_pool!(&store.db.read, |p| sqlx::query_as(
        "SELECT area FROM testing_labs WHERE id = $1"
    )
    .bind(lab)
    .fetch_optional(p)
    .await?);
    match found {
        Some((area,)) if grant_serves(division(area)?) => division(area),
        _ => Err(StoreError::not_found(format!("lab {lab}"))),
    }
}

pub(super) fn assay_version(
    (id, definition, by, at): (i64, String, String, i64),
) -> Result<AssayVersion, StoreError> {
    Ok(AssayVersion {
        id,
        assay: serde_json::from_str(&definition).map_err(|_| corrupt("assay definition"))?,
        created_by: by,
        created_at_ms: at,
    })
}
