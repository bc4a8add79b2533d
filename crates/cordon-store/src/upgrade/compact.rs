//! Data migration 1038: the passages written before migration 38 converted in place to their
//! compact forms ([`crate::passage::compact`], [`crate::passage::words`]): the decision's JSON
//! to its words, the occupants' JSON (sealed with a whole nonce) to the compact form sealed
//! anew, the keys' hex text to raw bytes, the facts to their version 3, the fingerprint cut to
//! its stored part. Every row in
//! one transaction, marked done in it: a crash leaves the database as it was (and the next start
//! begins again) or converted whole, never half. Progress goes to the log. Then the file is
//! vacuumed (SQLite) or the table rewritten (PostgreSQL), so the space comes back to the disk.

use cordon_domain::passage::Decision;
use cordon_domain::policy::facts::{FactsBuf, FACTS_VERSION};
use uuid::Uuid;

use crate::keyring::Keyring;
use crate::passage::words::Words;
use crate::passage::{compact, rows, words_sql, FINGERPRINT_BYTES};
use crate::store::{Engine, SqlStore};
use crate::StoreError;

use super::progress::Progress;

pub(super) const COMPACT_MARK: i64 = 1_038;
const NAME: &str = "compact_passages";
/// What the log says the conversion does.
const DOING: &str = "converting the stored passages to their compact form";
/// Rows read and written per statement.
const BATCH: i64 = 5_000;

/// A passage's stored forms, as read.
struct Stored {
    id: Uuid,
    decision: Vec<u8>,
    fingerprint: Vec<u8>,
    sealed: Option<Vec<u8>>,
    keys: Option<Vec<u8>>,
    facts: Option<Vec<u8>>,
}

/// A passage's forms to write: the decision still to be encoded when it was JSON.
struct Compacted {
    decision: Result<Decision, Vec<u8>>,
    fingerprint: Vec<u8>,
    sealed: Option<Vec<u8>>,
    keys: Option<Vec<u8>>,
    facts: Option<Vec<u8>>,
}

impl Compacted {
    fn decision_bytes(&self, pending: &words_sql::Pending, words: &Words) -> Vec<u8> {
        match &self.decision {
            Ok(d) => pending.encode(words, d),
            Err(kept) => kept.clone(),
        }
    }
}

/// The compact forms of `s`, or `None` when it has them already.
fn compacted(s: Stored, keyring: &Keyring) -> Result<Option<Compacted>, StoreError> {
    let json_decision = s.decision.first() == Some(&b'{');
    let long_fingerprint = s.fingerprint.len() > FINGERPRINT_BYTES;
    let text_keys = matches!(s.keys.as_deref(), Some([b'd' | b'p' | b'w', ..]));
    // Occupants sealed as JSON: every row sealed before migration 38.
    let old_seal = matches!(s.sealed.as_deref(), Some([1, ..]));
    let old_facts = matches!(s.facts.as_deref(), Some([v, ..]) if *v < FACTS_VERSION);
    if !(json_decision || long_fingerprint || text_keys || old_seal || old_facts) {
        return Ok(None);
    }
    let decision = if json_decision {
        Ok(serde_json::from_slice(&s.decision)
            .map_err(|e| StoreError::Corrupt(format!("decision of passage {}: {e}", s.id)))?)
    } else {
        Err(s.decision)
    };
    let keys = match s.keys {
        Some(k) if text_keys => {
            let parsed = compact::parse_occupant_keys(&k)?;
            Some(compact::keys_bytes(
                parsed.iter().map(|(k, r)| (k.as_str(), *r)),
            ))
        }
        other => other,
    };
    let mut buf = FactsBuf::default();
    let has_facts = s.facts.as_deref().is_some_and(|f| buf.decode(f));
    if s.facts.is_some() && !has_facts {
        return Err(StoreError::Corrupt(format!("facts of passage {}", s.id)));
    }
    let facts = match s.facts {
        Some(_) if old_facts => Some(buf.encode()),
        other => other,
    };
    let sealed = match s.sealed {
        Some(sealed) if old_seal => {
            let occupants = rows::sealed_occupants(s.id, &sealed, None, keyring)?;
            let plain = if has_facts && buf.occupant_count() == occupants.len() {
                let tests: Vec<_> = (0..occupants.len()).map(|i| buf.occupant(i).test).collect();
                compact::identities_bytes(&occupants, &tests)
            } else {
                compact::occupants_bytes(&occupants)
            };
            Some(keyring.seal(s.id.as_bytes(), &plain))
        }
        other => other,
    };
    let mut fingerprint = s.fingerprint;
    fingerprint.truncate(FINGERPRINT_BYTES);
    Ok(Some(Compacted {
        decision,
        fingerprint,
        sealed,
        keys,
        facts,
    }))
}

