//! The SQL of [`DailyStore`], written once for both backends: a day counted per checkpoint in
//! five grouped reads (passages by outcome, acknowledgements, deadlines missed, reports,
//! shifts), each restricted to the checkpoints of the scopes given; and a day kept whole in one
//! transaction. A passage a correction superseded is not counted (the vehicle passed once).

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::NaiveDate;
use cordon_domain::access::command::DailyRead;
use cordon_domain::access::Scope;
use cordon_domain::command::daily::{DayFigures, Positives};
use cordon_domain::division::DivisionCode;
use sqlx::QueryBuilder;

use super::{CheckpointDay, DailyStore};
use crate::db::{division_range, on_pool, push_scope, retry, BeginWrite};
use crate::store::SqlStore;
use crate::StoreError;

const DAY_MS: i64 = 86_400_000;

/// The day's first instant (China time) in milliseconds.
pub fn day_start_ms(day: NaiveDate) -> i64 {
    day.and_hms_opt(0, 0, 0)
        .expect("midnight exists")
        .and_utc()
        .timestamp_millis()
        - 8 * 3_600_000
}

/// Appends `AND <col> IN (checkpoints of every scope)`.
fn push_within<'a, DB: sqlx::Database>(q: &mut QueryBuilder<'a, DB>, col: &str, scopes: &[&Scope])
where
    i64: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    String: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    q.push(format!(
        " AND {col} IN (SELECT c.id FROM checkpoints c WHERE 1 = 1"
    ));
    for s in scopes {
        push_scope(q, s);
    }
    q.push(")");
}

type CpRow = (i64, String, String, i64, String);

/// The checkpoints of every scope, by id, each with a day of nothing yet (open ones counted).
async fn checkpoints_in(
    store: &SqlStore,
    scopes: &[&Scope],
) -> Result<HashMap<i64, CheckpointDay>, StoreError> {
    let checkpoints: Vec<CpRow> = on_pool!(&store.db.read, |p| {
        let mut q = QueryBuilder::new(
            "SELECT c.id, c.code, c.name, c.jurisdiction, c.status FROM checkpoints c WHERE 1 = 1",
        );
        for s in scopes {
            push_scope(&mut q, s);
        }
        q.build_query_as().fetch_all(p).await?
    });
    Ok(checkpoints
        .into_iter()
        .map(|(id, code, name, jurisdiction, status)| {
            let open = status == "open";
            (
                id,
                CheckpointDay {
                    code,
                    name,
                    jurisdiction,
                    figures: DayFigures {
                        checkpoints: i64::from(open),
                        ..DayFigures::default()
                    },
                },
            )
        })
        .collect())
}

/// By code.
fn sorted(days: HashMap<i64, CheckpointDay>) -> Vec<(i64, CheckpointDay)> {
    let mut out: Vec<(i64, CheckpointDay)> = days.into_iter().collect();
    out.sort_by(|a, b| a.1.code.cmp(&b.1.code));
    out
}

