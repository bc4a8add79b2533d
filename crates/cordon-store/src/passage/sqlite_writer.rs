//! SQLite's registration writer: a thread that owns one direct (rusqlite) connection to the
//! database file and writes each group in one `BEGIN IMMEDIATE` transaction with cached prepared
//! statements. Reads and the registry's other writes go through sqlx; registrations, the hot
//! path, skip its per-statement hand-off between threads.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use uuid::Uuid;

use super::rows::{self, PASSAGE_INSERT};
use super::words::Words;
use super::words_sql;
use super::writer::{group_keys, plan_group, BlockingGroupWrite, Existing, JobResult, Lane};
use super::NewPassage;
use crate::StoreError;

impl From<rusqlite::types::FromSqlError> for StoreError {
    fn from(e: rusqlite::types::FromSqlError) -> Self {
        StoreError::Corrupt(format!("sqlite: {e}"))
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Unavailable(format!("sqlite: {e}"))
    }
}

/// The file a `sqlite://PATH?options` URL names.
pub(crate) fn path_of(url: &str) -> Result<PathBuf, StoreError> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    let path = rest.split('?').next().unwrap_or(rest);
    if path.is_empty() || path.starts_with(":memory:") {
        return Err(StoreError::Config(
            "the SQLite store needs a file: sqlite://PATH".into(),
        ));
    }
    Ok(PathBuf::from(path))
}

/// `FULL` (the default): every commit is on disk before it is answered. `CORDON_SQLITE_SYNC=normal`
/// trades that for speed: a process crash still loses nothing, a power cut may lose the last
/// commits.
pub(crate) fn synchronous() -> &'static str {
    match std::env::var("CORDON_SQLITE_SYNC").as_deref() {
        Ok("normal") | Ok("NORMAL") => "NORMAL",
        _ => "FULL",
    }
}

/// How long a writer waits for the database's write lock, by the tries so far: a tenth of a
/// millisecond at first, then a millisecond, up to [`crate::db::BUSY_TIMEOUT`] in all. SQLite's
/// own handler sleeps 1, 2, 5, 10, 15, 20, 25 ms and on, so a lock held for 20 ms (another
/// connection's commit) held a lane's registration 33 ms or more (docs/BENCHMARKS.md, tenth
/// part).
fn wait_for_lock(tries: i32) -> bool {
    const FIRST: i32 = 20;
    let waited_ms = f64::from(tries.min(FIRST)) * 0.1 + f64::from((tries - FIRST).max(0));
    if waited_ms >= crate::db::BUSY_TIMEOUT.as_millis() as f64 {
        return false;
    }
    let sleep = if tries < FIRST {
        std::time::Duration::from_micros(100)
    } else {
        std::time::Duration::from_millis(1)
    };
    std::thread::sleep(sleep);
    true
}

pub(crate) fn connect(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open(path)?;
    conn.busy_handler(Some(wait_for_lock))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", synchronous())?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "secure_delete", "ON")?;
    conn.pragma_update(None, "cache_size", -65536)?;
    conn.set_prepared_statement_cache_capacity(32);
    Ok(conn)
}

pub(crate) struct SqliteWriter {
    conn: Connection,
    /// Every checkpoint, as of `data_version`: checkpoints change through the registry's other
    /// connection, and that changes the data version this connection sees.
    lanes: HashMap<String, Lane>,
    data_version: Option<i64>,
    /// The decision dictionary, shared with the store's reads.
    words: Arc<Words>,
}

impl SqliteWriter {
    pub fn open(path: &Path, words: Arc<Words>) -> Result<Self, StoreError> {
        Ok(Self {
            conn: connect(path)?,
            lanes: HashMap::new(),
            data_version: None,
            words,
        })
    }

    /// One slice of the purge, in one transaction.
    fn purge_slice(&mut self, rows: &[i64]) -> Result<Vec<i64>, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let rows = serde_json::to_string(rows).unwrap_or_default();
        let persons = tx
            .prepare_cached(crate::retention::PURGE_ROWS)?
            .query_map([rows], |r| r.get(0))?
            .collect::<Result<Vec<i64>, _>>()?;
        tx.commit()?;
        Ok(persons)
    }

    /// One attempt at a group. The fast path (`look_up_ids` false) does not look for stored ids:
    /// a retry is rare, and its insert finds the id taken, which answers `None`; the caller then
    /// tries again, looking them up.
    fn try_group(
        &mut self,
        jobs: &[&[NewPassage]],
        audit: &[&cordon_domain::audit::AuditEntry],
        look_up_ids: bool,
    ) -> Result<Option<Vec<JobResult>>, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let version: i64 = tx.query_row("PRAGMA data_version", [], |r| r.get(0))?;
        if self.data_version != Some(version) {
            self.lanes = all_lanes(&tx)?;
            self.data_version = Some(version);
        }
        let (_, ids) = group_keys(jobs);
        let existing = if look_up_ids {
            existing(&tx, &ids, &self.words)?
        } else {
            HashMap::new()
        };
        let recorded_at = cordon_domain::time::now_ms();
        let plan = plan_group(jobs, &self.lanes, &existing, recorded_at)?;
        let pending = words_sql::number_sqlite(
            &tx,
            &self.words,
            plan.to_insert.iter().map(|(p, _)| &p.decision),
        )?;
        if !insert(&tx, &plan.to_insert, recorded_at, true, |p| {
            pending.encode(&self.words, &p.decision)
        })? {
            return Ok(None); // dropping the transaction rolls it back
        }
        add_counts(&tx, &plan.to_insert, recorded_at)?;
        append_audit(
            &tx,
            &super::writer::accepted_audit(jobs, &plan.results, audit),
        )?;
        tx.commit()?;
        pending.commit(&self.words);
        metrics::counter!("cordon_store_passages_written_total", "backend" => "sqlite")
            .increment(plan.to_insert.len() as u64);
        Ok(Some(plan.results))
    }
}

