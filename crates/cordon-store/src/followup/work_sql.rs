//! The SQL of the work on follow-up subjects, for [`super::FollowupStore`]: teams (a team made
//! takes the persons of its county who waited for one), hand-overs, worklists, and attempts
//! (one transaction each, the subject's state moved by
//! [`cordon_domain::followup::work::attempt`] and its board buckets with it).

use cordon_domain::access::followup::{TeamManage, Work};
use cordon_domain::access::Username;
use cordon_domain::followup::work::{self, AttemptKind, Outcome, SubjectState};
use cordon_domain::followup::ListSource;
use sqlx::QueryBuilder;
use uuid::Uuid;

use super::assign::{assign_waiting, assigner, Assigner};
use super::board_sql::{bucket, move_bucket, recount_list};
use super::items::{item, ItemCols, ITEM_COLUMNS};
use super::scope::within;
use super::teams_sql::teams;
use super::{AttemptView, NewAttempt, SubjectRecord, SubjectSource, Team, WorkItem};
use crate::db::{on_pool, retry, BeginWrite};
use crate::store::SqlStore;
use crate::StoreError;

/// A person who lives elsewhere now, in transaction `$tx` (`$a` the attempt, `$county` the
/// person's county as stored): to another county of the province the person is handed (to be
/// called there by its team); else transferred out. Recorded either way, the new address
/// sealed. Evaluates to the state the person is left in.
macro_rules! moved {
    ($tx:ident, $a:expr, $county:expr, $who:expr, $now:expr) => {{
        let place = $a.moved_to.as_ref().and_then(|m| m.0);
        let here = $county.and_then(super::scope::division);
        let handed = match (here, place) {
            (Some(h), Some(p)) => h.province().contains(p) && !h.contains(p),
            _ => false,
        };
        sqlx::query(
            "INSERT INTO followup_transfers (subject_id, reason, to_code, held_by, address, \
             by_account, at) VALUES ($1, 'lives_elsewhere', $2, $3, $4, $5, $6)",
        )
        .bind($a.subject)
        .bind(place.map(|p| i64::from(p.value())))
        .bind($county.unwrap_or(0))
        .bind($a.moved_to.as_ref().map(|m| m.1.as_slice()))
        .bind($who)
        .bind($now)
        .execute(&mut *$tx)
        .await?;
        if handed {
            sqlx::query(
                "UPDATE followup_subjects SET county = $2, team_id = NULL, assignee = NULL, \
                 state = 'pending', outcome = NULL, attempts = 0 WHERE id = $1",
            )
            .bind($a.subject)
            .bind(place.map(|p| i64::from(p.value())))
            .execute(&mut *$tx)
            .await?;
            let mut assigner = assigner!($tx);
            assign_waiting!($tx, assigner);
            SubjectState::Pending
        } else {
            SubjectState::Transferred
        }
    }};
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(what.to_owned())
}

type AttemptCols = (i64, String, String, i64, String, Option<i64>, String);

fn attempt_view(c: AttemptCols) -> Result<AttemptView, StoreError> {
    Ok(AttemptView {
        id: c.0,
        kind: AttemptKind::parse(&c.1).map_err(|_| corrupt("attempt kind"))?,
        caller: c.2,
        at_ms: c.3,
        outcome: Outcome::parse(&c.4).map_err(|_| corrupt("attempt outcome"))?,
        questionnaire: c.5,
        note: c.6,
    })
}

