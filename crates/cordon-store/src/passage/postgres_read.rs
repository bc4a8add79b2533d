//! A passage as its read shows it, on PostgreSQL: the passage, the corrections that link it to
//! others and the shift that held its checkpoint at its time in one statement over
//! `passage_core`, then its personal data from its day's partition, named, on the same
//! connection. Every audited read of a passage asks all of it (`cordon bench audit`).
//!
//! Through the view `passages` the personal row is found by a join into every day's partition,
//! pruned only as the statement runs: each read locks and opens all of them. At a month's
//! thirty partitions that cost a fifth of the audited reads a second (`cordon bench audit
//! --days 27`, thirteenth part of the province's month in docs/BENCHMARKS.md); the partition
//! asked by name is one table and one index at any age of the hub. It is read only while
//! attached: a day the purge detached, or stopped dropping, holds no personal data for any
//! reader. SQLite reads it all straight from the file ([`super::direct`]).

use cordon_domain::access::passage::PassageRead;
use cordon_domain::command::roster::ShiftRef;
use sqlx::postgres::PgRow;
use sqlx::{PgPool, QueryBuilder, Row};
use uuid::Uuid;

use super::rows::PassageRow;
use crate::command::shift_on_duty;
use crate::days::day_of;
use crate::db::push_scope;
use crate::StoreError;

/// The passage's columns in [`PassageRow`] order, its personal data left empty (read from the
/// day's partition after), then the passage it corrects, the latest that corrects it, and the
/// shift on duty (id, start, end, lead); the grant's conditions follow.
const CORE_ON_DUTY: &str = concat!(
    "SELECT p.id, c.code, p.lane, p.direction, p.observed_at, p.observed_offset, \
     p.recorded_at, NULL::TEXT, p.plate_color, p.vehicle_class, p.origin, p.destination, \
     p.decision, '', CASE WHEN p.freight_pass THEN COALESCE(p.goods, '') END, NULL::BYTEA, \
     NULL::BYTEA, \
     (SELECT k.supersedes FROM corrections k WHERE k.passage = p.id), \
     (SELECT k.passage FROM corrections k WHERE k.supersedes = p.id \
     ORDER BY k.passage DESC LIMIT 1), \
     s.id, s.starts_at, s.ends_at, s.lead \
     FROM passage_core p JOIN checkpoints c ON c.id = p.checkpoint_id \
     LEFT JOIN LATERAL (",
    shift_on_duty!("p.checkpoint_id", "p.observed_at"),
    ") s ON TRUE"
);

/// A passage's row with its links and its shift.
pub(crate) struct OnDuty {
    pub row: PassageRow,
    pub supersedes: Option<Uuid>,
    pub superseded_by: Option<Uuid>,
    pub shift: Option<ShiftRef>,
}

impl<'r> sqlx::FromRow<'r, PgRow> for OnDuty {
    fn from_row(r: &'r PgRow) -> Result<Self, sqlx::Error> {
        let shift: Option<i64> = r.try_get(19)?;
        let shift = match shift {
            Some(id) => Some(crate::command::shift_ref((
                id,
                r.try_get(20)?,
                r.try_get(21)?,
                r.try_get(22)?,
            ))),
            None => None,
        };
        Ok(OnDuty {
            row: PassageRow::from_row(r)?,
            supersedes: r.try_get(17)?,
            superseded_by: r.try_get(18)?,
            shift,
        })
    }
}

/// The name of a day's partition of `passage_personal`, as `cordon_personal_partition` (migration
/// 43) makes it: the day's date, `passage_personal_20261207`.
pub(crate) fn partition_name(day: i64) -> Option<String> {
    let date = chrono::DateTime::from_timestamp(day.checked_mul(86_400)?, 0)?;
    Some(format!("passage_personal_{}", date.format("%Y%m%d")))
}

/// The passage `id` if the grant covers it, with its links, its shift and its personal data.
pub(crate) async fn passage_on_duty(
    pool: &PgPool,
    grant: &PassageRead,
    id: Uuid,
) -> Result<Option<OnDuty>, StoreError> {
    let mut q = QueryBuilder::new(CORE_ON_DUTY);
    q.push(" WHERE p.id = ").push_bind(id);
    q.push(" AND p.observed_at >= ").push_bind(grant.since_ms());
    push_scope(&mut q, grant.scope());
    // Both statements on one connection, taken from the pool once.
    let mut conn = pool.acquire().await?;
    let found: Option<OnDuty> = q.build_query_as().fetch_optional(&mut *conn).await?;
    let Some(mut found) = found else {
        return Ok(None);
    };
    let observed = found.row.observed_at;
    if let Some(personal) = personal(&mut conn, observed, id).await? {
        (found.row.plate, found.row.occupants) = (personal.0, personal.1.unwrap_or_default());
        (found.row.facts, found.row.sealed) = (personal.2, personal.3);
    }
    Ok(Some(found))
}

/// Plate, occupants (legacy rows), facts, sealed.
type Personal = (
    Option<String>,
    Option<String>,
    Option<Vec<u8>>,
    Option<Vec<u8>>,
);

/// A passage's personal data from its day's partition while that is attached; `None` where the
/// purge took it (the partition gone, detached, or without the row).
async fn personal(
    conn: &mut sqlx::PgConnection,
    observed: i64,
    id: Uuid,
) -> Result<Option<Personal>, StoreError> {
    let Some(name) = partition_name(day_of(observed)) else {
        return Ok(None);
    };
    // The name is made here from a number, never from input; a statement a day, each prepared
    // once per connection.
    let sql = format!(
        "SELECT q.plate, q.occupants, q.facts, q.sealed FROM {name} q \
         WHERE q.observed_at = $1 AND q.id = $2 AND EXISTS (SELECT 1 FROM pg_inherits i \
         WHERE i.inhrelid = '{name}'::regclass AND NOT i.inhdetachpending)"
    );
    match sqlx::query_as(&sql)
        .bind(observed)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
    {
        Ok(found) => Ok(found),
        // Dropped by the purge since (or never made: a day without personal data).
        Err(sqlx::Error::Database(d)) if d.code().as_deref() == Some("42P01") => Ok(None),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_days_partition_is_named_by_its_date() {
        // Day 20,429 since 1970-01-01 (UTC+8) is 2025-12-07.
        assert_eq!(
            partition_name(20_429).as_deref(),
            Some("passage_personal_20251207")
        );
        assert_eq!(
            partition_name(day_of(1_765_036_800_000)).as_deref(),
            Some("passage_personal_20251207")
        );
        assert_eq!(partition_name(i64::MAX), None);
    }
}
