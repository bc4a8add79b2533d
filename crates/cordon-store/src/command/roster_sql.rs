//! The SQL of [`RosterStore`], written once for both backends. A plan is checked and written in
//! one transaction (on PostgreSQL under one advisory lock, since two plans that overlap in time
//! touch no common row): no other shift holds the checkpoint then, nobody on it is on another
//! shift then. Volunteers are sealed against their shift's id.

use async_trait::async_trait;
use cordon_domain::access::command::{RosterKeep, RosterRead};
use cordon_domain::access::station::StationSync;
use cordon_domain::access::{Scope, Username};
use cordon_domain::checkpoint::CheckpointCode;
use cordon_domain::command::roster::{
    DutyNow, DutyShift, Handover, Roster, Shift, ShiftDraft, ShiftRef, ShiftState, StationOfficer,
    VolunteerShown,
};
use cordon_domain::division::DivisionCode;
use cordon_domain::time::from_ms;
use sqlx::QueryBuilder;

mod plan;

use super::rows::BUMP;
use super::RosterStore;
use crate::db::{on_pool, push_scope, retry, BeginWrite};
use crate::store::SqlStore;
use crate::StoreError;
use plan::{check_crew, context, save};

const SHIFT_COLS: &str = "s.id, c.code, c.name, s.starts_at, s.ends_at, s.lead, s.officers, \
     s.volunteers_masked, s.handover_note, s.handover_by, s.handover_at, s.planned_by, \
     s.checkpoint_id, (SELECT COUNT(*) FROM passage_core p WHERE p.checkpoint_id = s.checkpoint_id \
     AND p.observed_at >= s.starts_at AND p.observed_at < s.ends_at AND s.starts_at <= $1 \
     AND NOT EXISTS (SELECT 1 FROM corrections k WHERE k.supersedes = p.id))";
const SHIFT_FROM: &str = "FROM shifts s JOIN checkpoints c ON c.id = s.checkpoint_id";

type ShiftRow = (
    i64,
    String,
    String,
    i64,
    i64,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<i64>,
    String,
    i64,
    i64,
);

/// A checkpoint as the roster needs it: id, code, name, jurisdiction, status.
type CpRow = (i64, String, String, i64, String);

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(format!("a shift's {what}"))
}

fn shift(r: ShiftRow, now_ms: i64) -> Result<Shift, StoreError> {
    let handover = match (r.8, r.9, r.10) {
        (Some(note), Some(by), Some(at)) => Some(Handover {
            note,
            by,
            at: from_ms(at),
        }),
        _ => None,
    };
    Ok(Shift {
        id: r.0,
        checkpoint: CheckpointCode::parse(&r.1).map_err(|_| corrupt("checkpoint"))?,
        checkpoint_name: r.2,
        starts_at: from_ms(r.3),
        ends_at: from_ms(r.4),
        state: ShiftState::at(r.3, r.4, now_ms),
        lead: r.5,
        officers: serde_json::from_str(&r.6).map_err(|_| corrupt("officers"))?,
        volunteers: serde_json::from_str(&r.7).map_err(|_| corrupt("volunteers"))?,
        handover,
        planned_by: r.11,
        registrations: r.13,
    })
}

fn covers(scope: &Scope, cp: &CpRow) -> bool {
    match (CheckpointCode::parse(&cp.1), u32::try_from(cp.3)) {
        (Ok(code), Ok(j)) => {
            DivisionCode::from_value(j).is_some_and(|division| scope.covers(&code, division))
        }
        _ => false,
    }
}

async fn checkpoint(store: &SqlStore, code: &CheckpointCode) -> Result<CpRow, StoreError> {
    let row: Option<CpRow> = on_pool!(&store.db.read, |p| sqlx::query_as(
        "SELECT id, code, name, jurisdiction, status FROM checkpoints WHERE code = $1"
    )
    .bind(code.as_str())
    .fetch_optional(p)
    .await?);
    row.ok_or_else(|| StoreError::not_found(format!("checkpoint {code}")))
}

async fn one(store: &SqlStore, id: i64, now_ms: i64) -> Result<(Shift, CpRow), StoreError> {
    let sql = format!("SELECT {SHIFT_COLS} {SHIFT_FROM} WHERE s.id = $2");
    let row: Option<ShiftRow> = on_pool!(&store.db.write, |p| sqlx::query_as(&sql)
        .bind(now_ms)
        .bind(id)
        .fetch_optional(p)
        .await?);
    let r = row.ok_or_else(|| StoreError::not_found(format!("shift {id}")))?;
    let code = CheckpointCode::parse(&r.1).map_err(|_| corrupt("checkpoint"))?;
    let cp = checkpoint(store, &code).await?;
    Ok((shift(r, now_ms)?, cp))
}

