//! [`PassageStore`] on both backends: registrations handed to the group-commit writer, and the
//! registry's reads. A passage by id goes straight to the SQLite file when the store is on SQLite
//! ([`crate::sqlite_read`]); lists by checkpoint and hourly counts name the hours they read
//! ([`crate::hours`]).

use std::collections::HashMap;

use async_trait::async_trait;
use cordon_domain::access::passage::PassageRead;
use cordon_domain::access::trace::TrajectoryRead;
use cordon_domain::access::Scope;
use cordon_domain::checkpoint::CheckpointCode;
use cordon_domain::command::roster::ShiftRef;
use cordon_domain::division::DivisionCode;
use cordon_domain::passage::{Passage, Role, TrajectoryPoint};
use sqlx::QueryBuilder;
use uuid::Uuid;

use super::rows::{PassageRow, TrajectoryRow, PASSAGE_SELECT};
use super::{
    Cursor, HourlyCount, NewPassage, PassagePage, PassageQuery, PassageStore, Period, Recorded,
};
use crate::command::RosterStore;
use crate::db::{on_pool, push_hours, push_list, push_scope, retry, BeginWrite, Db, Pool, CHUNK};
use crate::store::SqlStore;
use crate::StoreError;

/// The checkpoint's id if the grant's scope covers it: `Forbidden` otherwise, and for a code
/// that does not exist outside the scope, so the answer reveals nothing.
pub(crate) async fn checkpoint_in_scope(
    db: &Db,
    code: &CheckpointCode,
    scope: &Scope,
) -> Result<i64, StoreError> {
    let sql = "SELECT id, jurisdiction FROM checkpoints WHERE code = $1";
    let row: Option<(i64, i64)> = on_pool!(&db.read, |p| sqlx::query_as(sql)
        .bind(code.as_str())
        .fetch_optional(p)
        .await?);
    let Some((id, jurisdiction)) = row else {
        return match scope {
            Scope::Division(d) if d.contains(code.division()) => {
                Err(StoreError::not_found(format!("checkpoint {code}")))
            }
            _ => Err(StoreError::Forbidden),
        };
    };
    let jurisdiction = u32::try_from(jurisdiction)
        .ok()
        .and_then(DivisionCode::from_value)
        .ok_or_else(|| StoreError::Corrupt("checkpoint jurisdiction".into()))?;
    if scope.covers(code, jurisdiction) {
        Ok(id)
    } else {
        Err(StoreError::Forbidden)
    }
}

/// The hours of `from_ms..to_ms` worth asking about: all of them, or for a long range those
/// between the first and last hour that hold any passage.
async fn hours_held(db: &Db, from_ms: i64, to_ms: i64) -> Result<Option<(i64, i64)>, StoreError> {
    let Some((first, last)) = crate::hours::hours_of(from_ms, to_ms) else {
        return Ok(None);
    };
    if last.saturating_sub(first) < crate::hours::HOURS_UNCLAMPED {
        return Ok(Some((first, last)));
    }
    let sql = "SELECT \
        (SELECT observed_at / 3600000 FROM passage_core ORDER BY observed_at / 3600000 LIMIT 1), \
        (SELECT observed_at / 3600000 FROM passage_core ORDER BY observed_at / 3600000 DESC LIMIT 1)";
    let (lo, hi): (Option<i64>, Option<i64>) =
        on_pool!(&db.read, |p| sqlx::query_as(sql).fetch_one(p).await?);
    Ok(match (lo, hi) {
        (Some(lo), Some(hi)) if lo.max(first) <= hi.min(last) => {
            Some((lo.max(first), hi.min(last)))
        }
        _ => None,
    })
}

/// A trajectory point's columns: passage, checkpoint, lane, direction, time, offset, plate,
/// role (always NULL: the trace index knows it), outcome.
type PointCols = (
    Uuid,
    String,
    i64,
    String,
    i64,
    i64,
    Option<String>,
    Option<String>,
    String,
);

fn point(c: PointCols) -> Result<TrajectoryPoint, StoreError> {
    TrajectoryRow {
        passage: c.0,
        checkpoint: c.1,
        lane: c.2,
        direction: c.3,
        observed_at: c.4,
        observed_offset: c.5,
        plate: c.6,
        role: c.7,
        outcome: c.8,
    }
    .into_domain()
}

