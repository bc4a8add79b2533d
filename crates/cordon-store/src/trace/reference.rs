//! The SQL reference for case traces: one hop asked of the database itself, over the passages
//! and indexes of its own (a person index, a plate index and a checkpoint-first index, which
//! registrations do not keep: the live trace index answers who was where). A property test
//! holds the trace index to it on both backends, and `cordon bench trace` times both. Tests and
//! benchmarks only: building it slows every later registration.

use std::collections::HashSet;

use cordon_domain::access::trace::TrajectoryRead;
use cordon_domain::checkpoint::CheckpointCode;
use sqlx::QueryBuilder;
use uuid::Uuid;

use super::{SqlHop, SqlLink, SqlSubject, SqlTraceQuery, TraceCursor, TraceRow, TraceStore};
use crate::db::{on_pool, push_list, Pool, IDS_PER_QUERY};
use crate::passage::rows;
use crate::store::SqlStore;
use crate::StoreError;

/// Columns of a row of the reference's person index, as inserted.
pub(crate) const PERSON_INSERT: &str =
    "INSERT INTO trace_reference_persons (doc_key, observed_at, passage, role) ";

/// The reference's person index in SQLite: built by the trace benchmark's load and by
/// [`build`], never written by registrations.
pub(crate) const REFERENCE_PERSONS_SQLITE: &str = "CREATE TABLE IF NOT EXISTS \
    trace_reference_persons (doc_key TEXT NOT NULL, observed_at INTEGER NOT NULL, \
    passage BLOB NOT NULL, role TEXT NOT NULL, PRIMARY KEY (doc_key, observed_at, passage)) \
    WITHOUT ROWID";

/// [`REFERENCE_PERSONS_SQLITE`] in PostgreSQL.
pub(crate) const REFERENCE_PERSONS_POSTGRES: &str = "CREATE TABLE IF NOT EXISTS \
    trace_reference_persons (doc_key TEXT NOT NULL, observed_at BIGINT NOT NULL, \
    passage UUID NOT NULL, role TEXT NOT NULL, PRIMARY KEY (doc_key, observed_at, passage))";

/// The secondary indexes the trace benchmark drops while it loads and builds again after. The
/// checkpoint-first and plate indexes are the reference's own (registrations keep neither: the
/// trace index answers who was where and which passages a vehicle made, and the schema's
/// `passages_hour_checkpoint` the lists by checkpoint).
pub(crate) const BENCH_INDEXES: &[(&str, &str)] = &[
    (
        "passages_hour_checkpoint",
        "CREATE INDEX passages_hour_checkpoint ON passages \
         ((observed_at / 3600000), checkpoint_id, observed_at)",
    ),
    (
        "passages_checkpoint_time",
        "CREATE INDEX passages_checkpoint_time ON passages (checkpoint_id, observed_at, id)",
    ),
    (
        "trace_reference_plates",
        "CREATE INDEX trace_reference_plates ON passages (plate, observed_at) \
         WHERE plate IS NOT NULL",
    ),
    (
        "passages_recorded",
        "CREATE INDEX passages_recorded ON passages (recorded_at, id)",
    ),
];

/// An index of [`BENCH_INDEXES`] as `backend` creates it: on PostgreSQL the table's columns lie
/// in `passage_core` and the plate in `passage_personal` (migration 43; `passages` is a view).
pub(crate) fn bench_index(create: &str, postgres: bool) -> String {
    if !postgres {
        create.to_owned()
    } else if create.contains("(plate,") {
        create.replace(" ON passages ", " ON passage_personal ")
    } else {
        create.replace(" ON passages ", " ON passage_core ")
    }
}

/// A trace row's `occupant_keys` column.
pub(crate) fn keys_column(row: &TraceRow) -> Vec<u8> {
    crate::passage::compact::keys_bytes(row.occupants.iter().map(|(k, r)| (k.as_str(), *r)))
}

/// A person's keyed hash as `occupant_keys` keeps it: its first 16 bytes.
pub(super) fn stored_key(key: &str) -> &str {
    key.get(..2 * crate::passage::compact::KEY_BYTES)
        .unwrap_or(key)
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(what.to_owned())
}