/// The checkpoint's officer accounts (enabled, with the checkpoint in their scope), leads
/// flagged.
async fn officers_of(store: &SqlStore, cp: &CpRow) -> Result<Vec<StationOfficer>, StoreError> {
    let rows: Vec<(String, String, i64)> = on_pool!(&store.db.read, |p| sqlx::query_as(
        "SELECT a.username, a.scope, (SELECT COUNT(*) FROM station_leads l \
         WHERE l.checkpoint_id = $1 AND l.username = a.username) FROM accounts a \
         WHERE a.role = 'officer' AND a.disabled = FALSE AND a.scope LIKE $2 ORDER BY a.username"
    )
    .bind(cp.0)
    .bind(format!("%{}%", cp.1))
    .fetch_all(p)
    .await?);
    Ok(rows
        .into_iter()
        .filter(|(_, scope, _)| scope.split(',').any(|c| c.trim() == cp.1))
        .map(|(username, _, lead)| StationOfficer {
            username,
            lead: lead > 0,
        })
        .collect())
}

/// Whether the grant may plan at this checkpoint: a commander in scope, or its lead.
async fn may_plan(store: &SqlStore, grant: &RosterKeep, cp: &CpRow) -> Result<bool, StoreError> {
    if !covers(grant.scope(), cp) {
        return Ok(false);
    }
    if grant.is_commander() {
        return Ok(true);
    }
    let lead: Option<i64> = on_pool!(&store.db.read, |p| sqlx::query_scalar(
        "SELECT checkpoint_id FROM station_leads WHERE checkpoint_id = $1 AND username = $2"
    )
    .bind(cp.0)
    .bind(grant.username().as_str())
    .fetch_optional(p)
    .await?);
    Ok(lead.is_some())
}

fn started() -> StoreError {
    StoreError::invalid(
        "shift_started",
        "starts_at",
        "this shift has started: its start stays as it was",
    )
}

/// The shift and its checkpoint if the grant may plan there (`NotFound` beyond its scope,
/// `Forbidden` in scope but not its lead).
async fn plannable(
    store: &SqlStore,
    grant: &RosterKeep,
    id: i64,
    now_ms: i64,
) -> Result<(Shift, CpRow), StoreError> {
    let (s, cp) = one(store, id, now_ms).await?;
    if !covers(grant.scope(), &cp) {
        return Err(StoreError::not_found(format!("shift {id}")));
    }
    if !may_plan(store, grant, &cp).await? {
        return Err(StoreError::Forbidden);
    }
    Ok((s, cp))
}

/// The shift on duty at a checkpoint (the first argument, an SQL expression of its id) at an
/// instant (the second): the latest to start of those holding the instant. Here with a
/// checkpoint's code as a parameter, sqlx's or rusqlite's; a passage's read on PostgreSQL asks
/// it of the passage's own checkpoint and time in the passage's statement
/// (`passage::postgres_read`).
macro_rules! shift_on_duty {
    ($checkpoint:literal, $at:literal) => {
        concat!(
            "SELECT s.id, s.starts_at, s.ends_at, s.lead FROM shifts s WHERE s.checkpoint_id = ",
            $checkpoint,
            " AND s.starts_at <= ",
            $at,
            " AND s.ends_at > ",
            $at,
            " ORDER BY s.starts_at DESC LIMIT 1"
        )
    };
}
pub(crate) use shift_on_duty;

/// A shift as [`shift_on_duty!`] answers it: id, start, end, lead.
pub(crate) fn shift_ref((id, starts, ends, lead): (i64, i64, i64, String)) -> ShiftRef {
    ShiftRef {
        id,
        starts_at: from_ms(starts),
        ends_at: from_ms(ends),
        lead,
    }
}

const SHIFT_AT: &str = shift_on_duty!("(SELECT id FROM checkpoints WHERE code = $1)", "$2");
const SHIFT_AT_DIRECT: &str = shift_on_duty!("(SELECT id FROM checkpoints WHERE code = ?1)", "?2");

