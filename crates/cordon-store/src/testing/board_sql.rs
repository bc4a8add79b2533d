//! The SQL of a campaign's board ([`super::board`]): counts by stage in one read, the late
//! tubes by the index of sealed tubes not received, and the last day's released tubes for the
//! hourly throughput and the turnaround percentiles.

use cordon_domain::access::testing::TestingRead;

use super::area::campaign_area;
use super::board::{
    percentile, AntigenCounts, CampaignBoard, HourCount, LateTube, RecallRun, TubeStages,
};
use crate::db::on_pool;
use crate::store::SqlStore;
use crate::StoreError;

const HOUR: i64 = 3_600_000;
/// Most late tubes listed.
const LATE_LISTED: i64 = 100;

type StageCols = (i64, i64, i64, i64, i64, i64, i64);

pub(super) async fn board(
    store: &SqlStore,
    grant: &TestingRead,
    campaign: i64,
    late_after_hours: u32,
    now_ms: i64,
) -> Result<CampaignBoard, StoreError> {
    if !grant.sees(campaign_area(store, campaign).await?) {
        return Err(StoreError::not_found(format!("campaign {campaign}")));
    }
    let c: StageCols = on_pool!(&store.db.read, |p| {
        sqlx::query_as(
        "SELECT \
         CAST(COALESCE(SUM(CASE WHEN t.state = 'open' THEN 1 ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN t.state = 'sealed' AND t.received_at IS NULL THEN 1 ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN t.received_at IS NOT NULL AND t.released_at IS NULL THEN 1 ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN t.released_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(t.members), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN t.reading IN ('positive', 'inconclusive') THEN 1 ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN t.reading IN ('positive', 'inconclusive') THEN t.members ELSE 0 END), 0) AS BIGINT) \
         FROM testing_tubes t JOIN testing_sites s ON s.id = t.site_id WHERE s.campaign_id = $1"
    )
    .bind(campaign)
    .fetch_one(p)
    .await?
    });
    let late_before = now_ms - i64::from(late_after_hours) * HOUR;
    let (late,): (i64,) = on_pool!(&store.db.read, |p| sqlx::query_as(
        "SELECT COUNT(*) FROM testing_tubes t JOIN testing_sites s ON s.id = t.site_id \
         WHERE s.campaign_id = $1 AND t.received_at IS NULL AND t.sealed_at < $2"
    )
    .bind(campaign)
    .bind(late_before)
    .fetch_one(p)
    .await?);
    let late_rows: Vec<(String, String, i64, i64)> = on_pool!(&store.db.read, |p| sqlx::query_as(
        "SELECT t.barcode, s.name, t.members, t.sealed_at FROM testing_tubes t \
         JOIN testing_sites s ON s.id = t.site_id \
         WHERE s.campaign_id = $1 AND t.received_at IS NULL AND t.sealed_at < $2 \
         ORDER BY t.sealed_at, t.barcode LIMIT $3"
    )
    .bind(campaign)
    .bind(late_before)
    .bind(LATE_LISTED)
    .fetch_all(p)
    .await?);
    let day: Vec<(i64, i64)> = on_pool!(&store.db.read, |p| sqlx::query_as(
        "SELECT t.sealed_at, t.released_at FROM testing_tubes t \
         JOIN testing_sites s ON s.id = t.site_id \
         WHERE s.campaign_id = $1 AND t.released_at >= $2 AND t.sealed_at IS NOT NULL"
    )
    .bind(campaign)
    .bind(now_ms - 24 * HOUR)
    .fetch_all(p)
    .await?);
    let recalls: Vec<(i64, i64, i64, i64)> = on_pool!(&store.db.read, |p| sqlx::query_as(
        "SELECT w.run_id, COUNT(*), CAST(SUM(t.members) AS BIGINT), MAX(t.released_at) \
         FROM testing_wells w JOIN testing_tubes t ON t.id = w.tube_id \
         JOIN testing_sites s ON s.id = t.site_id \
         WHERE s.campaign_id = $1 AND t.released_at IS NOT NULL \
         AND t.reading IN ('positive', 'inconclusive') \
         GROUP BY w.run_id ORDER BY w.run_id DESC LIMIT 50"
    )
    .bind(campaign)
    .fetch_all(p)
    .await?);
    let antigen: (i64, i64, i64) = on_pool!(&store.db.read, |p| {
        sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(CASE WHEN a.result IS NULL THEN 1 ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN a.result IS NULL THEN 0 ELSE 1 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN a.result = 'positive' THEN 1 ELSE 0 END), 0) AS BIGINT) \
         FROM testing_antigen a JOIN testing_sites s ON s.id = a.site_id WHERE s.campaign_id = $1"
    )
    .bind(campaign)
    .fetch_one(p)
    .await?
    });
    let this_hour = now_ms - now_ms.rem_euclid(HOUR);
    let mut per_hour: Vec<HourCount> = (0..12)
        .rev()
        .map(|h| HourCount {
            hour_ms: this_hour - h * HOUR,
            tubes: 0,
        })
        .collect();
    let mut minutes: Vec<i64> = Vec::with_capacity(day.len());
    for (sealed, released) in &day {
        minutes.push((released - sealed).max(0) / 60_000);
        let start = released - released.rem_euclid(HOUR);
        if let Some(h) = per_hour.iter_mut().find(|h| h.hour_ms == start) {
            h.tubes += 1;
        }
    }
    minutes.sort_unstable();
    Ok(CampaignBoard {
        tubes: TubeStages {
            open: c.0,
            in_transit: c.1,
            in_lab: c.2,
            resulted: c.3,
        },
        persons: c.4,
        late_after_hours,
        late,
        late_tubes: late_rows
            .into_iter()
            .map(|(barcode, site_name, persons, sealed_at_ms)| LateTube {
                barcode,
                site_name,
                persons,
                sealed_at_ms,
            })
            .collect(),
        per_hour,
        turnaround_p50_minutes: percentile(&minutes, 0.5),
        turnaround_p95_minutes: percentile(&minutes, 0.95),
        positive_tubes: c.5,
        recalled: c.6,
        recalls: recalls
            .into_iter()
            .map(|(run, tubes, persons, released_at_ms)| RecallRun {
                run,
                tubes,
                persons,
                released_at_ms,
            })
            .collect(),
        antigen: AntigenCounts {
            waiting: antigen.0,
            read: antigen.1,
            positive: antigen.2,
        },
    })
}