/// A passage the subject made: id, time, plate, checkpoint code and jurisdiction, keys.
type SubjectCols = (Uuid, i64, Option<String>, String, i64, Vec<u8>);

/// (Re)builds the reference's indexes from the passages stored now.
pub(super) async fn build(store: &SqlStore) -> Result<(), StoreError> {
    let create = match &store.db.write {
        Pool::Sqlite(_) => REFERENCE_PERSONS_SQLITE,
        Pool::Postgres(_) => REFERENCE_PERSONS_POSTGRES,
    };
    on_pool!(&store.db.write, |p| {
        sqlx::raw_sql(create).execute(p).await?;
        sqlx::raw_sql("DELETE FROM trace_reference_persons")
            .execute(p)
            .await?;
        for (_, index) in BENCH_INDEXES {
            let index = bench_index(index, matches!(&store.db.write, Pool::Postgres(_)));
            let index = index.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS");
            sqlx::raw_sql(&index).execute(p).await?;
        }
    });
    let mut after = TraceCursor::since(i64::MIN);
    loop {
        let found = store.trace_rows(after, i64::MAX, 2_000).await?;
        let Some(last) = found.last() else { break };
        after = TraceCursor {
            recorded_ms: last.recorded_ms,
            id: last.id,
        };
        let persons: Vec<(&str, i64, Uuid, &'static str)> = found
            .iter()
            .flat_map(|r| {
                r.occupants
                    .iter()
                    .map(move |(k, role)| (k.as_str(), r.observed_ms, r.id, role.as_str()))
            })
            .collect();
        for chunk in persons.chunks(IDS_PER_QUERY) {
            on_pool!(&store.db.write, |p| {
                let mut q = QueryBuilder::new(PERSON_INSERT);
                q.push_values(chunk, |mut b, (k, at, id, role)| {
                    b.push_bind(*k)
                        .push_bind(*at)
                        .push_bind(*id)
                        .push_bind(*role);
                });
                q.push(" ON CONFLICT DO NOTHING");
                q.build().execute(p).await?;
            });
        }
    }
    Ok(())
}

/// The subject's passages in the period, by the reference's person index or plate index.
async fn subject_passages(
    store: &SqlStore,
    q: &SqlTraceQuery,
) -> Result<Vec<SubjectCols>, StoreError> {
    let select = "SELECT p.id, p.observed_at, p.plate, c.code, c.jurisdiction, p.occupant_keys ";
    Ok(on_pool!(&store.db.read, |p| {
        let mut b = QueryBuilder::new(select);
        match &q.subject {
            SqlSubject::Person(key) => {
                b.push(
                    "FROM trace_reference_persons pp JOIN passages p ON p.id = pp.passage \
                     JOIN checkpoints c ON c.id = p.checkpoint_id WHERE pp.doc_key = ",
                )
                .push_bind(stored_key(key))
                .push(" AND pp.observed_at >= ");
            }
            SqlSubject::Plate(plate) => {
                b.push(
                    "FROM passages p JOIN checkpoints c ON c.id = p.checkpoint_id \
                     WHERE p.plate = ",
                )
                .push_bind(plate.as_str())
                .push(" AND p.observed_at >= ");
            }
        }
        b.push_bind(q.period.from_ms)
            .push(" AND p.observed_at < ")
            .push_bind(q.period.to_ms)
            .push(" AND p.occupant_keys IS NOT NULL");
        b.build_query_as().fetch_all(p).await?
    }))
}

/// Collects the links a passage's occupants make, leaving out the subject.
struct Links<'a> {
    subject: Option<&'a str>,
    links: Vec<SqlLink>,
}

impl Links<'_> {
    fn add(
        &mut self,
        kind: &'static str,
        keys: &[u8],
        passage: Uuid,
        gap_ms: i64,
    ) -> Result<(), StoreError> {
        for (person, _) in crate::passage::compact::parse_occupant_keys(keys)? {
            if Some(person.as_str()) != self.subject {
                self.links.push(SqlLink {
                    kind,
                    person,
                    passage,
                    gap_ms,
                });
            }
        }
        Ok(())
    }
}

