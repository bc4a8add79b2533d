//! The two backends' connection pools behind one type, and the one way SQL reaches them.
//!
//! A query is written once, as the body of [`on_pool!`], which expands it into one `match` arm
//! per backend with the pool bound to its concrete type: sqlx's types resolve per arm, the
//! futures stay `Send`, and rustfmt formats the body like any other Rust (the macro holds no
//! SQL). Rows come back as tuples (`query_as`), which small functions beside each query turn
//! into domain types; those are tested without a database. See docs/DECISIONS.md, "Store code
//! as plain Rust".
//!
//! Writes that read before they write open their transaction with [`begin_write`]: on SQLite
//! `BEGIN IMMEDIATE`, so that the transaction waits its turn for the write lock (up to the busy
//! timeout) instead of failing when another connection wrote since it began reading; on
//! PostgreSQL a plain `BEGIN`, with deadlocks and serialisation failures retried by [`retry`].

use std::future::Future;
use std::time::Duration;

use cordon_domain::access::Scope;
use sqlx::{Database, Encode, PgPool, QueryBuilder, SqlitePool, Transaction, Type};

use crate::StoreError;

/// Rows per multi-row statement: well under both backends' limits on bound parameters.
pub(crate) const CHUNK: usize = 1_000;

/// Ids per `IN (...)` list of the trace reads.
pub(crate) const IDS_PER_QUERY: usize = 500;

/// How long a write waits for SQLite's write lock (held by the passage writer's group, or by
/// another write) before it is answered 503.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// A pool of one backend.
#[derive(Debug, Clone)]
pub(crate) enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// The pools a store reads and writes through. On SQLite the writing pool has one connection
/// and the reading pool opens the file read-only; on PostgreSQL both are the same pool.
#[derive(Debug, Clone)]
pub(crate) struct Db {
    pub read: Pool,
    pub write: Pool,
}

/// Runs one expression on whichever backend `$pool` is, with `$p` bound to its concrete pool
/// (`&SqlitePool` or `&PgPool`): `on_pool!(&db.read, |p| sqlx::query("...").execute(p).await?)`.
/// Both arms must come to the same type, so rows are decoded inside (into tuples or counts).
macro_rules! on_pool {
    ($pool:expr, |$p:ident| $body:expr) => {
        match $pool {
            $crate::db::Pool::Sqlite($p) => $body,
            $crate::db::Pool::Postgres($p) => $body,
        }
    };
}
pub(crate) use on_pool;

/// Opens a transaction that will write: see the module's notes.
pub(crate) trait BeginWrite {
    type Db: Database;
    fn begin_write(
        &self,
    ) -> impl Future<Output = Result<Transaction<'static, Self::Db>, sqlx::Error>> + Send;
}

impl BeginWrite for SqlitePool {
    type Db = sqlx::Sqlite;
    fn begin_write(
        &self,
    ) -> impl Future<Output = Result<Transaction<'static, sqlx::Sqlite>, sqlx::Error>> + Send {
        self.begin_with("BEGIN IMMEDIATE")
    }
}

impl BeginWrite for PgPool {
    type Db = sqlx::Postgres;
    fn begin_write(
        &self,
    ) -> impl Future<Output = Result<Transaction<'static, sqlx::Postgres>, sqlx::Error>> + Send
    {
        self.begin()
    }
}

/// Attempts of a write that keeps meeting contention before it gives up (answered 503).
const ATTEMPTS: u32 = 8;

/// Whether an error is contention that a new attempt of the whole transaction gets past: a
/// PostgreSQL deadlock or serialisation failure. (SQLite waits for its lock up to the busy
/// timeout inside the attempt; busy after that, it is answered 503, see
/// [`StoreError::is_contention`].)
pub(crate) fn is_retryable(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if matches!(d.code().as_deref(), Some("40P01") | Some("40001")))
}

/// Runs a write (a whole transaction) again when it met contention, a little later each time;
/// after [`ATTEMPTS`] it answers `Unavailable`, which the server answers 503 with `Retry-After`.
pub(crate) async fn retry<T, F, Fut>(mut attempt: F) -> Result<T, StoreError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, StoreError>>,
{
    let mut n = 0;
    loop {
        n += 1;
        match attempt().await {
            Err(StoreError::Database(e)) if is_retryable(&e) => {
                tracing::debug!(attempt = n, error = %e, "write met contention; trying again");
                after_contention(n).await?;
            }
            other => return other,
        }
    }
}

/// After attempt `n` of a write met contention: waits a little more each time before the next,
/// or after [`ATTEMPTS`] answers `Unavailable` (for a write whose attempts [`retry`] cannot
/// run, such as a statement on a connection the caller holds).
pub(crate) async fn after_contention(n: u32) -> Result<(), StoreError> {
    if n >= ATTEMPTS {
        return Err(StoreError::Unavailable(
            "the database stayed busy; try again".into(),
        ));
    }
    tokio::time::sleep(Duration::from_millis(2 * u64::from(n * n))).await;
    Ok(())
}

/// The smallest and largest division codes inside `code`.
pub(crate) fn division_range(code: cordon_domain::division::DivisionCode) -> (i64, i64) {
    use cordon_domain::division::DivisionLevel;
    let c = i64::from(code.value());
    match code.level() {
        DivisionLevel::Province => (c, c + 9_999),
        DivisionLevel::City => (c, c + 99),
        DivisionLevel::County => (c, c),
    }
}

