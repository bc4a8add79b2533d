//! The trace index's reads of what was recorded, straight from the SQLite file on a blocking
//! thread ([`crate::sqlite_read`]): every passage once at start, then what arrives.

use cordon_domain::passage::Direction;

use super::{TraceCursor, TraceRow, TRACE_POSITIONS, TRACE_ROWS_WHERE, TRACE_ROW_COLUMNS};
use crate::passage::compact::parse_occupant_keys;
use crate::sqlite_read::{blob_id, corrupt, DirectReads};
use crate::StoreError;

/// Up to `limit` rows of `sql` (recording order after a cursor: `$1` time, `$2` id, `$3`
/// limit, and `$4` the time it stops before if `until_ms` is given), each made by `make`. The
/// parameters are bound by name: SQLite numbers `$N` in the order they first appear.
fn after_cursor<T>(
    reads: &DirectReads,
    sql: &str,
    (after, until_ms): (TraceCursor, Option<i64>),
    limit: u32,
    make: impl Fn(&rusqlite::Row<'_>) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    reads.with(|conn| {
        let mut stmt = conn.prepare_cached(sql)?;
        let (id, limit) = (&after.id.as_bytes()[..], i64::from(limit));
        let mut named: Vec<(&str, &dyn rusqlite::ToSql)> =
            vec![("$1", &after.recorded_ms), ("$2", &id), ("$3", &limit)];
        if let Some(until) = &until_ms {
            named.push(("$4", until));
        }
        let mut rows = stmt.query(named.as_slice())?;
        let mut out = Vec::with_capacity(limit.min(4_096) as usize);
        while let Some(r) = rows.next()? {
            out.push(make(r)?);
        }
        Ok(out)
    })
}

/// [`super::TraceStore::trace_rows`], read directly: blocking, for a blocking thread.
pub(crate) fn trace_rows(
    reads: &DirectReads,
    after: TraceCursor,
    until_ms: i64,
    limit: u32,
) -> Result<Vec<TraceRow>, StoreError> {
    let sql = format!("{TRACE_ROW_COLUMNS}{TRACE_ROWS_WHERE}");
    after_cursor(reads, &sql, (after, Some(until_ms)), limit, |r| {
        let direction =
            Direction::parse(r.get_ref(3)?.as_str()?).map_err(|_| corrupt("direction"))?;
        Ok(TraceRow {
            id: blob_id(r, 0)?,
            checkpoint_id: r.get(1)?,
            lane: r.get(2)?,
            inbound: direction == Direction::In,
            observed_ms: r.get(4)?,
            recorded_ms: r.get(5)?,
            plate: r.get(6)?,
            occupants: parse_occupant_keys(r.get_ref(7)?.as_bytes()?)?,
        })
    })
}

/// [`super::TraceStore::trace_positions`], read directly: blocking.
pub(crate) fn trace_positions(
    reads: &DirectReads,
    after: TraceCursor,
    limit: u32,
) -> Result<Vec<TraceCursor>, StoreError> {
    after_cursor(reads, TRACE_POSITIONS, (after, None), limit, |r| {
        Ok(TraceCursor {
            recorded_ms: r.get(0)?,
            id: blob_id(r, 1)?,
        })
    })
}