impl BlockingGroupWrite for SqliteWriter {
    fn write_group(
        &mut self,
        jobs: &[&[NewPassage]],
        audit: &[&cordon_domain::audit::AuditEntry],
    ) -> Result<Vec<JobResult>, StoreError> {
        for attempt in 0..3 {
            if let Some(results) = self.try_group(jobs, audit, attempt > 0)? {
                return Ok(results);
            }
        }
        Err(StoreError::Unavailable(
            "concurrent writers kept colliding".into(),
        ))
    }

    /// A slice commits without waiting for the disk (`synchronous = NORMAL`): the next group's
    /// commit, or the run's mark after its last slice, takes it there with its own. A crash
    /// that loses a slice loses the mark too, and the next run purges the slice again.
    fn purge(&mut self, rows: &[i64]) -> Result<Vec<i64>, StoreError> {
        self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        let purged = self.purge_slice(rows);
        self.conn
            .pragma_update(None, "synchronous", synchronous())?;
        purged
    }
}

/// Extends the audit chain inside the writer's transaction (which holds SQLite's write lock, so
/// the head cannot move underneath).
pub(crate) fn append_audit(
    conn: &Connection,
    entries: &[&cordon_domain::audit::AuditEntry],
) -> Result<(), StoreError> {
    use crate::audit::{hash32, link, AUDIT_HEAD, AUDIT_INSERT};
    if entries.is_empty() {
        return Ok(());
    }
    let head: Option<(i64, Vec<u8>)> = conn
        .prepare_cached(AUDIT_HEAD)?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let head = match head {
        Some((seq, hash)) => Some((seq, hash32(&hash)?)),
        None => None,
    };
    let mut stmt = conn.prepare_cached(&format!(
        "{AUDIT_INSERT} VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"
    ))?;
    for l in link(head, entries) {
        let e = l.entry;
        stmt.execute(params![
            l.seq,
            e.at_ms,
            e.actor,
            e.role,
            e.scope,
            e.address,
            e.action,
            e.outcome,
            e.purpose,
            e.target,
            e.subjects.join(","),
            e.persons,
            &l.prev[..],
            &l.hash[..],
        ])?;
    }
    Ok(())
}

