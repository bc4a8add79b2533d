//! The SQL of [`TraceStore`]'s reads, written once for both backends ([`crate::db`]). On SQLite
//! the long scans in recording order go straight to the file on a blocking thread
//! ([`crate::sqlite_read`]).

use async_trait::async_trait;
use cordon_domain::access::trace::TrajectoryRead;
use cordon_domain::checkpoint::CheckpointCode;
use cordon_domain::passage::{Direction, Occupant};
use sqlx::QueryBuilder;
use uuid::Uuid;

use super::{
    SqlHop, SqlTraceQuery, Superseded, TraceCheckpoint, TraceCursor, TraceRow, TraceStore,
    TRACE_POSITIONS, TRACE_ROWS_WHERE, TRACE_ROW_COLUMNS,
};
use crate::db::{on_pool, push_list, Pool, IDS_PER_QUERY};
use crate::passage::rows;
use crate::store::SqlStore;
use crate::StoreError;

/// [`TRACE_ROW_COLUMNS`] and [`TRACE_ROWS_WHERE`] on PostgreSQL (migration 43): the core rows
/// in recording order, each row's personal part looked up by its key as it comes (`OFFSET 0`
/// keeps the planner from joining the two tables whole, which it chose for a page of 20,000
/// and which a load of the whole index would repeat page after page).
const TRACE_ROWS_POSTGRES: &str = "SELECT c.id, c.checkpoint_id, c.lane, c.direction, \
     c.observed_at, c.recorded_at, p.plate, p.occupant_keys FROM passage_core c \
     CROSS JOIN LATERAL (SELECT plate, occupant_keys FROM passage_personal p \
     WHERE p.observed_at = c.observed_at AND p.id = c.id AND p.occupant_keys IS NOT NULL \
     OFFSET 0) p \
     WHERE c.recorded_at >= $1 AND (c.recorded_at > $1 OR c.id > $2) AND c.recorded_at < $4 \
     ORDER BY c.recorded_at, c.id LIMIT $3";

/// A row of [`TRACE_ROW_COLUMNS`].
type TraceCols = (Uuid, i64, i64, String, i64, i64, Option<String>, Vec<u8>);

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(what.to_owned())
}

fn trace_row(c: TraceCols) -> Result<TraceRow, StoreError> {
    let direction = Direction::parse(&c.3).map_err(|_| corrupt("direction"))?;
    Ok(TraceRow {
        id: c.0,
        checkpoint_id: c.1,
        lane: c.2,
        inbound: direction == Direction::In,
        observed_ms: c.4,
        recorded_ms: c.5,
        plate: c.6,
        occupants: crate::passage::compact::parse_occupant_keys(&c.7)?,
    })
}

/// The occupants of a sealed passage (none once purged).
fn opened(
    keyring: &crate::keyring::Keyring,
    id: Uuid,
    sealed: Option<Vec<u8>>,
    facts: Option<Vec<u8>>,
) -> Result<Vec<Occupant>, StoreError> {
    let Some(sealed) = sealed else {
        return Ok(Vec::new());
    };
    rows::sealed_occupants(id, &sealed, facts.as_deref(), keyring)
}

#[async_trait]
impl TraceStore for SqlStore {
    async fn trace_rows(
        &self,
        after: TraceCursor,
        until_ms: i64,
        limit: u32,
    ) -> Result<Vec<TraceRow>, StoreError> {
        if let Some(reads) = self.direct_reads() {
            return reads
                .off_runtime(move |r| super::direct::trace_rows(r, after, until_ms, limit))
                .await;
        }
        let sql = match &self.db.read {
            Pool::Sqlite(_) => format!("{TRACE_ROW_COLUMNS}{TRACE_ROWS_WHERE}"),
            Pool::Postgres(_) => TRACE_ROWS_POSTGRES.to_owned(),
        };
        let found: Vec<TraceCols> = on_pool!(&self.db.read, |p| sqlx::query_as(&sql)
            .bind(after.recorded_ms)
            .bind(after.id)
            .bind(i64::from(limit))
            .bind(until_ms)
            .fetch_all(p)
            .await?);
        found.into_iter().map(trace_row).collect()
    }

    async fn trace_span(&self) -> Result<Option<(i64, i64)>, StoreError> {
        // Two subqueries: each is one end of the recording index (SQLite reads the whole index
        // for MIN and MAX in one).
        let sql = "SELECT (SELECT MIN(recorded_at) FROM passage_core), \
             (SELECT MAX(recorded_at) FROM passage_core)";
        let (first, last): (Option<i64>, Option<i64>) =
            on_pool!(&self.db.read, |p| sqlx::query_as(sql).fetch_one(p).await?);
        Ok(first.zip(last))
    }

    async fn trace_positions(
        &self,
        after: TraceCursor,
        limit: u32,
    ) -> Result<Vec<TraceCursor>, StoreError> {
        if let Some(reads) = self.direct_reads() {
            return reads
                .off_runtime(move |r| super::direct::trace_positions(r, after, limit))
                .await;
        }
        let found: Vec<(i64, Uuid)> = on_pool!(&self.db.read, |p| sqlx::query_as(TRACE_POSITIONS)
            .bind(after.recorded_ms)
            .bind(after.id)
            .bind(i64::from(limit))
            .fetch_all(p)
            .await?);
        Ok(found
            .into_iter()
            .map(|(recorded_ms, id)| TraceCursor { recorded_ms, id })
            .collect())
    }

