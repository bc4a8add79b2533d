//! Planning a shift: the crew checked against the checkpoint's officers, then, in one
//! transaction (on PostgreSQL under one advisory lock, since two plans that overlap in time touch
//! no common row), no other shift holds the checkpoint then, nobody on it is on another shift
//! then, and the shift written with its crew and its sealed volunteers.

use cordon_domain::command::roster::{ShiftDraft, VolunteerShown};
use cordon_domain::time::from_ms;
use sqlx::QueryBuilder;

use super::super::rows::BUMP;
use super::{officers_of, CpRow};
use crate::db::{on_pool, retry, BeginWrite, Pool};
use crate::store::SqlStore;
use crate::StoreError;
use cordon_domain::access::command::RosterKeep;

/// PostgreSQL's lock for roster writes.
const LOCK: &str = "SELECT pg_advisory_xact_lock(7283102)";

/// Everyone on the draft is an officer of the checkpoint.
pub(super) async fn check_crew(
    store: &SqlStore,
    cp: &CpRow,
    draft: &ShiftDraft,
) -> Result<(), StoreError> {
    let officers = officers_of(store, cp).await?;
    for (i, who) in draft.crew().enumerate() {
        if !officers.iter().any(|o| o.username == who.as_str()) {
            let field = if i == 0 { "lead" } else { "officers" };
            return Err(StoreError::invalid(
                "not_an_officer",
                field,
                format!("{who} is not an officer account of {}", cp.1),
            ));
        }
    }
    Ok(())
}

fn volunteers_json(draft: &ShiftDraft) -> (String, Option<String>) {
    let masked: Vec<VolunteerShown> = draft.volunteers.iter().map(|v| v.masked()).collect();
    let clear: Vec<VolunteerShown> = draft.volunteers.iter().map(|v| v.clear()).collect();
    (
        serde_json::to_string(&masked).expect("plain strings serialise"),
        (!clear.is_empty())
            .then(|| serde_json::to_string(&clear).expect("plain strings serialise")),
    )
}

pub(super) fn context(id: i64) -> Vec<u8> {
    format!("shift {id}").into_bytes()
}

/// Writes a plan (a new shift when `existing` is `None`) after checking the overlaps; answers
/// the shift's id.
pub(super) async fn save(
    store: &SqlStore,
    grant: &RosterKeep,
    cp: &CpRow,
    existing: Option<i64>,
    draft: &ShiftDraft,
    now_ms: i64,
) -> Result<i64, StoreError> {
    let postgres = matches!(&store.db.write, Pool::Postgres(_));
    let officers: Vec<&str> = draft.officers.iter().map(|o| o.as_str()).collect();
    let officers = serde_json::to_string(&officers).expect("plain strings serialise");
    let (masked, clear) = volunteers_json(draft);
    let by = grant.username().as_str();
    let this = existing.unwrap_or(0);
    retry(|| {
        let (officers, masked, clear) = (&officers, &masked, &clear);
        async move {
            on_pool!(&store.db.write, |p| {
                let mut tx = p.begin_write().await?;
                if postgres {
                    sqlx::query(LOCK).execute(&mut *tx).await?;
                }
                let clash: Option<(i64, i64)> = sqlx::query_as(
                    "SELECT starts_at, ends_at FROM shifts WHERE checkpoint_id = $1 \
                     AND starts_at < $2 AND ends_at > $3 AND id <> $4 LIMIT 1",
                )
                .bind(cp.0)
                .bind(draft.ends_ms)
                .bind(draft.starts_ms)
                .bind(this)
                .fetch_optional(&mut *tx)
                .await?;
                if let Some((s, e)) = clash {
                    return Err(StoreError::invalid(
                        "shift_overlap",
                        "starts_at",
                        format!(
                            "another shift holds {} from {} to {}",
                            cp.1,
                            from_ms(s).format("%m-%d %H:%M"),
                            from_ms(e).format("%m-%d %H:%M")
                        ),
                    ));
                }
                let mut q = QueryBuilder::new(
                    "SELECT sc.username, c.code FROM shift_crew sc JOIN shifts s ON s.id = \
                     sc.shift_id JOIN checkpoints c ON c.id = s.checkpoint_id WHERE sc.username IN (",
                );
                let mut sep = q.separated(", ");
                for who in draft.crew() {
                    sep.push_bind(who.as_str().to_owned());
                }
                q.push(") AND sc.starts_at < ")
                    .push_bind(draft.ends_ms)
                    .push(" AND sc.ends_at > ")
                    .push_bind(draft.starts_ms)
                    .push(" AND sc.shift_id <> ")
                    .push_bind(this)
                    .push(" LIMIT 1");
                let busy: Option<(String, String)> =
                    q.build_query_as().fetch_optional(&mut *tx).await?;
                if let Some((who, at)) = busy {
                    let field = if who == draft.lead.as_str() {
                        "lead"
                    } else {
                        "officers"
                    };
                    return Err(StoreError::invalid(
                        "officer_on_duty",
                        field,
                        format!("{who} is on a shift at {at} at that time"),
                    ));
                }
                let id: i64 = match existing {
                    Some(id) => {
                        sqlx::query(
                            "UPDATE shifts SET starts_at = $1, ends_at = $2, lead = $3, \
                             officers = $4, volunteer_count = $5, volunteers_masked = $6 \
                             WHERE id = $7",
                        )
                        .bind(draft.starts_ms)
                        .bind(draft.ends_ms)
                        .bind(draft.lead.as_str())
                        .bind(officers.as_str())
                        .bind(draft.volunteers.len() as i64)
                        .bind(masked.as_str())
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                        sqlx::query("DELETE FROM shift_crew WHERE shift_id = $1")
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                        id
                    }
                    None => {
                        sqlx::query_scalar(
                            "INSERT INTO shifts (checkpoint_id, starts_at, ends_at, lead, \
                             officers, volunteer_count, volunteers_masked, planned_by, \
                             planned_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                        )
                        .bind(cp.0)
                        .bind(draft.starts_ms)
                        .bind(draft.ends_ms)
                        .bind(draft.lead.as_str())
                        .bind(officers.as_str())
                        .bind(draft.volunteers.len() as i64)
                        .bind(masked.as_str())
                        .bind(by)
                        .bind(now_ms)
                        .fetch_one(&mut *tx)
                        .await?
                    }
                };
                let sealed = clear
                    .as_ref()
                    .map(|c| store.keyring.seal(&context(id), c.as_bytes()));
                sqlx::query("UPDATE shifts SET volunteers_sealed = $1 WHERE id = $2")
                    .bind(sealed)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                // The directives' clock: a station's long poll takes the roster with them.
                sqlx::query(BUMP).execute(&mut *tx).await?;
                for who in draft.crew() {
                    sqlx::query(
                        "INSERT INTO shift_crew (username, starts_at, shift_id, ends_at) \
                         VALUES ($1, $2, $3, $4)",
                    )
                    .bind(who.as_str())
                    .bind(draft.starts_ms)
                    .bind(id)
                    .bind(draft.ends_ms)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok(id)
            })
        }
    })
    .await
}
