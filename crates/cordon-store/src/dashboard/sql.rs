//! The SQL of [`DashboardStore`], written once for both backends ([`crate::db`]).

use async_trait::async_trait;
use cordon_domain::access::passage::PassageRead;
use sqlx::QueryBuilder;

use super::{DashboardStore, SummaryRow, LANE_HANDLING_MAX_MS};
use crate::db::{on_pool, push_scope};
use crate::store::SqlStore;
use crate::StoreError;

type SummaryCols = (String, i64, String, i64, i64, i64, i64, i64, i64, i64);

fn summary(c: SummaryCols) -> SummaryRow {
    SummaryRow {
        checkpoint: c.0,
        hour_ms: c.1 * crate::hours::HOUR_MS,
        outcome: c.2,
        passages: c.3,
        persons: c.4,
        handled: c.5,
        handling_ms: c.6,
        green: c.7,
        green_handled: c.8,
        green_handling_ms: c.9,
    }
}

#[async_trait]
impl DashboardStore for SqlStore {
    async fn network_summary(
        &self,
        grant: &PassageRead,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<SummaryRow>, StoreError> {
        let from_ms = from_ms.max(grant.since_ms());
        // Grouped by the checkpoint's number first, and named after: grouping by its code
        // joined per passage took 2 to 10 times as long (docs/BENCHMARKS.md). A passage a
        // correction superseded is not counted: the vehicle passed once.
        let rows: Vec<SummaryCols> = on_pool!(&self.db.read, |p| {
            let mut q = QueryBuilder::new(
                "SELECT c.code, g.h, g.o, g.n, g.persons, g.handled, g.handling, g.green, \
                 g.green_handled, g.green_handling FROM (\
                 SELECT p.checkpoint_id AS cid, p.observed_at / 3600000 AS h, \
                 p.outcome AS o, COUNT(*) AS n, CAST(SUM(p.persons) AS BIGINT) AS persons, \
                 CAST(SUM(CASE WHEN p.recorded_at - p.observed_at BETWEEN 0 AND ",
            );
            q.push_bind(LANE_HANDLING_MAX_MS)
                .push(" THEN 1 ELSE 0 END) AS BIGINT) AS handled, ")
                .push("CAST(SUM(CASE WHEN p.recorded_at - p.observed_at BETWEEN 0 AND ")
                .push_bind(LANE_HANDLING_MAX_MS)
                .push(" THEN p.recorded_at - p.observed_at ELSE 0 END) AS BIGINT) AS handling, ")
                .push(
                    "CAST(SUM(CASE WHEN p.freight_pass THEN 1 ELSE 0 END) AS BIGINT) AS green, \
                     CAST(SUM(CASE WHEN p.freight_pass AND p.recorded_at - p.observed_at \
                     BETWEEN 0 AND ",
                )
                .push_bind(LANE_HANDLING_MAX_MS)
                .push(" THEN 1 ELSE 0 END) AS BIGINT) AS green_handled, ")
                .push(
                    "CAST(SUM(CASE WHEN p.freight_pass AND p.recorded_at - p.observed_at \
                     BETWEEN 0 AND ",
                )
                .push_bind(LANE_HANDLING_MAX_MS)
                .push(
                    " THEN p.recorded_at - p.observed_at ELSE 0 END) AS BIGINT) AS green_handling \
                     FROM passages p WHERE p.recorded_at >= ",
                )
                .push_bind(from_ms)
                .push(" AND p.observed_at >= ")
                .push_bind(from_ms)
                .push(" AND p.observed_at < ")
                .push_bind(to_ms)
                .push(
                    " AND NOT EXISTS (SELECT 1 FROM corrections k WHERE k.supersedes = p.id) \
                     AND p.checkpoint_id IN (SELECT c.id FROM checkpoints c WHERE 1 = 1",
                );
            push_scope(&mut q, grant.scope());
            q.push(") GROUP BY 1, 2, 3) g JOIN checkpoints c ON c.id = g.cid ORDER BY 1, 2, 3");
            q.build_query_as().fetch_all(p).await?
        });
        Ok(rows.into_iter().map(summary).collect())
    }
}