    async fn trace_rows_by_id(&self, ids: &[Uuid]) -> Result<Vec<TraceRow>, StoreError> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(IDS_PER_QUERY) {
            let found: Vec<TraceCols> = on_pool!(&self.db.read, |p| {
                let mut q = QueryBuilder::new(TRACE_ROW_COLUMNS);
                q.push(" WHERE occupant_keys IS NOT NULL AND id IN ");
                push_list(&mut q, chunk.iter().copied());
                q.build_query_as().fetch_all(p).await?
            });
            for r in found {
                out.push(trace_row(r)?);
            }
        }
        out.sort_unstable_by_key(|r| (r.recorded_ms, r.id));
        Ok(out)
    }

    async fn trace_checkpoints(&self) -> Result<Vec<TraceCheckpoint>, StoreError> {
        let sql = "SELECT id, code, jurisdiction FROM checkpoints ORDER BY id";
        let found: Vec<(i64, String, i64)> =
            on_pool!(&self.db.read, |p| sqlx::query_as(sql).fetch_all(p).await?);
        found
            .into_iter()
            .map(|(id, code, jurisdiction)| {
                Ok(TraceCheckpoint {
                    id,
                    code: CheckpointCode::parse(&code).map_err(|_| corrupt("checkpoint code"))?,
                    jurisdiction: rows::division(jurisdiction)?,
                })
            })
            .collect()
    }

    async fn count_corrections(&self) -> Result<i64, StoreError> {
        let sql = "SELECT count(*) FROM corrections";
        Ok(on_pool!(&self.db.read, |p| sqlx::query_scalar(sql)
            .fetch_one(p)
            .await?))
    }

    async fn superseded_passages(&self) -> Result<Vec<Superseded>, StoreError> {
        let sql = "SELECT k.supersedes, p.checkpoint_id, p.observed_at FROM corrections k \
             JOIN passage_core p ON p.id = k.supersedes";
        let found: Vec<(Uuid, i64, i64)> =
            on_pool!(&self.db.read, |p| sqlx::query_as(sql).fetch_all(p).await?);
        Ok(found
            .into_iter()
            .map(|(id, checkpoint_id, observed_ms)| Superseded {
                id,
                checkpoint_id,
                observed_ms,
            })
            .collect())
    }

    async fn trace_occupants(
        &self,
        grant: &TrajectoryRead,
        ids: &[Uuid],
    ) -> Result<Vec<(Uuid, Vec<Occupant>)>, StoreError> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(IDS_PER_QUERY) {
            let found: Vec<(Uuid, String, i64, Option<Vec<u8>>, Option<Vec<u8>>)> =
                on_pool!(&self.db.read, |p| {
                    let mut q = QueryBuilder::new(
                        "SELECT p.id, c.code, c.jurisdiction, p.sealed, p.facts FROM passages p \
                         JOIN checkpoints c ON c.id = p.checkpoint_id WHERE p.id IN ",
                    );
                    push_list(&mut q, chunk.iter().copied());
                    q.build_query_as().fetch_all(p).await?
                });
            for (id, code, jurisdiction, sealed, facts) in found {
                let code = CheckpointCode::parse(&code).map_err(|_| corrupt("checkpoint code"))?;
                if grant.scope().covers(&code, rows::division(jurisdiction)?) {
                    out.push((id, opened(&self.keyring, id, sealed, facts)?));
                }
            }
        }
        Ok(out)
    }

    async fn load_trace_bench(&self, rows: Vec<TraceRow>) -> Result<(), StoreError> {
        super::bench_load::load(self, rows).await
    }

    async fn build_trace_reference(&self) -> Result<(), StoreError> {
        super::reference::build(self).await
    }

    async fn trace_hop_sql(
        &self,
        grant: &TrajectoryRead,
        q: &SqlTraceQuery,
    ) -> Result<SqlHop, StoreError> {
        super::reference::hop(self, grant, q).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trace_rows_carry_their_occupants_keys() {
        let id = Uuid::now_v7();
        let (a, b) = ("ab".repeat(16), "cd".repeat(16));
        let keys = crate::passage::compact::keys_bytes([
            (a.as_str(), cordon_domain::passage::Role::Driver),
            (b.as_str(), cordon_domain::passage::Role::Passenger),
        ]);
        let r = trace_row((id, 3, 1, "in".into(), 10, 20, None, keys)).unwrap();
        assert!(r.inbound);
        assert_eq!(r.occupants[1], (b, cordon_domain::passage::Role::Passenger));
        assert!(trace_row((id, 3, 1, "up".into(), 10, 20, None, vec![])).is_err());
        assert!(trace_row((id, 3, 1, "out".into(), 10, 20, None, b"xk1".to_vec())).is_err());
    }

    #[test]
    fn a_purged_passage_has_no_occupants() {
        let k = crate::keyring::Keyring::random();
        assert!(opened(&k, Uuid::now_v7(), None, None).unwrap().is_empty());
        assert!(opened(&k, Uuid::now_v7(), Some(vec![1, 2, 3]), None).is_err());
    }
}