/// Fills a passage's correction links from `(later, earlier)` pairs: of two corrections of it,
/// the latest (ids are time-ordered), as PostgreSQL's read takes it.
fn link(passage: &mut Passage, links: &[(Uuid, Uuid)]) {
    for (later, earlier) in links {
        if *later == passage.id {
            passage.supersedes = Some(*earlier);
        } else if *earlier == passage.id {
            passage.superseded_by = passage.superseded_by.max(Some(*later));
        }
    }
}

impl SqlStore {
    /// The passage `id` from its row.
    async fn assemble_one(&self, row: PassageRow, id: Uuid) -> Result<Passage, StoreError> {
        self.assemble(vec![row])
            .await?
            .pop()
            .ok_or_else(|| StoreError::not_found(format!("passage {id}")))
    }
}

#[async_trait]
impl PassageStore for SqlStore {
    async fn record_passages(
        &self,
        passages: Vec<NewPassage>,
    ) -> Result<Vec<Recorded>, StoreError> {
        self.writer.record(passages).await
    }

    async fn get_passage(&self, grant: &PassageRead, id: Uuid) -> Result<Passage, StoreError> {
        let Some(direct) = self.direct_reads() else {
            // PostgreSQL: as the audited read takes it (`postgres_read.rs`), the shift unasked.
            return Ok(self.get_passage_on_duty(grant, id).await?.0);
        };
        let (found, links) = super::direct::passage(direct, grant, id)?;
        let r = found.ok_or_else(|| StoreError::not_found(format!("passage {id}")))?;
        let mut passage = self.assemble_one(r, id).await?;
        link(&mut passage, &links);
        Ok(passage)
    }

    async fn get_passage_on_duty(
        &self,
        grant: &PassageRead,
        id: Uuid,
    ) -> Result<(Passage, Option<ShiftRef>), StoreError> {
        if self.direct_reads().is_some() {
            // SQLite reads the passage and the roster straight from the file.
            let passage = self.get_passage(grant, id).await?;
            let at = passage.observed_at.timestamp_millis();
            let shift = self.shift_at(&passage.checkpoint, at).await?;
            return Ok((passage, shift));
        }
        let Pool::Postgres(pool) = &self.db.read else {
            return Err(StoreError::Config("SQLite without its direct reads".into()));
        };
        let found = super::postgres_read::passage_on_duty(pool, grant, id).await?;
        let found = found.ok_or_else(|| StoreError::not_found(format!("passage {id}")))?;
        let mut passage = self.assemble_one(found.row, id).await?;
        passage.supersedes = found.supersedes;
        passage.superseded_by = found.superseded_by;
        Ok((passage, found.shift))
    }

    async fn passages_at_checkpoint(
        &self,
        grant: &PassageRead,
        q: &PassageQuery,
    ) -> Result<PassagePage, StoreError> {
        let checkpoint = checkpoint_in_scope(&self.db, &q.checkpoint, grant.scope()).await?;
        let limit = i64::from(q.limit.clamp(1, 1_000));
        let (after_ms, after_id) = match q.after {
            Some(c) => (c.observed_ms, c.id),
            None => (i64::MIN, Uuid::nil()),
        };
        let from = q.period.from_ms.max(grant.since_ms());
        let mut found: Vec<PassageRow> = Vec::new();
        // Hour windows from the cursor on, until a page and one more are found.
        let held = hours_held(&self.db, from.max(after_ms), q.period.to_ms).await?;
        for hours in held.into_iter().flat_map(crate::hours::hour_windows) {
            let want = limit + 1 - found.len() as i64;
            let page: Vec<PassageRow> = on_pool!(&self.db.read, |p| {
                let mut b = QueryBuilder::new(PASSAGE_SELECT);
                b.push(" WHERE p.checkpoint_id = ").push_bind(checkpoint);
                b.push(" AND p.observed_at >= ").push_bind(from);
                b.push(" AND p.observed_at < ").push_bind(q.period.to_ms);
                b.push(" AND (p.observed_at, p.id) > (")
                    .push_bind(after_ms)
                    .push(", ")
                    .push_bind(after_id)
                    .push(")");
                push_hours(&mut b, "p.observed_at", hours);
                b.push(" ORDER BY p.observed_at, p.id LIMIT ")
                    .push_bind(want);
                b.build_query_as().fetch_all(p).await?
            });
            found.extend(page);
            if found.len() as i64 > limit {
                break;
            }
        }
        let more = found.len() as i64 > limit;
        found.truncate(limit as usize);
        let next = if more {
            found.last().map(|r| Cursor {
                observed_ms: r.observed_at,
                id: r.id,
            })
        } else {
            None
        };
        Ok(PassagePage {
            passages: self.assemble(found).await?,
            next,
        })
    }

