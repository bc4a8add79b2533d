//! SQLite's registration writer: a thread that owns one direct (rusqlite) connection to the
//! database file and writes each group in one `BEGIN IMMEDIATE` transaction with cached prepared
//! statements. Reads and the registry's other writes go through sqlx; registrations, the hot
//! path, skip its per-statement hand-off between threads.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use uuid::Uuid;

use crate::rows;
use crate::sql::{PASSAGE_INSERT, PERSON_INSERT};
use crate::writer::{group_keys, plan_group, BlockingGroupWrite, Existing, JobResult, Lane};
use crate::{NewPassage, StoreError};

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

pub(crate) fn connect(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(Duration::from_secs(10))?;
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
}

impl SqliteWriter {
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Ok(Self {
            conn: connect(path)?,
            lanes: HashMap::new(),
            data_version: None,
        })
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
            existing(&tx, &ids)?
        } else {
            HashMap::new()
        };
        let recorded_at = cordon_domain::time::now_ms();
        let plan = plan_group(jobs, &self.lanes, &existing, recorded_at)?;
        if !insert(&tx, &plan.to_insert, recorded_at, true)? {
            return Ok(None); // dropping the transaction rolls it back
        }
        append_audit(
            &tx,
            &crate::writer::accepted_audit(jobs, &plan.results, audit),
        )?;
        tx.commit()?;
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
}

