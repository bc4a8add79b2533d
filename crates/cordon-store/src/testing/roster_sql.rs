//! The SQL of a campaign's roster: persons added (each once), and who of them some tube of the
//! campaign holds, building by building: a mark on each row, set by the scan and by the upload
//! (migration 0021), so completeness is a grouped count.

use cordon_domain::access::testing::{CampaignManage, TestingRead};
use cordon_domain::identity::{DocumentType, MaskedDocument};
use cordon_domain::testing::roster::MAX_ROSTER;
use sqlx::QueryBuilder;

use super::area::campaign_area as area;
use super::{BuildingLine, Completeness, NewRosterRow, RosterAdded, RosterPerson};
use crate::db::{on_pool, retry, BeginWrite, CHUNK};
use crate::store::SqlStore;
use crate::StoreError;

pub(super) async fn add(
    store: &SqlStore,
    grant: &CampaignManage,
    campaign: i64,
    rows: Vec<NewRosterRow>,
) -> Result<RosterAdded, StoreError> {
    if !grant.scope().contains(area(store, campaign).await?) {
        return Err(StoreError::not_found(format!("campaign {campaign}")));
    }
    let rows = &rows;
    let added = retry(|| async move {
        on_pool!(&store.db.write, |p| {
            let mut tx = p.begin_write().await?;
            let (held,): (i64,) =
                sqlx::query_as("SELECT COUNT(*) FROM testing_roster WHERE campaign_id = $1")
                    .bind(campaign)
                    .fetch_one(&mut *tx)
                    .await?;
            let mut added = 0i64;
            for chunk in rows.chunks(CHUNK) {
                // Each row marked sampled as it is inserted when some tube of the campaign holds
                // the person already (sampled before they were listed): one probe of the
                // members' index per row, whatever the planner knows of the tables' sizes (a
                // mark after the insert was planned by PostgreSQL as a scan of the roster).
                let mut q = QueryBuilder::new(
                    "INSERT INTO testing_roster (campaign_id, person_key, masked_name, \
                     document_type, masked_number, compound, building, sealed, sampled) \
                     SELECT v.column1, v.column2, v.column3, v.column4, v.column5, v.column6, \
                     v.column7, v.column8, CASE WHEN EXISTS (SELECT 1 FROM testing_members m \
                     JOIN testing_tubes t ON t.id = m.tube_id \
                     JOIN testing_sites s ON s.id = t.site_id \
                     WHERE m.person_key = v.column2 AND s.campaign_id = v.column1) \
                     THEN 1 ELSE 0 END FROM (",
                );
                q.push_values(chunk, |mut b, r| {
                    b.push_bind(campaign)
                        .push_bind(r.person_key.as_str())
                        .push_bind(r.masked_name.as_str())
                        .push_bind(r.document.kind.as_str())
                        .push_bind(r.document.number.as_str())
                        .push_bind(r.compound.as_str())
                        .push_bind(r.building.as_str())
                        .push_bind(r.sealed.as_slice());
                });
                // `WHERE true`: SQLite's upsert after a SELECT needs a WHERE to parse.
                q.push(") AS v WHERE true ON CONFLICT (campaign_id, person_key) DO NOTHING");
                added += q.build().execute(&mut *tx).await?.rows_affected() as i64;
            }
            if held + added > MAX_ROSTER as i64 {
                return Err(StoreError::invalid(
                    "too_many",
                    "roster",
                    format!("a campaign's roster holds at most {MAX_ROSTER} persons"),
                ));
            }
            tx.commit().await?;
            Ok(RosterAdded {
                added,
                already: rows.len() as i64 - added,
            })
        })
    })
    .await?;
    if added.added >= MAINTAIN_AFTER {
        maintain(store).await;
    }
    Ok(added)
}

/// Rows of one upload after which the roster's table is maintained at once.
const MAINTAIN_AFTER: i64 = 10_000;

/// After a bulk upload on PostgreSQL, the roster's table vacuumed and analysed before the
/// upload is answered, as autovacuum would do later (a server may run without it): the
/// planner then knows the table's size, and completeness reads the building index alone (an
/// index-only scan needs the pages marked all-visible). Vacuum passes over the pages changed
/// since the last one only. The rows are written already: a failure here is logged, not
/// answered. SQLite needs neither.
async fn maintain(store: &SqlStore) {
    if let crate::db::Pool::Postgres(p) = &store.db.write {
        if let Err(e) = sqlx::query("VACUUM (ANALYZE) testing_roster")
            .execute(p)
            .await
        {
            tracing::warn!(error = %e, "the roster's table was not vacuumed after an upload");
        }
    }
}

pub(super) async fn completeness(
    store: &SqlStore,
    grant: &TestingRead,
    campaign: i64,
) -> Result<Completeness, StoreError> {
    if !grant.sees(area(store, campaign).await?) {
        return Err(StoreError::not_found(format!("campaign {campaign}")));
    }
    let sql = "SELECT r.compound, r.building, COUNT(*), CAST(SUM(r.sampled) AS BIGINT) \
         FROM testing_roster r WHERE r.campaign_id = $1 \
         GROUP BY r.compound, r.building ORDER BY r.compound, r.building";
    let lines: Vec<(String, String, i64, Option<i64>)> = on_pool!(&store.db.read, |p| {
        sqlx::query_as(sql).bind(campaign).fetch_all(p).await?
    });
    // Walk-ins: the persons in the campaign's tubes (counted by the scan writer) less those of
    // its roster (the ones marked).
    let (in_tubes,): (i64,) = on_pool!(&store.db.read, |p| sqlx::query_as(
        "SELECT persons FROM testing_campaigns WHERE id = $1"
    )
    .bind(campaign)
    .fetch_one(p)
    .await?);
    let buildings: Vec<BuildingLine> = lines
        .into_iter()
        .map(|(compound, building, expected, sampled)| BuildingLine {
            compound,
            building,
            expected,
            sampled: sampled.unwrap_or(0),
        })
        .collect();
    let sampled: i64 = buildings.iter().map(|b| b.sampled).sum();
    Ok(Completeness {
        expected: buildings.iter().map(|b| b.expected).sum(),
        sampled,
        walk_ins: (in_tubes - sampled).max(0),
        buildings,
    })
}

pub(super) async fn missing(
    store: &SqlStore,
    grant: &TestingRead,
    campaign: i64,
    compound: &str,
    building: &str,
    limit: i64,
) -> Result<Vec<RosterPerson>, StoreError> {
    if !grant.sees(area(store, campaign).await?) {
        return Err(StoreError::not_found(format!("campaign {campaign}")));
    }
    let sql = "SELECT r.masked_name, r.document_type, r.masked_number, r.compound, r.building \
         FROM testing_roster r WHERE r.campaign_id = $1 AND r.compound = $2 \
         AND r.building = $3 AND r.sampled = 0 ORDER BY r.masked_number, r.person_key LIMIT $4";
    let rows: Vec<(String, String, String, String, String)> = on_pool!(&store.db.read, |p| {
        sqlx::query_as(sql)
            .bind(campaign)
            .bind(compound)
            .bind(building)
            .bind(limit)
            .fetch_all(p)
            .await?
    });
    rows.into_iter()
        .map(|(name, kind, number, compound, building)| {
            Ok(RosterPerson {
                name,
                document: MaskedDocument {
                    kind: DocumentType::parse(&kind)
                        .map_err(|_| StoreError::Corrupt("document type".into()))?,
                    number,
                },
                compound,
                building,
            })
        })
        .collect()
}
