//! One-time data migrations, run at open after the schema's: each computes what an earlier
//! release did not store, once, in batches, and is recorded in `cordon_migrations` under a
//! number above 1000 so that it never runs again.
//!
//! - 1001: the compact facts a dry-run replays, for passages stored before migration 2;
//! - 1002: the occupants sealed, for passages written before migration 4 (then the database is
//!   vacuumed, so the clear text is gone from its files, not only from the live rows);
//! - 1006: the occupants' keyed hashes (`occupant_keys`) the trace index reads, for passages
//!   recorded before migration 6;
//! - 1038: every passage written before migration 38 in its compact form ([`compact`]);
//! - 1043: on PostgreSQL, `passage_core` rewritten once (`VACUUM FULL`) after migration 43 moved
//!   the personal columns out of it: a dropped column keeps its bytes in every row until the
//!   row is written again, and a core row never is.
//!
//! Migration 43's move of the personal data, day by day, is here too ([`personal_by_day`]),
//! though it runs as a step of the migration, in its transaction; both log their progress
//! ([`progress`]).

use uuid::Uuid;

use crate::days::DAY_OF_OBSERVED_SQL;
use crate::db::{on_pool, BeginWrite, Pool};
use crate::migrate::{data_migration_done, mark_data_migration};
use crate::passage::rows::{self, PassageRow, PASSAGE_SELECT};
use crate::store::SqlStore;
use crate::StoreError;

mod compact;
pub(crate) mod personal_by_day;
mod progress;

const FACTS_MARK: i64 = 1_001;
const SEAL_MARK: i64 = 1_002;
const KEYS_MARK: i64 = 1_006;
const CORE_MARK: i64 = 1_043;

/// Rows per batch.
const BATCH: usize = 2_000;

/// Runs every data migration not yet run.
pub(crate) async fn run(store: &SqlStore) -> Result<(), StoreError> {
    backfill_facts(store).await?;
    seal_legacy(store).await?;
    fill_occupant_keys(store).await?;
    compact::compact_passages(store).await?;
    rewrite_core(store).await?;
    Ok(())
}

/// 1043: PostgreSQL's `passage_core` rewritten without the bytes of the columns migration 43
/// dropped, if it held rows then.
async fn rewrite_core(store: &SqlStore) -> Result<(), StoreError> {
    let Pool::Postgres(p) = &store.db.write else {
        return Ok(());
    };
    if data_migration_done(&store.db, CORE_MARK).await? {
        return Ok(());
    }
    let any: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM passage_core)")
        .fetch_one(p)
        .await?;
    if any {
        tracing::info!("rewriting passage_core without the personal columns (migration 43)");
        sqlx::raw_sql("VACUUM FULL passage_core").execute(p).await?;
        tracing::info!("passage_core is rewritten");
    }
    mark_data_migration(&store.db, CORE_MARK, "rewrite_passage_core").await
}

/// Up to [`BATCH`] passages matching `condition` (`p.` columns).
async fn legacy_rows(store: &SqlStore, condition: &str) -> Result<Vec<PassageRow>, StoreError> {
    let sql = format!("{PASSAGE_SELECT} WHERE {condition} LIMIT {BATCH}");
    let rows: Vec<PassageRow> = on_pool!(&store.db.write, |p| sqlx::query_as(&sql)
        .fetch_all(p)
        .await?);
    Ok(rows)
}