/// Whether a checkpoint (by code and jurisdiction column) lies in the grant's scope.
fn in_scope(grant: &TrajectoryRead, code: &str, jurisdiction: i64) -> Result<bool, StoreError> {
    let code = CheckpointCode::parse(code).map_err(|_| corrupt("checkpoint code"))?;
    Ok(grant.scope().covers(&code, rows::division(jurisdiction)?))
}

/// One hop of a case trace in SQL; only passages in the grant's scope count.
pub(super) async fn hop(
    store: &SqlStore,
    grant: &TrajectoryRead,
    q: &SqlTraceQuery,
) -> Result<SqlHop, StoreError> {
    let subject = match &q.subject {
        SqlSubject::Person(k) => Some(stored_key(k)),
        SqlSubject::Plate(_) => None,
    };
    let mut links = Links {
        subject,
        links: Vec::new(),
    };
    // (id, time, plate) of each of the subject's passages in scope.
    let mut mine: Vec<(Uuid, i64, Option<String>)> = Vec::new();
    for (id, at, plate, code, jurisdiction, keys) in subject_passages(store, q).await? {
        if in_scope(grant, &code, jurisdiction)? {
            links.add("same_vehicle", &keys, id, 0)?;
            mine.push((id, at, plate));
        }
    }
    let own: HashSet<Uuid> = mine.iter().map(|m| m.0).collect();
    for chunk in mine.chunks(IDS_PER_QUERY) {
        // Others at the same checkpoint within the window, by the checkpoint-first index.
        let near: Vec<(Uuid, i64, Vec<u8>)> = on_pool!(&store.db.read, |p| {
            let mut b = QueryBuilder::new(
                "SELECT n.id, n.observed_at - m.observed_at, n.occupant_keys FROM passages m \
                 JOIN passages n ON n.checkpoint_id = m.checkpoint_id \
                 AND n.observed_at >= m.observed_at - ",
            );
            b.push_bind(q.window_ms)
                .push(" AND n.observed_at <= m.observed_at + ")
                .push_bind(q.window_ms);
            if q.same_direction {
                b.push(" AND n.direction = m.direction");
            }
            if q.same_lane {
                b.push(" AND n.lane = m.lane");
            }
            b.push(" WHERE n.occupant_keys IS NOT NULL AND m.id IN ");
            push_list(&mut b, chunk.iter().map(|m| m.0));
            b.build_query_as().fetch_all(p).await?
        });
        for (id, gap, keys) in near {
            if !own.contains(&id) {
                links.add("same_checkpoint", &keys, id, gap.abs())?;
            }
        }
    }
    if subject.is_some() {
        let mut plates: Vec<&str> = mine.iter().filter_map(|m| m.2.as_deref()).collect();
        plates.sort_unstable();
        plates.dedup();
        for chunk in plates.chunks(IDS_PER_QUERY) {
            // Other passages of the vehicles the subject used, by the plate index.
            let shared: Vec<SubjectCols> = on_pool!(&store.db.read, |p| {
                let mut b = QueryBuilder::new(
                    "SELECT r.id, r.observed_at, r.plate, c.code, c.jurisdiction, \
                     r.occupant_keys FROM passages r JOIN checkpoints c ON c.id = r.checkpoint_id \
                     WHERE r.observed_at >= ",
                );
                b.push_bind(q.period.from_ms)
                    .push(" AND r.observed_at < ")
                    .push_bind(q.period.to_ms)
                    .push(" AND r.occupant_keys IS NOT NULL AND r.plate IN ");
                push_list(&mut b, chunk.iter().copied());
                b.build_query_as().fetch_all(p).await?
            });
            for (id, at, plate, code, jurisdiction, keys) in shared {
                if own.contains(&id) || !in_scope(grant, &code, jurisdiction)? {
                    continue;
                }
                let gap = mine
                    .iter()
                    .filter(|m| m.2 == plate)
                    .map(|m| (at - m.1).abs())
                    .min()
                    .ok_or_else(|| corrupt("shared vehicle"))?;
                links.add("shared_vehicle", &keys, id, gap)?;
            }
        }
    }
    Ok(SqlHop {
        subject_passages: mine.into_iter().map(|m| m.0).collect(),
        links: links.links,
    })
}
