//! The SQL of [`crate::trace_store::TraceStore`], written once for both backends like
//! [`crate::sql`], and the one-off fill of `occupant_keys` for passages recorded before it.

macro_rules! trace_sql {
    ($store:ident, $db:ty, $reference_persons:expr) => {
        mod trace_impl {
            use async_trait::async_trait;
            use cordon_domain::access::TrajectoryRead;
            use cordon_domain::checkpoint::CheckpointCode;
            use cordon_domain::passage::{Direction, Occupant};
            use sqlx::Row as _;
            use uuid::Uuid;

            use super::$store;
            use crate::rows;
            use crate::trace_store::{
                SqlHop, SqlLink, SqlSubject, SqlTraceQuery, Superseded, TraceCheckpoint, TraceCursor,
                TraceRow, TraceStore,
            };
            use crate::StoreError;

            /// Marks in `cordon_migrations` that passages recorded before migration 6 carry
            /// their occupants' keys.
            const KEYS_MARK: i64 = 1_006;

            /// Ids per `IN (...)` list.
            const IDS_PER_QUERY: usize = 500;

            fn corrupt(what: &str) -> StoreError {
                StoreError::Corrupt(what.to_owned())
            }

            /// A row of [`crate::trace_sql::TRACE_ROW_COLUMNS`].
            fn trace_row(r: &<$db as sqlx::Database>::Row) -> Result<TraceRow, StoreError> {
                let direction: String = r.try_get(3)?;
                let keys: String = r.try_get(7)?;
                Ok(TraceRow {
                    id: r.try_get(0)?,
                    checkpoint_id: r.try_get(1)?,
                    lane: r.try_get(2)?,
                    inbound: Direction::parse(&direction).map_err(|_| corrupt("direction"))?
                        == Direction::In,
                    observed_ms: r.try_get(4)?,
                    recorded_ms: r.try_get(5)?,
                    plate: r.try_get(6)?,
                    occupants: rows::parse_occupant_keys(&keys)?,
                })
            }

            #[async_trait]
            impl TraceStore for $store {
                async fn trace_rows(
                    &self,
                    after: TraceCursor,
                    limit: u32,
                ) -> Result<Vec<TraceRow>, StoreError> {
                    if let Some(reads) = self.direct_reads() {
                        return reads.off_runtime(move |r| r.trace_rows(after, limit)).await;
                    }
                    let rows = sqlx::query(crate::trace_sql::TRACE_ROWS)
                        .bind(after.recorded_ms)
                        .bind(after.id)
                        .bind(i64::from(limit))
                        .fetch_all(&self.core.read)
                        .await?;
                    rows.iter().map(trace_row).collect()
                }

                async fn trace_positions(
                    &self,
                    after: TraceCursor,
                    limit: u32,
                ) -> Result<Vec<TraceCursor>, StoreError> {
                    if let Some(reads) = self.direct_reads() {
                        return reads.off_runtime(move |r| r.trace_positions(after, limit)).await;
                    }
                    sqlx::query(crate::trace_sql::TRACE_POSITIONS)
                        .bind(after.recorded_ms)
                        .bind(after.id)
                        .bind(i64::from(limit))
                        .fetch_all(&self.core.read)
                        .await?
                        .iter()
                        .map(|r| Ok(TraceCursor { recorded_ms: r.try_get(0)?, id: r.try_get(1)? }))
                        .collect()
                }

                async fn trace_rows_by_id(&self, ids: &[Uuid]) -> Result<Vec<TraceRow>, StoreError> {
                    let mut out = Vec::with_capacity(ids.len());
                    for chunk in ids.chunks(IDS_PER_QUERY) {
                        let mut q = sqlx::QueryBuilder::<$db>::new(crate::trace_sql::TRACE_ROW_COLUMNS);
                        q.push(" WHERE occupant_keys IS NOT NULL AND id IN (");
                        let mut list = q.separated(", ");
                        for id in chunk {
                            list.push_bind(*id);
                        }
                        q.push(")");
                        for r in q.build().fetch_all(&self.core.read).await? {
                            out.push(trace_row(&r)?);
                        }
                    }
                    out.sort_unstable_by_key(|r| (r.recorded_ms, r.id));
                    Ok(out)
                }

                async fn trace_checkpoints(&self) -> Result<Vec<TraceCheckpoint>, StoreError> {
                    sqlx::query("SELECT id, code, jurisdiction FROM checkpoints ORDER BY id")
                        .fetch_all(&self.core.read)
                        .await?
                        .iter()
                        .map(|r| {
                            let code: String = r.try_get(1)?;
                            Ok(TraceCheckpoint {
                                id: r.try_get(0)?,
                                code: CheckpointCode::parse(&code)
                                    .map_err(|_| corrupt("checkpoint code"))?,
                                jurisdiction: rows::division(r.try_get(2)?)?,
                            })
                        })
                        .collect()
                }

                async fn count_corrections(&self) -> Result<i64, StoreError> {
                    Ok(sqlx::query("SELECT count(*) FROM corrections")
                        .fetch_one(&self.core.read)
                        .await?
                        .try_get::<i64, _>(0)?)
                }

                async fn superseded_passages(&self) -> Result<Vec<Superseded>, StoreError> {
                    sqlx::query(
                        "SELECT k.supersedes, p.checkpoint_id, p.observed_at FROM corrections k \
                         JOIN passages p ON p.id = k.supersedes",
                    )
                    .fetch_all(&self.core.read)
                    .await?
                    .iter()
                    .map(|r| {
                        Ok(Superseded {
                            id: r.try_get(0)?,
                            checkpoint_id: r.try_get(1)?,
                            observed_ms: r.try_get(2)?,
                        })
                    })
                    .collect()
                }

                async fn trace_occupants(
                    &self,
                    grant: &TrajectoryRead,
                    ids: &[Uuid],
                ) -> Result<Vec<(Uuid, Vec<Occupant>)>, StoreError> {
                    let mut out = Vec::with_capacity(ids.len());
                    for chunk in ids.chunks(IDS_PER_QUERY) {
                        let mut q = sqlx::QueryBuilder::<$db>::new(
                            "SELECT p.id, c.code, c.jurisdiction, p.sealed FROM passages p \
                             JOIN checkpoints c ON c.id = p.checkpoint_id WHERE p.id IN (",
                        );
                        let mut list = q.separated(", ");
                        for id in chunk {
                            list.push_bind(*id);
                        }
                        q.push(")");
                        for r in q.build().fetch_all(&self.core.read).await? {
                            let id: Uuid = r.try_get(0)?;
                            let code: String = r.try_get(1)?;
                            let code = CheckpointCode::parse(&code)
                                .map_err(|_| corrupt("checkpoint code"))?;
                            if !grant.scope().covers(&code, rows::division(r.try_get(2)?)?) {
                                continue;
                            }
                            let sealed: Option<Vec<u8>> = r.try_get(3)?;
                            let occupants = match sealed {
                                None => Vec::new(),
                                Some(sealed) => {
                                    let plain = self.keyring.open(id.as_bytes(), &sealed)?;
                                    let text = std::str::from_utf8(&plain)
                                        .map_err(|_| corrupt("occupants"))?;
                                    rows::occupants_from_json(text)?
                                }
                            };
                            out.push((id, occupants));
                        }
                    }
                    Ok(out)
                }

                async fn load_trace_bench(&self, rows: Vec<TraceRow>) -> Result<(), StoreError> {
                    self.trace_bench_impl(rows).await
                }

                async fn build_trace_reference(&self) -> Result<(), StoreError> {
                    sqlx::raw_sql($reference_persons).execute(&self.core.write).await?;
                    sqlx::raw_sql("DELETE FROM trace_reference_persons").execute(&self.core.write).await?;
                    for (_, create) in crate::trace_sql::BENCH_INDEXES {
                        sqlx::raw_sql(&create.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS"))
                            .execute(&self.core.write)
                            .await?;
                    }
                    let mut after = TraceCursor::since(i64::MIN);
                    loop {
                        let rows_ = self.trace_rows(after, 2_000).await?;
                        let Some(last) = rows_.last() else { break };
                        after = TraceCursor { recorded_ms: last.recorded_ms, id: last.id };
                        let persons: Vec<(&str, i64, Uuid, &'static str)> = rows_
                            .iter()
                            .flat_map(|r| r.occupants.iter().map(move |(k, role)| (k.as_str(), r.observed_ms, r.id, role.as_str())))
                            .collect();
                        for chunk in persons.chunks(IDS_PER_QUERY) {
                            let mut q = sqlx::QueryBuilder::<$db>::new(crate::sql::PERSON_INSERT);
                            q.push_values(chunk, |mut b, (k, at, id, role)| {
                                b.push_bind(k.to_string()).push_bind(*at).push_bind(*id).push_bind(*role);
                            });
                            q.push(" ON CONFLICT DO NOTHING");
                            q.build().execute(&self.core.write).await?;
                        }
                    }
                    Ok(())
                }

                async fn trace_hop_sql(
                    &self,
                    grant: &TrajectoryRead,
                    q: &SqlTraceQuery,
                ) -> Result<SqlHop, StoreError> {
                    // The subject's passages, by the reference's person index or plate index.
                    let mut first = match &q.subject {
                        SqlSubject::Person(key) => {
                            let mut b = sqlx::QueryBuilder::<$db>::new(
                                "SELECT p.id, p.observed_at, p.plate, c.code, c.jurisdiction, p.occupant_keys \
                                 FROM trace_reference_persons pp JOIN passages p ON p.id = pp.passage \
                                 JOIN checkpoints c ON c.id = p.checkpoint_id WHERE pp.doc_key = ",
                            );
                            b.push_bind(key.clone()).push(" AND pp.observed_at >= ");
                            b
                        }
                        SqlSubject::Plate(plate) => {
                            let mut b = sqlx::QueryBuilder::<$db>::new(
                                "SELECT p.id, p.observed_at, p.plate, c.code, c.jurisdiction, p.occupant_keys \
                                 FROM passages p JOIN checkpoints c ON c.id = p.checkpoint_id WHERE p.plate = ",
                            );
                            b.push_bind(plate.clone()).push(" AND p.observed_at >= ");
                            b
                        }
                    };
                    first
                        .push_bind(q.period.from_ms)
                        .push(" AND p.observed_at < ")
                        .push_bind(q.period.to_ms)
                        .push(" AND p.occupant_keys IS NOT NULL");
                    let subject_key = match &q.subject {
                        SqlSubject::Person(k) => Some(k.as_str()),
                        SqlSubject::Plate(_) => None,
                    };
                    let mut mine: Vec<(Uuid, i64, Option<String>)> = Vec::new();
                    let mut links = Vec::new();
                    let mut link = |kind: &'static str, keys: &str, passage: Uuid, gap_ms: i64| -> Result<(), StoreError> {
                        for (person, _) in rows::parse_occupant_keys(keys)? {
                            if Some(person.as_str()) != subject_key {
                                links.push(SqlLink { kind, person, passage, gap_ms });
                            }
                        }
                        Ok(())
                    };
                    for r in first.build().fetch_all(&self.core.read).await? {
                        let code: String = r.try_get(3)?;
                        let code = CheckpointCode::parse(&code).map_err(|_| corrupt("checkpoint code"))?;
                        if !grant.scope().covers(&code, rows::division(r.try_get(4)?)?) {
                            continue;
                        }
                        let id: Uuid = r.try_get(0)?;
                        let keys: String = r.try_get(5)?;
                        link("same_vehicle", &keys, id, 0)?;
                        mine.push((id, r.try_get(1)?, r.try_get(2)?));
                    }
                    let own: std::collections::HashSet<Uuid> = mine.iter().map(|m| m.0).collect();
                    for chunk in mine.chunks(IDS_PER_QUERY) {
                        // Others at the same checkpoint within the window, by the reference's checkpoint-first index.
                        let mut b = sqlx::QueryBuilder::<$db>::new(
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
                        b.push(" WHERE n.occupant_keys IS NOT NULL AND m.id IN (");
                        let mut list = b.separated(", ");
                        for m in chunk {
                            list.push_bind(m.0);
                        }
                        b.push(")");
                        for r in b.build().fetch_all(&self.core.read).await? {
                            let id: Uuid = r.try_get(0)?;
                            if own.contains(&id) {
                                continue;
                            }
                            let gap: i64 = r.try_get(1)?;
                            let keys: String = r.try_get(2)?;
                            link("same_checkpoint", &keys, id, gap.abs())?;
                        }
                    }
                    if subject_key.is_some() {
                        let mut plates: Vec<&str> = mine.iter().filter_map(|m| m.2.as_deref()).collect();
                        plates.sort_unstable();
                        plates.dedup();
                        for chunk in plates.chunks(IDS_PER_QUERY) {
                            // Other passages of the vehicles the subject used, by the plate index.
                            let mut b = sqlx::QueryBuilder::<$db>::new(
                                "SELECT r.id, r.observed_at, r.plate, c.code, c.jurisdiction, r.occupant_keys \
                                 FROM passages r JOIN checkpoints c ON c.id = r.checkpoint_id WHERE r.observed_at >= ",
                            );
                            b.push_bind(q.period.from_ms)
                                .push(" AND r.observed_at < ")
                                .push_bind(q.period.to_ms)
                                .push(" AND r.occupant_keys IS NOT NULL AND r.plate IN (");
                            let mut list = b.separated(", ");
                            for p in chunk {
                                list.push_bind(p.to_string());
                            }
                            b.push(")");
                            for r in b.build().fetch_all(&self.core.read).await? {
                                let id: Uuid = r.try_get(0)?;
                                let code: String = r.try_get(3)?;
                                let code = CheckpointCode::parse(&code).map_err(|_| corrupt("checkpoint code"))?;
                                if own.contains(&id) || !grant.scope().covers(&code, rows::division(r.try_get(4)?)?) {
                                    continue;
                                }
                                let at: i64 = r.try_get(1)?;
                                let plate: Option<String> = r.try_get(2)?;
                                let gap = mine
                                    .iter()
                                    .filter(|m| m.2 == plate)
                                    .map(|m| (at - m.1).abs())
                                    .min()
                                    .ok_or_else(|| corrupt("shared vehicle"))?;
                                let keys: String = r.try_get(5)?;
                                link("shared_vehicle", &keys, id, gap)?;
                            }
                        }
                    }
                    Ok(SqlHop {
                        subject_passages: mine.into_iter().map(|m| m.0).collect(),
                        links,
                    })
                }
            }

            impl $store {
                /// Gives passages recorded before migration 6 their occupants' keys, once, from
                /// their sealed occupants.
                pub(crate) async fn fill_occupant_keys(&self) -> Result<u64, StoreError> {
                    if self.core.data_migration_done(KEYS_MARK).await? {
                        return Ok(0);
                    }
                    let mut total = 0u64;
                    loop {
                        let rows_ = sqlx::query(
                            "SELECT id, sealed FROM passages \
                             WHERE occupant_keys IS NULL AND sealed IS NOT NULL LIMIT 2000",
                        )
                        .fetch_all(&self.core.write)
                        .await?;
                        if rows_.is_empty() {
                            break;
                        }
                        let mut tx = self.core.write.begin().await?;
                        for r in &rows_ {
                            let id: Uuid = r.try_get(0)?;
                            let sealed: Vec<u8> = r.try_get(1)?;
                            let plain = self.keyring.open(id.as_bytes(), &sealed)?;
                            let text =
                                std::str::from_utf8(&plain).map_err(|_| corrupt("occupants"))?;
                            let occupants = rows::occupants_from_json(text)?;
                            let keys: Vec<String> = occupants
                                .iter()
                                .map(|o| self.keyring.person(&o.person.document))
                                .collect();
                            sqlx::query("UPDATE passages SET occupant_keys = $1 WHERE id = $2")
                                .bind(rows::occupant_keys(&occupants, &keys))
                                .bind(id)
                                .execute(&mut *tx)
                                .await?;
                        }
                        tx.commit().await?;
                        total += rows_.len() as u64;
                    }
                    self.core.mark_data_migration(KEYS_MARK, "fill_occupant_keys").await?;
                    if total > 0 {
                        tracing::info!(passages = total, "gave earlier passages their occupants' keys");
                    }
                    Ok(total)
                }
            }
        }
    };
}

pub(crate) use trace_sql;

/// Passages recorded after a cursor (`$1` time, `$2` id), in recording order, at most `$3`,
/// leaving out purged ones: what the trace index reads.
/// The columns of a trace row, from `passages`.
macro_rules! trace_row_columns {
    () => {
        "SELECT id, checkpoint_id, lane, direction, observed_at, recorded_at, plate, \
         occupant_keys FROM passages"
    };
}

/// The columns of a trace row, from `passages`.
pub(crate) const TRACE_ROW_COLUMNS: &str = trace_row_columns!();

pub(crate) const TRACE_ROWS: &str = concat!(
    trace_row_columns!(),
    " WHERE recorded_at >= $1 AND (recorded_at > $1 OR id > $2) \
     AND occupant_keys IS NOT NULL ORDER BY recorded_at, id LIMIT $3"
);

/// Positions in the recording order, from the recording index alone.
pub(crate) const TRACE_POSITIONS: &str = "SELECT recorded_at, id FROM passages \
     WHERE recorded_at >= $1 AND (recorded_at > $1 OR id > $2) ORDER BY recorded_at, id LIMIT $3";

/// The person index of the SQL reference for traces (`trace_hop_sql`), in SQLite: built by the
/// trace benchmark's load and by `build_trace_reference`, never written by registrations (the
/// trace index answers who was in which passage).
pub(crate) const REFERENCE_PERSONS_SQLITE: &str = "CREATE TABLE IF NOT EXISTS trace_reference_persons (\
    doc_key TEXT NOT NULL, observed_at INTEGER NOT NULL, passage BLOB NOT NULL, role TEXT NOT NULL, \
    PRIMARY KEY (doc_key, observed_at, passage)) WITHOUT ROWID";

/// [`REFERENCE_PERSONS_SQLITE`] in PostgreSQL.
pub(crate) const REFERENCE_PERSONS_POSTGRES: &str =
    "CREATE TABLE IF NOT EXISTS trace_reference_persons (\
    doc_key TEXT NOT NULL, observed_at BIGINT NOT NULL, passage UUID NOT NULL, role TEXT NOT NULL, \
    PRIMARY KEY (doc_key, observed_at, passage))";

/// The secondary indexes the trace benchmark drops while it loads and builds again after. The
/// checkpoint-first and plate indexes are the SQL reference's own (registrations keep neither:
/// the trace index answers who was where and which passages a vehicle made, and the schema's
/// `passages_hour_checkpoint` the lists by checkpoint).
pub(crate) const BENCH_INDEXES: &[(&str, &str)] = &[
    (
        "passages_hour_checkpoint",
        "CREATE INDEX passages_hour_checkpoint ON passages ((observed_at / 3600000), checkpoint_id, observed_at)",
    ),
    (
        "passages_checkpoint_time",
        "CREATE INDEX passages_checkpoint_time ON passages (checkpoint_id, observed_at, id)",
    ),
    (
        "trace_reference_plates",
        "CREATE INDEX trace_reference_plates ON passages (plate, observed_at) WHERE plate IS NOT NULL",
    ),
    (
        "passages_recorded",
        "CREATE INDEX passages_recorded ON passages (recorded_at, id)",
    ),
];

/// A role's letter in `occupant_keys`.
pub(crate) fn role_letter(r: cordon_domain::passage::Role) -> char {
    use cordon_domain::passage::Role;
    match r {
        Role::Driver => 'd',
        Role::Passenger => 'p',
        Role::Pedestrian => 'w',
    }
}

/// A trace row's `occupant_keys` column.
pub(crate) fn keys_column(row: &crate::trace_store::TraceRow) -> String {
    row.occupants
        .iter()
        .map(|(k, r)| format!("{}{k}", role_letter(*r)))
        .collect::<Vec<_>>()
        .join(",")
}
