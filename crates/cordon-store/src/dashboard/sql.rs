//! The SQL of [`DashboardStore`], written once for both backends ([`crate::db`]).

use async_trait::async_trait;
use cordon_domain::access::passage::PassageRead;
use cordon_domain::access::Scope;
use cordon_domain::division::DivisionLevel;
use sqlx::{Database, Encode, QueryBuilder, Type};

use super::counts::OUTCOME_COLUMNS;
use super::{
    CheckpointCount, DashboardStore, HourCount, Summary, SummaryRow, LANE_HANDLING_MAX_MS,
};
use crate::db::{on_pool, push_hours, push_scope, Pool};
use crate::hours::HOUR_MS;
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
                     FROM passage_core p WHERE p.recorded_at >= ",
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

    async fn counted_summary(
        &self,
        grant: &PassageRead,
        first_hour: i64,
        last_hour: i64,
    ) -> Result<Summary, StoreError> {
        if first_hour > last_hour {
            return Ok(Summary::default());
        }
        // Summed in SQL per checkpoint and per hour. SQLite keeps a checkpoint's hours side by
        // side (its key's order); PostgreSQL's heap holds them hour by hour, each on a page of
        // its own, so there a province's rows are read by the hour (migration 41) and a smaller
        // scope's checkpoint by checkpoint.
        let by_checkpoint = by_checkpoint(&self.db.read, grant.scope());
        let rows = async {
            Ok::<Vec<CountCols>, StoreError>(on_pool!(&self.db.read, |p| {
                let mut q = QueryBuilder::new("");
                if by_checkpoint {
                    q.push("SELECT c.code, c.id");
                    for i in 0..COUNT_COLUMNS.len() + OUTCOME_COLUMNS.len() {
                        q.push(format!(", s.s{i}"));
                    }
                    q.push(" FROM checkpoints c CROSS JOIN LATERAL (SELECT ");
                    for (i, column) in COUNT_COLUMNS
                        .iter()
                        .chain(OUTCOME_COLUMNS.iter())
                        .enumerate()
                    {
                        let sep = if i == 0 { "" } else { ", " };
                        q.push(format!("{sep}CAST(SUM(k.{column}) AS BIGINT) AS s{i}"));
                    }
                    q.push(" FROM passage_counts k WHERE k.checkpoint_id = c.id");
                    push_hour_range(&mut q, first_hour, last_hour);
                    q.push(") s WHERE s.s0 IS NOT NULL");
                    push_scope(&mut q, grant.scope());
                } else {
                    q.push("SELECT c.code, g.* FROM (SELECT k.checkpoint_id");
                    for column in COUNT_COLUMNS.iter().chain(OUTCOME_COLUMNS.iter()) {
                        q.push(format!(", CAST(SUM(k.{column}) AS BIGINT)"));
                    }
                    q.push(" FROM passage_counts k WHERE 1 = 1");
                    push_hour_range(&mut q, first_hour, last_hour);
                    push_counts_in_scope(&mut q, grant.scope());
                    q.push(
                        " GROUP BY k.checkpoint_id) g JOIN checkpoints c ON c.id = g.checkpoint_id",
                    );
                }
                q.push(" ORDER BY 1");
                q.build_query_as().fetch_all(p).await?
            }))
        };
        let hours = async {
            Ok::<Vec<(i64, i64, i64)>, StoreError>(on_pool!(&self.db.read, |p| {
                let mut q = QueryBuilder::new(
                    "SELECT k.hour, CAST(SUM(k.passages) AS BIGINT), \
                     CAST(SUM(k.persons) AS BIGINT) FROM ",
                );
                if by_checkpoint {
                    // `OFFSET 0` keeps the planner from folding the walk into a join.
                    q.push(
                        "checkpoints c CROSS JOIN LATERAL (SELECT k.hour, k.passages, k.persons \
                         FROM passage_counts k WHERE k.checkpoint_id = c.id",
                    );
                    push_hour_range(&mut q, first_hour, last_hour);
                    q.push(" OFFSET 0) k WHERE 1 = 1");
                    push_scope(&mut q, grant.scope());
                } else {
                    q.push("passage_counts k WHERE 1 = 1");
                    push_hour_range(&mut q, first_hour, last_hour);
                    push_counts_in_scope(&mut q, grant.scope());
                }
                q.push(" GROUP BY 1 ORDER BY 1");
                q.build_query_as().fetch_all(p).await?
            }))
        };
        let (rows, hours) = tokio::try_join!(rows, hours)?;
        Ok(Summary {
            checkpoints: rows.into_iter().map(checkpoint_count).collect(),
            hours: hours
                .into_iter()
                .map(|(h, passages, persons)| HourCount {
                    hour_ms: h * HOUR_MS,
                    passages,
                    persons,
                })
                .collect(),
        })
    }

    async fn counts_revision(&self) -> Result<i64, StoreError> {
        let sql = "SELECT revision FROM counts_revision WHERE id = 1";
        Ok(on_pool!(&self.db.read, |p| sqlx::query_scalar(sql)
            .fetch_one(p)
            .await?))
    }

    async fn passages_between(
        &self,
        grant: &PassageRead,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<i64, StoreError> {
        let from_ms = from_ms.max(grant.since_ms());
        let Some((first, last)) = crate::hours::hours_of(from_ms, to_ms) else {
            return Ok(0);
        };
        // Each hour the range touches from the side that reads fewer passages: its part of
        // the hour from the passages, or the hour's count less the rest of it (the counts and
        // the passages leave out the same superseded ones).
        let mut n = 0;
        for hour in first..=last {
            let (start, end) = (hour * HOUR_MS, (hour + 1) * HOUR_MS);
            let (lo, hi) = (from_ms.max(start), to_ms.min(end));
            if hi - lo > HOUR_MS / 2 {
                n += self.hour_passages(grant, hour).await?;
                n -= self.passages_in(grant, hour, start, lo).await?;
                n -= self.passages_in(grant, hour, hi, end).await?;
            } else {
                n += self.passages_in(grant, hour, lo, hi).await?;
            }
        }
        Ok(n)
    }
}

