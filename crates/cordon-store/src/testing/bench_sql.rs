//! Baselines for `cordon bench testing`: the same persons inserted plainly (one row per
//! transaction into a scratch table, as a scan writes one), and the same roster rows counted
//! by building with no check of who was sampled.

use super::NewMember;
use crate::db::{on_pool, BeginWrite};
use crate::store::SqlStore;
use crate::StoreError;

pub(super) async fn plain_members(store: &SqlStore, rows: &[NewMember]) -> Result<(), StoreError> {
    on_pool!(&store.db.write, |p| {
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS bench_testing_plain (person_key TEXT NOT NULL, \
             masked_name TEXT NOT NULL, masked_number TEXT NOT NULL, sealed BYTEA)",
        )
        .execute(p)
        .await?;
        for r in rows {
            let mut tx = p.begin_write().await?;
            sqlx::query(
                "INSERT INTO bench_testing_plain (person_key, masked_name, masked_number, sealed) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(&r.person_key)
            .bind(&r.masked_name)
            .bind(&r.document.number)
            .bind(r.sealed.as_slice())
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        }
        Ok(())
    })
}

pub(super) async fn roster_by_building(store: &SqlStore, campaign: i64) -> Result<i64, StoreError> {
    let rows: Vec<(String, String, i64)> = on_pool!(&store.db.read, |p| sqlx::query_as(
        "SELECT compound, building, COUNT(*) FROM testing_roster WHERE campaign_id = $1 \
         GROUP BY compound, building"
    )
    .bind(campaign)
    .fetch_all(p)
    .await?);
    Ok(rows.len() as i64)
}