/// Appends ` AND <checkpoint c in scope>` to a query that joins `checkpoints c`.
pub(crate) fn push_scope<'a, DB: Database>(q: &mut QueryBuilder<'a, DB>, scope: &Scope)
where
    i64: Encode<'a, DB> + Type<DB>,
    String: Encode<'a, DB> + Type<DB>,
{
    match scope {
        Scope::Division(d) => {
            let (lo, hi) = division_range(*d);
            q.push(" AND c.jurisdiction BETWEEN ")
                .push_bind(lo)
                .push(" AND ")
                .push_bind(hi);
        }
        Scope::Checkpoints(list) => {
            q.push(" AND c.code IN (");
            let mut sep = q.separated(", ");
            for code in list.iter() {
                sep.push_bind(code.as_str().to_owned());
            }
            q.push(")");
        }
    }
}

/// Appends `(v1, v2, ...)`: the values of an `IN` list.
pub(crate) fn push_list<'a, DB: Database, T>(
    q: &mut QueryBuilder<'a, DB>,
    values: impl IntoIterator<Item = T>,
) where
    T: Encode<'a, DB> + Type<DB> + 'a,
{
    q.push("(");
    let mut sep = q.separated(", ");
    for v in values {
        sep.push_bind(v);
    }
    q.push(")");
}

/// Appends ` AND <column> / 3600000 IN (<hours>)`: the hour-first index's seeks
/// ([`crate::hours`]).
pub(crate) fn push_hours<'a, DB: Database>(
    q: &mut QueryBuilder<'a, DB>,
    column: &str,
    hours: std::ops::RangeInclusive<i64>,
) where
    i64: Encode<'a, DB> + Type<DB>,
{
    q.push(format!(" AND {column} / 3600000 IN "));
    push_list(q, hours);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn division_ranges_hold_their_children() {
        let p = cordon_domain::division::DivisionCode::parse("130000").unwrap();
        let c = cordon_domain::division::DivisionCode::parse("130100").unwrap();
        let k = cordon_domain::division::DivisionCode::parse("130102").unwrap();
        assert_eq!(division_range(p), (130_000, 139_999));
        assert_eq!(division_range(c), (130_100, 130_199));
        assert_eq!(division_range(k), (130_102, 130_102));
    }

    #[test]
    fn scope_and_lists_bind_their_values() {
        let mut q = QueryBuilder::<sqlx::Postgres>::new("SELECT 1 FROM checkpoints c WHERE 1 = 1");
        push_scope(
            &mut q,
            &Scope::parse("CP-130100-0002,CP-130100-0001").unwrap(),
        );
        push_hours(&mut q, "p.observed_at", 10..=12);
        assert_eq!(
            q.sql(),
            "SELECT 1 FROM checkpoints c WHERE 1 = 1 AND c.code IN ($1, $2) \
             AND p.observed_at / 3600000 IN ($3, $4, $5)"
        );
        let mut q = QueryBuilder::<sqlx::Sqlite>::new("x");
        push_scope(&mut q, &Scope::parse("130100").unwrap());
        assert_eq!(q.sql(), "x AND c.jurisdiction BETWEEN ? AND ?");
    }

    /// A database error with a given SQLSTATE, as PostgreSQL reports a deadlock.
    #[derive(Debug)]
    struct Coded(&'static str);

    impl std::fmt::Display for Coded {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "error {}", self.0)
        }
    }

    impl std::error::Error for Coded {}

    impl sqlx::error::DatabaseError for Coded {
        fn message(&self) -> &str {
            "test"
        }
        fn code(&self) -> Option<std::borrow::Cow<'_, str>> {
            Some(self.0.into())
        }
        fn as_error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
            self
        }
        fn as_error_mut(&mut self) -> &mut (dyn std::error::Error + Send + Sync + 'static) {
            self
        }
        fn into_error(self: Box<Self>) -> Box<dyn std::error::Error + Send + Sync + 'static> {
            self
        }
        fn kind(&self) -> sqlx::error::ErrorKind {
            sqlx::error::ErrorKind::Other
        }
    }

    fn coded(code: &'static str) -> StoreError {
        StoreError::Database(sqlx::Error::Database(Box::new(Coded(code))))
    }

    #[test]
    fn busy_databases_are_told_apart_from_failures() {
        for busy in ["5", "517", "261", "6", "40P01", "40001"] {
            assert!(coded(busy).is_busy(), "{busy}");
        }
        for other in ["23505", "1", "19", "2067"] {
            assert!(!coded(other).is_busy(), "{other}");
        }
        assert!(StoreError::Database(sqlx::Error::PoolTimedOut).is_busy());
        assert!(!StoreError::not_found("x").is_busy());
    }

    #[tokio::test]
    async fn retry_repeats_deadlocks_gives_up_and_passes_other_errors() {
        let mut calls = 0;
        let r: Result<u32, StoreError> = retry(|| {
            calls += 1;
            let n = calls;
            async move {
                match n {
                    1 => Err(coded("40P01")),
                    2 => Err(coded("40001")),
                    _ => Ok(n),
                }
            }
        })
        .await;
        assert_eq!(r.unwrap(), 3);
        let mut calls = 0;
        let r: Result<(), StoreError> = retry(|| {
            calls += 1;
            async { Err(coded("40P01")) }
        })
        .await;
        assert!(matches!(r, Err(StoreError::Unavailable(_))));
        assert_eq!(calls, ATTEMPTS);
        for other in [coded("23505"), StoreError::not_found("x")] {
            let mut calls = 0;
            let mut once = Some(other);
            let r: Result<(), StoreError> = retry(|| {
                calls += 1;
                let e = once.take().expect("called once");
                async move { Err(e) }
            })
            .await;
            assert!(!matches!(r, Err(StoreError::Unavailable(_))));
            assert_eq!(calls, 1);
        }
    }
}
