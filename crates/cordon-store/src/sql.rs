//! The SQL both backends run. SQLite and PostgreSQL take the same statements here (`$n`
//! placeholders, `ON CONFLICT`, `RETURNING`, row-value comparison); what differs (connection
//! set-up, DDL) lives in `sqlite.rs` and `postgres.rs`. The implementation is written once, as a
//! macro instantiated per backend, because sqlx's generic executor bounds do not carry through
//! `async_trait` futures; inside the macro the code is ordinary Rust over one concrete database.

/// Columns of a checkpoint row, in [`crate::rows::CheckpointRow`] order.
pub(crate) const CHECKPOINT_COLUMNS: &str =
    "code, name, jurisdiction, kind, defence_line, lat, lon, \
     lanes, cameras, status, status_changed_at";

/// Columns of a passage row joined with its checkpoint, in [`crate::rows::PassageRow`] order.
pub(crate) const PASSAGE_SELECT: &str = "SELECT p.id, c.code, p.lane, p.direction, p.observed_at, \
     p.observed_offset, p.recorded_at, p.plate, p.plate_color, p.vehicle_class, p.origin, \
     p.destination, p.decision FROM passages p JOIN checkpoints c ON c.id = p.checkpoint_id";

/// Columns of an occupant row, in [`crate::rows::OccupantRow`] order.
pub(crate) const OCCUPANT_SELECT: &str = "SELECT passage_id, doc_type, doc_number, name, phone, \
     role, temperature, health_code, test_kind, test_taken_at, test_offset, test_result, visited \
     FROM passage_occupants";

/// Rows per multi-row statement: well under both backends' limits on bound parameters.
pub(crate) const CHUNK: usize = 1_000;

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