/// Runs the conversion if it has not run.
pub(super) async fn compact_passages(store: &SqlStore) -> Result<(), StoreError> {
    if super::data_migration_done(&store.db, COMPACT_MARK).await? {
        return Ok(());
    }
    match &store.engine {
        Engine::Sqlite { path, .. } => {
            let (path, keyring, words) = (path.clone(), store.keyring.clone(), store.words.clone());
            tokio::task::spawn_blocking(move || sqlite(&path, &keyring, &words))
                .await
                .map_err(|e| StoreError::Unavailable(format!("conversion: {e}")))?
        }
        Engine::Postgres => postgres(store).await,
    }
}

fn sqlite(path: &std::path::Path, keyring: &Keyring, words: &Words) -> Result<(), StoreError> {
    use rusqlite::{params, TransactionBehavior};
    let mut conn = crate::passage::sqlite_writer::connect(path)?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let total: i64 = tx.query_row("SELECT COUNT(*) FROM passages", [], |r| r.get(0))?;
    let mut progress = Progress::new(DOING, total);
    let mut converted = 0i64;
    let mut after = i64::MIN;
    loop {
        let batch: Vec<(i64, Stored)> = tx
            .prepare_cached(
                "SELECT rowid, id, decision, fingerprint, sealed, occupant_keys, facts \
                 FROM passages WHERE rowid > ?1 ORDER BY rowid LIMIT ?2",
            )?
            .query_map(params![after, BATCH], |r| {
                let read = crate::sqlite_read::bytes;
                let id: Vec<u8> = r.get(1)?;
                Ok((
                    r.get(0)?,
                    Stored {
                        id: Uuid::from_slice(&id).unwrap_or_default(),
                        decision: read(r.get_ref(2)?)?,
                        fingerprint: read(r.get_ref(3)?)?,
                        sealed: crate::sqlite_read::opt_bytes(r.get_ref(4)?)?,
                        keys: crate::sqlite_read::opt_bytes(r.get_ref(5)?)?,
                        facts: crate::sqlite_read::opt_bytes(r.get_ref(6)?)?,
                    },
                ))
            })?
            .collect::<Result<_, _>>()?;
        let Some(&(last, _)) = batch.last() else {
            break;
        };
        after = last;
        progress.add(batch.len());
        let mut out = Vec::with_capacity(batch.len());
        for (rowid, s) in batch {
            if let Some(c) = compacted(s, keyring)? {
                out.push((rowid, c));
            }
        }
        let decisions = out.iter().filter_map(|(_, c)| c.decision.as_ref().ok());
        let pending = words_sql::number_sqlite(&tx, words, decisions)?;
        let mut update = tx.prepare_cached(
            "UPDATE passages SET decision = ?1, fingerprint = ?2, sealed = ?3, \
             occupant_keys = ?4, facts = ?5 WHERE rowid = ?6",
        )?;
        for (rowid, c) in &out {
            update.execute(params![
                c.decision_bytes(&pending, words),
                c.fingerprint,
                c.sealed,
                c.keys,
                c.facts,
                rowid
            ])?;
        }
        converted += out.len() as i64;
        // Only this transaction writes until the store is open; a failure drops the store.
        pending.commit(words);
    }
    tx.execute(
        "INSERT INTO cordon_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
        params![COMPACT_MARK, NAME, cordon_domain::time::now_ms()],
    )?;
    tx.commit()?;
    progress.end(&format!("{converted} converted"));
    if converted > 0 {
        let before = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        tracing::info!(bytes = before, "vacuuming the database file");
        conn.execute_batch("VACUUM; PRAGMA wal_checkpoint(TRUNCATE);")?;
        let after = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        tracing::info!(before, after, "the database file is vacuumed");
    }
    Ok(())
}

