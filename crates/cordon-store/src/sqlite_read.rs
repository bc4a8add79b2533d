//! SQLite's direct reads: a few read-only rusqlite connections, used synchronously by the
//! request's own task for the hot point reads (a passage by id). A point read by primary key
//! takes tens of microseconds and, in WAL mode, never waits for the writer; sqlx's SQLite driver
//! would hand every statement and every row to a worker thread and back, which cost more than the
//! read (measured by `cordon bench audit`, docs/BENCHMARKS.md). The trace index's reads of what
//! was recorded (every passage, once at start and then as it arrives) go the same way, on a
//! blocking thread.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use cordon_domain::access::{PassageRead, Scope};
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use uuid::Uuid;

use crate::db::division_range;
use crate::passage::rows::{PassageRow, PASSAGE_SELECT};
use crate::trace::{TraceCursor, TraceRow};
use crate::StoreError;

/// A correction: `(passage, the earlier one it supersedes)`.
pub(crate) type Correction = (Uuid, Uuid);

/// Idle connections kept; more are opened when more requests read at once, and closed after.
const KEEP: usize = 8;

/// Cheap to clone: clones share the idle connections.
#[derive(Clone)]
pub(crate) struct DirectReads {
    path: PathBuf,
    idle: Arc<Mutex<Vec<Connection>>>,
}

impl DirectReads {
    pub fn new(path: &Path) -> Self {
        Self {
            path: path.to_owned(),
            idle: Arc::new(Mutex::new(Vec::new())),
        }
    }

    fn open(&self) -> Result<Connection, StoreError> {
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(crate::sqlite::BUSY_TIMEOUT)?;
        conn.pragma_update(None, "cache_size", -16384)?;
        conn.set_prepared_statement_cache_capacity(16);
        Ok(conn)
    }

    /// Runs `f` on an idle connection (or a new one) and puts it back.
    fn with<R>(
        &self,
        f: impl FnOnce(&Connection) -> Result<R, StoreError>,
    ) -> Result<R, StoreError> {
        let idle = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let conn = match idle {
            Some(c) => c,
            None => self.open()?,
        };
        let out = f(&conn);
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        if idle.len() < KEEP {
            idle.push(conn);
        }
        out
    }