pub(super) async fn split_row(
    store: &SqlStore,
    grant: &TeamManage,
    subject: i64,
    list: Uuid,
    row: i64,
    reason: &str,
) -> Result<i64, StoreError> {
    let list_id = list.to_string();
    let list_id = list_id.as_str();
    let scope = grant.scope().clone();
    let scope = &scope;
    let key = format!("split:{}", Uuid::now_v7());
    let key = key.as_str();
    retry(|| async move {
        let now = cordon_domain::time::now_ms();
        on_pool!(&store.db.write, |p| {
            let mut tx = p.begin_write().await?;
            type Found = (
                String,
                i64,
                i64,
                String,
                Option<String>,
                Option<String>,
                Option<i64>,
                Option<i64>,
            );
            let found: Option<Found> = sqlx::query_as(
                "SELECT l.scope, l.deadline_at, s.verified, s.masked_name, s.document_type, \
                 s.masked_number, s.home_area, s.county FROM followup_rows r \
                 JOIN followup_lists l ON l.id = r.list_id \
                 JOIN followup_subjects s ON s.id = r.subject_id \
                 WHERE r.list_id = $1 AND r.row_no = $2 AND r.subject_id = $3",
            )
            .bind(list_id)
            .bind(row)
            .bind(subject)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((list_scope, deadline, verified, name, kind, number, home, county)) = found
            else {
                return Err(StoreError::not_found(format!("row {row} of that person")));
            };
            if !super::scope::holds(scope, &list_scope) {
                return Err(StoreError::not_found(format!("row {row} of that person")));
            }
            let (new_id,): (i64,) = sqlx::query_as(
                "INSERT INTO followup_subjects (match_key, verified, document_type, \
                 masked_number, masked_name, home_area, county, deadline_at, first_list, \
                 created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) \
                 RETURNING id",
            )
            .bind(key)
            .bind(verified)
            .bind(kind)
            .bind(number)
            .bind(name)
            .bind(home)
            .bind(county)
            .bind(deadline)
            .bind(list_id)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query(
                "UPDATE followup_rows SET subject_id = $1 WHERE list_id = $2 AND row_no = $3",
            )
            .bind(new_id)
            .bind(list_id)
            .bind(row)
            .execute(&mut *tx)
            .await?;
            // Both persons' lists and deadlines counted again; the list's counts made whole.
            for id in [subject, new_id] {
                sqlx::query(
                    "UPDATE followup_subjects SET lists = (SELECT COUNT(DISTINCT r.list_id) \
                     FROM followup_rows r WHERE r.subject_id = $1), deadline_at = COALESCE(\
                     (SELECT MIN(l.deadline_at) FROM followup_rows r JOIN followup_lists l \
                      ON l.id = r.list_id WHERE r.subject_id = $1), deadline_at) WHERE id = $1",
                )
                .bind(id)
                .execute(&mut *tx)
                .await?;
            }
            recount_list!(tx, list_id);
            let teams: Vec<(i64, i64, String)> = sqlx::query_as(
                "SELECT t.id, t.county, m.username FROM followup_teams t \
                 JOIN followup_members m ON m.team_id = t.id ORDER BY t.id, m.username",
            )
            .fetch_all(&mut *tx)
            .await?;
            let mut assigner = Assigner::new(teams, Vec::new());
            assign_waiting!(tx, assigner);
            tracing::info!(subject, new_id, row, reason, "a wrong match split");
            tx.commit().await?;
            Ok(new_id)
        })
    })
    .await
}

pub(super) async fn reassign(
    store: &SqlStore,
    grant: &TeamManage,
    subjects: &[i64],
    to: &Username,
) -> Result<i64, StoreError> {
    let mine = teams(store, Some(grant.scope())).await?;
    let Some(team) = mine
        .iter()
        .find(|t| t.members.iter().any(|m| m == to.as_str()))
    else {
        return Err(StoreError::invalid(
            "unknown_caller",
            "to",
            "no team of this jurisdiction has this caller",
        ));
    };
    let scope = grant.scope().clone();
    let ours =
        move |county: Option<i64>, _team: Option<i64>| within(&scope, county) || county.is_none();
    hand_over(store, team.id, to, subjects, &ours).await
}