/// Counts a day for the checkpoints of every scope.
async fn count_day(
    store: &SqlStore,
    scopes: &[&Scope],
    from: i64,
) -> Result<Vec<(i64, CheckpointDay)>, StoreError> {
    let to = from + DAY_MS;
    let mut days = checkpoints_in(store, scopes).await?;
    let passages: Vec<(i64, String, i64, i64)> = on_pool!(&store.db.read, |p| {
        let mut q = QueryBuilder::new(
            "SELECT p.checkpoint_id, p.outcome, COUNT(*), CAST(SUM(p.persons) AS BIGINT) \
             FROM passage_core p WHERE p.recorded_at >= ",
        );
        q.push_bind(from)
            .push(" AND p.observed_at >= ")
            .push_bind(from)
            .push(" AND p.observed_at < ")
            .push_bind(to)
            .push(" AND NOT EXISTS (SELECT 1 FROM corrections k WHERE k.supersedes = p.id)");
        push_within(&mut q, "p.checkpoint_id", scopes);
        q.push(" GROUP BY 1, 2");
        q.build_query_as().fetch_all(p).await?
    });
    for (id, outcome, n, persons) in passages {
        if let Some(d) = days.get_mut(&id) {
            d.figures.vehicles += n;
            d.figures.persons += persons;
            d.figures.count_outcome(&outcome, n);
        }
    }
    // (checkpoint, acknowledged, overdue, raised, closed) from four small reads.
    let counts = |sql: &'static str, col: &'static str| {
        let scopes = scopes.to_vec();
        async move {
            let rows: Vec<(i64, i64)> = on_pool!(&store.db.read, |p| {
                let mut q = QueryBuilder::new(sql);
                q.push_bind(from)
                    .push(" AND ")
                    .push(col)
                    .push(" < ")
                    .push_bind(to);
                push_within(&mut q, "x.checkpoint_id", &scopes);
                q.push(" GROUP BY 1");
                q.build_query_as().fetch_all(p).await?
            });
            Ok::<_, StoreError>(rows)
        }
    };
    let acked = counts(
        "SELECT x.checkpoint_id, COUNT(*) FROM directive_recipients x WHERE x.acked_at >= ",
        "x.acked_at",
    )
    .await?;
    let overdue = counts(
        "SELECT x.checkpoint_id, COUNT(*) FROM directive_recipients x JOIN directives d \
         ON d.id = x.directive_id WHERE d.cancelled_at IS NULL \
         AND (x.acked_rev < d.revision OR x.acked_at > d.deadline_at) AND d.deadline_at >= ",
        "d.deadline_at",
    )
    .await?;
    let raised = counts(
        "SELECT x.checkpoint_id, COUNT(*) FROM reports x WHERE x.reported_at >= ",
        "x.reported_at",
    )
    .await?;
    let closed = counts(
        "SELECT x.checkpoint_id, COUNT(*) FROM reports x WHERE x.answered_at >= ",
        "x.answered_at",
    )
    .await?;
    for (rows, set) in [(acked, 0usize), (overdue, 1), (raised, 2), (closed, 3)] {
        for (id, n) in rows {
            if let Some(d) = days.get_mut(&id) {
                let f = &mut d.figures;
                *[
                    &mut f.directives_acknowledged,
                    &mut f.directives_overdue,
                    &mut f.reports_raised,
                    &mut f.reports_closed,
                ][set] += n;
            }
        }
    }
    let shifts: Vec<(i64, i64, i64)> = on_pool!(&store.db.read, |p| {
        let mut q =
            QueryBuilder::new("SELECT x.checkpoint_id, COUNT(*), CAST(SUM((CASE WHEN x.ends_at < ");
        q.push_bind(to)
            .push(" THEN x.ends_at ELSE ")
            .push_bind(to)
            .push(" END) - (CASE WHEN x.starts_at > ")
            .push_bind(from)
            .push(" THEN x.starts_at ELSE ")
            .push_bind(from)
            .push(" END)) AS BIGINT) FROM shifts x WHERE x.starts_at < ")
            .push_bind(to)
            .push(" AND x.ends_at > ")
            .push_bind(from);
        push_within(&mut q, "x.checkpoint_id", scopes);
        q.push(" GROUP BY 1");
        q.build_query_as().fetch_all(p).await?
    });
    for (id, n, ms) in shifts {
        if let Some(d) = days.get_mut(&id) {
            d.figures.shifts += n;
            if d.figures.checkpoints > 0 {
                d.figures.covered_minutes += ms / 60_000;
            }
        }
    }
    Ok(sorted(days))
}

/// A kept checkpoint's day: its id, then its figures in `DayFigures`' order.
type KeptRow = (
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
    i64,
    i64,
);

