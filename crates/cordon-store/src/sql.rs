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
     p.destination, p.decision, p.occupants, p.freight_pass, p.sealed FROM passages p JOIN checkpoints c ON c.id = p.checkpoint_id";

/// Columns of a passage row as inserted.
pub(crate) const PASSAGE_INSERT: &str =
    "INSERT INTO passages (id, checkpoint_id, lane, direction, \
     observed_at, observed_offset, recorded_at, plate, plate_color, vehicle_class, origin, \
     destination, persons, outcome, decision, fingerprint, occupants, freight_pass, facts, sealed, \
     occupant_keys) ";

/// Columns of a row of the trace reference's person index (tests and benchmarks only), as
/// inserted.
pub(crate) const PERSON_INSERT: &str =
    "INSERT INTO trace_reference_persons (doc_key, observed_at, passage, role) ";

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
    ($store:ident, $core:ident, $db:ty, $name:literal $(, $field:ident: $fty:ty)*) => {
        use std::collections::HashMap;
        use std::sync::Arc;

        use async_trait::async_trait;
        use cordon_domain::checkpoint::{
            Checkpoint, CheckpointCode, Jurisdiction, StatusEvent,
        };
        use cordon_domain::access::{PassageRead, Scope, TrajectoryRead};
        use cordon_domain::division::{DivisionCode, DivisionLevel};
        use cordon_domain::passage::{Passage, Role, TrajectoryPoint};
        use sqlx::{QueryBuilder, Row as _};
        use uuid::Uuid;

        use crate::migrate::{Migration, CREATE_TABLE};
        use crate::rows::{self, CheckpointRow, PassageRow, TrajectoryRow};
        use crate::sql::{
            division_range, CHECKPOINT_COLUMNS, CHUNK, PASSAGE_SELECT,
        };
        use crate::writer::PassageWriter;
        use crate::{
            CheckpointFilter, CheckpointPatch, HourlyCount, NewCheckpoint, NewJurisdiction,
            NewPassage, PassagePage, PassageQuery, Period, Recorded, StatusChange,
            StatusChangeSummary, Store, StoreError,
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
            keyring: crate::keyring::Keyring,
            $($field: $fty,)*
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
                occupants: r.try_get(13)?,
                freight_pass: r.try_get(14)?,
                sealed: r.try_get(15)?,
            })
        }

        /// Appends ` AND <column> / 3600000 IN (<hours>)`: the hour-first index's seeks.
        fn push_hours(q: &mut QueryBuilder<'_, $db>, column: &str, hours: std::ops::RangeInclusive<i64>) {
            q.push(format!(" AND {column} / 3600000 IN ("));
            let mut sep = q.separated(", ");
            for h in hours {
                sep.push_bind(h);
            }
            q.push(")");
        }

        /// The hours of `from_ms..to_ms` worth asking about: all of them, or for a long range
        /// those between the first and last hour that hold any passage.
        async fn hours_held(read: &sqlx::Pool<$db>, from_ms: i64, to_ms: i64) -> Result<Option<(i64, i64)>, StoreError> {
            let Some((first, last)) = crate::hours::hours_of(from_ms, to_ms) else {
                return Ok(None);
            };
            if last.saturating_sub(first) < crate::hours::HOURS_UNCLAMPED {
                return Ok(Some((first, last)));
            }
            let r = sqlx::query(
                "SELECT (SELECT observed_at / 3600000 FROM passages ORDER BY observed_at / 3600000 LIMIT 1), \
                 (SELECT observed_at / 3600000 FROM passages ORDER BY observed_at / 3600000 DESC LIMIT 1)",
            )
            .fetch_one(read)
            .await?;
            let (lo, hi): (Option<i64>, Option<i64>) = (r.try_get(0)?, r.try_get(1)?);
            Ok(match (lo, hi) {
                (Some(lo), Some(hi)) if lo.max(first) <= hi.min(last) => Some((lo.max(first), hi.min(last))),
                _ => None,
            })
        }

        /// Appends ` AND <checkpoint c in scope>` to a query.
        fn push_scope(q: &mut QueryBuilder<'_, $db>, scope: &Scope) {
            match scope {
                Scope::Division(d) => {
                    let (lo, hi) = division_range(*d);
                    q.push(" AND c.jurisdiction BETWEEN ").push_bind(lo).push(" AND ").push_bind(hi);
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

            /// Whether a one-time data migration (a version above 1000 in `cordon_migrations`)
            /// has run.
            pub(crate) async fn data_migration_done(&self, version: i64) -> Result<bool, StoreError> {
                Ok(sqlx::query("SELECT 1 FROM cordon_migrations WHERE version = $1")
                    .bind(version)
                    .fetch_optional(&self.write)
                    .await?
                    .is_some())
            }

            /// Records that a one-time data migration has run.
            pub(crate) async fn mark_data_migration(&self, version: i64, name: &str) -> Result<(), StoreError> {
                sqlx::query("INSERT INTO cordon_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
                    .bind(version)
                    .bind(name)
                    .bind(cordon_domain::time::now_ms())
                    .execute(&self.write)
                    .await?;
                Ok(())
            }

            /// The checkpoint's id if the grant's scope covers it: `Forbidden` otherwise, and
            /// for a code that does not exist outside the scope, so the answer reveals nothing.
            async fn checkpoint_in_scope(&self, code: &CheckpointCode, scope: &Scope) -> Result<i64, StoreError> {
                let row = sqlx::query("SELECT id, jurisdiction FROM checkpoints WHERE code = $1")
                    .bind(code.as_str())
                    .fetch_optional(&self.read)
                    .await?;
                let Some(row) = row else {
                    return match scope {
                        Scope::Division(d) if d.contains(code.division()) => {
                            Err(StoreError::not_found(format!("checkpoint {code}")))
                        }
                        _ => Err(StoreError::Forbidden),
                    };
                };
                let jurisdiction = u32::try_from(row.try_get::<i64, _>(1)?)
                    .ok()
                    .and_then(DivisionCode::from_value)
                    .ok_or_else(|| StoreError::Corrupt("checkpoint jurisdiction".into()))?;
                if scope.covers(code, jurisdiction) {
                    Ok(row.try_get(0)?)
                } else {
                    Err(StoreError::Forbidden)
                }
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
        impl Store for $store {
            fn backend(&self) -> &'static str {
                $name
            }

            fn keyring(&self) -> &crate::keyring::Keyring {
                &self.keyring
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

            async fn get_passage(&self, grant: &PassageRead, id: Uuid) -> Result<Passage, StoreError> {
                let (found, links) = match self.direct_reads() {
                    Some(direct) => direct.passage(grant, id)?,
                    None => {
                        let mut q = QueryBuilder::<$db>::new(PASSAGE_SELECT);
                        q.push(" WHERE p.id = ").push_bind(id);
                        q.push(" AND p.observed_at >= ").push_bind(grant.since_ms());
                        push_scope(&mut q, grant.scope());
                        let found = q.build()
                            .fetch_optional(&self.core.read)
                            .await?
                            .map(|r| passage_row(&r))
                            .transpose()?;
                        let links = match found {
                            Some(_) => crate::StationStore::corrections(self, &[id]).await?,
                            None => Vec::new(),
                        };
                        (found, links)
                    }
                };
                let r = found.ok_or_else(|| StoreError::not_found(format!("passage {id}")))?;
                let mut passage = rows::assemble(vec![r], &self.keyring)?
                    .pop()
                    .ok_or_else(|| StoreError::not_found(format!("passage {id}")))?;
                for (later, earlier) in links {
                    if later == id {
                        passage.supersedes = Some(earlier);
                    } else {
                        passage.superseded_by = Some(later);
                    }
                }
                Ok(passage)
            }

            async fn passages_at_checkpoint(&self, grant: &PassageRead, q: &PassageQuery) -> Result<PassagePage, StoreError> {
                let checkpoint = self.core.checkpoint_in_scope(&q.checkpoint, grant.scope()).await?;
                let limit = i64::from(q.limit.clamp(1, 1_000));
                let (after_ms, after_id) = match q.after {
                    Some(c) => (c.observed_ms, c.id),
                    None => (i64::MIN, Uuid::nil()),
                };
                let from = q.period.from_ms.max(grant.since_ms());
                let mut rows_: Vec<PassageRow> = Vec::new();
                // Hour windows from the cursor on, until a page and one more are found.
                let held = hours_held(&self.core.read, from.max(after_ms), q.period.to_ms).await?;
                for hours in held.into_iter().flat_map(crate::hours::hour_windows) {
                    let mut b = QueryBuilder::<$db>::new(PASSAGE_SELECT);
                    b.push(" WHERE p.checkpoint_id = ").push_bind(checkpoint);
                    b.push(" AND p.observed_at >= ").push_bind(from);
                    b.push(" AND p.observed_at < ").push_bind(q.period.to_ms);
                    b.push(" AND (p.observed_at, p.id) > (").push_bind(after_ms).push(", ").push_bind(after_id).push(")");
                    push_hours(&mut b, "p.observed_at", hours);
                    b.push(" ORDER BY p.observed_at, p.id LIMIT ").push_bind(limit + 1 - rows_.len() as i64);
                    for r in b.build().fetch_all(&self.core.read).await? {
                        rows_.push(passage_row(&r)?);
                    }
                    if rows_.len() as i64 > limit {
                        break;
                    }
                }
                let more = rows_.len() as i64 > limit;
                rows_.truncate(limit as usize);
                let next = if more {
                    rows_.last().map(|r| crate::Cursor { observed_ms: r.observed_at, id: r.id })
                } else {
                    None
                };
                Ok(PassagePage { passages: rows::assemble(rows_, &self.keyring)?, next })
            }

            async fn hourly_counts(&self, grant: &PassageRead, checkpoint: &CheckpointCode, period: Period) -> Result<Vec<HourlyCount>, StoreError> {
                let id = self.core.checkpoint_in_scope(checkpoint, grant.scope()).await?;
                let from = period.from_ms.max(grant.since_ms());
                let mut counts = Vec::new();
                let held = hours_held(&self.core.read, from, period.to_ms).await?;
                for hours in held.into_iter().flat_map(crate::hours::hour_windows) {
                    let mut b = QueryBuilder::<$db>::new(
                        "SELECT observed_at / 3600000 AS hour, COUNT(*), CAST(SUM(persons) AS BIGINT) FROM passages WHERE checkpoint_id = ",
                    );
                    b.push_bind(id);
                    b.push(" AND observed_at >= ").push_bind(from);
                    b.push(" AND observed_at < ").push_bind(period.to_ms);
                    push_hours(&mut b, "observed_at", hours);
                    // A passage a correction superseded is not counted: the vehicle passed once.
                    b.push(" AND NOT EXISTS (SELECT 1 FROM corrections k WHERE k.supersedes = passages.id)");
                    b.push(" GROUP BY hour ORDER BY hour");
                    for r in b.build().fetch_all(&self.core.read).await? {
                        counts.push(HourlyCount {
                            hour_ms: r.try_get::<i64, _>(0)? * crate::hours::HOUR_MS,
                            passages: r.try_get(1)?,
                            persons: r.try_get(2)?,
                        });
                    }
                }
                Ok(counts)
            }

            async fn count_passages(&self) -> Result<i64, StoreError> {
                Ok(sqlx::query("SELECT COUNT(*) FROM passages").fetch_one(&self.core.read).await?.try_get(0)?)
            }

            async fn trajectory(&self, grant: &TrajectoryRead, passages: &[(Uuid, Option<Role>)]) -> Result<Vec<TrajectoryPoint>, StoreError> {
                let roles: HashMap<Uuid, Option<Role>> = passages.iter().copied().collect();
                let mut points = Vec::with_capacity(passages.len());
                for chunk in passages.chunks(CHUNK) {
                    let mut q = QueryBuilder::<$db>::new(
                        "SELECT p.id, c.code, p.lane, p.direction, p.observed_at, p.observed_offset, p.plate, NULL, p.outcome \
                         FROM passages p JOIN checkpoints c ON c.id = p.checkpoint_id \
                         WHERE p.occupant_keys IS NOT NULL AND p.id IN (",
                    );
                    let mut list = q.separated(", ");
                    for (id, _) in chunk {
                        list.push_bind(*id);
                    }
                    q.push(")");
                    push_scope(&mut q, grant.scope());
                    for r in q.build().fetch_all(&self.core.read).await? {
                        let mut point = trajectory_row(&r)?;
                        point.role = roles.get(&point.passage).copied().flatten();
                        points.push(point);
                    }
                }
                points.sort_unstable_by_key(|p| (p.observed_at.timestamp_millis(), p.passage));
                Ok(points)
            }

            async fn purge_personal_data(&self, before_ms: i64) -> Result<crate::Purged, StoreError> {
                self.purge(before_ms).await
            }

            async fn insert_raw_baseline(&self, passages: Vec<NewPassage>) -> Result<(), StoreError> {
                self.raw_baseline(passages).await
            }
        }
    };
}

pub(crate) use sql_store;
