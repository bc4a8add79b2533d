//! The SQL of [`NetworkStore`], written once for both backends ([`crate::db`]). Bulk changes
//! (many checkpoints created, opened or closed at once) are one transaction each, opened with
//! [`BeginWrite::begin_write`] and retried on contention, so they either all happen or none.

use std::collections::HashMap;

use async_trait::async_trait;
use cordon_domain::checkpoint::{
    Checkpoint, CheckpointCode, CheckpointKind, CheckpointStatus, DefenceLine, Jurisdiction,
    Location, StatusEvent,
};
use cordon_domain::division::{DivisionCode, DivisionLevel};
use cordon_domain::FieldError;
use sqlx::QueryBuilder;

use super::{
    CheckpointFilter, CheckpointPatch, NetworkStore, NewCheckpoint, NewJurisdiction, StatusChange,
    StatusChangeSummary,
};
use crate::db::{division_range, on_pool, push_list, retry, BeginWrite, CHUNK};
use crate::passage::rows::{china_time, division, division_int};
use crate::store::SqlStore;
use crate::StoreError;

/// Columns of a checkpoint row, in [`CheckpointCols`] order.
pub(crate) const CHECKPOINT_COLUMNS: &str = "code, name, jurisdiction, kind, defence_line, lat, \
     lon, lanes, cameras, status, status_changed_at";

/// A row of [`CHECKPOINT_COLUMNS`].
pub(crate) type CheckpointCols = (
    String,
    String,
    i64,
    String,
    String,
    f64,
    f64,
    i64,
    i64,
    String,
    i64,
);

/// A checkpoint's internal number, if it lies within `division`: `Invalid`
/// `unknown_checkpoint` at `field` when there is no such checkpoint, `Forbidden` when it lies
/// outside (the grant's jurisdiction).
pub(crate) async fn checkpoint_within(
    store: &SqlStore,
    code: &CheckpointCode,
    division: DivisionCode,
    field: &str,
) -> Result<i64, StoreError> {
    let cp: Option<(i64, i64)> = on_pool!(&store.db.read, |p| sqlx::query_as(
        "SELECT id, jurisdiction FROM checkpoints WHERE code = $1"
    )
    .bind(code.as_str())
    .fetch_optional(p)
    .await?);
    let Some((id, jurisdiction)) = cp else {
        return Err(StoreError::invalid(
            "unknown_checkpoint",
            field,
            format!("no checkpoint {code}"),
        ));
    };
    let (lo, hi) = division_range(division);
    if !(lo..=hi).contains(&jurisdiction) {
        return Err(StoreError::Forbidden);
    }
    Ok(id)
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

fn parsed<T>(r: Result<T, FieldError>, what: &str) -> Result<T, StoreError> {
    r.map_err(|e| corrupt(what, e.code))
}

pub(crate) fn checkpoint(c: CheckpointCols) -> Result<Checkpoint, StoreError> {
    Ok(Checkpoint {
        code: parsed(CheckpointCode::parse(&c.0), "checkpoint code")?,
        name: c.1,
        jurisdiction: division(c.2)?,
        kind: parsed(CheckpointKind::parse(&c.3), "kind")?,
        defence_line: parsed(DefenceLine::parse(&c.4), "defence line")?,
        location: Location { lat: c.5, lon: c.6 },
        lanes: u16::try_from(c.7).map_err(|e| corrupt("lanes", e))?,
        cameras: u16::try_from(c.8).map_err(|e| corrupt("cameras", e))?,
        status: parsed(CheckpointStatus::parse(&c.9), "status")?,
        status_changed_at: china_time(c.10)?,
    })
}

fn jurisdiction((code, name, level): (i64, String, String)) -> Result<Jurisdiction, StoreError> {
    let code = division(code)?;
    let level = serde_json::from_value(serde_json::Value::String(level))
        .map_err(|e| corrupt("level", e))?;
    Ok(Jurisdiction {
        code,
        name,
        level,
        parent: code.parent(),
    })
}

fn status_event(
    code: &CheckpointCode,
    (status, reason, actor, at): (String, String, String, i64),
) -> Result<StatusEvent, StoreError> {
    Ok(StatusEvent {
        checkpoint: code.clone(),
        status: parsed(CheckpointStatus::parse(&status), "status")?,
        reason,
        actor,
        at: china_time(at)?,
    })
}

fn level_name(level: DivisionLevel) -> &'static str {
    match level {
        DivisionLevel::Province => "province",
        DivisionLevel::City => "city",
        DivisionLevel::County => "county",
    }
}