/// Extends the audit chain inside the writer's transaction (which holds SQLite's write lock, so
/// the head cannot move underneath).
fn append_audit(
    conn: &Connection,
    entries: &[&cordon_domain::audit::AuditEntry],
) -> Result<(), StoreError> {
    use crate::access_store::{hash32, link, AUDIT_HEAD, AUDIT_INSERT};
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

fn existing(conn: &Connection, ids: &[Uuid]) -> Result<HashMap<Uuid, Existing>, StoreError> {
    let mut stmt = conn
        .prepare_cached("SELECT fingerprint, recorded_at, decision FROM passages WHERE id = ?1")?;
    let mut out = HashMap::new();
    for id in ids {
        let row = stmt
            .query_row([&id.as_bytes()[..]], |r| {
                Ok((
                    r.get::<_, Vec<u8>>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })
            .optional()?;
        if let Some((fingerprint, recorded_at, decision)) = row {
            out.insert(
                *id,
                Existing::from_columns(fingerprint, recorded_at, &decision)?,
            );
        }
    }
    Ok(out)
}

/// Inserts passages (occupants inside, sealed) with one prepared statement per row. With
/// `idempotent`, a passage whose id exists already makes it answer `false` (the
/// caller rolls back).
fn insert(
    conn: &Connection,
    rows_: &[(&NewPassage, i64)],
    recorded_at: i64,
    idempotent: bool,
) -> Result<bool, StoreError> {
    let conflict = if idempotent {
        " ON CONFLICT (id) DO NOTHING"
    } else {
        ""
    };
    let mut passage = conn.prepare_cached(&format!(
        "{PASSAGE_INSERT} VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21){conflict}"
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
            &p.decision_json,
            &p.fingerprint[..],
            "",
            v.is_some_and(|v| v.freight_pass),
            &p.facts[..],
            &p.sealed[..],
            &p.occupant_keys,
        ])?;
        if written == 0 {
            return Ok(false);
        }
    }
    Ok(true)
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
    insert(&tx, &rows_, cordon_domain::time::now_ms(), false)?;
    tx.commit()?;
    Ok(())
}

/// The trace benchmark's load (see [`crate::TraceStore::load_trace_bench`]): rows in id order and
/// the SQL reference's person rows in key order, so both tables grow at their ends; secondary
/// indexes built after.
pub(crate) fn trace_bench_load(
    path: &Path,
    mut rows: Vec<crate::trace_store::TraceRow>,
) -> Result<(), StoreError> {
    use crate::trace_sql::{keys_column, BENCH_INDEXES, REFERENCE_PERSONS_SQLITE};
    let mut conn = connect(path)?;
    for (name, _) in BENCH_INDEXES {
        conn.execute_batch(&format!("DROP INDEX IF EXISTS {name}"))?;
    }
    conn.execute_batch(REFERENCE_PERSONS_SQLITE)?;
    rows.sort_unstable_by_key(|r| r.id);
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    {
        let mut passage = tx.prepare(
            "INSERT INTO passages (id, checkpoint_id, lane, direction, observed_at, observed_offset, \
             recorded_at, plate, persons, outcome, decision, fingerprint, occupants, occupant_keys) \
             VALUES (?1, ?2, ?3, ?4, ?5, 28800, ?6, ?7, ?8, 'pass', '{}', x'', '', ?9)",
        )?;
        for r in &rows {
            passage.execute(params![
                &r.id.as_bytes()[..],
                r.checkpoint_id,
                r.lane,
                if r.inbound { "in" } else { "out" },
                r.observed_ms,
                r.recorded_ms,
                r.plate,
                r.occupants.len() as i64,
                keys_column(r),
            ])?;
        }
        let mut persons: Vec<(&str, i64, &Uuid, &str)> = rows
            .iter()
            .flat_map(|r| {
                r.occupants
                    .iter()
                    .map(move |(k, role)| (k.as_str(), r.observed_ms, &r.id, role.as_str()))
            })
            .collect();
        persons.sort_unstable();
        let mut person = tx.prepare(&format!("{PERSON_INSERT} VALUES (?1, ?2, ?3, ?4)"))?;
        for (key, at, id, role) in persons {
            person.execute(params![key, at, &id.as_bytes()[..], role])?;
        }
    }
    tx.commit()?;
    for (_, create) in BENCH_INDEXES {
        conn.execute_batch(create)?;
    }
    conn.execute_batch("ANALYZE")?;
    Ok(())
}

/// Streams the passages observed in `period` to a dry-run, on a read-only connection of its
/// own: rusqlite directly, since sqlx's per-row hand-off would cost more than the scan.
pub(crate) fn replay(
    path: &Path,
    period: crate::Period,
    to: &tokio::sync::mpsc::Sender<Vec<crate::policy_store::ReplayRow>>,
) -> Result<u64, StoreError> {
    use crate::policy_store::{ReplayRow, REPLAY_BATCH};
    use cordon_domain::passage::Outcome;
    let conn = Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.pragma_update(None, "cache_size", -65536)?;
    let mut stmt = conn.prepare(
        "SELECT id, checkpoint_id, observed_at, observed_offset, outcome, facts FROM passages \
         WHERE observed_at >= ?1 AND observed_at < ?2 AND facts IS NOT NULL",
    )?;
    let mut rows = stmt.query(params![period.from_ms, period.to_ms])?;
    let mut batch = Vec::with_capacity(REPLAY_BATCH);
    let mut sent = 0u64;
    let corrupt = |what: &str| StoreError::Corrupt(what.to_owned());
    while let Some(r) = rows.next()? {
        let id = r.get_ref(0)?.as_blob()?;
        let outcome = r.get_ref(4)?.as_str()?;
        batch.push(ReplayRow {
            id: Uuid::from_slice(id).map_err(|_| corrupt("passage id"))?,
            checkpoint_id: r.get(1)?,
            observed_ms: r.get(2)?,
            offset_s: r.get::<_, i64>(3)? as i32,
            outcome: Outcome::parse(outcome).map_err(|_| corrupt("outcome"))?,
            facts: r.get_ref(5)?.as_blob()?.to_vec(),
        });
        if batch.len() == REPLAY_BATCH {
            sent += batch.len() as u64;
            if to.blocking_send(std::mem::take(&mut batch)).is_err() {
                return Ok(sent);
            }
            batch.reserve(REPLAY_BATCH);
        }
    }
    sent += batch.len() as u64;
    if !batch.is_empty() {
        let _ = to.blocking_send(batch);
    }
    Ok(sent)
}
