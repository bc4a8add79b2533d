//! The trace benchmark's bulk load ([`super::TraceStore::load_trace_bench`]): passages that
//! carry keys but no personal data, with the secondary indexes dropped during the load and built
//! again after, and the SQL reference's person rows. SQLite is loaded through a rusqlite
//! connection of its own, PostgreSQL by `COPY`. Never used to serve requests.

use std::fmt::Write as _;
use std::path::Path;

use rusqlite::{params, TransactionBehavior};
use sqlx::postgres::PgPoolCopyExt;
use sqlx::PgPool;
use uuid::Uuid;

use super::reference::{
    bench_index, keys_column, stored_key, BENCH_INDEXES, PERSON_INSERT, REFERENCE_PERSONS_POSTGRES,
    REFERENCE_PERSONS_SQLITE,
};
use super::TraceRow;
use crate::db::Pool;
use crate::passage::sqlite_writer::connect;
use crate::store::SqlStore;
use crate::StoreError;

/// Loads `rows` into a fresh store.
pub(super) async fn load(store: &SqlStore, rows: Vec<TraceRow>) -> Result<(), StoreError> {
    match (&store.db.write, store.sqlite_path()) {
        (Pool::Postgres(pool), _) => load_postgres(pool, rows).await,
        (Pool::Sqlite(_), Some(path)) => {
            let path = path.to_owned();
            tokio::task::spawn_blocking(move || load_sqlite(&path, rows))
                .await
                .map_err(|e| StoreError::Unavailable(e.to_string()))?
        }
        (Pool::Sqlite(_), None) => Err(StoreError::Config("no SQLite file".into())),
    }
}

/// SQLite: rows in id order and the SQL reference's person rows in key order, so both tables
/// grow at their ends; secondary indexes built after.
fn load_sqlite(path: &Path, mut rows: Vec<TraceRow>) -> Result<(), StoreError> {
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
                    .map(move |(k, role)| (stored_key(k), r.observed_ms, &r.id, role.as_str()))
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

/// PostgreSQL: by `COPY`, the secondary indexes built after.
async fn load_postgres(pool: &PgPool, rows: Vec<TraceRow>) -> Result<(), StoreError> {
    for (name, _) in BENCH_INDEXES {
        sqlx::raw_sql(&format!("DROP INDEX IF EXISTS {name}"))
            .execute(pool)
            .await?;
    }
    sqlx::raw_sql(REFERENCE_PERSONS_POSTGRES)
        .execute(pool)
        .await?;
    let days: std::collections::BTreeSet<i64> = rows
        .iter()
        .map(|r| crate::days::day_of(r.observed_ms))
        .collect();
    sqlx::query("SELECT cordon_personal_partition(d) FROM UNNEST($1::BIGINT[]) AS d")
        .bind(days.into_iter().collect::<Vec<_>>())
        .execute(pool)
        .await?;
    for chunk in rows.chunks(50_000) {
        // Each passage's core, then its personal part (migration 43).
        let mut core = String::with_capacity(chunk.len() * 150);
        let mut personal = String::with_capacity(chunk.len() * 150);
        for r in chunk {
            let _ = writeln!(
                core,
                "{}\t{}\t{}\t{}\t{}\t28800\t{}\t{}\tpass\t{{}}\t\\\\x",
                r.id,
                r.checkpoint_id,
                r.lane,
                if r.inbound { "in" } else { "out" },
                r.observed_ms,
                r.recorded_ms,
                r.occupants.len(),
            );
            let _ = writeln!(
                personal,
                "{}\t{}\t{}\t{}\t\\\\x{}",
                r.observed_ms,
                r.id,
                r.occupants.len(),
                r.plate.as_deref().unwrap_or("\\N"),
                cordon_domain::audit::hex(&keys_column(r)),
            );
        }
        for (copy, text) in [
            (
                "COPY passage_core (id, checkpoint_id, lane, direction, observed_at, \
                 observed_offset, recorded_at, persons, outcome, decision, fingerprint) FROM STDIN",
                core,
            ),
            (
                "COPY passage_personal (observed_at, id, persons, plate, occupant_keys) FROM STDIN",
                personal,
            ),
        ] {
            let mut copy = pool.copy_in_raw(copy).await?;
            copy.send(text.into_bytes()).await?;
            copy.finish().await?;
        }
        let mut text = String::with_capacity(chunk.len() * 200);
        for r in chunk {
            for (k, role) in &r.occupants {
                let k = stored_key(k);
                let _ = writeln!(text, "{k}\t{}\t{}\t{}", r.observed_ms, r.id, role.as_str());
            }
        }
        let mut copy = pool
            .copy_in_raw(
                "COPY trace_reference_persons (doc_key, observed_at, passage, role) FROM STDIN",
            )
            .await?;
        copy.send(text.into_bytes()).await?;
        copy.finish().await?;
    }
    for (_, create) in BENCH_INDEXES {
        sqlx::raw_sql(&bench_index(create, true))
            .execute(pool)
            .await?;
    }
    sqlx::raw_sql("ANALYZE passage_core, passage_personal, trace_reference_persons")
        .execute(pool)
        .await?;
    Ok(())
}
