//! PostgreSQL's registration writer: an async task that writes each group with multi-row
//! statements. Idempotency across processes rests on the primary key of `passages`: a
//! registration written by another process between our check and our insert is detected by
//! `ON CONFLICT DO NOTHING`, the group is rolled back and planned again, and then sees it.

use std::collections::HashMap;
use std::time::Duration;

use async_trait::async_trait;
use cordon_domain::checkpoint::CheckpointStatus;
use sqlx::{PgPool, Postgres, Row as _};
use uuid::Uuid;

use super::postgres_rows::{self, is_missing_partition, Partitions};
use super::words::Words;
use super::words_sql::{self, Pending};
use super::writer::{group_keys, plan_group, Existing, GroupWrite, JobResult, Lane};
use super::NewPassage;
use crate::db::CHUNK;
use crate::StoreError;

type Tx = sqlx::Transaction<'static, Postgres>;

/// The group writer's handle on the database.
pub(crate) struct PgWriter {
    pub pool: PgPool,
    /// The decision dictionary, shared with the store's reads.
    pub words: std::sync::Arc<Words>,
    /// The day partitions of the personal data it made sure of.
    pub partitions: std::sync::Arc<Partitions>,
}

/// The benchmark baseline: one statement per row, one transaction.
pub(crate) async fn raw_baseline(
    pool: &PgPool,
    passages: Vec<NewPassage>,
) -> Result<(), StoreError> {
    let observed = passages
        .iter()
        .map(|p| p.draft.observed_at.timestamp_millis());
    Partitions::default().ensure(pool, observed).await?;
    let mut tx = pool.begin().await?;
    let ids = lanes(&mut tx, &group_keys(&[&passages]).0).await?;
    let now = cordon_domain::time::now_ms();
    for p in &passages {
        let checkpoint = ids
            .get(p.draft.checkpoint.as_str())
            .map(|l| l.id)
            .unwrap_or(0);
        // The compact form's size, its words unnumbered: these rows are timed, never read.
        postgres_rows::insert(&mut tx, &[(p, checkpoint)], now, |p| {
            super::words::encode(&p.decision, |_| 1)
        })
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

async fn lanes(tx: &mut Tx, codes: &[&str]) -> Result<HashMap<String, Lane>, StoreError> {
    let codes: Vec<String> = codes.iter().map(|c| c.to_string()).collect();
    let mut out = HashMap::new();
    for r in sqlx::query("SELECT id, code, lanes, status FROM checkpoints WHERE code = ANY($1)")
        .bind(&codes)
        .fetch_all(&mut **tx)
        .await?
    {
        let status: String = r.try_get(3)?;
        out.insert(
            r.try_get::<String, _>(1)?,
            Lane {
                id: r.try_get(0)?,
                lanes: r.try_get(2)?,
                open: status == CheckpointStatus::Open.as_str(),
            },
        );
    }
    Ok(out)
}

async fn existing(
    tx: &mut Tx,
    ids: &[Uuid],
    words: &Words,
) -> Result<HashMap<Uuid, Existing>, StoreError> {
    let mut out = HashMap::new();
    for r in sqlx::query(
        "SELECT id, fingerprint, recorded_at, decision FROM passage_core WHERE id = ANY($1)",
    )
    .bind(ids)
    .fetch_all(&mut **tx)
    .await?
    {
        let decision: Vec<u8> = r.try_get(3)?;
        if !words.knows_all(&decision) {
            let all: Vec<(i64, String)> = sqlx::query_as("SELECT id, text FROM decision_words")
                .fetch_all(&mut **tx)
                .await?;
            words.add(all);
        }
        out.insert(
            r.try_get::<Uuid, _>(0)?,
            Existing::from_columns(r.try_get(1)?, r.try_get(2)?, &decision, words)?,
        );
    }
    Ok(out)
}

/// Inserts passages (occupants inside, sealed); answers `false` when another writer got one of
/// the ids first (the caller rolls back).
async fn insert(
    tx: &mut Tx,
    rows_: &[(&NewPassage, i64)],
    recorded_at: i64,
    words: &Words,
    pending: &Pending,
) -> Result<bool, StoreError> {
    let mut inserted = 0;
    for chunk in rows_.chunks(CHUNK) {
        inserted += postgres_rows::insert(tx, chunk, recorded_at, |p| {
            pending.encode(words, &p.decision)
        })
        .await?;
    }
    Ok(inserted == rows_.len() as u64)
}

/// Adds a group's passages to the dashboard's counts, in the group's transaction (rows in key
/// order: two processes' groups wait for each other's rows instead of deadlocking).
async fn add_counts(
    tx: &mut Tx,
    rows_: &[(&NewPassage, i64)],
    recorded_at: i64,
) -> Result<(), StoreError> {
    use crate::dashboard::counts::{revises_past, tally, COUNTS_ADD, COUNTS_REVISE, COUNTS_UPSERT};
    // As fourteen arrays in one statement (a group's rows can be as many as its passages).
    let tallied = tally(rows_, recorded_at);
    let revises = revises_past(&tallied, recorded_at);
    let mut columns: Vec<Vec<i64>> = (0..14).map(|_| Vec::with_capacity(tallied.len())).collect();
    for ((checkpoint_id, hour), c) in tallied {
        let values = [
            checkpoint_id,
            hour,
            c.passages,
            c.persons,
            c.handled,
            c.handling_ms,
            c.green,
            c.green_handled,
            c.green_handling_ms,
        ];
        for (column, v) in columns.iter_mut().zip(values.into_iter().chain(c.outcomes)) {
            column.push(v);
        }
    }
    if columns[0].is_empty() {
        return Ok(());
    }
    let arrays = (1..=14)
        .map(|i| format!("${i}::BIGINT[]"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!("{COUNTS_UPSERT} SELECT * FROM UNNEST({arrays}){COUNTS_ADD}");
    let mut q = sqlx::query(&sql);
    for column in columns {
        q = q.bind(column);
    }
    q.execute(&mut **tx).await?;
    if revises {
        sqlx::query(COUNTS_REVISE).execute(&mut **tx).await?;
    }
    Ok(())
}

/// Audit rows per insert statement: 14 parameters each stays under PostgreSQL's limit.
const AUDIT_CHUNK: usize = 500;

/// Extends the audit chain inside the writer's transaction: serialises on the chain's head
/// first (other processes on the same database append too), then appends the entries in order.
pub(crate) async fn append_chain(
    tx: &mut sqlx::PgConnection,
    entries: &[&cordon_domain::audit::AuditEntry],
) -> Result<(), StoreError> {
    use sqlx::Row as _;
    if entries.is_empty() {
        return Ok(());
    }
    sqlx::query("LOCK TABLE audit_log IN EXCLUSIVE MODE")
        .execute(&mut *tx)
        .await?;
    let head = sqlx::query(crate::audit::AUDIT_HEAD)
        .fetch_optional(&mut *tx)
        .await?;
    let head = match head {
        Some(r) => Some((
            r.try_get::<i64, _>(0)?,
            crate::audit::hash32(&r.try_get::<Vec<u8>, _>(1)?)?,
        )),
        None => None,
    };
    let linked = crate::audit::link(head, entries);
    for chunk in linked.chunks(AUDIT_CHUNK) {
        let mut q = sqlx::QueryBuilder::<Postgres>::new(crate::audit::AUDIT_INSERT);
        q.push_values(chunk, |mut b, l| {
            let e = l.entry;
            b.push_bind(l.seq)
                .push_bind(e.at_ms)
                .push_bind(e.actor.clone())
                .push_bind(e.role.clone())
                .push_bind(e.scope.clone())
                .push_bind(e.address.clone())
                .push_bind(e.action.clone())
                .push_bind(e.outcome.clone())
                .push_bind(e.purpose.clone())
                .push_bind(e.target.clone())
                .push_bind(e.subjects.join(","))
                .push_bind(e.persons)
                .push_bind(l.prev.to_vec())
                .push_bind(l.hash.to_vec());
        });
        q.build().execute(&mut *tx).await?;
    }
    Ok(())
}

/// A deadlock or serialisation failure: another process's group holds what ours needs.
fn is_contention(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if matches!(d.code().as_deref(), Some("40P01") | Some("40001")))
}

impl PgWriter {
    /// One attempt at a group; `None` when another process won a race for one of the ids.
    async fn try_group(
        &self,
        jobs: &[&[NewPassage]],
        audit: &[&cordon_domain::audit::AuditEntry],
    ) -> Result<Option<Vec<JobResult>>, StoreError> {
        let observed = jobs.iter().flat_map(|j| j.iter());
        let observed = observed.map(|p| p.draft.observed_at.timestamp_millis());
        self.partitions.ensure(&self.pool, observed).await?;
        let mut tx = self.pool.begin().await?;
        let (codes, ids) = group_keys(jobs);
        let lanes = lanes(&mut tx, &codes).await?;
        let existing = existing(&mut tx, &ids, &self.words).await?;
        let recorded_at = cordon_domain::time::now_ms();
        let mut plan = plan_group(jobs, &lanes, &existing, recorded_at)?;
        // One order for every process, so that two groups sharing ids wait for each other
        // instead of deadlocking.
        plan.to_insert.sort_by_key(|(p, _)| p.draft.id);
        let decisions = plan.to_insert.iter().map(|(p, _)| &p.decision);
        let pending = match words_sql::number_postgres(&mut tx, &self.words, decisions).await {
            Err(StoreError::Database(e)) if is_contention(&e) => {
                tx.rollback().await?;
                return Ok(None);
            }
            other => other?,
        };
        let written =
            match insert(&mut tx, &plan.to_insert, recorded_at, &self.words, &pending).await {
                Err(StoreError::Database(e)) if is_contention(&e) => false,
                Err(e) if is_missing_partition(&e) => {
                    // The purge dropped a day this process had made sure of: again, with
                    // the partitions looked up anew.
                    self.partitions.forget();
                    false
                }
                other => other?,
            };
        let written = written
            && match add_counts(&mut tx, &plan.to_insert, recorded_at).await {
                Err(StoreError::Database(e)) if is_contention(&e) => false,
                other => other.map(|()| true)?,
            };
        if !written {
            tx.rollback().await?;
            return Ok(None);
        }
        append_chain(
            &mut tx,
            &super::writer::accepted_audit(jobs, &plan.results, audit),
        )
        .await?;
        tx.commit().await?;
        pending.commit(&self.words);
        metrics::counter!("cordon_store_passages_written_total", "backend" => "postgres")
            .increment(plan.to_insert.len() as u64);
        Ok(Some(plan.results))
    }
}

#[async_trait]
impl GroupWrite for PgWriter {
    async fn write_group(
        &self,
        jobs: &[&[NewPassage]],
        audit: &[&cordon_domain::audit::AuditEntry],
    ) -> Result<Vec<JobResult>, StoreError> {
        for attempt in 0..8u64 {
            if let Some(results) = self.try_group(jobs, audit).await? {
                return Ok(results);
            }
            tokio::time::sleep(Duration::from_millis(attempt * 5)).await;
        }
        Err(StoreError::Unavailable(
            "concurrent writers kept colliding".into(),
        ))
    }
}