    async fn hourly_counts(
        &self,
        grant: &PassageRead,
        checkpoint: &CheckpointCode,
        period: Period,
    ) -> Result<Vec<HourlyCount>, StoreError> {
        let id = checkpoint_in_scope(&self.db, checkpoint, grant.scope()).await?;
        let from = period.from_ms.max(grant.since_ms());
        let mut counts = Vec::new();
        let held = hours_held(&self.db, from, period.to_ms).await?;
        for hours in held.into_iter().flat_map(crate::hours::hour_windows) {
            let rows: Vec<(i64, i64, i64)> = on_pool!(&self.db.read, |p| {
                let mut b = QueryBuilder::new(
                    "SELECT observed_at / 3600000 AS hour, COUNT(*), CAST(SUM(persons) AS BIGINT) \
                     FROM passage_core WHERE checkpoint_id = ",
                );
                b.push_bind(id);
                b.push(" AND observed_at >= ").push_bind(from);
                b.push(" AND observed_at < ").push_bind(period.to_ms);
                push_hours(&mut b, "observed_at", hours);
                // A passage a correction superseded is not counted: the vehicle passed once.
                b.push(
                    " AND NOT EXISTS (SELECT 1 FROM corrections k \
                     WHERE k.supersedes = passage_core.id) GROUP BY hour ORDER BY hour",
                );
                b.build_query_as().fetch_all(p).await?
            });
            counts.extend(
                rows.into_iter()
                    .map(|(hour, passages, persons)| HourlyCount {
                        hour_ms: hour * crate::hours::HOUR_MS,
                        passages,
                        persons,
                    }),
            );
        }
        Ok(counts)
    }

    async fn count_passages(&self) -> Result<i64, StoreError> {
        let sql = "SELECT COUNT(*) FROM passage_core";
        Ok(on_pool!(&self.db.read, |p| sqlx::query_scalar(sql)
            .fetch_one(p)
            .await?))
    }

    async fn trajectory(
        &self,
        grant: &TrajectoryRead,
        passages: &[(Uuid, Option<Role>)],
    ) -> Result<Vec<TrajectoryPoint>, StoreError> {
        let roles: HashMap<Uuid, Option<Role>> = passages.iter().copied().collect();
        let mut points = Vec::with_capacity(passages.len());
        for chunk in passages.chunks(CHUNK) {
            let rows: Vec<PointCols> = on_pool!(&self.db.read, |p| {
                let mut q = QueryBuilder::new(
                    "SELECT p.id, c.code, p.lane, p.direction, p.observed_at, p.observed_offset, \
                     p.plate, NULL, p.outcome FROM passages p \
                     JOIN checkpoints c ON c.id = p.checkpoint_id \
                     WHERE p.occupant_keys IS NOT NULL AND p.id IN ",
                );
                push_list(&mut q, chunk.iter().map(|(id, _)| *id));
                push_scope(&mut q, grant.scope());
                q.build_query_as().fetch_all(p).await?
            });
            for r in rows {
                let mut point = point(r)?;
                point.role = roles.get(&point.passage).copied().flatten();
                points.push(point);
            }
        }
        points.sort_unstable_by_key(|p| (p.observed_at.timestamp_millis(), p.passage));
        Ok(points)
    }