    /// The passage `id` if the grant may read it (in its scope and time), as [`crate::passage`]'s
    /// query over sqlx would answer it, and the corrections that touch it (`(passage, the one it
    /// supersedes)`, read on the same connection).
    pub fn passage(
        &self,
        grant: &PassageRead,
        id: Uuid,
    ) -> Result<(Option<PassageRow>, Vec<Correction>), StoreError> {
        let mut sql = format!("{PASSAGE_SELECT} WHERE p.id = ?1 AND p.observed_at >= ?2");
        let mut codes: Vec<&str> = Vec::new();
        let range = match grant.scope() {
            Scope::Division(d) => {
                sql.push_str(" AND c.jurisdiction BETWEEN ?3 AND ?4");
                Some(division_range(*d))
            }
            Scope::Checkpoints(list) => {
                sql.push_str(" AND c.code IN (");
                for (i, code) in list.iter().enumerate() {
                    if i > 0 {
                        sql.push_str(", ");
                    }
                    sql.push_str(&format!("?{}", i + 3));
                    codes.push(code.as_str());
                }
                sql.push(')');
                None
            }
        };
        let since = grant.since_ms();
        let id_bytes: &[u8] = id.as_bytes();
        let mut params: Vec<&dyn rusqlite::ToSql> = vec![&id_bytes, &since];
        if let Some((lo, hi)) = &range {
            params.push(lo);
            params.push(hi);
        }
        for c in &codes {
            params.push(c);
        }
        self.with(|conn| {
            let found = conn
                .prepare_cached(&sql)?
                .query_row(params.as_slice(), row)
                .optional()?;
            if found.is_none() {
                return Ok((None, Vec::new()));
            }
            let mut links = conn.prepare_cached(
                "SELECT passage, supersedes FROM corrections WHERE passage = ?1 OR supersedes = ?1",
            )?;
            let links = links
                .query_map([id_bytes], |r| Ok((blob_id(r, 0), blob_id(r, 1))))?
                .map(|l| {
                    let (later, earlier) = l?;
                    Ok((later?, earlier?))
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            Ok((found, links))
        })
    }
}

impl DirectReads {
    /// Runs `read` on a blocking thread (the trace reads are long scans): the async store
    /// methods call this when they read straight from the file.
    pub async fn off_runtime<T: Send + 'static>(
        &self,
        read: impl FnOnce(&DirectReads) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let reads = self.clone();
        tokio::task::spawn_blocking(move || read(&reads))
            .await
            .map_err(|e| StoreError::Unavailable(format!("trace read: {e}")))?
    }

    /// Up to `limit` rows of `sql` (recording order after a cursor: `$1` time, `$2` id, `$3`
    /// limit), each made by `make`.
    fn after_cursor<T>(
        &self,
        sql: &str,
        after: TraceCursor,
        limit: u32,
        make: impl Fn(&rusqlite::Row<'_>) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError> {
        self.with(|conn| {
            let mut stmt = conn.prepare_cached(sql)?;
            let mut rows = stmt.query(rusqlite::params![
                after.recorded_ms,
                &after.id.as_bytes()[..],
                i64::from(limit)
            ])?;
            let mut out = Vec::with_capacity(limit.min(4_096) as usize);
            while let Some(r) = rows.next()? {
                out.push(make(r)?);
            }
            Ok(out)
        })
    }

    /// [`crate::TraceStore::trace_rows`], read directly: blocking, for a blocking thread.
    pub fn trace_rows(&self, after: TraceCursor, limit: u32) -> Result<Vec<TraceRow>, StoreError> {
        use cordon_domain::passage::Direction;
        let sql = format!(
            "{}{}",
            crate::trace::sql::TRACE_ROW_COLUMNS,
            crate::trace::sql::TRACE_ROWS_WHERE
        );
        self.after_cursor(&sql, after, limit, |r| {
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
                occupants: crate::passage::rows::parse_occupant_keys(r.get_ref(7)?.as_str()?)?,
            })
        })
    }

    /// [`crate::TraceStore::trace_positions`], read directly: blocking.
    pub fn trace_positions(
        &self,
        after: TraceCursor,
        limit: u32,
    ) -> Result<Vec<TraceCursor>, StoreError> {
        self.after_cursor(crate::trace::sql::TRACE_POSITIONS, after, limit, |r| {
            Ok(TraceCursor {
                recorded_ms: r.get(0)?,
                id: blob_id(r, 1)?,
            })
        })
    }
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(what.to_owned())
}

/// A passage id stored as a 16-byte blob in column `i`.
fn blob_id(r: &rusqlite::Row<'_>, i: usize) -> Result<Uuid, StoreError> {
    Uuid::from_slice(r.get_ref(i)?.as_blob()?).map_err(|_| corrupt("passage id"))
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<PassageRow> {
    let id: Vec<u8> = r.get(0)?;
    Ok(PassageRow {
        id: Uuid::from_slice(&id).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Blob, Box::new(e))
        })?,
        checkpoint: r.get(1)?,
        lane: r.get(2)?,
        direction: r.get(3)?,
        observed_at: r.get(4)?,
        observed_offset: r.get(5)?,
        recorded_at: r.get(6)?,
        plate: r.get(7)?,
        plate_color: r.get(8)?,
        vehicle_class: r.get(9)?,
        origin: r.get(10)?,
        destination: r.get(11)?,
        decision: r.get(12)?,
        occupants: r.get(13)?,
        freight_pass: r.get(14)?,
        sealed: r.get(15)?,
    })
}