/// Writes one column of many passages in one transaction: `UPDATE passages SET <set> WHERE
/// id = $2`, `$1` each passage's value (on PostgreSQL, `passage_personal`).
async fn update_each<T>(
    store: &SqlStore,
    set: &str,
    values: Vec<(Uuid, T)>,
) -> Result<(), StoreError>
where
    T: for<'q> sqlx::Encode<'q, sqlx::Sqlite>
        + for<'q> sqlx::Encode<'q, sqlx::Postgres>
        + sqlx::Type<sqlx::Sqlite>
        + sqlx::Type<sqlx::Postgres>
        + Send
        + Sync,
{
    let sql = match &store.db.write {
        Pool::Sqlite(_) => format!("UPDATE passages SET {set} WHERE id = $2"),
        Pool::Postgres(p) => {
            let ids: Vec<Uuid> = values.iter().map(|(id, _)| *id).collect();
            personal_rows(p, &ids).await?;
            format!(
                "UPDATE passage_personal SET {set} WHERE id = $2 \
                 AND observed_at = (SELECT observed_at FROM passage_core WHERE id = $2)"
            )
        }
    };
    on_pool!(&store.db.write, |p| {
        let mut tx = p.begin_write().await?;
        for (id, value) in &values {
            sqlx::query(&sql)
                .bind(value)
                .bind(*id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
    });
    Ok(())
}

/// On PostgreSQL the columns [`update_each`] writes are personal (migration 43): each passage's
/// row there is made first, in its day's partition, if it has none (an empty one reads as the
/// view read the passage before).
async fn personal_rows(pool: &sqlx::PgPool, ids: &[Uuid]) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    sqlx::query(&format!(
        "SELECT cordon_personal_partition(d) FROM (SELECT DISTINCT \
         {DAY_OF_OBSERVED_SQL} AS d FROM passage_core WHERE id = ANY($1)) days",
    ))
    .bind(ids)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO passage_personal (observed_at, id, persons) \
         SELECT observed_at, id, persons FROM passage_core WHERE id = ANY($1) \
         ON CONFLICT DO NOTHING",
    )
    .bind(ids)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

async fn backfill_facts(store: &SqlStore) -> Result<(), StoreError> {
    if data_migration_done(&store.db, FACTS_MARK).await? {
        return Ok(());
    }
    let mut total = 0usize;
    loop {
        let found = legacy_rows(store, "p.facts IS NULL").await?;
        if found.is_empty() {
            break;
        }
        let passages = store.assemble(found).await?;
        total += passages.len();
        let facts = passages
            .iter()
            .map(|p| {
                let facts = cordon_domain::policy::facts::encode_parts(
                    p.direction,
                    p.vehicle.as_ref(),
                    &p.occupants,
                    &Default::default(),
                );
                (p.id, facts)
            })
            .collect();
        update_each(store, "facts = $1", facts).await?;
    }
    mark_data_migration(&store.db, FACTS_MARK, "backfill_passage_facts").await?;
    if total > 0 {
        tracing::info!(passages = total, "computed the facts of earlier passages");
    }
    Ok(())
}

async fn seal_legacy(store: &SqlStore) -> Result<(), StoreError> {
    if data_migration_done(&store.db, SEAL_MARK).await? {
        return Ok(());
    }
    let mut total = 0usize;
    loop {
        let found = legacy_rows(store, "p.sealed IS NULL").await?;
        if found.is_empty() {
            break;
        }
        total += found.len();
        let sealed = found
            .iter()
            .map(|r| {
                let sealed = store.keyring.seal(r.id.as_bytes(), r.occupants.as_bytes());
                (r.id, sealed)
            })
            .collect();
        update_each(store, "sealed = $1, occupants = ''", sealed).await?;
    }
    mark_data_migration(&store.db, SEAL_MARK, "seal_personal_data").await?;
    if total > 0 {
        match &store.db.write {
            Pool::Sqlite(p) => {
                sqlx::raw_sql("VACUUM; PRAGMA wal_checkpoint(TRUNCATE);")
                    .execute(p)
                    .await?;
            }
            Pool::Postgres(p) => {
                sqlx::raw_sql("VACUUM FULL passage_core, passage_personal")
                    .execute(p)
                    .await?;
            }
        }
        tracing::info!(
            passages = total,
            "sealed the personal data of earlier passages"
        );
    }
    Ok(())
}

async fn fill_occupant_keys(store: &SqlStore) -> Result<(), StoreError> {
    if data_migration_done(&store.db, KEYS_MARK).await? {
        return Ok(());
    }
    let mut total = 0usize;
    loop {
        let found = legacy_rows(store, "p.occupant_keys IS NULL AND p.sealed IS NOT NULL").await?;
        if found.is_empty() {
            break;
        }
        total += found.len();
        let keys = found
            .iter()
            .map(|r| {
                let occupants = rows::stored_occupants(r, &store.keyring)?;
                let keys: Vec<String> = occupants
                    .iter()
                    .map(|o| store.keyring.person(&o.person.document))
                    .collect();
                Ok((
                    r.id,
                    crate::passage::compact::occupant_keys_bytes(&occupants, &keys),
                ))
            })
            .collect::<Result<_, StoreError>>()?;
        update_each(store, "occupant_keys = $1", keys).await?;
    }
    mark_data_migration(&store.db, KEYS_MARK, "fill_occupant_keys").await?;
    if total > 0 {
        tracing::info!(
            passages = total,
            "gave earlier passages their occupants' keys"
        );
    }
    Ok(())
}