#[async_trait]
impl RosterStore for SqlStore {
    async fn roster(
        &self,
        grant: &RosterRead,
        code: &CheckpointCode,
        from_ms: i64,
        to_ms: i64,
        now_ms: i64,
    ) -> Result<Roster, StoreError> {
        let cp = checkpoint(self, code).await?;
        if !covers(grant.scope(), &cp) {
            return Err(StoreError::Forbidden);
        }
        let sql = format!(
            "SELECT {SHIFT_COLS} {SHIFT_FROM} WHERE s.checkpoint_id = $2 AND s.starts_at < $3 \
             AND s.ends_at > $4 ORDER BY s.starts_at"
        );
        let rows: Vec<ShiftRow> = on_pool!(&self.db.read, |p| sqlx::query_as(&sql)
            .bind(now_ms)
            .bind(cp.0)
            .bind(to_ms)
            .bind(from_ms)
            .fetch_all(p)
            .await?);
        let officers = officers_of(self, &cp).await?;
        let may_plan = grant.is_commander()
            || officers
                .iter()
                .any(|o| o.lead && o.username == grant.username().as_str());
        Ok(Roster {
            checkpoint: code.clone(),
            checkpoint_name: cp.2,
            shifts: rows
                .into_iter()
                .map(|r| shift(r, now_ms))
                .collect::<Result<_, _>>()?,
            officers,
            may_plan,
        })
    }

    async fn plan_shift(
        &self,
        grant: &RosterKeep,
        code: &CheckpointCode,
        draft: &ShiftDraft,
        now_ms: i64,
    ) -> Result<Shift, StoreError> {
        let cp = checkpoint(self, code).await?;
        if !may_plan(self, grant, &cp).await? {
            return Err(StoreError::Forbidden);
        }
        check_crew(self, &cp, draft).await?;
        let id = save(self, grant, &cp, None, draft, now_ms).await?;
        Ok(one(self, id, now_ms).await?.0)
    }

    async fn replan_shift(
        &self,
        grant: &RosterKeep,
        id: i64,
        draft: &ShiftDraft,
        now_ms: i64,
    ) -> Result<Shift, StoreError> {
        let (s, cp) = plannable(self, grant, id, now_ms).await?;
        match s.state {
            ShiftState::Ended => {
                return Err(StoreError::invalid(
                    "shift_ended",
                    "ends_at",
                    "this shift has ended: its record stays as it was",
                ))
            }
            ShiftState::OnDuty if s.starts_at.timestamp_millis() != draft.starts_ms => {
                return Err(started())
            }
            _ => {}
        }
        check_crew(self, &cp, draft).await?;
        save(self, grant, &cp, Some(id), draft, now_ms).await?;
        Ok(one(self, id, now_ms).await?.0)
    }