type PgStored = (
    Uuid,
    Vec<u8>,
    Vec<u8>,
    Option<Vec<u8>>,
    Option<Vec<u8>>,
    Option<Vec<u8>>,
);

async fn postgres(store: &SqlStore) -> Result<(), StoreError> {
    let crate::db::Pool::Postgres(pool) = &store.db.write else {
        return Err(StoreError::Config("not PostgreSQL".into()));
    };
    let words = &store.words;
    let mut tx = pool.begin().await?;
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM passages")
        .fetch_one(&mut *tx)
        .await?;
    let mut progress = Progress::new(DOING, total);
    let mut converted = 0i64;
    let mut after: Option<Uuid> = None;
    loop {
        let batch: Vec<PgStored> = sqlx::query_as(
            "SELECT id, decision, fingerprint, sealed, occupant_keys, facts FROM passages \
             WHERE $1::uuid IS NULL OR id > $1 ORDER BY id LIMIT $2",
        )
        .bind(after)
        .bind(BATCH)
        .fetch_all(&mut *tx)
        .await?;
        let Some(last) = batch.last() else { break };
        after = Some(last.0);
        progress.add(batch.len());
        let mut out = Vec::with_capacity(batch.len());
        for (id, decision, fingerprint, sealed, keys, facts) in batch {
            let s = Stored {
                id,
                decision,
                fingerprint,
                sealed,
                keys,
                facts,
            };
            if let Some(c) = compacted(s, &store.keyring)? {
                out.push((id, c));
            }
        }
        let decisions = out.iter().filter_map(|(_, c)| c.decision.as_ref().ok());
        let pending = words_sql::number_postgres(&mut tx, words, decisions).await?;
        let ids: Vec<Uuid> = out.iter().map(|(id, _)| *id).collect();
        let d: Vec<Vec<u8>> = out
            .iter()
            .map(|(_, c)| c.decision_bytes(&pending, words))
            .collect();
        let f: Vec<Vec<u8>> = out.iter().map(|(_, c)| c.fingerprint.clone()).collect();
        let s: Vec<Option<Vec<u8>>> = out.iter().map(|(_, c)| c.sealed.clone()).collect();
        let k: Vec<Option<Vec<u8>>> = out.iter().map(|(_, c)| c.keys.clone()).collect();
        let facts: Vec<Option<Vec<u8>>> = out.iter().map(|(_, c)| c.facts.clone()).collect();
        // The core and the personal part of each (migration 43).
        sqlx::query(
            "UPDATE passage_core p SET decision = u.d, fingerprint = u.f \
             FROM UNNEST($1::uuid[], $2::bytea[], $3::bytea[]) AS u(id, d, f) WHERE p.id = u.id",
        )
        .bind(&ids)
        .bind(&d)
        .bind(&f)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE passage_personal p SET sealed = u.s, occupant_keys = u.k, facts = u.x \
             FROM UNNEST($1::uuid[], $2::bytea[], $3::bytea[], $4::bytea[]) AS u(id, s, k, x) \
             JOIN passage_core c ON c.id = u.id WHERE p.observed_at = c.observed_at \
             AND p.id = u.id",
        )
        .bind(&ids)
        .bind(&s)
        .bind(&k)
        .bind(&facts)
        .execute(&mut *tx)
        .await?;
        converted += out.len() as i64;
        pending.commit(words);
    }
    sqlx::query("INSERT INTO cordon_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
        .bind(COMPACT_MARK)
        .bind(NAME)
        .bind(cordon_domain::time::now_ms())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    progress.end(&format!("{converted} converted"));
    if converted > 0 {
        tracing::info!("rewriting the passages tables");
        sqlx::raw_sql("VACUUM FULL passage_core, passage_personal")
            .execute(pool)
            .await?;
        tracing::info!("the passages tables are rewritten");
    }
    Ok(())
}