pub(super) async fn reassign_in_team(
    store: &SqlStore,
    grant: &Work,
    subjects: &[i64],
    to: &Username,
) -> Result<i64, StoreError> {
    let led: Vec<Team> = teams(store, None)
        .await?
        .into_iter()
        .filter(|t| t.lead == grant.username().as_str())
        .collect();
    let Some(team) = led
        .iter()
        .find(|t| t.members.iter().any(|m| m == to.as_str()))
    else {
        return Err(StoreError::invalid(
            "unknown_caller",
            "to",
            "no team you lead has this caller",
        ));
    };
    let ids: Vec<i64> = led.iter().map(|t| t.id).collect();
    let ours =
        move |_county: Option<i64>, team: Option<i64>| team.is_some_and(|t| ids.contains(&t));
    hand_over(store, team.id, to, subjects, &ours).await
}

/// The teams `grant`'s caller leads, and their persons whose work is not over (masked), by id
/// after `after`.
pub(super) async fn led_team(
    store: &SqlStore,
    grant: &Work,
    after: i64,
    limit: i64,
) -> Result<(Vec<Team>, Vec<WorkItem>), StoreError> {
    let who = grant.username().as_str();
    let led: Vec<Team> = teams(store, None)
        .await?
        .into_iter()
        .filter(|t| t.lead == who)
        .collect();
    if led.is_empty() {
        return Ok((led, Vec::new()));
    }
    let sql = format!(
        "SELECT {ITEM_COLUMNS} FROM followup_subjects s WHERE s.team_id IN \
         (SELECT id FROM followup_teams WHERE lead = $1) \
         AND s.state IN ('pending', 'in_progress', 'escalated') AND s.id > $2 \
         ORDER BY s.id LIMIT $3"
    );
    let rows: Vec<ItemCols> = on_pool!(&store.db.read, |p| sqlx::query_as(&sql)
        .bind(who)
        .bind(after)
        .bind(limit)
        .fetch_all(p)
        .await?);
    let items = rows.into_iter().map(item).collect::<Result<_, _>>()?;
    Ok((led, items))
}

/// Hands the listed persons whose work is not over and that `ours` holds (by county and team)
/// to caller `to` of team `team_id`, in one transaction; a person with the lead for a visit
/// goes back to calls. Answers how many were handed over.
async fn hand_over(
    store: &SqlStore,
    team_id: i64,
    to: &Username,
    subjects: &[i64],
    ours: &(dyn Fn(Option<i64>, Option<i64>) -> bool + Sync),
) -> Result<i64, StoreError> {
    retry(|| async move {
        on_pool!(&store.db.write, |p| {
            let mut tx = p.begin_write().await?;
            let mut handed = 0;
            for chunk in subjects.chunks(500) {
                let mut q = QueryBuilder::new(
                    "SELECT id, county, team_id, state FROM followup_subjects WHERE id IN (",
                );
                let mut ids = q.separated(", ");
                for s in chunk {
                    ids.push_bind(*s);
                }
                q.push(") AND state NOT IN ('closed', 'transferred')");
                let found: Vec<(i64, Option<i64>, Option<i64>, String)> =
                    q.build_query_as().fetch_all(&mut *tx).await?;
                let found: Vec<(i64, String)> = found
                    .into_iter()
                    .filter(|(_, county, team, _)| ours(*county, *team))
                    .map(|(id, _, _, state)| (id, state))
                    .collect();
                let mine: Vec<i64> = found.iter().map(|(id, _)| *id).collect();
                if mine.is_empty() {
                    continue;
                }
                let mut q = QueryBuilder::new("UPDATE followup_subjects SET team_id = ");
                q.push_bind(team_id)
                    .push(", assignee = ")
                    .push_bind(to.as_str())
                    .push(
                        ", state = CASE WHEN state = 'escalated' THEN 'in_progress' ELSE state END",
                    )
                    .push(" WHERE id IN (");
                let mut ids = q.separated(", ");
                for s in &mine {
                    ids.push_bind(*s);
                }
                q.push(")");
                handed += q.build().execute(&mut *tx).await?.rows_affected() as i64;
                for (id, state) in &found {
                    if state == "escalated" {
                        move_bucket!(tx, *id, "escalated", "in_progress", "");
                    }
                }
            }
            tx.commit().await?;
            Ok(handed)
        })
    })
    .await
}