    async fn drop_shift(&self, grant: &RosterKeep, id: i64, now_ms: i64) -> Result<(), StoreError> {
        let (s, _) = plannable(self, grant, id, now_ms).await?;
        if s.state != ShiftState::Upcoming {
            return Err(started());
        }
        retry(|| async move {
            on_pool!(&self.db.write, |p| {
                let mut tx = p.begin_write().await?;
                sqlx::query("DELETE FROM shift_crew WHERE shift_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("DELETE FROM shifts WHERE id = $1 AND starts_at > $2")
                    .bind(id)
                    .bind(now_ms)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(BUMP).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(())
            })
        })
        .await
    }

    async fn hand_over(
        &self,
        grant: &RosterRead,
        id: i64,
        note: &str,
        now_ms: i64,
    ) -> Result<Shift, StoreError> {
        let (s, cp) = one(self, id, now_ms).await?;
        if !covers(grant.scope(), &cp) {
            return Err(StoreError::not_found(format!("shift {id}")));
        }
        let me = grant.username().as_str();
        let on_it = s.lead == me || s.officers.iter().any(|o| o == me);
        let lead = officers_of(self, &cp)
            .await?
            .iter()
            .any(|o| o.lead && o.username == me);
        if !(grant.is_commander() || on_it || lead) {
            return Err(StoreError::Forbidden);
        }
        if s.state == ShiftState::Upcoming {
            return Err(StoreError::invalid(
                "shift_not_started",
                "text",
                "a shift hands over once it has started",
            ));
        }
        retry(|| async move {
            on_pool!(&self.db.write, |p| {
                let mut tx = p.begin_write().await?;
                sqlx::query(
                    "UPDATE shifts SET handover_note = $1, handover_by = $2, handover_at = $3 \
                     WHERE id = $4",
                )
                .bind(note)
                .bind(me)
                .bind(now_ms)
                .bind(id)
                .execute(&mut *tx)
                .await?;
                sqlx::query(BUMP).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(())
            })
        })
        .await?;
        Ok(one(self, id, now_ms).await?.0)
    }

    async fn reveal_volunteers(
        &self,
        grant: &RosterKeep,
        id: i64,
    ) -> Result<(Shift, Vec<VolunteerShown>), StoreError> {
        let now_ms = cordon_domain::time::now_ms();
        let (s, _) = plannable(self, grant, id, now_ms).await?;
        let sealed: Option<Vec<u8>> = on_pool!(&self.db.read, |p| sqlx::query_scalar(
            "SELECT volunteers_sealed FROM shifts WHERE id = $1"
        )
        .bind(id)
        .fetch_one(p)
        .await?);
        let clear = match sealed {
            Some(b) => serde_json::from_slice(&self.keyring.open(&context(id), &b)?)
                .map_err(|_| corrupt("sealed volunteers"))?,
            None => Vec::new(),
        };
        Ok((s, clear))
    }

    async fn duty_now(&self, grant: &RosterRead, now_ms: i64) -> Result<Vec<DutyNow>, StoreError> {
        type Row = (
            String,
            String,
            i64,
            String,
            Option<i64>,
            Option<String>,
            Option<String>,
            Option<i64>,
            Option<i64>,
            Option<i64>,
        );
        let rows: Vec<Row> = on_pool!(&self.db.read, |p| {
            let mut q = QueryBuilder::new(
                "SELECT c.code, c.name, c.jurisdiction, c.status, s.id, s.lead, s.officers, \
                 s.volunteer_count, s.ends_at, (SELECT MIN(n.starts_at) FROM shifts n \
                 WHERE n.checkpoint_id = c.id AND n.starts_at > ",
            );
            q.push_bind(now_ms)
                .push(") FROM checkpoints c LEFT JOIN shifts s ON s.checkpoint_id = c.id AND s.starts_at <= ")
                .push_bind(now_ms)
                .push(" AND s.ends_at > ")
                .push_bind(now_ms)
                .push(" WHERE 1 = 1");
            push_scope(&mut q, grant.scope());
            q.push(" ORDER BY c.code");
            q.build_query_as().fetch_all(p).await?
        });
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let on_duty = match (r.4, r.5, r.6, r.7, r.8) {
                (Some(shift), Some(lead), Some(officers), Some(volunteers), Some(ends)) => {
                    let officers: Vec<String> =
                        serde_json::from_str(&officers).map_err(|_| corrupt("officers"))?;
                    Some(DutyShift {
                        shift,
                        lead,
                        officers: officers.len() as i64 + 1,
                        volunteers,
                        ends_at: from_ms(ends),
                    })
                }
                _ => None,
            };
            out.push(DutyNow {
                checkpoint: CheckpointCode::parse(&r.0).map_err(|_| corrupt("checkpoint"))?,
                checkpoint_name: r.1,
                division: r.2.to_string(),
                uncovered: on_duty.is_none() && r.3 == "open",
                on_duty,
                next_starts_at: r.9.map(from_ms),
            });
        }
        out.sort_by_key(|d| !d.uncovered);
        Ok(out)
    }