fn day_key(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

#[async_trait]
impl DailyStore for SqlStore {
    async fn daily_figures(
        &self,
        grant: &DailyRead,
        within: &Scope,
        day: NaiveDate,
        live: bool,
    ) -> Result<(Vec<CheckpointDay>, Option<i64>), StoreError> {
        let key = day_key(day);
        let kept: Option<i64> = if live {
            None
        } else {
            on_pool!(&self.db.read, |p| sqlx::query_scalar(
                "SELECT kept_at FROM daily_kept WHERE day = $1"
            )
            .bind(&key)
            .fetch_optional(p)
            .await?)
        };
        let scopes = [grant.scope(), within];
        let Some(kept_at) = kept else {
            let days = count_day(self, &scopes, day_start_ms(day)).await?;
            return Ok((days.into_iter().map(|(_, d)| d).collect(), None));
        };
        let rows: Vec<KeptRow> = on_pool!(&self.db.read, |p| {
            let mut q = QueryBuilder::new(
                "SELECT r.checkpoint_id, r.open, r.vehicles, r.persons, r.passed, \
                 r.tested_on_site, r.held, r.referred, r.turned_back, r.acknowledged, r.overdue, \
                 r.reports_raised, r.reports_closed, r.shifts, r.covered_minutes \
                 FROM daily_reports r WHERE r.day = ",
            );
            q.push_bind(key.clone());
            push_within(&mut q, "r.checkpoint_id", &scopes);
            q.build_query_as().fetch_all(p).await?
        });
        let mut all = checkpoints_in(self, &scopes).await?;
        let mut named = HashMap::with_capacity(rows.len());
        for r in rows {
            if let Some(mut d) = all.remove(&r.0) {
                d.figures = DayFigures {
                    checkpoints: r.1,
                    vehicles: r.2,
                    persons: r.3,
                    passed: r.4,
                    tested_on_site: r.5,
                    held: r.6,
                    referred: r.7,
                    turned_back: r.8,
                    directives_acknowledged: r.9,
                    directives_overdue: r.10,
                    reports_raised: r.11,
                    reports_closed: r.12,
                    shifts: r.13,
                    covered_minutes: r.14,
                };
                named.insert(r.0, d);
            }
        }
        let days = sorted(named).into_iter().map(|(_, d)| d).collect();
        Ok((days, Some(kept_at)))
    }

    async fn daily_positives(
        &self,
        grant: &DailyRead,
        within: DivisionCode,
        day: NaiveDate,
    ) -> Result<Positives, StoreError> {
        if !grant.scope().covers_division(within) {
            return Err(StoreError::Forbidden);
        }
        let (lo, hi) = division_range(within);
        let from = day_start_ms(day);
        let to = from + DAY_MS;
        let (tubes, persons): (i64, i64) = on_pool!(&self.db.read, |p| {
            sqlx::query_as(
            "SELECT COUNT(*), CAST(COALESCE(SUM(t.members), 0) AS BIGINT) FROM testing_tubes t \
             JOIN testing_sites s ON s.id = t.site_id JOIN testing_campaigns g \
             ON g.id = s.campaign_id WHERE g.area BETWEEN $1 AND $2 \
             AND t.reading IN ('positive', 'inconclusive') AND t.released_at >= $3 \
             AND t.released_at < $4"
        )
        .bind(lo)
        .bind(hi)
        .bind(from)
        .bind(to)
        .fetch_one(p)
        .await?
        });
        let antigen: i64 = on_pool!(&self.db.read, |p| sqlx::query_scalar(
            "SELECT COUNT(*) FROM testing_antigen a JOIN testing_sites s ON s.id = a.site_id \
             JOIN testing_campaigns g ON g.id = s.campaign_id WHERE g.area BETWEEN $1 AND $2 \
             AND a.result = 'positive' AND a.read_at >= $3 AND a.read_at < $4"
        )
        .bind(lo)
        .bind(hi)
        .bind(from)
        .bind(to)
        .fetch_one(p)
        .await?);
        Ok(Positives {
            pcr_tubes: tubes,
            pcr_persons: persons,
            antigen,
        })
    }

    async fn keep_day(&self, day: NaiveDate, now_ms: i64) -> Result<usize, StoreError> {
        // Every checkpoint: no scope narrows the count.
        let days = count_day(self, &[], day_start_ms(day)).await?;
        let key = day_key(day);
        let n = days.len();
        retry(|| {
            let (days, key) = (&days, &key);
            async move {
                on_pool!(&self.db.write, |p| {
                    let mut tx = p.begin_write().await?;
                    sqlx::query("DELETE FROM daily_reports WHERE day = $1")
                        .bind(key)
                        .execute(&mut *tx)
                        .await?;
                    for chunk in days.chunks(200) {
                        let mut q = QueryBuilder::new(
                            "INSERT INTO daily_reports (day, checkpoint_id, open, vehicles, \
                             persons, passed, tested_on_site, held, referred, turned_back, \
                             acknowledged, overdue, reports_raised, reports_closed, shifts, \
                             covered_minutes) ",
                        );
                        q.push_values(chunk, |mut b, (id, d)| {
                            let f = &d.figures;
                            b.push_bind(key.clone())
                                .push_bind(*id)
                                .push_bind(f.checkpoints)
                                .push_bind(f.vehicles)
                                .push_bind(f.persons)
                                .push_bind(f.passed)
                                .push_bind(f.tested_on_site)
                                .push_bind(f.held)
                                .push_bind(f.referred)
                                .push_bind(f.turned_back)
                                .push_bind(f.directives_acknowledged)
                                .push_bind(f.directives_overdue)
                                .push_bind(f.reports_raised)
                                .push_bind(f.reports_closed)
                                .push_bind(f.shifts)
                                .push_bind(f.covered_minutes);
                        });
                        q.build().execute(&mut *tx).await?;
                    }
                    sqlx::query("DELETE FROM daily_kept WHERE day = $1")
                        .bind(key)
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query("INSERT INTO daily_kept (day, kept_at) VALUES ($1, $2)")
                        .bind(key)
                        .bind(now_ms)
                        .execute(&mut *tx)
                        .await?;
                    tx.commit().await?;
                    Ok(())
                })
            }
        })
        .await?;
        Ok(n)
    }

    async fn last_kept_day(&self) -> Result<Option<NaiveDate>, StoreError> {
        let last: Option<String> = on_pool!(&self.db.read, |p| sqlx::query_scalar(
            "SELECT MAX(day) FROM daily_kept"
        )
        .fetch_one(p)
        .await?);
        Ok(last.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()))
    }
}