/// The summed columns of `passage_counts` besides the outcomes', in [`CountCols`] order.
const COUNT_COLUMNS: [&str; 7] = [
    "passages",
    "persons",
    "handled",
    "handling_ms",
    "green",
    "green_handled",
    "green_handling_ms",
];

/// A checkpoint's code, its id, [`COUNT_COLUMNS`], then [`OUTCOME_COLUMNS`].
type CountCols = (
    String,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
);

fn checkpoint_count(c: CountCols) -> CheckpointCount {
    let outcomes = [c.9, c.10, c.11, c.12, c.13];
    CheckpointCount {
        checkpoint: c.0,
        passages: c.2,
        persons: c.3,
        handled: c.4,
        handling_ms: c.5,
        green: c.6,
        green_handled: c.7,
        green_handling_ms: c.8,
        outcomes: OUTCOME_COLUMNS
            .iter()
            .zip(outcomes)
            .filter(|(_, n)| *n != 0)
            .map(|(o, n)| (o.to_string(), n))
            .collect(),
    }
}

/// Whether a scope's counts are read checkpoint by checkpoint (PostgreSQL, a scope smaller than a
/// province: about 130 checkpoints of a city read in 7 ms this way against 18-29 through the
/// hours, a province's 1,300 in 80-230 ms against 28-33, docs/BENCHMARKS.md) rather than hour by
/// hour.
fn by_checkpoint(pool: &Pool, scope: &Scope) -> bool {
    let province = matches!(scope, Scope::Division(d) if d.level() == DivisionLevel::Province);
    matches!(pool, Pool::Postgres(_)) && !province
}

/// Appends ` AND k.hour BETWEEN first AND last` (the count rows `k` of those hours).
fn push_hour_range<'a, DB: Database>(q: &mut QueryBuilder<'a, DB>, first: i64, last: i64)
where
    i64: Encode<'a, DB> + Type<DB>,
{
    q.push(" AND k.hour BETWEEN ")
        .push_bind(first)
        .push(" AND ")
        .push_bind(last);
}

/// Appends ` AND <the count rows k of a checkpoint in scope>`.
fn push_counts_in_scope<'a, DB: Database>(q: &mut QueryBuilder<'a, DB>, scope: &Scope)
where
    i64: Encode<'a, DB> + Type<DB>,
    String: Encode<'a, DB> + Type<DB>,
{
    q.push(" AND k.checkpoint_id IN (SELECT c.id FROM checkpoints c WHERE 1 = 1");
    push_scope(q, scope);
    q.push(")");
}

impl SqlStore {
    /// Vehicles of one hour in scope, from the writer's counts.
    async fn hour_passages(&self, grant: &PassageRead, hour: i64) -> Result<i64, StoreError> {
        Ok(on_pool!(&self.db.read, |p| {
            let mut q = QueryBuilder::new(
                "SELECT CAST(COALESCE(SUM(k.passages), 0) AS BIGINT) FROM passage_counts k \
                 WHERE k.hour = ",
            );
            q.push_bind(hour);
            push_counts_in_scope(&mut q, grant.scope());
            q.build_query_scalar::<i64>().fetch_one(p).await?
        }))
    }

    /// Vehicles observed in `[from_ms, to_ms)` within `hour`, from the passages.
    async fn passages_in(
        &self,
        grant: &PassageRead,
        hour: i64,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<i64, StoreError> {
        if from_ms >= to_ms {
            return Ok(0);
        }
        // Through the hour-first index, which holds the checkpoint and the time.
        Ok(on_pool!(&self.db.read, |p| {
            let mut q = QueryBuilder::new("SELECT COUNT(*) FROM passage_core p WHERE 1 = 1");
            push_hours(&mut q, "p.observed_at", hour..=hour);
            q.push(" AND p.observed_at >= ")
                .push_bind(from_ms)
                .push(" AND p.observed_at < ")
                .push_bind(to_ms)
                .push(
                    " AND NOT EXISTS (SELECT 1 FROM corrections k WHERE k.supersedes = p.id) \
                     AND p.checkpoint_id IN (SELECT c.id FROM checkpoints c WHERE 1 = 1",
                );
            push_scope(&mut q, grant.scope());
            q.push(")");
            q.build_query_scalar::<i64>().fetch_one(p).await?
        }))
    }
}
