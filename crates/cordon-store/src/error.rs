//! Store errors: what the caller did wrong (mapped to 4xx by the server) kept apart from what
//! went wrong underneath (5xx).

use cordon_domain::FieldError;

/// Why a registration was refused; `index` is its position in the submitted batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordRejection {
    UnknownCheckpoint {
        index: usize,
    },
    CheckpointClosed {
        index: usize,
    },
    LaneOutOfRange {
        index: usize,
        lanes: u16,
    },
    /// The id was recorded before with different content.
    IdConflict {
        index: usize,
    },
    /// The same id twice in one batch with different content.
    DuplicateInBatch {
        index: usize,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{what} not found")]
    NotFound { what: String },
    /// The input contradicts what is stored (duplicate code, unknown parent...).
    #[error("{0}")]
    Invalid(FieldError),
    #[error("registration refused: {0:?}")]
    Rejected(RecordRejection),
    /// Outside the caller's scope.
    #[error("outside the account's scope")]
    Forbidden,
    #[error("configuration: {0}")]
    Config(String),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    #[error("the store is shutting down")]
    Closed,
    /// A group write failed underneath; every request in the group gets this.
    #[error("database unavailable: {0}")]
    Unavailable(String),
}

impl StoreError {
    pub fn not_found(what: impl Into<String>) -> Self {
        StoreError::NotFound { what: what.into() }
    }

    pub fn invalid(code: &str, field: &str, message: impl Into<String>) -> Self {
        StoreError::Invalid(FieldError::new(code, field, message))
    }

    /// Whether the database stayed busy past the wait for its lock (SQLite busy or locked after
    /// its timeout, a pool with no free connection in time), or PostgreSQL kept deadlocking: the
    /// same request may succeed a moment later. The server answers it 503 with `Retry-After`.
    pub fn is_busy(&self) -> bool {
        match self {
            StoreError::Unavailable(_) => true,
            StoreError::Database(sqlx::Error::PoolTimedOut) => true,
            StoreError::Database(sqlx::Error::Database(d)) => {
                let code = d.code();
                let code = code.as_deref().unwrap_or("");
                // SQLite: SQLITE_BUSY (5) and SQLITE_LOCKED (6) with their extended codes;
                // PostgreSQL: deadlock, serialisation failure.
                code.parse::<i64>()
                    .is_ok_and(|c| c & 0xff == 5 || c & 0xff == 6)
                    || matches!(code, "40P01" | "40001")
            }
            _ => false,
        }
    }

    /// Whether the database reported a unique-constraint violation.
    pub fn is_unique_violation(e: &sqlx::Error) -> bool {
        matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
    }
}
