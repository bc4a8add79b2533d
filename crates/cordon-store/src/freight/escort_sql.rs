//! The SQL of [`EscortStore`] for both backends. An escort is found through its checkpoint, so
//! a scope of checkpoints (an officer's) and a jurisdiction (a commander's) read alike; a step
//! is written only if the escort is still in the state it was read in.

use async_trait::async_trait;
use cordon_domain::access::freight::{EscortAssign, EscortWork};
use cordon_domain::checkpoint::CheckpointCode;
use cordon_domain::freight::escort::{
    advance, next_steps, Escort, EscortDraft, EscortKind, EscortState, EscortStep, EscortStepKind,
    EscortStepShown,
};
use cordon_domain::time::from_ms;
use sqlx::QueryBuilder;

use super::escorts::EscortStore;
use super::rows::corrupt;
use crate::db::{on_pool, push_scope, retry, BeginWrite};
use crate::network::sql::checkpoint_within;
use crate::store::SqlStore;
use crate::StoreError;

const ESCORT_SELECT: &str = "SELECT e.id, e.kind, c.code, c.name, e.destination, e.route, \
     e.vehicles, e.officers, e.persons, e.planned_arrival, e.note, e.state, e.assigned_by, \
     e.assigned_at, l.id, l.name FROM escorts e JOIN checkpoints c ON c.id = e.checkpoint_id \
     LEFT JOIN lots l ON l.id = e.lot_id WHERE 1 = 1";

type EscortRow = (
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<i64>,
    i64,
    Option<String>,
    String,
    String,
    i64,
    Option<i64>,
    Option<String>,
);

const WEEK_MS: i64 = 7 * 86_400_000;

async fn steps_of(store: &SqlStore, id: i64) -> Result<Vec<EscortStepShown>, StoreError> {
    let rows: Vec<(String, String, i64, Option<String>)> =
        on_pool!(&store.db.write, |p| sqlx::query_as(
            "SELECT step, by_user, at, said FROM escort_steps WHERE escort_id = $1 \
             ORDER BY at, step"
        )
        .bind(id)
        .fetch_all(p)
        .await?);
    rows.into_iter()
        .map(|r| {
            Ok(EscortStepShown {
                step: EscortStepKind::parse(&r.0).map_err(|_| corrupt("escort step"))?,
                by: r.1,
                at: from_ms(r.2),
                said: r.3,
            })
        })
        .collect()
}

async fn escort_of(store: &SqlStore, r: EscortRow, now_ms: i64) -> Result<Escort, StoreError> {
    let state = EscortState::parse(&r.11).map_err(|_| corrupt("escort state"))?;
    let late = matches!(state, EscortState::Assigned | EscortState::UnderWay) && r.9 < now_ms;
    Ok(Escort {
        id: r.0,
        kind: EscortKind::parse(&r.1).map_err(|_| corrupt("escort kind"))?,
        checkpoint: CheckpointCode::parse(&r.2).map_err(|_| corrupt("checkpoint"))?,
        checkpoint_name: r.3,
        lot: r.14,
        lot_name: r.15,
        destination: r.4,
        route: r.5,
        vehicles: serde_json::from_str(&r.6).map_err(|_| corrupt("escort vehicles"))?,
        officers: serde_json::from_str(&r.7).map_err(|_| corrupt("escort officers"))?,
        persons: r.8.and_then(|p| u32::try_from(p).ok()),
        planned_arrival: from_ms(r.9),
        note: r.10,
        state,
        late,
        next: next_steps(state),
        steps: steps_of(store, r.0).await?,
        assigned_by: r.12,
        assigned_at: from_ms(r.13),
    })
}

async fn read(
    store: &SqlStore,
    grant: &EscortWork,
    id: i64,
    now_ms: i64,
) -> Result<Escort, StoreError> {
    let row: Option<EscortRow> = on_pool!(&store.db.write, |p| {
        let mut q = QueryBuilder::new(ESCORT_SELECT);
        q.push(" AND e.id = ").push_bind(id);
        push_scope(&mut q, grant.scope());
        q.build_query_as().fetch_optional(p).await?
    });
    let row = row.ok_or_else(|| StoreError::not_found(format!("escort {id}")))?;
    escort_of(store, row, now_ms).await
}