macro_rules! sql_store {
    ($store:ident, $core:ident, $db:ty, $name:literal) => {
        use std::collections::HashMap;
        use std::sync::Arc;

        use async_trait::async_trait;
        use cordon_domain::checkpoint::{
            Checkpoint, CheckpointCode, CheckpointStatus, Jurisdiction, StatusEvent,
        };
        use cordon_domain::division::{DivisionCode, DivisionLevel};
        use cordon_domain::identity::IdentityDocument;
        use cordon_domain::passage::{Passage, TrajectoryPoint};
        use cordon_domain::plate::Plate;
        use sqlx::{QueryBuilder, Row as _};
        use uuid::Uuid;

        use crate::migrate::{Migration, CREATE_TABLE};
        use crate::rows::{self, CheckpointRow, OccupantRow, PassageRow, TrajectoryRow};
        use crate::sql::{
            division_range, CHECKPOINT_COLUMNS, CHUNK, OCCUPANT_SELECT, PASSAGE_SELECT,
        };
        use crate::writer::{GroupWrite, JobResult, PassageWriter};
        use crate::{
            CheckpointFilter, CheckpointPatch, HourlyCount, NewCheckpoint, NewJurisdiction,
            NewPassage, PassagePage, PassageQuery, Period, RecordRejection, Recorded,
            StatusChange, StatusChangeSummary, Store, StoreError,
        };

        type DbRow = <$db as sqlx::Database>::Row;

        /// The pools; the writer task and the store share it.
        pub(crate) struct $core {
            read: sqlx::Pool<$db>,
            write: sqlx::Pool<$db>,
        }

        pub struct $store {
            core: Arc<$core>,
            writer: PassageWriter,
        }

        impl $store {
            fn from_pools(read: sqlx::Pool<$db>, write: sqlx::Pool<$db>) -> Self {
                let core = Arc::new($core { read, write });
                let writer = PassageWriter::spawn(core.clone());
                Self { core, writer }
            }
        }

        fn checkpoint_row(r: &DbRow) -> Result<Checkpoint, StoreError> {
            CheckpointRow {
                code: r.try_get(0)?,
                name: r.try_get(1)?,
                jurisdiction: r.try_get(2)?,
                kind: r.try_get(3)?,
                defence_line: r.try_get(4)?,
                lat: r.try_get(5)?,
                lon: r.try_get(6)?,
                lanes: r.try_get(7)?,
                cameras: r.try_get(8)?,
                status: r.try_get(9)?,
                status_changed_at: r.try_get(10)?,
            }
            .into_domain()
        }

        fn passage_row(r: &DbRow) -> Result<PassageRow, StoreError> {
            Ok(PassageRow {
                id: r.try_get(0)?,
                checkpoint: r.try_get(1)?,
                lane: r.try_get(2)?,
                direction: r.try_get(3)?,
                observed_at: r.try_get(4)?,
                observed_offset: r.try_get(5)?,
                recorded_at: r.try_get(6)?,
                plate: r.try_get(7)?,
                plate_color: r.try_get(8)?,
                vehicle_class: r.try_get(9)?,
                origin: r.try_get(10)?,
                destination: r.try_get(11)?,
                decision: r.try_get(12)?,
            })
        }

        fn occupant_row(r: &DbRow) -> Result<OccupantRow, StoreError> {
            Ok(OccupantRow {
                passage_id: r.try_get(0)?,
                doc_type: r.try_get(1)?,
                doc_number: r.try_get(2)?,
                name: r.try_get(3)?,
                phone: r.try_get(4)?,
                role: r.try_get(5)?,
                temperature: r.try_get(6)?,
                health_code: r.try_get(7)?,
                test_kind: r.try_get(8)?,
                test_taken_at: r.try_get(9)?,
                test_offset: r.try_get(10)?,
                test_result: r.try_get(11)?,
                visited: r.try_get(12)?,
            })
        }

        fn trajectory_row(r: &DbRow) -> Result<TrajectoryPoint, StoreError> {
            TrajectoryRow {
                passage: r.try_get(0)?,
                checkpoint: r.try_get(1)?,
                lane: r.try_get(2)?,
                direction: r.try_get(3)?,
                observed_at: r.try_get(4)?,
                observed_offset: r.try_get(5)?,
                plate: r.try_get(6)?,
                role: r.try_get(7)?,
                outcome: r.try_get(8)?,
            }
            .into_domain()
        }

        /// The stored facts that make a retry's answer: when it was recorded and what was decided.
        struct Existing {
            fingerprint: Vec<u8>,
            recorded_at: i64,
            decision: String,
        }

        /// A checkpoint as a registration needs it.
        struct Lane {
            id: i64,
            lanes: i64,
            open: bool,
        }

        impl $core {
            pub(crate) async fn migrate(
                &self,
                list: &[Migration],
                lock: Option<&str>,
            ) -> Result<(), StoreError> {
                let mut tx = self.write.begin().await?;
                if let Some(lock) = lock {
                    sqlx::query(lock).execute(&mut *tx).await?;
                }
                sqlx::raw_sql(CREATE_TABLE).execute(&mut *tx).await?;
                for m in list {
                    let done = sqlx::query("SELECT version FROM cordon_migrations WHERE version = $1")
                        .bind(m.version)
                        .fetch_optional(&mut *tx)
                        .await?;
                    if done.is_none() {
                        tracing::info!(backend = $name, version = m.version, name = m.name, "applying migration");
                        sqlx::raw_sql(m.sql).execute(&mut *tx).await?;
                        sqlx::query("INSERT INTO cordon_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
                            .bind(m.version)
                            .bind(m.name)
                            .bind(cordon_domain::time::now_ms())
                            .execute(&mut *tx)
                            .await?;
                    }
                }
                tx.commit().await?;
                Ok(())
            }

            async fn lanes(
                tx: &mut sqlx::Transaction<'static, $db>,
                codes: &[&str],
            ) -> Result<HashMap<String, Lane>, StoreError> {
                let mut out = HashMap::new();
                for chunk in codes.chunks(CHUNK) {
                    let mut q = QueryBuilder::<$db>::new(
                        "SELECT id, code, lanes, status FROM checkpoints WHERE code IN (",
                    );
                    let mut list = q.separated(", ");
                    for c in chunk {
                        list.push_bind(c.to_string());
                    }
                    q.push(")");
                    for r in q.build().fetch_all(&mut **tx).await? {
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
                }
                Ok(out)
            }

            async fn existing(
                tx: &mut sqlx::Transaction<'static, $db>,
                ids: &[Uuid],
            ) -> Result<HashMap<Uuid, Existing>, StoreError> {
                let mut out = HashMap::new();
                for chunk in ids.chunks(CHUNK) {
                    let mut q = QueryBuilder::<$db>::new(
                        "SELECT id, fingerprint, recorded_at, decision FROM passages WHERE id IN (",
                    );
                    let mut list = q.separated(", ");
                    for id in chunk {
                        list.push_bind(*id);
                    }
                    q.push(")");
                    for r in q.build().fetch_all(&mut **tx).await? {
                        out.insert(
                            r.try_get::<Uuid, _>(0)?,
                            Existing {
                                fingerprint: r.try_get(1)?,
                                recorded_at: r.try_get(2)?,
                                decision: r.try_get(3)?,
                            },
                        );
                    }
                }
                Ok(out)
            }

            /// Inserts passages and their occupants; answers `false`, having written no occupant,
            /// when another writer got one of the ids first.
            async fn insert(
                tx: &mut sqlx::Transaction<'static, $db>,
                rows: &[(&NewPassage, i64)],
                recorded_at: i64,
            ) -> Result<bool, StoreError> {
                let mut inserted = 0;
                for chunk in rows.chunks(CHUNK) {
                    let mut q = QueryBuilder::<$db>::new(
                        "INSERT INTO passages (id, checkpoint_id, lane, direction, observed_at, \
                         observed_offset, recorded_at, plate, plate_color, vehicle_class, origin, \
                         destination, persons, outcome, decision, fingerprint) ",
                    );
                    q.push_values(chunk, |mut b, (p, checkpoint_id)| {
                        let d = &p.draft;
                        let v = d.vehicle.as_ref();
                        b.push_bind(d.id)
                            .push_bind(*checkpoint_id)
                            .push_bind(i64::from(d.lane))
                            .push_bind(d.direction.as_str())
                            .push_bind(d.observed_at.timestamp_millis())
                            .push_bind(i64::from(d.observed_at.offset().local_minus_utc()))
                            .push_bind(recorded_at)
                            .push_bind(v.map(|v| v.plate.as_str().to_owned()))
                            .push_bind(v.map(|v| v.plate_color.as_str()))
                            .push_bind(v.map(|v| v.class.as_str()))
                            .push_bind(d.origin.map(rows::division_int))
                            .push_bind(d.destination.map(rows::division_int))
                            .push_bind(d.occupants.len() as i64)
                            .push_bind(p.decision.outcome.as_str())
                            .push_bind(serde_json::to_string(&p.decision).unwrap_or_default())
                            .push_bind(p.fingerprint.to_vec());
                    });
                    q.push(" ON CONFLICT (id) DO NOTHING RETURNING id");
                    inserted += q.build().fetch_all(&mut **tx).await?.len();
                }
                if inserted != rows.len() {
                    return Ok(false);
                }
                let occupants: Vec<(&NewPassage, usize)> = rows
                    .iter()
                    .flat_map(|(p, _)| (0..p.draft.occupants.len()).map(move |i| (*p, i)))
                    .collect();
                for chunk in occupants.chunks(CHUNK) {
                    let mut q = QueryBuilder::<$db>::new(
                        "INSERT INTO passage_occupants (passage_id, seq, observed_at, doc_type, \
                         doc_number, name, phone, role, temperature, health_code, test_kind, \
                         test_taken_at, test_offset, test_result, visited) ",
                    );
                    q.push_values(chunk, |mut b, (p, i)| {
                        let o = &p.draft.occupants[*i];
                        let t = o.latest_test.as_ref();
                        b.push_bind(p.draft.id)
                            .push_bind(*i as i64)
                            .push_bind(p.draft.observed_at.timestamp_millis())
                            .push_bind(o.person.document.kind().as_str())
                            .push_bind(o.person.document.expose_number().to_owned())
                            .push_bind(o.person.name.expose().to_owned())
                            .push_bind(o.person.phone.as_ref().map(|p| p.expose().to_owned()))
                            .push_bind(o.role.as_str())
                            .push_bind(o.temperature_c.map(|t| i64::from(t.tenths())))
                            .push_bind(o.health_code.as_str())
                            .push_bind(t.map(|t| t.kind.as_str()))
                            .push_bind(t.map(|t| t.taken_at.timestamp_millis()))
                            .push_bind(t.map(|t| i64::from(t.taken_at.offset().local_minus_utc())))
                            .push_bind(t.map(|t| t.result.as_str()))
                            .push_bind(rows::visited_text(o));
                    });
                    q.build().execute(&mut **tx).await?;
                }
                Ok(true)
            }

            /// One attempt at a group; `None` when another process wrote one of the ids
            /// between our check and our insert (the caller retries, and then sees it).
            async fn try_group(
                &self,
                jobs: &[&[NewPassage]],
            ) -> Result<Option<Vec<JobResult>>, StoreError> {
                let mut tx = self.write.begin().await?;
                let mut codes: Vec<&str> = jobs
                    .iter()
                    .flat_map(|j| j.iter().map(|p| p.draft.checkpoint.as_str()))
                    .collect();
                codes.sort_unstable();
                codes.dedup();
                let lanes = Self::lanes(&mut tx, &codes).await?;
                let ids: Vec<Uuid> = jobs.iter().flat_map(|j| j.iter().map(|p| p.draft.id)).collect();
                let existing = Self::existing(&mut tx, &ids).await?;
                let recorded_at = cordon_domain::time::now_ms();

                // Decide each request in order; ids accepted earlier in this group count as stored.
                let mut accepted: HashMap<Uuid, &NewPassage> = HashMap::new();
                let mut to_insert: Vec<(&NewPassage, i64)> = Vec::new();
                let mut results = Vec::with_capacity(jobs.len());
                for job in jobs {
                    let mut verdict: Result<Vec<Recorded>, RecordRejection> = Ok(Vec::new());
                    let mut fresh: Vec<(&NewPassage, i64)> = Vec::new();
                    for (index, p) in job.iter().enumerate() {
                        let d = &p.draft;
                        let outcome = match lanes.get(d.checkpoint.as_str()) {
                            None => Err(RecordRejection::UnknownCheckpoint { index }),
                            Some(l) if !l.open => Err(RecordRejection::CheckpointClosed { index }),
                            Some(l) if i64::from(d.lane) > l.lanes => Err(RecordRejection::LaneOutOfRange {
                                index,
                                lanes: l.lanes as u16,
                            }),
                            Some(l) => {
                                if let Some(e) = existing.get(&d.id) {
                                    if e.fingerprint == p.fingerprint {
                                        let decision = serde_json::from_str(&e.decision)
                                            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                                        Ok(Recorded::Replayed(Passage::new(
                                            d.clone(),
                                            rows::china_time(e.recorded_at)?,
                                            decision,
                                        )))
                                    } else {
                                        Err(RecordRejection::IdConflict { index })
                                    }
                                } else if let Some(first) = accepted.get(&d.id) {
                                    if first.fingerprint == p.fingerprint {
                                        Ok(Recorded::Replayed(Passage::new(
                                            d.clone(),
                                            rows::china_time(recorded_at)?,
                                            first.decision.clone(),
                                        )))
                                    } else {
                                        Err(RecordRejection::IdConflict { index })
                                    }
                                } else if fresh.iter().any(|(f, _)| f.draft.id == d.id) {
                                    let first = fresh.iter().find(|(f, _)| f.draft.id == d.id).map(|(f, _)| *f);
                                    match first {
                                        Some(f) if f.fingerprint == p.fingerprint => Ok(Recorded::Replayed(
                                            Passage::new(d.clone(), rows::china_time(recorded_at)?, f.decision.clone()),
                                        )),
                                        _ => Err(RecordRejection::DuplicateInBatch { index }),
                                    }
                                } else {
                                    fresh.push((p, l.id));
                                    Ok(Recorded::Created(Passage::new(
                                        d.clone(),
                                        rows::china_time(recorded_at)?,
                                        p.decision.clone(),
                                    )))
                                }
                            }
                        };
                        match (outcome, &mut verdict) {
                            (Ok(r), Ok(list)) => list.push(r),
                            (Err(rejection), Ok(_)) => {
                                verdict = Err(rejection);
                                break;
                            }
                            _ => {}
                        }
                    }
                    if verdict.is_ok() {
                        for (p, _) in &fresh {
                            accepted.insert(p.draft.id, p);
                        }
                        to_insert.extend(fresh);
                    }
                    results.push(verdict);
                }
                if !to_insert.is_empty() {
                    if !Self::insert(&mut tx, &to_insert, recorded_at).await? {
                        tx.rollback().await?;
                        return Ok(None);
                    }
                }
                tx.commit().await?;
                let created = to_insert.len() as u64;
                metrics::counter!("cordon_store_passages_written_total", "backend" => $name).increment(created);
                Ok(Some(results))
            }

            async fn load_passages(&self, rows_: Vec<PassageRow>) -> Result<Vec<Passage>, StoreError> {
                let mut occupants = Vec::new();
                for chunk in rows_.chunks(CHUNK) {
                    let mut q = QueryBuilder::<$db>::new(OCCUPANT_SELECT);
                    q.push(" WHERE passage_id IN (");
                    let mut list = q.separated(", ");
                    for p in chunk {
                        list.push_bind(p.id);
                    }
                    q.push(") ORDER BY passage_id, seq");
                    for r in q.build().fetch_all(&self.read).await? {
                        occupants.push(occupant_row(&r)?);
                    }
                }
                rows::assemble(rows_, occupants)
            }

            async fn checkpoint_id(&self, code: &CheckpointCode) -> Result<i64, StoreError> {
                sqlx::query("SELECT id FROM checkpoints WHERE code = $1")
                    .bind(code.as_str())
                    .fetch_optional(&self.read)
                    .await?
                    .map(|r| r.try_get::<i64, _>(0))
                    .transpose()?
                    .ok_or_else(|| StoreError::not_found(format!("checkpoint {code}")))
            }
        }

        #[async_trait]
        impl GroupWrite for $core {
            async fn write_group(&self, jobs: &[&[NewPassage]]) -> Result<Vec<JobResult>, StoreError> {
                for _ in 0..3 {
                    if let Some(results) = self.try_group(jobs).await? {
                        return Ok(results);
                    }
                }
                Err(StoreError::Unavailable("concurrent writers kept colliding".into()))
            }
        }

        #[async_trait]
        impl Store for $store {
            fn backend(&self) -> &'static str {
                $name
            }

            async fn ping(&self) -> Result<(), StoreError> {
                sqlx::query("SELECT 1").execute(&self.core.read).await?;
                Ok(())
            }

            async fn create_jurisdiction(&self, j: NewJurisdiction) -> Result<Jurisdiction, StoreError> {
                let level = j.code.level();
                if let Some(parent) = j.code.parent() {
                    let found = sqlx::query("SELECT code FROM jurisdictions WHERE code = $1")
                        .bind(rows::division_int(parent))
                        .fetch_optional(&self.core.write)
                        .await?;
                    if found.is_none() {
                        return Err(StoreError::invalid(
                            "unknown_parent",
                            "code",
                            format!("the parent jurisdiction {parent} does not exist; create it first"),
                        ));
                    }
                }
                let level_text = match level {
                    DivisionLevel::Province => "province",
                    DivisionLevel::City => "city",
                    DivisionLevel::County => "county",
                };
                let r = sqlx::query("INSERT INTO jurisdictions (code, name, level, parent) VALUES ($1, $2, $3, $4)")
                    .bind(rows::division_int(j.code))
                    .bind(&j.name)
                    .bind(level_text)
                    .bind(j.code.parent().map(rows::division_int))
                    .execute(&self.core.write)
                    .await;
                match r {
                    Err(e) if StoreError::is_unique_violation(&e) => Err(StoreError::invalid(
                        "duplicate",
                        "code",
                        format!("jurisdiction {} exists already", j.code),
                    )),
                    Err(e) => Err(e.into()),
                    Ok(_) => Ok(Jurisdiction { code: j.code, name: j.name, level, parent: j.code.parent() }),
                }
            }

            async fn list_jurisdictions(&self) -> Result<Vec<Jurisdiction>, StoreError> {
                sqlx::query("SELECT code, name, level FROM jurisdictions ORDER BY code")
                    .fetch_all(&self.core.read)
                    .await?
                    .iter()
                    .map(|r| {
                        rows::JurisdictionRow { code: r.try_get(0)?, name: r.try_get(1)?, level: r.try_get(2)? }
                            .into_domain()
                    })
                    .collect()
            }

            async fn get_jurisdiction(&self, code: DivisionCode) -> Result<Jurisdiction, StoreError> {
                let r = sqlx::query("SELECT code, name, level FROM jurisdictions WHERE code = $1")
                    .bind(rows::division_int(code))
                    .fetch_optional(&self.core.read)
                    .await?
                    .ok_or_else(|| StoreError::not_found(format!("jurisdiction {code}")))?;
                rows::JurisdictionRow { code: r.try_get(0)?, name: r.try_get(1)?, level: r.try_get(2)? }.into_domain()
            }

            async fn rename_jurisdiction(&self, code: DivisionCode, name: String) -> Result<Jurisdiction, StoreError> {
                let done = sqlx::query("UPDATE jurisdictions SET name = $1 WHERE code = $2")
                    .bind(&name)
                    .bind(rows::division_int(code))
                    .execute(&self.core.write)
                    .await?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::not_found(format!("jurisdiction {code}")));
                }
                self.get_jurisdiction(code).await
            }

            async fn create_checkpoints(&self, list: Vec<NewCheckpoint>, actor: &str) -> Result<(), StoreError> {
                let mut tx = self.core.write.begin().await?;
                let now = cordon_domain::time::now_ms();
                let known: Vec<i64> = sqlx::query("SELECT code FROM jurisdictions")
                    .fetch_all(&mut *tx)
                    .await?
                    .iter()
                    .map(|r| r.try_get(0))
                    .collect::<Result<_, _>>()?;
                for (i, c) in list.iter().enumerate() {
                    let field = |f: &str| if list.len() == 1 { f.to_owned() } else { format!("checkpoints[{i}].{f}") };
                    if !c.code.division().contains(c.jurisdiction) {
                        return Err(StoreError::invalid(
                            "jurisdiction_mismatch",
                            &field("jurisdiction"),
                            format!("{} lies outside the division {} named in the code", c.jurisdiction, c.code.division()),
                        ));
                    }
                    if !known.contains(&rows::division_int(c.jurisdiction)) {
                        return Err(StoreError::invalid(
                            "unknown_jurisdiction",
                            &field("jurisdiction"),
                            format!("jurisdiction {} does not exist", c.jurisdiction),
                        ));
                    }
                    let inserted = sqlx::query(
                        "INSERT INTO checkpoints (code, name, jurisdiction, kind, defence_line, lat, lon, lanes, \
                         cameras, status, status_changed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
                         RETURNING id",
                    )
                    .bind(c.code.as_str())
                    .bind(&c.name)
                    .bind(rows::division_int(c.jurisdiction))
                    .bind(c.kind.as_str())
                    .bind(c.defence_line.as_str())
                    .bind(c.location.lat)
                    .bind(c.location.lon)
                    .bind(i64::from(c.lanes))
                    .bind(i64::from(c.cameras))
                    .bind(c.status.as_str())
                    .bind(now)
                    .fetch_one(&mut *tx)
                    .await;
                    let id: i64 = match inserted {
                        Err(e) if StoreError::is_unique_violation(&e) => {
                            return Err(StoreError::invalid(
                                "duplicate",
                                &field("code"),
                                format!("checkpoint {} exists already", c.code),
                            ))
                        }
                        Err(e) => return Err(e.into()),
                        Ok(r) => r.try_get(0)?,
                    };
                    sqlx::query("INSERT INTO checkpoint_status_events (checkpoint_id, status, reason, actor, at) VALUES ($1, $2, $3, $4, $5)")
                        .bind(id)
                        .bind(c.status.as_str())
                        .bind("created")
                        .bind(actor)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn list_checkpoints(&self, f: &CheckpointFilter) -> Result<Vec<Checkpoint>, StoreError> {
                let mut q = QueryBuilder::<$db>::new(format!("SELECT {CHECKPOINT_COLUMNS} FROM checkpoints WHERE 1 = 1"));
                if let Some(within) = f.within {
                    let (lo, hi) = division_range(within);
                    q.push(" AND jurisdiction BETWEEN ").push_bind(lo).push(" AND ").push_bind(hi);
                }
                if let Some(s) = f.status {
                    q.push(" AND status = ").push_bind(s.as_str());
                }
                if let Some(l) = f.defence_line {
                    q.push(" AND defence_line = ").push_bind(l.as_str());
                }
                if let Some(k) = f.kind {
                    q.push(" AND kind = ").push_bind(k.as_str());
                }
                q.push(" ORDER BY code");
                q.build().fetch_all(&self.core.read).await?.iter().map(checkpoint_row).collect()
            }

            async fn get_checkpoint(&self, code: &CheckpointCode) -> Result<Checkpoint, StoreError> {
                let r = sqlx::query(&format!("SELECT {CHECKPOINT_COLUMNS} FROM checkpoints WHERE code = $1"))
                    .bind(code.as_str())
                    .fetch_optional(&self.core.read)
                    .await?
                    .ok_or_else(|| StoreError::not_found(format!("checkpoint {code}")))?;
                checkpoint_row(&r)
            }

            async fn update_checkpoint(&self, code: &CheckpointCode, p: CheckpointPatch) -> Result<Checkpoint, StoreError> {
                let done = sqlx::query(
                    "UPDATE checkpoints SET name = COALESCE($2, name), kind = COALESCE($3, kind), \
                     defence_line = COALESCE($4, defence_line), lat = COALESCE($5, lat), lon = COALESCE($6, lon), \
                     lanes = COALESCE($7, lanes), cameras = COALESCE($8, cameras) WHERE code = $1",
                )
                .bind(code.as_str())
                .bind(p.name)
                .bind(p.kind.map(|k| k.as_str()))
                .bind(p.defence_line.map(|l| l.as_str()))
                .bind(p.location.map(|l| l.lat))
                .bind(p.location.map(|l| l.lon))
                .bind(p.lanes.map(i64::from))
                .bind(p.cameras.map(i64::from))
                .execute(&self.core.write)
                .await?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::not_found(format!("checkpoint {code}")));
                }
                self.get_checkpoint(code).await
            }

            async fn set_checkpoint_status(&self, change: StatusChange) -> Result<StatusChangeSummary, StoreError> {
                let mut tx = self.core.write.begin().await?;
                let codes: Vec<&str> = change.codes.iter().map(|c| c.as_str()).collect();
                let mut current: HashMap<String, (i64, String)> = HashMap::new();
                for chunk in codes.chunks(CHUNK) {
                    let mut q = QueryBuilder::<$db>::new("SELECT id, code, status FROM checkpoints WHERE code IN (");
                    let mut list = q.separated(", ");
                    for c in chunk {
                        list.push_bind(c.to_string());
                    }
                    q.push(")");
                    for r in q.build().fetch_all(&mut *tx).await? {
                        current.insert(r.try_get(1)?, (r.try_get(0)?, r.try_get(2)?));
                    }
                }
                if let Some((i, c)) = change.codes.iter().enumerate().find(|(_, c)| !current.contains_key(c.as_str())) {
                    return Err(StoreError::Invalid(cordon_domain::FieldError::new(
                        "unknown_checkpoint",
                        format!("codes[{i}]"),
                        format!("checkpoint {c} does not exist; nothing was changed"),
                    )));
                }
                let now = cordon_domain::time::now_ms();
                let mut summary = StatusChangeSummary { changed: Vec::new(), unchanged: Vec::new() };
                let mut ids = Vec::new();
                for c in &change.codes {
                    let (id, status) = &current[c.as_str()];
                    if status == change.status.as_str() || ids.contains(id) {
                        if !summary.changed.contains(c) && !summary.unchanged.contains(c) {
                            summary.unchanged.push(c.clone());
                        }
                    } else {
                        ids.push(*id);
                        summary.changed.push(c.clone());
                    }
                }
                for chunk in ids.chunks(CHUNK) {
                    let mut q = QueryBuilder::<$db>::new("UPDATE checkpoints SET status = ");
                    q.push_bind(change.status.as_str()).push(", status_changed_at = ").push_bind(now);
                    q.push(" WHERE id IN (");
                    let mut list = q.separated(", ");
                    for id in chunk {
                        list.push_bind(*id);
                    }
                    q.push(")");
                    q.build().execute(&mut *tx).await?;
                    let mut q = QueryBuilder::<$db>::new(
                        "INSERT INTO checkpoint_status_events (checkpoint_id, status, reason, actor, at) ",
                    );
                    q.push_values(chunk, |mut b, id| {
                        b.push_bind(*id)
                            .push_bind(change.status.as_str())
                            .push_bind(change.reason.clone())
                            .push_bind(change.actor.clone())
                            .push_bind(now);
                    });
                    q.build().execute(&mut *tx).await?;
                }
                tx.commit().await?;
                Ok(summary)
            }

            async fn checkpoint_history(&self, code: &CheckpointCode) -> Result<Vec<StatusEvent>, StoreError> {
                let id = self.core.checkpoint_id(code).await?;
                sqlx::query("SELECT status, reason, actor, at FROM checkpoint_status_events WHERE checkpoint_id = $1 ORDER BY at, id")
                    .bind(id)
                    .fetch_all(&self.core.read)
                    .await?
                    .iter()
                    .map(|r| {
                        rows::StatusEventRow {
                            code: code.to_string(),
                            status: r.try_get(0)?,
                            reason: r.try_get(1)?,
                            actor: r.try_get(2)?,
                            at: r.try_get(3)?,
                        }
                        .into_domain()
                    })
                    .collect()
            }

            async fn record_passages(&self, passages: Vec<NewPassage>) -> Result<Vec<Recorded>, StoreError> {
                self.writer.record(passages).await
            }

            async fn get_passage(&self, id: Uuid) -> Result<Passage, StoreError> {
                let r = sqlx::query(&format!("{PASSAGE_SELECT} WHERE p.id = $1"))
                    .bind(id)
                    .fetch_optional(&self.core.read)
                    .await?
                    .ok_or_else(|| StoreError::not_found(format!("passage {id}")))?;
                let mut list = self.core.load_passages(vec![passage_row(&r)?]).await?;
                list.pop().ok_or_else(|| StoreError::not_found(format!("passage {id}")))
            }

            async fn passages_at_checkpoint(&self, q: &PassageQuery) -> Result<PassagePage, StoreError> {
                let checkpoint = self.core.checkpoint_id(&q.checkpoint).await?;
                let limit = i64::from(q.limit.clamp(1, 1_000));
                let (after_ms, after_id) = match q.after {
                    Some(c) => (c.observed_ms, c.id),
                    None => (i64::MIN, Uuid::nil()),
                };
                let mut rows_ = sqlx::query(&format!(
                    "{PASSAGE_SELECT} WHERE p.checkpoint_id = $1 AND p.observed_at >= $2 AND p.observed_at < $3 \
                     AND (p.observed_at, p.id) > ($4, $5) ORDER BY p.observed_at, p.id LIMIT $6"
                ))
                .bind(checkpoint)
                .bind(q.period.from_ms)
                .bind(q.period.to_ms)
                .bind(after_ms)
                .bind(after_id)
                .bind(limit + 1)
                .fetch_all(&self.core.read)
                .await?
                .iter()
                .map(passage_row)
                .collect::<Result<Vec<_>, _>>()?;
                let more = rows_.len() as i64 > limit;
                rows_.truncate(limit as usize);
                let next = if more {
                    rows_.last().map(|r| crate::Cursor { observed_ms: r.observed_at, id: r.id })
                } else {
                    None
                };
                Ok(PassagePage { passages: self.core.load_passages(rows_).await?, next })
            }

            async fn hourly_counts(&self, checkpoint: &CheckpointCode, period: Period) -> Result<Vec<HourlyCount>, StoreError> {
                let id = self.core.checkpoint_id(checkpoint).await?;
                sqlx::query(
                    "SELECT observed_at / 3600000 AS hour, COUNT(*), CAST(SUM(persons) AS BIGINT) FROM passages \
                     WHERE checkpoint_id = $1 AND observed_at >= $2 AND observed_at < $3 GROUP BY hour ORDER BY hour",
                )
                .bind(id)
                .bind(period.from_ms)
                .bind(period.to_ms)
                .fetch_all(&self.core.read)
                .await?
                .iter()
                .map(|r| {
                    Ok(HourlyCount {
                        hour_ms: r.try_get::<i64, _>(0)? * 3_600_000,
                        passages: r.try_get(1)?,
                        persons: r.try_get(2)?,
                    })
                })
                .collect()
            }

            async fn count_passages(&self) -> Result<i64, StoreError> {
                Ok(sqlx::query("SELECT COUNT(*) FROM passages").fetch_one(&self.core.read).await?.try_get(0)?)
            }

            async fn person_trajectory(&self, document: &IdentityDocument, period: Period) -> Result<Vec<TrajectoryPoint>, StoreError> {
                sqlx::query(
                    "SELECT p.id, c.code, p.lane, p.direction, p.observed_at, p.observed_offset, p.plate, o.role, p.outcome \
                     FROM passage_occupants o JOIN passages p ON p.id = o.passage_id JOIN checkpoints c ON c.id = p.checkpoint_id \
                     WHERE o.doc_type = $1 AND o.doc_number = $2 AND o.observed_at >= $3 AND o.observed_at < $4 \
                     ORDER BY o.observed_at, p.id",
                )
                .bind(document.kind().as_str())
                .bind(document.expose_number())
                .bind(period.from_ms)
                .bind(period.to_ms)
                .fetch_all(&self.core.read)
                .await?
                .iter()
                .map(trajectory_row)
                .collect()
            }

            async fn vehicle_trajectory(&self, plate: &Plate, period: Period) -> Result<Vec<TrajectoryPoint>, StoreError> {
                sqlx::query(
                    "SELECT p.id, c.code, p.lane, p.direction, p.observed_at, p.observed_offset, p.plate, NULL, p.outcome \
                     FROM passages p JOIN checkpoints c ON c.id = p.checkpoint_id \
                     WHERE p.plate = $1 AND p.observed_at >= $2 AND p.observed_at < $3 ORDER BY p.observed_at, p.id",
                )
                .bind(plate.as_str())
                .bind(period.from_ms)
                .bind(period.to_ms)
                .fetch_all(&self.core.read)
                .await?
                .iter()
                .map(trajectory_row)
                .collect()
            }

            async fn insert_raw_baseline(&self, passages: &[NewPassage]) -> Result<(), StoreError> {
                let mut tx = self.core.write.begin().await?;
                let ids = sqlx::query("SELECT code, id FROM checkpoints").fetch_all(&mut *tx).await?;
                let mut lanes: HashMap<String, i64> = HashMap::new();
                for r in ids {
                    lanes.insert(r.try_get(0)?, r.try_get(1)?);
                }
                let now = cordon_domain::time::now_ms();
                for p in passages {
                    let d = &p.draft;
                    let v = d.vehicle.as_ref();
                    sqlx::query(
                        "INSERT INTO passages (id, checkpoint_id, lane, direction, observed_at, observed_offset, \
                         recorded_at, plate, plate_color, vehicle_class, origin, destination, persons, outcome, \
                         decision, fingerprint) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
                    )
                    .bind(d.id)
                    .bind(lanes.get(d.checkpoint.as_str()).copied().unwrap_or(0))
                    .bind(i64::from(d.lane))
                    .bind(d.direction.as_str())
                    .bind(d.observed_at.timestamp_millis())
                    .bind(i64::from(d.observed_at.offset().local_minus_utc()))
                    .bind(now)
                    .bind(v.map(|v| v.plate.as_str().to_owned()))
                    .bind(v.map(|v| v.plate_color.as_str()))
                    .bind(v.map(|v| v.class.as_str()))
                    .bind(d.origin.map(rows::division_int))
                    .bind(d.destination.map(rows::division_int))
                    .bind(d.occupants.len() as i64)
                    .bind(p.decision.outcome.as_str())
                    .bind(serde_json::to_string(&p.decision).unwrap_or_default())
                    .bind(p.fingerprint.to_vec())
                    .execute(&mut *tx)
                    .await?;
                    for (i, o) in d.occupants.iter().enumerate() {
                        let t = o.latest_test.as_ref();
                        sqlx::query(
                            "INSERT INTO passage_occupants (passage_id, seq, observed_at, doc_type, doc_number, name, \
                             phone, role, temperature, health_code, test_kind, test_taken_at, test_offset, test_result, \
                             visited) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
                        )
                        .bind(d.id)
                        .bind(i as i64)
                        .bind(d.observed_at.timestamp_millis())
                        .bind(o.person.document.kind().as_str())
                        .bind(o.person.document.expose_number())
                        .bind(o.person.name.expose())
                        .bind(o.person.phone.as_ref().map(|p| p.expose()))
                        .bind(o.role.as_str())
                        .bind(o.temperature_c.map(|t| i64::from(t.tenths())))
                        .bind(o.health_code.as_str())
                        .bind(t.map(|t| t.kind.as_str()))
                        .bind(t.map(|t| t.taken_at.timestamp_millis()))
                        .bind(t.map(|t| i64::from(t.taken_at.offset().local_minus_utc())))
                        .bind(t.map(|t| t.result.as_str()))
                        .bind(rows::visited_text(o))
                        .execute(&mut *tx)
                        .await?;
                    }
                }
                tx.commit().await?;
                Ok(())
            }
        }
    };
}

pub(crate) use sql_store;