    async fn record_corrections(&self, links: &[(Uuid, Uuid)]) -> Result<(), StoreError> {
        use crate::dashboard::counts::{COUNTS_ADD, COUNTS_REVISE, COUNTS_TAKE_OUT, COUNTS_UPSERT};
        let link = "INSERT INTO corrections (passage, supersedes) VALUES ($1, $2) \
             ON CONFLICT (passage) DO NOTHING";
        let superseded = "SELECT COUNT(*) FROM corrections WHERE supersedes = $1";
        // The superseded passage's row (on PostgreSQL its core, migration 43).
        let lock = match &self.db.write {
            Pool::Sqlite(_) => "UPDATE passages SET persons = persons WHERE id = $1",
            Pool::Postgres(_) => "UPDATE passage_core SET persons = persons WHERE id = $1",
        };
        let take_out = format!("{COUNTS_UPSERT}{COUNTS_TAKE_OUT}{COUNTS_ADD}");
        let take_out = take_out.as_str();
        // Each link with the dashboard's counts in one transaction: a passage superseded for
        // the first time leaves its row (a second correction of it, or a retried link, takes
        // nothing more out).
        for chunk in links.chunks(CHUNK) {
            retry(|| async move {
                on_pool!(&self.db.write, |p| {
                    let mut tx = p.begin_write().await?;
                    let mut took_out = false;
                    for (passage, earlier) in chunk {
                        // The superseded passage's row locked first (PostgreSQL): two
                        // corrections of it at once count its earlier ones one after the other.
                        sqlx::query(lock).bind(*earlier).execute(&mut *tx).await?;
                        let before: i64 = sqlx::query_scalar(superseded)
                            .bind(*earlier)
                            .fetch_one(&mut *tx)
                            .await?;
                        let added = sqlx::query(link)
                            .bind(*passage)
                            .bind(*earlier)
                            .execute(&mut *tx)
                            .await?
                            .rows_affected();
                        if added == 1 && before == 0 {
                            sqlx::query(take_out)
                                .bind(*earlier)
                                .execute(&mut *tx)
                                .await?;
                            took_out = true;
                        }
                    }
                    if took_out {
                        // The hubs' sums of past hours are read again (migration 42).
                        sqlx::query(COUNTS_REVISE).execute(&mut *tx).await?;
                    }
                    tx.commit().await?;
                    Ok(())
                })
            })
            .await?;
        }
        Ok(())
    }

    async fn corrections(&self, ids: &[Uuid]) -> Result<Vec<(Uuid, Uuid)>, StoreError> {
        let mut out = Vec::new();
        for chunk in ids.chunks(CHUNK / 2) {
            let found: Vec<(Uuid, Uuid)> = on_pool!(&self.db.read, |p| {
                let mut q = QueryBuilder::new(
                    "SELECT passage, supersedes FROM corrections WHERE passage IN ",
                );
                push_list(&mut q, chunk.iter().copied());
                q.push(" OR supersedes IN ");
                push_list(&mut q, chunk.iter().copied());
                q.build_query_as().fetch_all(p).await?
            });
            out.extend(found);
        }
        Ok(out)
    }

    async fn passage_checkpoint(&self, id: Uuid) -> Result<Option<String>, StoreError> {
        let sql = "SELECT c.code FROM passage_core p JOIN checkpoints c ON c.id = p.checkpoint_id \
             WHERE p.id = $1";
        Ok(on_pool!(&self.db.read, |p| sqlx::query_scalar(sql)
            .bind(id)
            .fetch_optional(p)
            .await?))
    }

    async fn insert_raw_baseline(&self, passages: Vec<NewPassage>) -> Result<(), StoreError> {
        match &self.db.write {
            crate::db::Pool::Sqlite(_) => {
                let path = self.sqlite_path().map(|p| p.to_owned());
                let path = path.ok_or_else(|| StoreError::Config("no SQLite file".into()))?;
                tokio::task::spawn_blocking(move || {
                    super::sqlite_writer::raw_baseline(&path, &passages)
                })
                .await
                .map_err(|e| StoreError::Unavailable(e.to_string()))?
            }
            crate::db::Pool::Postgres(pool) => {
                super::postgres_writer::raw_baseline(pool, passages).await
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corrections_link_both_ways() {
        let (a, b, c) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let mut p = Passage {
            id: b,
            ..crate::passage::rows::tests::passage()
        };
        link(&mut p, &[(b, a), (c, b)]);
        assert_eq!((p.supersedes, p.superseded_by), (Some(a), Some(c)));
        let d = Uuid::now_v7();
        link(&mut p, &[(d, b), (c, b)]);
        assert_eq!(p.superseded_by, Some(d), "the latest of two corrections");
    }

    #[test]
    fn trajectory_rows_become_points() {
        let id = Uuid::now_v7();
        let p = point((
            id,
            "CP-130100-0001".into(),
            2,
            "in".into(),
            1_651_536_000_000,
            28_800,
            Some("冀A12345".into()),
            None,
            "pass".into(),
        ))
        .unwrap();
        assert_eq!(p.passage, id);
        assert_eq!(p.observed_at.to_rfc3339(), "2022-05-03T08:00:00+08:00");
        assert!(point((
            id,
            "nonsense".into(),
            2,
            "in".into(),
            0,
            28_800,
            None,
            None,
            "pass".into()
        ))
        .is_err());
    }
}
