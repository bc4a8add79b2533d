//! The SQL of the work on follow-up subjects, for [`super::FollowupStore`]: teams, the
//! assignment of new persons to the least-loaded caller of the most specific team of their
//! county, worklists, attempts (one transaction each, the subject's state moved by
//! [`cordon_domain::followup::work::attempt`]) and the completion board.

use std::collections::HashMap;

use cordon_domain::access::followup::{ListRead, TeamManage, Work};
use cordon_domain::access::{Scope, Username};
use cordon_domain::division::DivisionCode;
use cordon_domain::followup::work::{self, AttemptKind, Outcome, SubjectState};
use cordon_domain::followup::ListSource;
use cordon_domain::identity::{DocumentType, MaskedDocument};
use sqlx::QueryBuilder;
use uuid::Uuid;

use super::{
    AttemptView, BoardBy, BoardLine, NewAttempt, NewTeam, SubjectRecord, SubjectSource, Team,
    WorkItem,
};
use crate::db::{on_pool, retry, BeginWrite};
use crate::store::SqlStore;
use crate::StoreError;

/// Hands the persons not yet with a team (whose county is known and whose work is not over)
/// to `$assigner`'s teams, in transaction `$tx`.
macro_rules! assign_waiting {
    ($tx:ident, $assigner:ident) => {{
        let waiting: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT id, county FROM followup_subjects WHERE team_id IS NULL \
             AND county IS NOT NULL AND state IN ('pending', 'in_progress') ORDER BY id",
        )
        .fetch_all(&mut *$tx)
        .await?;
        let mut given: std::collections::HashMap<(i64, String), Vec<i64>> =
            std::collections::HashMap::new();
        for (subject, c) in waiting {
            let county = u32::try_from(c)
                .ok()
                .and_then(cordon_domain::division::DivisionCode::from_value);
            if let Some(to) = county.and_then(|c| $assigner.pick(c)) {
                given.entry(to).or_default().push(subject);
            }
        }
        for ((team, who), subjects) in &given {
            for chunk in subjects.chunks(500) {
                let mut q = sqlx::QueryBuilder::new("UPDATE followup_subjects SET team_id = ");
                q.push_bind(*team)
                    .push(", assignee = ")
                    .push_bind(who.as_str())
                    .push(" WHERE id IN (");
                let mut ids = q.separated(", ");
                for s in chunk {
                    ids.push_bind(*s);
                }
                q.push(")");
                q.build().execute(&mut *$tx).await?;
            }
        }
    }};
}
pub(super) use assign_waiting;

/// The board's bucket of a person: its state, or `reached` for one closed reached.
pub(super) fn bucket(state: &str, outcome: Option<&str>) -> &'static str {
    match (state, outcome) {
        ("closed", Some("reached")) => "reached",
        ("closed", _) => "closed",
        ("pending", _) => "pending",
        ("in_progress", _) => "in_progress",
        ("escalated", _) => "escalated",
        _ => "transferred",
    }
}

/// Moves person `$subject` from bucket `$from` to `$to` in the counts of every list naming it
/// but `$except` (a list whose counts are made again whole), in transaction `$tx`.
macro_rules! move_bucket {
    ($tx:ident, $subject:expr, $from:expr, $to:expr, $except:expr) => {{
        sqlx::query(
            "UPDATE followup_list_counts SET n = n - 1 WHERE bucket = $1 AND list_id <> $3 \
             AND list_id IN (SELECT list_id FROM followup_rows WHERE subject_id = $2)",
        )
        .bind($from)
        .bind($subject)
        .bind($except)
        .execute(&mut *$tx)
        .await?;
        sqlx::query(
            "INSERT INTO followup_list_counts (list_id, bucket, n) \
             SELECT DISTINCT list_id, CAST($1 AS TEXT), 1 FROM followup_rows \
             WHERE subject_id = $2 AND list_id <> $3 \
             ON CONFLICT (list_id, bucket) DO UPDATE SET n = followup_list_counts.n + 1",
        )
        .bind($to)
        .bind($subject)
        .bind($except)
        .execute(&mut *$tx)
        .await?;
    }};
}
pub(super) use move_bucket;