fn all_lanes(conn: &Connection) -> Result<HashMap<String, Lane>, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT code, id, lanes, status FROM checkpoints")?;
    let rows = stmt.query_map([], |r| {
        let status: String = r.get(3)?;
        Ok((
            r.get::<_, String>(0)?,
            Lane {
                id: r.get(1)?,
                lanes: r.get(2)?,
                open: status == cordon_domain::checkpoint::CheckpointStatus::Open.as_str(),
            },
        ))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn existing(
    conn: &Connection,
    ids: &[Uuid],
    words: &Words,
) -> Result<HashMap<Uuid, Existing>, StoreError> {
    let mut stmt = conn
        .prepare_cached("SELECT fingerprint, recorded_at, decision FROM passages WHERE id = ?1")?;
    let mut out = HashMap::new();
    for id in ids {
        let row = stmt
            .query_row([&id.as_bytes()[..]], |r| {
                Ok((
                    r.get::<_, Vec<u8>>(0)?,
                    r.get::<_, i64>(1)?,
                    crate::sqlite_read::bytes(r.get_ref(2)?)?,
                ))
            })
            .optional()?;
        if let Some((fingerprint, recorded_at, decision)) = row {
            words_sql::know_all_sqlite(conn, words, &decision)?;
            out.insert(
                *id,
                Existing::from_columns(fingerprint, recorded_at, &decision, words)?,
            );
        }
    }
    Ok(out)
}

/// Inserts passages (occupants inside, sealed) with one prepared statement per row, each
/// decision in the form `decision` makes. With `idempotent`, a passage whose id exists already
/// makes it answer `false` (the caller rolls back).
fn insert(
    conn: &Connection,
    rows_: &[(&NewPassage, i64)],
    recorded_at: i64,
    idempotent: bool,
    decision: impl Fn(&NewPassage) -> Vec<u8>,
) -> Result<bool, StoreError> {
    let conflict = if idempotent {
        " ON CONFLICT (id) DO NOTHING"
    } else {
        ""
    };
    let mut passage = conn.prepare_cached(&format!(
        "{PASSAGE_INSERT} VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22){conflict}"
    ))?;
    for (p, checkpoint_id) in rows_ {
        let d = &p.draft;
        let v = d.vehicle.as_ref();
        let observed = d.observed_at.timestamp_millis();
        let written = passage.execute(params![
            &d.id.as_bytes()[..],
            checkpoint_id,
            i64::from(d.lane),
            d.direction.as_str(),
            observed,
            i64::from(d.observed_at.offset().local_minus_utc()),
            recorded_at,
            v.map(|v| v.plate.as_str()),
            v.map(|v| v.plate_color.as_str()),
            v.map(|v| v.class.as_str()),
            d.origin.map(rows::division_int),
            d.destination.map(rows::division_int),
            d.occupants.len() as i64,
            p.decision.outcome.as_str(),
            decision(p),
            p.stored_fingerprint(),
            "",
            v.is_some_and(|v| v.freight_pass),
            &p.facts[..],
            &p.sealed[..],
            &p.occupant_keys,
            v.and_then(|v| v.goods).map(|g| g.as_str()),
        ])?;
        if written == 0 {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Adds a group's passages to the dashboard's counts, in the group's transaction.
fn add_counts(
    conn: &Connection,
    rows_: &[(&NewPassage, i64)],
    recorded_at: i64,
) -> Result<(), StoreError> {
    use crate::dashboard::counts::{revises_past, tally, COUNTS_ADD, COUNTS_REVISE, COUNTS_UPSERT};
    let mut stmt = conn.prepare_cached(&format!(
        "{COUNTS_UPSERT} VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14){COUNTS_ADD}"
    ))?;
    let tallied = tally(rows_, recorded_at);
    let revises = revises_past(&tallied, recorded_at);
    for ((checkpoint_id, hour), c) in tallied {
        let o = c.outcomes;
        stmt.execute(params![
            checkpoint_id,
            hour,
            c.passages,
            c.persons,
            c.handled,
            c.handling_ms,
            c.green,
            c.green_handled,
            c.green_handling_ms,
            o[0],
            o[1],
            o[2],
            o[3],
            o[4],
        ])?;
    }
    if revises {
        conn.prepare_cached(COUNTS_REVISE)?.execute([])?;
    }
    Ok(())
}

/// The benchmark baseline: the rows inserted with one prepared statement per row in one
/// transaction, on a connection of its own, with no checks.
pub(crate) fn raw_baseline(path: &Path, passages: &[NewPassage]) -> Result<(), StoreError> {
    let mut conn = connect(path)?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let lanes = all_lanes(&tx)?;
    let rows_: Vec<(&NewPassage, i64)> = passages
        .iter()
        .map(|p| {
            (
                p,
                lanes
                    .get(p.draft.checkpoint.as_str())
                    .map(|l| l.id)
                    .unwrap_or(0),
            )
        })
        .collect();
    // The decisions in their compact form's size (their words unnumbered: these rows are
    // timed, never read).
    insert(&tx, &rows_, cordon_domain::time::now_ms(), false, |p| {
        super::words::encode(&p.decision, |_| 1)
    })?;
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_writer_waits_for_the_lock_in_short_steps_up_to_the_busy_timeout() {
        let started = std::time::Instant::now();
        assert!(wait_for_lock(0), "the first tries wait");
        assert!(started.elapsed() < std::time::Duration::from_millis(1) * 50);
        assert!(wait_for_lock(10_017), "the last try within the timeout");
        assert!(!wait_for_lock(10_018), "ten seconds waited");
        assert!(!wait_for_lock(i32::MAX));
    }

    #[test]
    fn a_writer_gets_the_lock_another_connection_held() {
        let dir = std::env::temp_dir().join(format!("cordon-lock-{}", Uuid::now_v7().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("cordon.db");
        let holder = connect(&path).unwrap();
        holder.execute_batch("CREATE TABLE t (x INTEGER)").unwrap();
        holder
            .execute_batch("BEGIN IMMEDIATE; INSERT INTO t VALUES (1)")
            .unwrap();
        let waiter = std::thread::spawn({
            let path = path.clone();
            move || {
                connect(&path)
                    .unwrap()
                    .execute("INSERT INTO t VALUES (2)", [])
            }
        });
        std::thread::sleep(std::time::Duration::from_millis(30));
        holder.execute_batch("COMMIT").unwrap();
        assert_eq!(
            waiter.join().unwrap().unwrap(),
            1,
            "written once the lock was free"
        );
        let n: i64 = holder
            .query_row("SELECT COUNT(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 2);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