pub(super) async fn worklist(
    store: &SqlStore,
    grant: &Work,
    limit: i64,
) -> Result<Vec<WorkItem>, StoreError> {
    let sql = format!(
        "SELECT {ITEM_COLUMNS} FROM followup_subjects s \
         WHERE (s.assignee = $1 AND s.state IN ('pending', 'in_progress')) \
            OR (s.state = 'escalated' AND s.team_id IN \
                (SELECT id FROM followup_teams WHERE lead = $1)) \
         ORDER BY CASE s.state WHEN 'pending' THEN 0 WHEN 'in_progress' THEN 1 ELSE 2 END, \
                  s.last_attempt_at, s.id LIMIT $2"
    );
    let who = grant.username().as_str();
    let rows: Vec<ItemCols> = on_pool!(&store.db.read, |p| sqlx::query_as(&sql)
        .bind(who)
        .bind(limit)
        .fetch_all(p)
        .await?);
    let mut items = rows.into_iter().map(item).collect::<Result<Vec<_>, _>>()?;
    items.sort_by_key(|i| {
        (
            i.state != SubjectState::Pending,
            i.state == SubjectState::Escalated,
            i.deadline_ms,
            i.next_call_ms,
        )
    });
    Ok(items)
}

pub(super) async fn work_subject(
    store: &SqlStore,
    grant: &Work,
    subject: i64,
) -> Result<SubjectRecord, StoreError> {
    let sql = format!("SELECT {ITEM_COLUMNS} FROM followup_subjects s WHERE s.id = $1");
    let found: Option<ItemCols> = on_pool!(&store.db.read, |p| sqlx::query_as(&sql)
        .bind(subject)
        .fetch_optional(p)
        .await?);
    let Some(cols) = found else {
        return Err(StoreError::Forbidden);
    };
    let (match_key, lead): (String, Option<String>) = on_pool!(&store.db.read, |p| sqlx::query_as(
        "SELECT s.match_key, (SELECT lead FROM followup_teams t WHERE t.id = s.team_id) \
         FROM followup_subjects s WHERE s.id = $1"
    )
    .bind(subject)
    .fetch_one(p)
    .await?);
    let item = item(cols)?;
    let who = grant.username().as_str();
    let theirs = item.assignee.as_deref() == Some(who) || lead.as_deref() == Some(who);
    if !theirs {
        return Err(StoreError::Forbidden);
    }
    type SourceCols = (String, String, String, i64, Option<Vec<u8>>);
    let sources: Vec<SourceCols> = on_pool!(&store.db.read, |p| sqlx::query_as(
        "SELECT l.id, l.label, l.source, r.row_no, r.sealed FROM followup_rows r \
             JOIN followup_lists l ON l.id = r.list_id WHERE r.subject_id = $1 \
             ORDER BY l.brought_at, r.row_no"
    )
    .bind(subject)
    .fetch_all(p)
    .await?);
    let attempts: Vec<AttemptCols> = on_pool!(&store.db.read, |p| sqlx::query_as(
        "SELECT id, kind, caller, at, outcome, questionnaire, note FROM followup_attempts \
         WHERE subject_id = $1 ORDER BY id"
    )
    .bind(subject)
    .fetch_all(p)
    .await?);
    Ok(SubjectRecord {
        item,
        match_key,
        team_lead: lead,
        sources: sources
            .into_iter()
            .map(|(list, label, source, row, sealed)| {
                Ok(SubjectSource {
                    list: Uuid::parse_str(&list).map_err(|_| corrupt("follow-up list id"))?,
                    label,
                    source: ListSource::parse(&source).map_err(|_| corrupt("list source"))?,
                    row,
                    sealed,
                })
            })
            .collect::<Result<_, StoreError>>()?,
        attempts: attempts
            .into_iter()
            .map(attempt_view)
            .collect::<Result<_, _>>()?,
    })
}