/// Who takes a new person: the teams with their members, and how many open persons each
/// caller holds.
pub(super) struct Assigner {
    /// (team, county, members), members sorted.
    teams: Vec<(i64, DivisionCode, Vec<String>)>,
    load: HashMap<String, i64>,
}

impl Assigner {
    pub(super) fn new(members: Vec<(i64, i64, String)>, loads: Vec<(String, i64)>) -> Self {
        let mut teams: Vec<(i64, DivisionCode, Vec<String>)> = Vec::new();
        for (team, county, member) in members {
            let Some(county) = u32::try_from(county)
                .ok()
                .and_then(DivisionCode::from_value)
            else {
                continue;
            };
            match teams.last_mut() {
                Some(t) if t.0 == team => t.2.push(member),
                _ => teams.push((team, county, vec![member])),
            }
        }
        Self {
            teams,
            load: loads.into_iter().collect(),
        }
    }

    /// The team and caller for a person of `county`: among the teams whose area holds it
    /// most narrowly, the caller with the fewest open persons (by name on a tie).
    pub(super) fn pick(&mut self, county: DivisionCode) -> Option<(i64, String)> {
        let narrowest = self
            .teams
            .iter()
            .filter(|t| t.1.contains(county))
            .map(|t| t.1.level() as u8)
            .max()?;
        let load = &self.load;
        let (team, who) = self
            .teams
            .iter()
            .filter(|t| t.1.contains(county) && t.1.level() as u8 == narrowest)
            .flat_map(|t| t.2.iter().map(move |m| (t.0, m)))
            .min_by_key(|(_, m)| (load.get(*m).copied().unwrap_or(0), (*m).clone()))?;
        let who = who.clone();
        *self.load.entry(who.clone()).or_insert(0) += 1;
        Some((team, who))
    }
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(what.to_owned())
}

fn division(v: i64) -> Option<DivisionCode> {
    u32::try_from(v).ok().and_then(DivisionCode::from_value)
}

fn within(scope: &Scope, county: Option<i64>) -> bool {
    match (scope, county.and_then(division)) {
        (Scope::Division(d), Some(c)) => d.contains(c),
        _ => false,
    }
}

const ITEM_COLUMNS: &str = "s.id, s.masked_name, s.document_type, s.masked_number, s.verified, \
    s.state, s.attempts, s.last_attempt_at, s.deadline_at, s.lists, s.assignee, s.county";

type ItemCols = (
    i64,
    String,
    Option<String>,
    Option<String>,
    i64,
    String,
    i64,
    Option<i64>,
    i64,
    i64,
    Option<String>,
    Option<i64>,
);

