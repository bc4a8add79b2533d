//! SQLite's direct reads: a few read-only rusqlite connections, used synchronously by the
//! request's own task for the hot point reads (a passage by id: [`crate::passage::direct`]). A
//! point read by primary key takes tens of microseconds and, in WAL mode, never waits for the
//! writer; sqlx's SQLite driver would hand every statement and every row to a worker thread and
//! back, which cost more than the read (measured by `cordon bench audit`, docs/BENCHMARKS.md).
//! The trace index's reads of what was recorded (every passage, once at start and then as it
//! arrives: [`crate::trace::direct`]) go the same way, on a blocking thread.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OpenFlags};
use uuid::Uuid;

use crate::StoreError;

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

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn open(&self) -> Result<Connection, StoreError> {
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(crate::db::BUSY_TIMEOUT)?;
        conn.pragma_update(None, "cache_size", -16384)?;
        conn.set_prepared_statement_cache_capacity(16);
        Ok(conn)
    }

    /// Runs `f` on an idle connection (or a new one) and puts it back.
    pub fn with<R>(
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

    /// Runs `read` on a blocking thread (the trace reads are long scans): the async store
    /// methods call this when they read straight from the file.
    pub async fn off_runtime<T: Send + 'static>(
        &self,
        read: impl FnOnce(&DirectReads) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let reads = self.clone();
        tokio::task::spawn_blocking(move || read(&reads))
            .await
            .map_err(|e| StoreError::Unavailable(format!("direct read: {e}")))?
    }
}

pub(crate) fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(what.to_owned())
}

/// A passage id stored as a 16-byte blob in column `i`.
pub(crate) fn blob_id(r: &rusqlite::Row<'_>, i: usize) -> Result<Uuid, StoreError> {
    Uuid::from_slice(r.get_ref(i)?.as_blob()?).map_err(|_| corrupt("passage id"))
}

/// The bytes of a column that holds text or a blob (a column whose stored form changed from one
/// to the other).
pub(crate) fn bytes(v: rusqlite::types::ValueRef<'_>) -> rusqlite::Result<Vec<u8>> {
    use rusqlite::types::ValueRef;
    match v {
        ValueRef::Text(b) | ValueRef::Blob(b) => Ok(b.to_vec()),
        other => Err(rusqlite::Error::InvalidColumnType(
            0,
            "text or blob".into(),
            other.data_type(),
        )),
    }
}

/// [`bytes`], NULL as `None`.
pub(crate) fn opt_bytes(v: rusqlite::types::ValueRef<'_>) -> rusqlite::Result<Option<Vec<u8>>> {
    match v {
        rusqlite::types::ValueRef::Null => Ok(None),
        v => bytes(v).map(Some),
    }
}