pub(super) async fn record_attempt(
    store: &SqlStore,
    grant: &Work,
    a: NewAttempt,
    now_ms: i64,
) -> Result<(AttemptView, SubjectState), StoreError> {
    let a = &a;
    let who = grant.username().as_str();
    retry(|| async move {
        on_pool!(&store.db.write, |p| {
            let mut tx = p.begin_write().await?;
            // The person's state and who may act on it, and whether the answers' version is
            // published, in one read.
            type StateCols = (
                String,
                i64,
                Option<i64>,
                Option<String>,
                Option<String>,
                Option<i64>,
                Option<i64>,
            );
            let found: Option<StateCols> = sqlx::query_as(
                "SELECT s.state, s.attempts, s.last_attempt_at, s.assignee, \
                     (SELECT lead FROM followup_teams t WHERE t.id = s.team_id), \
                     (SELECT published_at FROM questionnaires q WHERE q.version = $2), s.county \
                     FROM followup_subjects s WHERE s.id = $1",
            )
            .bind(a.subject)
            .bind(a.answered.as_ref().map_or(-1, |x| x.0))
            .fetch_optional(&mut *tx)
            .await?;
            let Some((state, calls, last, assignee, lead, published, county)) = found else {
                return Err(StoreError::Forbidden);
            };
            let allowed = match a.kind {
                AttemptKind::Call => assignee.as_deref() == Some(who),
                AttemptKind::Visit => lead.as_deref() == Some(who),
            };
            if !allowed {
                return Err(StoreError::Forbidden);
            }
            if a.answered.is_some() && published.is_none() {
                return Err(StoreError::invalid(
                    "not_published",
                    "questionnaire",
                    "answers name a published questionnaire version",
                ));
            }
            let work_now = work::Work {
                state: SubjectState::parse(&state).map_err(|_| corrupt("follow-up state"))?,
                calls,
                last_attempt_ms: last,
            };
            let after = work::attempt(work_now, a.kind, a.outcome, a.answered.is_some(), now_ms)
                .map_err(StoreError::Invalid)?;
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO followup_attempts (subject_id, kind, caller, at, outcome, \
                 questionnaire, answers, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                 RETURNING id",
            )
            .bind(a.subject)
            .bind(a.kind.as_str())
            .bind(who)
            .bind(now_ms)
            .bind(a.outcome.as_str())
            .bind(a.answered.as_ref().map(|x| x.0))
            .bind(a.answered.as_ref().map(|x| x.1.as_slice()))
            .bind(&a.note)
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query(
                "UPDATE followup_subjects SET state = $2, outcome = $3, attempts = $4, \
                 last_attempt_at = $5, updated_at = $5 WHERE id = $1",
            )
            .bind(a.subject)
            .bind(after.state.as_str())
            .bind(after.closed_with.map(|o| o.as_str()))
            .bind(after.calls)
            .bind(now_ms)
            .execute(&mut *tx)
            .await?;
            let mut left = after.state;
            if a.outcome == Outcome::LivesElsewhere {
                left = moved!(tx, a, county, who, now_ms);
            }
            let from = bucket(work_now.state.as_str(), None);
            let to = bucket(left.as_str(), after.closed_with.map(|o| o.as_str()));
            if from != to {
                move_bucket!(tx, a.subject, from, to, "");
            }
            tx.commit().await?;
            Ok((
                AttemptView {
                    id,
                    kind: a.kind,
                    caller: who.to_owned(),
                    at_ms: now_ms,
                    outcome: a.outcome,
                    questionnaire: a.answered.as_ref().map(|x| x.0),
                    note: a.note.clone(),
                },
                left,
            ))
        })
    })
    .await
}