fn item(c: ItemCols) -> Result<WorkItem, StoreError> {
    let state = SubjectState::parse(&c.5).map_err(|_| corrupt("follow-up state"))?;
    let document = match (c.2, c.3) {
        (Some(kind), Some(number)) => Some(MaskedDocument {
            kind: DocumentType::parse(&kind).map_err(|_| corrupt("follow-up document type"))?,
            number,
        }),
        _ => None,
    };
    Ok(WorkItem {
        subject: c.0,
        name: c.1,
        document,
        verified: c.4 == 1,
        state,
        calls: c.6,
        last_attempt_ms: c.7,
        next_call_ms: c.7.map(|t| t + work::MIN_GAP_MS),
        deadline_ms: c.8,
        lists: c.9,
        assignee: c.10,
        county: c.11.map(|c| format!("{c:06}")),
    })
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

pub(super) async fn create_team(
    store: &SqlStore,
    grant: &TeamManage,
    team: NewTeam,
) -> Result<Team, StoreError> {
    if !grant.scope().covers_division(team.county) {
        return Err(StoreError::invalid(
            "scope_mismatch",
            "county",
            "the team's county lies outside this account's jurisdiction",
        ));
    }
    let team = &team;
    let county = i64::from(team.county.value());
    let by = grant.username().as_str();
    let id: i64 = retry(|| async move {
        let now = cordon_domain::time::now_ms();
        on_pool!(&store.db.write, |p| {
            let mut tx = p.begin_write().await?;
            let taken: Option<(i64,)> =
                sqlx::query_as("SELECT id FROM followup_teams WHERE county = $1 AND name = $2")
                    .bind(county)
                    .bind(&team.name)
                    .fetch_optional(&mut *tx)
                    .await?;
            if taken.is_some() {
                return Err(StoreError::invalid(
                    "duplicate",
                    "name",
                    "this county has a team of this name",
                ));
            }
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO followup_teams (name, county, lead, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(&team.name)
            .bind(county)
            .bind(team.lead.as_str())
            .bind(by)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            let mut members: Vec<&str> = team.members.iter().map(Username::as_str).collect();
            members.sort_unstable();
            members.dedup();
            for m in &members {
                sqlx::query("INSERT INTO followup_members (team_id, username) VALUES ($1, $2)")
                    .bind(id)
                    .bind(*m)
                    .execute(&mut *tx)
                    .await?;
            }
            // Persons of the county brought in before it had a team: handed to this one.
            let mut assigner = Assigner::new(
                members
                    .iter()
                    .map(|m| (id, county, (*m).to_owned()))
                    .collect(),
                Vec::new(),
            );
            assign_waiting!(tx, assigner);
            tx.commit().await?;
            Ok(id)
        })
    })
    .await?;
    teams(store, None)
        .await?
        .into_iter()
        .find(|t| t.id == id)
        .ok_or_else(|| StoreError::not_found(format!("team {id}")))
}

/// Every team (of a scope, when given), with members and open persons.
pub(super) async fn teams(
    store: &SqlStore,
    scope: Option<&Scope>,
) -> Result<Vec<Team>, StoreError> {
    let rows: Vec<(i64, String, i64, String, Option<String>, i64)> =
        on_pool!(&store.db.read, |p| sqlx::query_as(
            "SELECT t.id, t.name, t.county, t.lead, m.username, \
             (SELECT COUNT(*) FROM followup_subjects s WHERE s.team_id = t.id \
              AND s.state NOT IN ('closed', 'transferred')) \
             FROM followup_teams t LEFT JOIN followup_members m ON m.team_id = t.id \
             ORDER BY t.county, t.name, m.username"
        )
        .fetch_all(p)
        .await?);
    let mut out: Vec<Team> = Vec::new();
    for (id, name, county, lead, member, open) in rows {
        if scope.is_some_and(|s| !within(s, Some(county))) {
            continue;
        }
        match out.last_mut() {
            Some(t) if t.id == id => t.members.extend(member),
            _ => {
                let code = format!("{county:06}");
                out.push(Team {
                    id,
                    county_name: cordon_domain::places::by_code(&code)
                        .map(|p| format!("{} {}", p.within, p.name).trim().to_owned()),
                    county: code,
                    name,
                    lead,
                    members: member.into_iter().collect(),
                    open,
                })
            }
        }
    }
    Ok(out)
}

pub(super) async fn list_teams(
    store: &SqlStore,
    grant: &ListRead,
) -> Result<Vec<Team>, StoreError> {
    teams(store, Some(grant.scope())).await
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
    let team_id = team.id;
    let scope = grant.scope().clone();
    let scope = &scope;
    retry(|| async move {
        on_pool!(&store.db.write, |p| {
            let mut tx = p.begin_write().await?;
            let mut handed = 0;
            for chunk in subjects.chunks(500) {
                let mut q = QueryBuilder::new(
                    "SELECT id, county, state FROM followup_subjects WHERE id IN (",
                );
                let mut ids = q.separated(", ");
                for s in chunk {
                    ids.push_bind(*s);
                }
                q.push(") AND state NOT IN ('closed', 'transferred')");
                let found: Vec<(i64, Option<i64>, String)> =
                    q.build_query_as().fetch_all(&mut *tx).await?;
                let found: Vec<(i64, String)> = found
                    .into_iter()
                    .filter(|(_, county, _)| within(scope, *county) || county.is_none())
                    .map(|(id, _, state)| (id, state))
                    .collect();
                let ours: Vec<i64> = found.iter().map(|(id, _)| *id).collect();
                if ours.is_empty() {
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
                for s in &ours {
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
    let sql = format!(
        "SELECT {ITEM_COLUMNS}, s.match_key, \
         (SELECT lead FROM followup_teams t WHERE t.id = s.team_id) \
         FROM followup_subjects s WHERE s.id = $1"
    );
    type Cols = (ItemCols, String, Option<String>);
    /// [`ItemCols`], then the match key and the team's lead.
    type Flat = (
        i64,
        String,
        Option<String>,
        Option<String>,
        i64,
        String,
        i64,
        Option<i64>,
        i64,
        i64,
        Option<String>,
        Option<i64>,
        String,
        Option<String>,
    );
    let found: Option<Flat> = on_pool!(&store.db.read, |p| sqlx::query_as(&sql)
        .bind(subject)
        .fetch_optional(p)
        .await?);
    let Some(c) = found else {
        return Err(StoreError::Forbidden);
    };
    let (cols, match_key, lead): Cols = (
        (c.0, c.1, c.2, c.3, c.4, c.5, c.6, c.7, c.8, c.9, c.10, c.11),
        c.12,
        c.13,
    );
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
            type StateCols = (String, i64, Option<i64>, Option<String>, Option<String>);
            let found: Option<StateCols> = sqlx::query_as(
                "SELECT s.state, s.attempts, s.last_attempt_at, s.assignee, \
                     (SELECT lead FROM followup_teams t WHERE t.id = s.team_id) \
                     FROM followup_subjects s WHERE s.id = $1",
            )
            .bind(a.subject)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((state, calls, last, assignee, lead)) = found else {
                return Err(StoreError::Forbidden);
            };
            let allowed = match a.kind {
                AttemptKind::Call => assignee.as_deref() == Some(who),
                AttemptKind::Visit => lead.as_deref() == Some(who),
            };
            if !allowed {
                return Err(StoreError::Forbidden);
            }
            if let Some((version, _)) = &a.answered {
                let published: Option<(Option<i64>,)> =
                    sqlx::query_as("SELECT published_at FROM questionnaires WHERE version = $1")
                        .bind(*version)
                        .fetch_optional(&mut *tx)
                        .await?;
                if !matches!(published, Some((Some(_),))) {
                    return Err(StoreError::invalid(
                        "not_published",
                        "questionnaire",
                        "answers name a published questionnaire version",
                    ));
                }
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
            let from = bucket(work_now.state.as_str(), None);
            let to = bucket(after.state.as_str(), after.closed_with.map(|o| o.as_str()));
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
                after.state,
            ))
        })
    })
    .await
}

/// A board line's counts, added up bucket by bucket.
fn add(line: &mut BoardLine, bucket: &str, n: i64, overdue: i64) {
    line.total += n;
    match bucket {
        "pending" => line.pending += n,
        "in_progress" => line.in_progress += n,
        "escalated" => line.escalated += n,
        "transferred" => line.transferred += n,
        "reached" => {
            line.closed += n;
            line.reached += n;
        }
        _ => line.closed += n,
    }
    line.overdue += overdue;
}

fn empty(key: String, label: String) -> BoardLine {
    BoardLine {
        key,
        label,
        total: 0,
        pending: 0,
        in_progress: 0,
        escalated: 0,
        transferred: 0,
        closed: 0,
        reached: 0,
        overdue: 0,
    }
}

pub(super) async fn board(
    store: &SqlStore,
    grant: &ListRead,
    by: BoardBy,
    now_ms: i64,
) -> Result<Vec<BoardLine>, StoreError> {
    let scope = grant.scope();
    let mut lines: Vec<BoardLine> = Vec::new();
    let mut at: HashMap<String, usize> = HashMap::new();
    let mut line_of = |lines: &mut Vec<BoardLine>, key: String, label: String| -> usize {
        *at.entry(key.clone()).or_insert_with(|| {
            lines.push(empty(key, label));
            lines.len() - 1
        })
    };
    if by == BoardBy::List {
        // Kept by every write: as cheap at a million persons as at ten.
        type Row = (String, String, String, i64, String, i64);
        let rows: Vec<Row> = on_pool!(&store.db.read, |p| sqlx::query_as(
            "SELECT l.id, l.label, l.scope, l.deadline_at, c.bucket, c.n \
             FROM followup_list_counts c JOIN followup_lists l ON l.id = c.list_id \
             ORDER BY l.deadline_at DESC, l.id"
        )
        .fetch_all(p)
        .await?);
        for (id, label, list_scope, deadline, bucket, n) in rows {
            if !super::sql::holds(scope, &list_scope) || n == 0 {
                continue;
            }
            let open = matches!(bucket.as_str(), "pending" | "in_progress" | "escalated");
            let overdue = if open && deadline < now_ms { n } else { 0 };
            let i = line_of(&mut lines, id, label);
            add(&mut lines[i], &bucket, n, overdue);
        }
        return Ok(lines);
    }
    // By team or county: the index holds every column read.
    let key = if by == BoardBy::Team {
        "team_id"
    } else {
        "county"
    };
    let sql = format!(
        "SELECT {key}, state, outcome, COUNT(*), \
         SUM(CASE WHEN deadline_at < $1 THEN 1 ELSE 0 END) \
         FROM followup_subjects GROUP BY {key}, state, outcome ORDER BY {key}"
    );
    type Row = (Option<i64>, String, Option<String>, i64, Option<i64>);
    let rows: Vec<Row> = on_pool!(&store.db.read, |p| sqlx::query_as(&sql)
        .bind(now_ms)
        .fetch_all(p)
        .await?);
    let teams: HashMap<i64, String> = if by == BoardBy::Team {
        teams(store, Some(scope))
            .await?
            .into_iter()
            .map(|t| (t.id, t.name))
            .collect()
    } else {
        HashMap::new()
    };
    for (k, state, outcome, n, late) in rows {
        let (key, label) = match (by, k) {
            (BoardBy::Team, Some(t)) => match teams.get(&t) {
                Some(name) => (t.to_string(), name.clone()),
                None => continue,
            },
            (BoardBy::Team, None) => continue,
            (_, Some(c)) if within(scope, Some(c)) => {
                let code = format!("{c:06}");
                let name = cordon_domain::places::by_code(&code)
                    .map(|p| format!("{} {}", p.within, p.name).trim().to_owned())
                    .unwrap_or_else(|| code.clone());
                (code, name)
            }
            _ => continue,
        };
        let b = bucket(&state, outcome.as_deref());
        let open = matches!(b, "pending" | "in_progress" | "escalated");
        let i = line_of(&mut lines, key, label);
        add(
            &mut lines[i],
            b,
            n,
            if open { late.unwrap_or(0) } else { 0 },
        );
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_least_loaded_caller_of_the_narrowest_teams() {
        let members = vec![
            (1, 130100, "city1".to_owned()),
            (2, 130102, "a".to_owned()),
            (3, 130102, "b".to_owned()),
        ];
        let mut assigner = Assigner::new(members, vec![("a".into(), 5)]);
        let c = DivisionCode::parse("130102").unwrap();
        let picked: Vec<_> = (0..4).map(|_| assigner.pick(c).unwrap()).collect();
        assert_eq!(picked[0], (3, "b".to_owned()), "b holds fewer");
        assert_eq!(
            picked.iter().filter(|p| p.1 == "b").count(),
            4,
            "until b holds as many as a"
        );
        let elsewhere = DivisionCode::parse("130104").unwrap();
        assert_eq!(
            assigner.pick(elsewhere),
            Some((1, "city1".to_owned())),
            "the city's team"
        );
        assert_eq!(assigner.pick(DivisionCode::parse("130200").unwrap()), None);
    }
}
