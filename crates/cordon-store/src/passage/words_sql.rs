//! The decision dictionary's table (`decision_words`, see [`super::words`]): new words written
//! inside the writer's transaction (SQLite's direct connection, PostgreSQL's), the table read
//! again when a reader meets a number it does not know.

use std::collections::{BTreeSet, HashMap};

use cordon_domain::passage::Decision;

use super::words::{self, Words};
use crate::db::{on_pool, Pool};
use crate::StoreError;

const INSERT: &str = "INSERT INTO decision_words (text) VALUES ($1) ON CONFLICT (text) DO NOTHING";
const FIND: &str = "SELECT id FROM decision_words WHERE text = $1";
const ALL: &str = "SELECT id, text FROM decision_words";

/// The words of a transaction not yet committed: numbered, but kept apart from [`Words`] until
/// the transaction commits (a rolled-back number may be given again).
#[derive(Default)]
pub(crate) struct Pending(HashMap<String, i64>);

impl Pending {
    /// Encodes `d` with the known words and the pending ones (each must be one of them).
    pub fn encode(&self, words: &Words, d: &Decision) -> Vec<u8> {
        words::encode(d, |t| {
            self.0
                .get(t)
                .copied()
                .or_else(|| words.id(t))
                .expect("every word was numbered first")
        })
    }

    /// After the commit: the new words join the dictionary.
    pub fn commit(self, words: &Words) {
        if !self.0.is_empty() {
            words.add(self.0.into_iter().map(|(t, id)| (id, t)));
        }
    }
}

/// The words of `decisions` the dictionary lacks, in one order for every process (so that two
/// writers adding the same new words wait for each other instead of deadlocking).
fn new_words<'d>(
    words: &Words,
    decisions: impl IntoIterator<Item = &'d Decision>,
) -> BTreeSet<String> {
    decisions
        .into_iter()
        .flat_map(words::texts)
        .filter(|t| words.id(t).is_none())
        .collect()
}

/// Numbers the words of `decisions` that are new, on SQLite's direct connection, inside its
/// transaction.
pub(crate) fn number_sqlite<'d>(
    conn: &rusqlite::Connection,
    words: &Words,
    decisions: impl IntoIterator<Item = &'d Decision>,
) -> Result<Pending, StoreError> {
    let mut pending = Pending::default();
    for t in new_words(words, decisions) {
        conn.prepare_cached(INSERT)?.execute([&t])?;
        let id: i64 = conn.prepare_cached(FIND)?.query_row([&t], |r| r.get(0))?;
        pending.0.insert(t, id);
    }
    Ok(pending)
}

/// [`number_sqlite`] on a PostgreSQL connection inside its transaction.
pub(crate) async fn number_postgres<'d>(
    conn: &mut sqlx::PgConnection,
    words: &Words,
    decisions: impl IntoIterator<Item = &'d Decision>,
) -> Result<Pending, StoreError> {
    let mut pending = Pending::default();
    for t in new_words(words, decisions) {
        sqlx::query(INSERT).bind(&t).execute(&mut *conn).await?;
        let id: i64 = sqlx::query_scalar(FIND)
            .bind(&t)
            .fetch_one(&mut *conn)
            .await?;
        pending.0.insert(t, id);
    }
    Ok(pending)
}

/// Reads the whole table into `words` when one of `stored` names a word not known here.
pub(crate) async fn know_all<'s>(
    pool: &Pool,
    words: &Words,
    stored: impl IntoIterator<Item = &'s [u8]>,
) -> Result<(), StoreError> {
    if stored.into_iter().all(|s| words.knows_all(s)) {
        return Ok(());
    }
    let all: Vec<(i64, String)> = on_pool!(pool, |p| sqlx::query_as(ALL).fetch_all(p).await?);
    words.add(all);
    Ok(())
}

/// [`know_all`] on SQLite's direct connection.
pub(crate) fn know_all_sqlite(
    conn: &rusqlite::Connection,
    words: &Words,
    stored: &[u8],
) -> Result<(), StoreError> {
    if words.knows_all(stored) {
        return Ok(());
    }
    let mut stmt = conn.prepare_cached(ALL)?;
    let all = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<Vec<(i64, String)>, _>>()?;
    words.add(all);
    Ok(())
}

/// The dictionary as the table holds it now (at open).
pub(crate) async fn loaded(pool: &Pool) -> Result<std::sync::Arc<Words>, StoreError> {
    let all: Vec<(i64, String)> = on_pool!(pool, |p| sqlx::query_as(ALL).fetch_all(p).await?);
    let words = Words::default();
    words.add(all);
    Ok(std::sync::Arc::new(words))
}