/// Which of the listed checkpoints a change moves, in the order given (each once): those not
/// already in `status`. `current` holds each code's id and status.
fn plan_status_change(
    change: &StatusChange,
    current: &HashMap<String, (i64, String)>,
) -> Result<(StatusChangeSummary, Vec<i64>), StoreError> {
    if let Some((i, c)) = change
        .codes
        .iter()
        .enumerate()
        .find(|(_, c)| !current.contains_key(c.as_str()))
    {
        return Err(StoreError::Invalid(FieldError::new(
            "unknown_checkpoint",
            format!("codes[{i}]"),
            format!("checkpoint {c} does not exist; nothing was changed"),
        )));
    }
    let mut summary = StatusChangeSummary {
        changed: Vec::new(),
        unchanged: Vec::new(),
    };
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
    Ok((summary, ids))
}

/// Checks a new checkpoint against the known jurisdictions; `field` names its fields.
fn check_new(
    c: &NewCheckpoint,
    known: &[i64],
    field: impl Fn(&str) -> String,
) -> Result<(), StoreError> {
    if !c.code.division().contains(c.jurisdiction) {
        return Err(StoreError::invalid(
            "jurisdiction_mismatch",
            &field("jurisdiction"),
            format!(
                "{} lies outside the division {} named in the code",
                c.jurisdiction,
                c.code.division()
            ),
        ));
    }
    if !known.contains(&division_int(c.jurisdiction)) {
        return Err(StoreError::invalid(
            "unknown_jurisdiction",
            &field("jurisdiction"),
            format!("jurisdiction {} does not exist", c.jurisdiction),
        ));
    }
    Ok(())
}

impl SqlStore {
    /// A checkpoint's stored id.
    pub(crate) async fn checkpoint_id(&self, code: &CheckpointCode) -> Result<i64, StoreError> {
        let sql = "SELECT id FROM checkpoints WHERE code = $1";
        let id: Option<i64> = on_pool!(&self.db.read, |p| sqlx::query_scalar(sql)
            .bind(code.as_str())
            .fetch_optional(p)
            .await?);
        id.ok_or_else(|| StoreError::not_found(format!("checkpoint {code}")))
    }
}

#[async_trait]
impl NetworkStore for SqlStore {
    async fn create_jurisdiction(&self, j: NewJurisdiction) -> Result<Jurisdiction, StoreError> {
        if let Some(parent) = j.code.parent() {
            let sql = "SELECT code FROM jurisdictions WHERE code = $1";
            let found: Option<i64> = on_pool!(&self.db.write, |p| sqlx::query_scalar(sql)
                .bind(division_int(parent))
                .fetch_optional(p)
                .await?);
            if found.is_none() {
                return Err(StoreError::invalid(
                    "unknown_parent",
                    "code",
                    format!("the parent jurisdiction {parent} does not exist; create it first"),
                ));
            }
        }
        let sql = "INSERT INTO jurisdictions (code, name, level, parent) VALUES ($1, $2, $3, $4)";
        let level = j.code.level();
        let done = on_pool!(&self.db.write, |p| sqlx::query(sql)
            .bind(division_int(j.code))
            .bind(&j.name)
            .bind(level_name(level))
            .bind(j.code.parent().map(division_int))
            .execute(p)
            .await
            .map(|_| ()));
        match done {
            Err(e) if StoreError::is_unique_violation(&e) => Err(StoreError::invalid(
                "duplicate",
                "code",
                format!("jurisdiction {} exists already", j.code),
            )),
            Err(e) => Err(e.into()),
            Ok(()) => Ok(Jurisdiction {
                code: j.code,
                name: j.name,
                level,
                parent: j.code.parent(),
            }),
        }
    }

    async fn list_jurisdictions(&self) -> Result<Vec<Jurisdiction>, StoreError> {
        let sql = "SELECT code, name, level FROM jurisdictions ORDER BY code";
        let rows: Vec<(i64, String, String)> =
            on_pool!(&self.db.read, |p| sqlx::query_as(sql).fetch_all(p).await?);
        rows.into_iter().map(jurisdiction).collect()
    }

    async fn get_jurisdiction(&self, code: DivisionCode) -> Result<Jurisdiction, StoreError> {
        let sql = "SELECT code, name, level FROM jurisdictions WHERE code = $1";
        let row: Option<(i64, String, String)> = on_pool!(&self.db.read, |p| sqlx::query_as(sql)
            .bind(division_int(code))
            .fetch_optional(p)
            .await?);
        jurisdiction(row.ok_or_else(|| StoreError::not_found(format!("jurisdiction {code}")))?)
    }

    async fn rename_jurisdiction(
        &self,
        code: DivisionCode,
        name: String,
    ) -> Result<Jurisdiction, StoreError> {
        let sql = "UPDATE jurisdictions SET name = $1 WHERE code = $2";
        let changed = on_pool!(&self.db.write, |p| sqlx::query(sql)
            .bind(&name)
            .bind(division_int(code))
            .execute(p)
            .await?
            .rows_affected());
        if changed == 0 {
            return Err(StoreError::not_found(format!("jurisdiction {code}")));
        }
        self.get_jurisdiction(code).await
    }

