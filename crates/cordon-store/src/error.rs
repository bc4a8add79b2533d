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

    /// Whether the database reported a unique-constraint violation.
    pub fn is_unique_violation(e: &sqlx::Error) -> bool {
        matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
    }
}