#[async_trait]
impl EscortStore for SqlStore {
    async fn assign_escort(
        &self,
        grant: &EscortAssign,
        draft: &EscortDraft,
        now_ms: i64,
    ) -> Result<Escort, StoreError> {
        // Outside the jurisdiction is the commander's mistake of a field, not a forbidden act.
        let checkpoint_id = match checkpoint_within(
            self,
            &draft.checkpoint,
            grant.division(),
            "checkpoint",
        )
        .await
        {
            Err(StoreError::Forbidden) => {
                return Err(StoreError::invalid(
                    "checkpoint_out_of_scope",
                    "checkpoint",
                    "this checkpoint is outside your jurisdiction",
                ))
            }
            other => other?,
        };
        if let Some(lot) = draft.lot {
            match super::lot_sql::lot_in(self, grant.division(), lot).await {
                Err(StoreError::NotFound { .. }) => {
                    return Err(StoreError::invalid(
                        "unknown_lot",
                        "lot",
                        "no such lot in your jurisdiction",
                    ))
                }
                other => other?,
            };
        }
        let vehicles: Vec<&str> = draft.vehicles.iter().map(|v| v.as_str()).collect();
        let vehicles = serde_json::to_string(&vehicles).expect("strings serialise");
        let officers = serde_json::to_string(&draft.officers).expect("strings serialise");
        let by = grant.username().as_str();
        let (vehicles, officers) = (&vehicles, &officers);
        let id: i64 = retry(|| async move {
            on_pool!(&self.db.write, |p| {
                let mut tx = p.begin_write().await?;
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO escorts (checkpoint_id, kind, destination, route, vehicles, \
                     officers, persons, planned_arrival, note, state, assigned_by, assigned_at, \
                     lot_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
                     RETURNING id",
                )
                .bind(checkpoint_id)
                .bind(draft.kind.as_str())
                .bind(draft.destination.as_str())
                .bind(draft.route.as_str())
                .bind(vehicles.as_str())
                .bind(officers.as_str())
                .bind(draft.persons.map(i64::from))
                .bind(draft.planned_arrival_ms)
                .bind(draft.note.as_deref())
                .bind(EscortState::Assigned.as_str())
                .bind(by)
                .bind(now_ms)
                .bind(draft.lot)
                .fetch_one(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(id)
            })
        })
        .await?;
        read(self, &grant.work(), id, now_ms).await
    }

    async fn escorts(&self, grant: &EscortWork, now_ms: i64) -> Result<Vec<Escort>, StoreError> {
        let rows: Vec<EscortRow> = on_pool!(&self.db.read, |p| {
            let mut q = QueryBuilder::new(ESCORT_SELECT);
            q.push(" AND (e.closed_at IS NULL OR e.closed_at >= ")
                .push_bind(now_ms - WEEK_MS)
                .push(")");
            push_scope(&mut q, grant.scope());
            q.push(
                " ORDER BY e.closed_at IS NOT NULL, e.state <> 'under_way', \
                 e.planned_arrival, e.id LIMIT 200",
            );
            q.build_query_as().fetch_all(p).await?
        });
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            out.push(escort_of(self, r, now_ms).await?);
        }
        Ok(out)
    }

    async fn escort(&self, grant: &EscortWork, id: i64, now_ms: i64) -> Result<Escort, StoreError> {
        read(self, grant, id, now_ms).await
    }

    async fn step_escort(
        &self,
        grant: &EscortWork,
        id: i64,
        step: &EscortStep,
        now_ms: i64,
    ) -> Result<Escort, StoreError> {
        for _ in 0..3 {
            let from = read(self, grant, id, now_ms).await?.state;
            let to = advance(from, step.step).map_err(StoreError::Invalid)?;
            let by = grant.username().as_str();
            let written: bool = retry(|| async move {
                on_pool!(&self.db.write, |p| {
                    let mut tx = p.begin_write().await?;
                    let n = sqlx::query(
                        "UPDATE escorts SET state = $1, closed_at = $2 \
                         WHERE id = $3 AND state = $4",
                    )
                    .bind(to.as_str())
                    .bind(to.is_final().then_some(now_ms))
                    .bind(id)
                    .bind(from.as_str())
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    if n == 0 {
                        return Ok(false);
                    }
                    sqlx::query(
                        "INSERT INTO escort_steps (escort_id, step, by_user, at, said) \
                         VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(id)
                    .bind(step.step.as_str())
                    .bind(by)
                    .bind(now_ms)
                    .bind(step.said.as_deref())
                    .execute(&mut *tx)
                    .await?;
                    tx.commit().await?;
                    Ok(true)
                })
            })
            .await?;
            if written {
                return read(self, grant, id, now_ms).await;
            }
        }
        Err(StoreError::Unavailable(
            "this escort keeps changing; try again".into(),
        ))
    }
}