    async fn name_leads(
        &self,
        grant: &RosterKeep,
        code: &CheckpointCode,
        leads: &[Username],
        now_ms: i64,
    ) -> Result<Vec<StationOfficer>, StoreError> {
        let cp = checkpoint(self, code).await?;
        if !grant.is_commander() || !covers(grant.scope(), &cp) {
            return Err(StoreError::Forbidden);
        }
        let officers = officers_of(self, &cp).await?;
        for (i, l) in leads.iter().enumerate() {
            if !officers.iter().any(|o| o.username == l.as_str()) {
                return Err(StoreError::invalid(
                    "not_an_officer",
                    &format!("leads[{i}]"),
                    format!("{l} is not an officer account of {}", cp.1),
                ));
            }
        }
        let by = grant.username().as_str();
        retry(|| async move {
            on_pool!(&self.db.write, |p| {
                let mut tx = p.begin_write().await?;
                sqlx::query("DELETE FROM station_leads WHERE checkpoint_id = $1")
                    .bind(cp.0)
                    .execute(&mut *tx)
                    .await?;
                for l in leads {
                    sqlx::query(
                        "INSERT INTO station_leads (checkpoint_id, username, named_by, named_at) \
                         VALUES ($1, $2, $3, $4)",
                    )
                    .bind(cp.0)
                    .bind(l.as_str())
                    .bind(by)
                    .bind(now_ms)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok(())
            })
        })
        .await?;
        officers_of(self, &cp).await
    }

    async fn shift_at(
        &self,
        checkpoint: &CheckpointCode,
        at_ms: i64,
    ) -> Result<Option<ShiftRef>, StoreError> {
        // Asked with every passage read (the audited lookups): on SQLite straight from the
        // file on the request's task, as the passage itself (sqlx's round trip to its
        // connection's thread took a third of an audited read, `cordon bench audit`).
        let row: Option<(i64, i64, i64, String)> = match self.direct_reads() {
            Some(direct) => direct.with(|conn| {
                use rusqlite::OptionalExtension;
                Ok(conn
                    .prepare_cached(SHIFT_AT_DIRECT)?
                    .query_row(rusqlite::params![checkpoint.as_str(), at_ms], |r| {
                        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                    })
                    .optional()?)
            })?,
            None => on_pool!(&self.db.read, |p| sqlx::query_as(SHIFT_AT)
                .bind(checkpoint.as_str())
                .bind(at_ms)
                .fetch_optional(p)
                .await?),
        };
        Ok(row.map(shift_ref))
    }

    async fn station_shifts(
        &self,
        grant: &StationSync,
        from_ms: i64,
        to_ms: i64,
        now_ms: i64,
    ) -> Result<Vec<Shift>, StoreError> {
        let sql = format!(
            "SELECT {SHIFT_COLS} {SHIFT_FROM} WHERE c.code = $2 AND s.starts_at < $3 \
             AND s.ends_at > $4 ORDER BY s.starts_at"
        );
        let rows: Vec<ShiftRow> = on_pool!(&self.db.read, |p| sqlx::query_as(&sql)
            .bind(now_ms)
            .bind(grant.checkpoint().as_str())
            .bind(to_ms)
            .bind(from_ms)
            .fetch_all(p)
            .await?);
        rows.into_iter().map(|r| shift(r, now_ms)).collect()
    }

    async fn mirror_shifts(
        &self,
        code: &CheckpointCode,
        from_ms: i64,
        to_ms: i64,
        list: &[Shift],
    ) -> Result<usize, StoreError> {
        let cp = checkpoint(self, code).await?;
        retry(|| async move {
            on_pool!(&self.db.write, |p| {
                let mut tx = p.begin_write().await?;
                let held: Vec<i64> = sqlx::query_scalar(
                    "SELECT id FROM shifts WHERE checkpoint_id = $1 AND starts_at < $2 \
                     AND ends_at > $3",
                )
                .bind(cp.0)
                .bind(to_ms)
                .bind(from_ms)
                .fetch_all(&mut *tx)
                .await?;
                for id in held.iter().filter(|id| !list.iter().any(|s| s.id == **id)) {
                    sqlx::query("DELETE FROM shifts WHERE id = $1")
                        .bind(*id)
                        .execute(&mut *tx)
                        .await?;
                }
                for s in list {
                    let officers = serde_json::to_string(&s.officers).expect("names serialise");
                    let masked = serde_json::to_string(&s.volunteers).expect("names serialise");
                    let handover = s.handover.as_ref();
                    sqlx::query(
                        "INSERT INTO shifts (id, checkpoint_id, starts_at, ends_at, lead, \
                         officers, volunteer_count, volunteers_masked, handover_note, \
                         handover_by, handover_at, planned_by, planned_at) VALUES ($1, $2, $3, \
                         $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT (id) DO UPDATE \
                         SET starts_at = excluded.starts_at, ends_at = excluded.ends_at, \
                         lead = excluded.lead, officers = excluded.officers, \
                         volunteer_count = excluded.volunteer_count, \
                         volunteers_masked = excluded.volunteers_masked, \
                         handover_note = excluded.handover_note, \
                         handover_by = excluded.handover_by, handover_at = excluded.handover_at",
                    )
                    .bind(s.id)
                    .bind(cp.0)
                    .bind(s.starts_at.timestamp_millis())
                    .bind(s.ends_at.timestamp_millis())
                    .bind(&s.lead)
                    .bind(officers)
                    .bind(s.volunteers.len() as i64)
                    .bind(masked)
                    .bind(handover.map(|h| h.note.clone()))
                    .bind(handover.map(|h| h.by.clone()))
                    .bind(handover.map(|h| h.at.timestamp_millis()))
                    .bind(&s.planned_by)
                    .bind(s.starts_at.timestamp_millis())
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok(list.len())
            })
        })
        .await
    }

    async fn purge_volunteers(&self, before_ms: i64) -> Result<u64, StoreError> {
        retry(|| async move {
            on_pool!(&self.db.write, |p| {
                let n = sqlx::query(
                    "UPDATE shifts SET volunteers_sealed = NULL, volunteers_masked = '[]' \
                     WHERE ends_at < $1 AND volunteers_masked <> '[]'",
                )
                .bind(before_ms)
                .execute(p)
                .await?
                .rows_affected();
                Ok(n)
            })
        })
        .await
    }
}