    async fn create_checkpoints(
        &self,
        list: Vec<NewCheckpoint>,
        actor: &str,
    ) -> Result<(), StoreError> {
        let insert = "INSERT INTO checkpoints (code, name, jurisdiction, kind, defence_line, lat, \
             lon, lanes, cameras, status, status_changed_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id";
        let history =
            "INSERT INTO checkpoint_status_events (checkpoint_id, status, reason, actor, \
             at) VALUES ($1, $2, $3, $4, $5)";
        let list = &list;
        retry(|| async move {
            let now = cordon_domain::time::now_ms();
            on_pool!(&self.db.write, |p| {
                let mut tx = p.begin_write().await?;
                let known: Vec<i64> = sqlx::query_scalar("SELECT code FROM jurisdictions")
                    .fetch_all(&mut *tx)
                    .await?;
                for (i, c) in list.iter().enumerate() {
                    let field = |f: &str| match list.len() {
                        1 => f.to_owned(),
                        _ => format!("checkpoints[{i}].{f}"),
                    };
                    check_new(c, &known, field)?;
                    let inserted: Result<i64, sqlx::Error> = sqlx::query_scalar(insert)
                        .bind(c.code.as_str())
                        .bind(&c.name)
                        .bind(division_int(c.jurisdiction))
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
                    let id = match inserted {
                        Err(e) if StoreError::is_unique_violation(&e) => {
                            return Err(StoreError::invalid(
                                "duplicate",
                                &field("code"),
                                format!("checkpoint {} exists already", c.code),
                            ))
                        }
                        other => other?,
                    };
                    sqlx::query(history)
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
            })
        })
        .await
    }

    async fn list_checkpoints(&self, f: &CheckpointFilter) -> Result<Vec<Checkpoint>, StoreError> {
        let rows: Vec<CheckpointCols> = on_pool!(&self.db.read, |p| {
            let mut q = QueryBuilder::new(format!(
                "SELECT {CHECKPOINT_COLUMNS} FROM checkpoints WHERE 1 = 1"
            ));
            if let Some(within) = f.within {
                let (lo, hi) = division_range(within);
                q.push(" AND jurisdiction BETWEEN ")
                    .push_bind(lo)
                    .push(" AND ")
                    .push_bind(hi);
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
            q.build_query_as().fetch_all(p).await?
        });
        rows.into_iter().map(checkpoint).collect()
    }

    async fn get_checkpoint(&self, code: &CheckpointCode) -> Result<Checkpoint, StoreError> {
        let sql = format!("SELECT {CHECKPOINT_COLUMNS} FROM checkpoints WHERE code = $1");
        let row: Option<CheckpointCols> = on_pool!(&self.db.read, |p| sqlx::query_as(&sql)
            .bind(code.as_str())
            .fetch_optional(p)
            .await?);
        checkpoint(row.ok_or_else(|| StoreError::not_found(format!("checkpoint {code}")))?)
    }

    async fn update_checkpoint(
        &self,
        code: &CheckpointCode,
        patch: CheckpointPatch,
    ) -> Result<Checkpoint, StoreError> {
        let sql = "UPDATE checkpoints SET name = COALESCE($2, name), kind = COALESCE($3, kind), \
             defence_line = COALESCE($4, defence_line), lat = COALESCE($5, lat), \
             lon = COALESCE($6, lon), lanes = COALESCE($7, lanes), \
             cameras = COALESCE($8, cameras) WHERE code = $1";
        let p_ = &patch;
        let changed = on_pool!(&self.db.write, |p| sqlx::query(sql)
            .bind(code.as_str())
            .bind(p_.name.as_deref())
            .bind(p_.kind.map(|k| k.as_str()))
            .bind(p_.defence_line.map(|l| l.as_str()))
            .bind(p_.location.map(|l| l.lat))
            .bind(p_.location.map(|l| l.lon))
            .bind(p_.lanes.map(i64::from))
            .bind(p_.cameras.map(i64::from))
            .execute(p)
            .await?
            .rows_affected());
        if changed == 0 {
            return Err(StoreError::not_found(format!("checkpoint {code}")));
        }
        self.get_checkpoint(code).await
    }

    async fn set_checkpoint_status(
        &self,
        change: StatusChange,
    ) -> Result<StatusChangeSummary, StoreError> {
        let change = &change;
        retry(|| async move {
            let now = cordon_domain::time::now_ms();
            on_pool!(&self.db.write, |p| {
                let mut tx = p.begin_write().await?;
                let mut current: HashMap<String, (i64, String)> = HashMap::new();
                for chunk in change.codes.chunks(CHUNK) {
                    let mut q = QueryBuilder::new(
                        "SELECT code, id, status FROM checkpoints WHERE code IN ",
                    );
                    push_list(&mut q, chunk.iter().map(|c| c.as_str().to_owned()));
                    let found: Vec<(String, i64, String)> =
                        q.build_query_as().fetch_all(&mut *tx).await?;
                    current.extend(found.into_iter().map(|(c, id, s)| (c, (id, s))));
                }
                let (summary, mut ids) = plan_status_change(change, &current)?;
                // One order for every writer, so that two changes sharing checkpoints wait for
                // each other instead of deadlocking (PostgreSQL).
                ids.sort_unstable();
                for chunk in ids.chunks(CHUNK) {
                    let mut q = QueryBuilder::new("UPDATE checkpoints SET status = ");
                    q.push_bind(change.status.as_str())
                        .push(", status_changed_at = ")
                        .push_bind(now)
                        .push(" WHERE id IN ");
                    push_list(&mut q, chunk.iter().copied());
                    q.build().execute(&mut *tx).await?;
                    let mut q = QueryBuilder::new(
                        "INSERT INTO checkpoint_status_events (checkpoint_id, status, reason, \
                         actor, at) ",
                    );
                    q.push_values(chunk, |mut b, id| {
                        b.push_bind(*id)
                            .push_bind(change.status.as_str())
                            .push_bind(change.reason.as_str())
                            .push_bind(change.actor.as_str())
                            .push_bind(now);
                    });
                    q.build().execute(&mut *tx).await?;
                }
                tx.commit().await?;
                Ok(summary)
            })
        })
        .await
    }

    async fn checkpoint_history(
        &self,
        code: &CheckpointCode,
    ) -> Result<Vec<StatusEvent>, StoreError> {
        let id = self.checkpoint_id(code).await?;
        let sql = "SELECT status, reason, actor, at FROM checkpoint_status_events \
             WHERE checkpoint_id = $1 ORDER BY at, id";
        let rows: Vec<(String, String, String, i64)> =
            on_pool!(&self.db.read, |p| sqlx::query_as(sql)
                .bind(id)
                .fetch_all(p)
                .await?);
        rows.into_iter().map(|r| status_event(code, r)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> CheckpointCode {
        CheckpointCode::parse(s).unwrap()
    }

    #[test]
    fn rows_become_checkpoints_and_jurisdictions() {
        let c = checkpoint((
            "CP-130100-0001".into(),
            "石家庄收费站".into(),
            130_102,
            "toll_station".into(),
            "inland".into(),
            38.0,
            114.5,
            4,
            2,
            "open".into(),
            1_651_536_000_000,
        ))
        .unwrap();
        assert_eq!(c.code, code("CP-130100-0001"));
        assert_eq!(c.status, CheckpointStatus::Open);
        let bad = checkpoint((
            "CP-130100-0001".into(),
            "x".into(),
            130_102,
            "toll_station".into(),
            "inland".into(),
            0.0,
            0.0,
            70_000,
            0,
            "open".into(),
            0,
        ));
        assert!(matches!(bad, Err(StoreError::Corrupt(_))), "lanes past u16");
        let j = jurisdiction((130_100, "石家庄市".into(), "city".into())).unwrap();
        assert_eq!(j.parent.unwrap().to_string(), "130000");
        assert!(jurisdiction((130_100, "x".into(), "planet".into())).is_err());
    }

    #[test]
    fn a_status_change_moves_each_listed_checkpoint_once() {
        let current: HashMap<String, (i64, String)> = [
            ("CP-130100-0001".to_owned(), (1, "open".to_owned())),
            ("CP-130100-0002".to_owned(), (2, "closed".to_owned())),
        ]
        .into();
        let change = |codes: &[&str]| StatusChange {
            codes: codes.iter().map(|c| code(c)).collect(),
            status: CheckpointStatus::Closed,
            reason: "r".into(),
            actor: "a".into(),
        };
        let (summary, ids) = plan_status_change(
            &change(&["CP-130100-0001", "CP-130100-0002", "CP-130100-0001"]),
            &current,
        )
        .unwrap();
        assert_eq!(ids, vec![1]);
        assert_eq!(summary.changed, vec![code("CP-130100-0001")]);
        assert_eq!(summary.unchanged, vec![code("CP-130100-0002")]);
        let unknown = plan_status_change(&change(&["CP-130100-0001", "CP-130100-0009"]), &current);
        assert!(matches!(unknown, Err(StoreError::Invalid(f)) if f.field == "codes[1]"));
    }
}
