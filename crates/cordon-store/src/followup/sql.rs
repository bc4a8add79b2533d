//! The SQL of [`FollowupStore`], written once for both backends ([`crate::db`]). A list is
//! added in one transaction opened with [`BeginWrite::begin_write`]: its rows in chunks of
//! multi-row inserts, subjects made with `ON CONFLICT DO NOTHING` on their key and then read
//! back by key, the list's counts written last.

use std::collections::HashMap;

use async_trait::async_trait;
use cordon_domain::access::followup::{ListRead, ListWrite, QuestionnaireChange, TeamManage, Work};
use cordon_domain::access::Username;
use cordon_domain::followup::work::SubjectState;
use cordon_domain::followup::{ListSource, ListSummary, SubjectLine};
use sqlx::QueryBuilder;
use uuid::Uuid;

use super::assign::{assign_waiting, assigner};
use super::board_sql::{self, bucket, move_bucket, recount_list};
use super::items::masked_document;
use super::scope::holds;
use super::{
    questionnaire_sql, AnswerLine, AttemptView, BoardBy, BoardLine, FollowupStore, ListAdded,
    NewAttempt, NewList, NewListRow, NewTeam, QuestionnaireVersion, SubjectRecord, Team, WorkItem,
};
use super::{teams_sql, work_sql, Transfer};
use crate::db::{on_pool, retry, BeginWrite};
use crate::store::SqlStore;
use crate::StoreError;

/// Rows per multi-row statement (9 values each, well under either backend's limit).
const CHUNK: usize = 500;

const LIST_COLUMNS: &str = "id, source, label, scope, brought_by, brought_at, deadline_at, \
    row_count, skipped, subjects, new_subjects, unverified";

type ListCols = (
    String,
    String,
    String,
    String,
    String,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
);

type LineCols = (
    i64,
    i64,
    String,
    Option<String>,
    Option<String>,
    i64,
    Option<i64>,
    String,
    i64,
);

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(what.to_owned())
}

fn summary(c: ListCols) -> Result<ListSummary, StoreError> {
    Ok(ListSummary {
        id: Uuid::parse_str(&c.0).map_err(|_| corrupt("follow-up list id"))?,
        source: ListSource::parse(&c.1).map_err(|_| corrupt("follow-up list source"))?,
        label: c.2,
        scope: c.3,
        brought_by: c.4,
        brought_at_ms: c.5,
        deadline_ms: c.6,
        rows: c.7,
        skipped: c.8,
        subjects: c.9,
        new_subjects: c.10,
        unverified: c.11,
    })
}

fn line(c: LineCols) -> Result<SubjectLine, StoreError> {
    let document = masked_document(c.3, c.4)?;
    Ok(SubjectLine {
        subject: c.0,
        row: c.1,
        name: c.2,
        document,
        verified: c.5 == 1,
        home_area: c.6.map(|a| format!("{a:06}")),
        home_area_name: c
            .6
            .and_then(|a| cordon_domain::places::by_code(&format!("{a:06}")))
            .map(|p| format!("{} {}", p.within, p.name).trim().to_owned()),
        state: c.7,
        lists: c.8,
    })
}

/// The rows of `list` not yet stored; `Invalid` (`row_conflict`) for a number stored with other
/// facts; with the count of rows already there.
fn fresh_rows<'a>(
    list: &'a NewList,
    stored: &HashMap<i64, String>,
) -> Result<(Vec<&'a NewListRow>, i64), StoreError> {
    let mut fresh = Vec::with_capacity(list.rows.len());
    let mut already = 0;
    for r in &list.rows {
        match stored.get(&r.row) {
            None => fresh.push(r),
            Some(fp) if *fp == r.fingerprint => already += 1,
            Some(_) => {
                return Err(StoreError::invalid(
                    "row_conflict",
                    "rows",
                    format!(
                        "row {} of this list was sent before with other facts: a retry sends the \
                         same rows, a correction comes as a new list",
                        r.row
                    ),
                ))
            }
        }
    }
    Ok((fresh, already))
}

#[async_trait]
impl FollowupStore for SqlStore {
    async fn add_followup_list(
        &self,
        grant: &ListWrite,
        list: NewList,
    ) -> Result<ListAdded, StoreError> {
        let list = &list;
        let id = list.id.to_string();
        let id = id.as_str();
        let scope = grant.scope().to_string();
        let scope = scope.as_str();
        let by = grant.username().as_str();
        let held_by = match grant.scope() {
            cordon_domain::access::Scope::Division(d) => i64::from(d.value()),
            cordon_domain::access::Scope::Checkpoints(_) => return Err(StoreError::Forbidden),
        };
        let select = format!("SELECT {LIST_COLUMNS} FROM followup_lists WHERE id = $1");
        let select = select.as_str();
        retry(|| async move {
            let now = cordon_domain::time::now_ms();
            on_pool!(&self.db.write, |p| {
                let mut tx = p.begin_write().await?;
                let found: Option<(String,)> =
                    sqlx::query_as("SELECT scope FROM followup_lists WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&mut *tx)
                        .await?;
                match found {
                    Some((s,)) if !holds(grant.scope(), &s) => return Err(StoreError::Forbidden),
                    Some(_) => {}
                    None => {
                        sqlx::query(
                            "INSERT INTO followup_lists (id, source, label, scope, brought_by, \
                             brought_at, deadline_at, skipped) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                        )
                        .bind(id)
                        .bind(list.source.as_str())
                        .bind(&list.label)
                        .bind(scope)
                        .bind(by)
                        .bind(now)
                        .bind(list.deadline_ms)
                        .bind(list.skipped)
                        .execute(&mut *tx)
                        .await?;
                    }
                }
                let stored: Vec<(i64, String)> = sqlx::query_as(
                    "SELECT row_no, fingerprint FROM followup_rows WHERE list_id = $1",
                )
                .bind(id)
                .fetch_all(&mut *tx)
                .await?;
                let stored: HashMap<i64, String> = stored.into_iter().collect();
                let (fresh, already) = fresh_rows(list, &stored)?;
                let mut assigner = assigner!(tx);
                let given: Vec<Option<(i64, String)>> =
                    fresh.iter().map(|r| r.county.and_then(|c| assigner.pick(c))).collect();
                let mut subjects_added = 0;
                for (chunk, given) in fresh.chunks(CHUNK).zip(given.chunks(CHUNK)) {
                    let mut q = QueryBuilder::new(
                        "INSERT INTO followup_subjects (match_key, verified, document_type, \
                         masked_number, masked_name, home_area, county, team_id, assignee, \
                         deadline_at, first_list, created_at, updated_at, state, outcome) ",
                    );
                    q.push_values(chunk.iter().zip(given), |mut b, (r, to)| {
                        let out = r.outside.is_some();
                        b.push_bind(r.match_key.as_str())
                            .push_bind(i64::from(r.verified))
                            .push_bind(r.document_type)
                            .push_bind(r.masked_number.as_deref())
                            .push_bind(r.masked_name.as_str())
                            .push_bind(r.home_area)
                            .push_bind(r.county.map(|c| i64::from(c.value())))
                            .push_bind(to.as_ref().map(|t| t.0))
                            .push_bind(to.as_ref().map(|t| t.1.as_str()))
                            .push_bind(list.deadline_ms)
                            .push_bind(id)
                            .push_bind(now)
                            .push_bind(now)
                            .push_bind(if out { "transferred" } else { "pending" })
                            .push_bind(out.then_some("lives_elsewhere"));
                    });
                    q.push(" ON CONFLICT (match_key) DO NOTHING RETURNING id, match_key");
                    let inserted: Vec<(i64, String)> =
                        q.build_query_as().fetch_all(&mut *tx).await?;
                    subjects_added += inserted.len() as i64;
                    let mut ids: HashMap<String, i64> =
                        inserted.into_iter().map(|(i, k)| (k, i)).collect();
                    // New persons who live outside the province: transferred out, recorded.
                    let out: Vec<(i64, &NewListRow)> = chunk
                        .iter()
                        .filter_map(|r| Some((*ids.get(&r.match_key)?, *r)))
                        .filter(|(_, r)| r.outside.is_some())
                        .collect();
                    if !out.is_empty() {
                        let mut q = QueryBuilder::new(
                            "INSERT INTO followup_transfers (subject_id, reason, to_code, held_by, \
                             list_id, row_no, by_account, at) ",
                        );
                        q.push_values(&out, |mut b, (subject, r)| {
                            b.push_bind(*subject)
                                .push_bind("address_outside")
                                .push_bind(r.outside.map(|d| i64::from(d.value())))
                                .push_bind(held_by)
                                .push_bind(id)
                                .push_bind(r.row)
                                .push_bind(by)
                                .push_bind(now);
                        });
                        q.build().execute(&mut *tx).await?;
                    }
                    // Persons some list named before: found by key.
                    let mut known: Vec<&str> = chunk
                        .iter()
                        .map(|r| r.match_key.as_str())
                        .filter(|k| !ids.contains_key(*k))
                        .collect();
                    known.sort_unstable();
                    known.dedup();
                    let mut before: Vec<i64> = Vec::with_capacity(known.len());
                    if !known.is_empty() {
                        let mut q = QueryBuilder::new(
                            "SELECT id, match_key, state, outcome, first_list FROM followup_subjects \
                             WHERE match_key IN (",
                        );
                        let mut keys = q.separated(", ");
                        for k in &known {
                            keys.push_bind(*k);
                        }
                        q.push(")");
                        type Known = (i64, String, String, Option<String>, String);
                        let found: Vec<Known> = q.build_query_as().fetch_all(&mut *tx).await?;
                        for (subject, key, state, outcome, first) in found {
                            ids.insert(key, subject);
                            before.push(subject);
                            // A person whose work was over is named again by another list:
                            // called again.
                            if state == "closed" && first != id {
                                sqlx::query(
                                    "UPDATE followup_subjects SET state = 'pending', \
                                     outcome = NULL, attempts = 0, updated_at = $2 WHERE id = $1",
                                )
                                .bind(subject)
                                .bind(now)
                                .execute(&mut *tx)
                                .await?;
                                let from = bucket("closed", outcome.as_deref());
                                move_bucket!(tx, subject, from, "pending", id);
                            }
                        }
                    }
                    let mut q = QueryBuilder::new(
                        "INSERT INTO followup_rows (list_id, row_no, subject_id, fingerprint, sealed) ",
                    );
                    q.push_values(chunk, |mut b, r| {
                        b.push_bind(id)
                            .push_bind(r.row)
                            .push_bind(ids.get(&r.match_key).copied().unwrap_or(-1))
                            .push_bind(r.fingerprint.as_str())
                            .push_bind(r.sealed.as_slice());
                    });
                    q.build().execute(&mut *tx).await?;
                    // The lists of persons named before counted again, and this list's deadline
                    // kept if earlier (a new person has one list and this deadline already).
                    if !before.is_empty() {
                        let mut q = QueryBuilder::new(
                            "UPDATE followup_subjects SET lists = (SELECT COUNT(DISTINCT r.list_id) \
                             FROM followup_rows r WHERE r.subject_id = followup_subjects.id), \
                             deadline_at = CASE WHEN deadline_at > ",
                        );
                        q.push_bind(list.deadline_ms)
                            .push(" THEN ")
                            .push_bind(list.deadline_ms)
                            .push(" ELSE deadline_at END WHERE id IN (");
                        let mut subject_ids = q.separated(", ");
                        for s in &before {
                            subject_ids.push_bind(*s);
                        }
                        q.push(")");
                        q.build().execute(&mut *tx).await?;
                    }
                }
                // A row that names the county of a person known without one: kept, and the
                // person handed to that county's team if it has none.
                let mut by_county: HashMap<i64, Vec<&str>> = HashMap::new();
                for r in &fresh {
                    if let Some(c) = r.county {
                        by_county.entry(i64::from(c.value())).or_default().push(r.match_key.as_str());
                    }
                }
                for (county, keys) in &by_county {
                    for chunk in keys.chunks(CHUNK) {
                        let mut q = QueryBuilder::new("UPDATE followup_subjects SET county = ");
                        q.push_bind(*county).push(" WHERE county IS NULL AND match_key IN (");
                        let mut list = q.separated(", ");
                        for k in chunk {
                            list.push_bind(*k);
                        }
                        q.push(")");
                        q.build().execute(&mut *tx).await?;
                    }
                }
                assign_waiting!(tx, assigner);
                sqlx::query(
                    "UPDATE followup_lists SET row_count = row_count + $2, \
                     subjects = (SELECT COUNT(DISTINCT subject_id) FROM followup_rows \
                                 WHERE list_id = $1), \
                     new_subjects = (SELECT COUNT(*) FROM followup_subjects WHERE first_list = $1), \
                     unverified = (SELECT COUNT(DISTINCT r.subject_id) FROM followup_rows r \
                                   JOIN followup_subjects s ON s.id = r.subject_id \
                                   WHERE r.list_id = $1 AND s.verified = 0) \
                     WHERE id = $1",
                )
                .bind(id)
                .bind(fresh.len() as i64)
                .execute(&mut *tx)
                .await?;
                // This list's counts, made whole again.
                recount_list!(tx, id);
                let cols: ListCols = sqlx::query_as(select).bind(id).fetch_one(&mut *tx).await?;
                tx.commit().await?;
                Ok(ListAdded {
                    list: summary(cols)?,
                    rows_added: fresh.len() as i64,
                    rows_already: already,
                    subjects_added,
                })
            })
        })
        .await
    }

    async fn list_followup_lists(
        &self,
        grant: &ListRead,
        limit: i64,
    ) -> Result<Vec<ListSummary>, StoreError> {
        let sql = format!(
            "SELECT {LIST_COLUMNS} FROM followup_lists ORDER BY brought_at DESC, id LIMIT 2000"
        );
        let rows: Vec<ListCols> =
            on_pool!(&self.db.read, |p| sqlx::query_as(&sql).fetch_all(p).await?);
        rows.into_iter()
            .filter(|c| holds(grant.scope(), &c.3))
            .take(limit.max(0) as usize)
            .map(summary)
            .collect()
    }

    async fn followup_list(&self, grant: &ListRead, list: Uuid) -> Result<ListSummary, StoreError> {
        let sql = format!("SELECT {LIST_COLUMNS} FROM followup_lists WHERE id = $1");
        let found: Option<ListCols> = on_pool!(&self.db.read, |p| sqlx::query_as(&sql)
            .bind(list.to_string())
            .fetch_optional(p)
            .await?);
        match found {
            Some(c) if holds(grant.scope(), &c.3) => summary(c),
            _ => Err(StoreError::not_found(format!("follow-up list {list}"))),
        }
    }

    async fn followup_subjects(
        &self,
        grant: &ListRead,
        list: Uuid,
        after_row: i64,
        limit: i64,
    ) -> Result<Vec<SubjectLine>, StoreError> {
        self.followup_list(grant, list).await?;
        let id = list.to_string();
        let rows: Vec<LineCols> = on_pool!(&self.db.read, |p| {
            sqlx::query_as(
            "SELECT s.id, r.row_no, s.masked_name, s.document_type, s.masked_number, s.verified, \
             s.home_area, s.state, \
             s.lists \
             FROM followup_rows r JOIN followup_subjects s ON s.id = r.subject_id \
             WHERE r.list_id = $1 AND r.row_no > $2 ORDER BY r.row_no LIMIT $3"
        )
        .bind(&id)
        .bind(after_row)
        .bind(limit)
        .fetch_all(p)
        .await?
        });
        rows.into_iter().map(line).collect()
    }

    async fn followup_rows_sealed(
        &self,
        grant: &ListRead,
        list: Uuid,
    ) -> Result<Vec<(i64, bool, Option<Vec<u8>>)>, StoreError> {
        self.followup_list(grant, list).await?;
        let id = list.to_string();
        let rows: Vec<(i64, i64, Option<Vec<u8>>)> = on_pool!(&self.db.read, |p| {
            sqlx::query_as(
                "SELECT r.row_no, s.verified, r.sealed FROM followup_rows r \
                 JOIN followup_subjects s ON s.id = r.subject_id \
                 WHERE r.list_id = $1 ORDER BY r.row_no",
            )
            .bind(&id)
            .fetch_all(p)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(row, verified, sealed)| (row, verified == 1, sealed))
            .collect())
    }

    async fn list_answers(
        &self,
        grant: &ListRead,
        list: Uuid,
    ) -> Result<Vec<AnswerLine>, StoreError> {
        self.followup_list(grant, list).await?;
        let id = list.to_string();
        type Row = (
            i64,
            i64,
            String,
            Option<String>,
            Option<String>,
            i64,
            String,
            Option<String>,
            i64,
            Option<i64>,
            Option<i64>,
            Option<Vec<u8>>,
            i64,
        );
        let rows: Vec<Row> = on_pool!(&self.db.read, |p| {
            sqlx::query_as(
            "SELECT r.row_no, s.id, s.masked_name, s.document_type, s.masked_number, s.verified, \
             s.state, s.outcome, s.attempts, s.last_attempt_at, \
             (SELECT a.questionnaire FROM followup_attempts a WHERE a.subject_id = s.id \
              AND a.answers IS NOT NULL ORDER BY a.id DESC LIMIT 1), \
             (SELECT a.answers FROM followup_attempts a WHERE a.subject_id = s.id \
              AND a.answers IS NOT NULL ORDER BY a.id DESC LIMIT 1), s.lists \
             FROM followup_rows r JOIN followup_subjects s ON s.id = r.subject_id \
             WHERE r.list_id = $1 ORDER BY r.row_no"
        )
        .bind(&id)
        .fetch_all(p)
        .await?
        });
        rows.into_iter()
            .map(|r| {
                let line = line((r.1, r.0, r.2, r.3, r.4, r.5, None, r.6.clone(), r.12))?;
                Ok(AnswerLine {
                    line,
                    outcome: r.7,
                    calls: r.8,
                    last_attempt_ms: r.9,
                    answered: r.10.zip(r.11),
                })
            })
            .collect()
    }

    async fn followup_transfers(
        &self,
        grant: &ListRead,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<Transfer>, StoreError> {
        super::transfers_sql::transfers(self, grant, from_ms, to_ms).await
    }

    async fn create_team(&self, grant: &TeamManage, team: NewTeam) -> Result<Team, StoreError> {
        teams_sql::create_team(self, grant, team).await
    }

    async fn list_teams(&self, grant: &ListRead) -> Result<Vec<Team>, StoreError> {
        teams_sql::list_teams(self, grant).await
    }

    async fn split_row(
        &self,
        grant: &TeamManage,
        subject: i64,
        list: Uuid,
        row: i64,
        reason: &str,
    ) -> Result<i64, StoreError> {
        work_sql::split_row(self, grant, subject, list, row, reason).await
    }

    async fn reassign(
        &self,
        grant: &TeamManage,
        subjects: &[i64],
        to: &Username,
    ) -> Result<i64, StoreError> {
        work_sql::reassign(self, grant, subjects, to).await
    }

    async fn led_team(
        &self,
        grant: &Work,
        after: i64,
        limit: i64,
    ) -> Result<(Vec<Team>, Vec<WorkItem>), StoreError> {
        work_sql::led_team(self, grant, after, limit).await
    }

    async fn reassign_in_team(
        &self,
        grant: &Work,
        subjects: &[i64],
        to: &Username,
    ) -> Result<i64, StoreError> {
        work_sql::reassign_in_team(self, grant, subjects, to).await
    }

    async fn worklist(&self, grant: &Work, limit: i64) -> Result<Vec<WorkItem>, StoreError> {
        work_sql::worklist(self, grant, limit).await
    }

    async fn work_subject(&self, grant: &Work, subject: i64) -> Result<SubjectRecord, StoreError> {
        work_sql::work_subject(self, grant, subject).await
    }

    async fn record_attempt(
        &self,
        grant: &Work,
        attempt: NewAttempt,
        now_ms: i64,
    ) -> Result<(AttemptView, SubjectState), StoreError> {
        work_sql::record_attempt(self, grant, attempt, now_ms).await
    }

    async fn followup_board(
        &self,
        grant: &ListRead,
        by: BoardBy,
        now_ms: i64,
    ) -> Result<Vec<BoardLine>, StoreError> {
        board_sql::board(self, grant, by, now_ms).await
    }

    async fn board_line_persons(
        &self,
        grant: &ListRead,
        by: BoardBy,
        key: i64,
        after: i64,
        limit: i64,
    ) -> Result<Vec<WorkItem>, StoreError> {
        board_sql::line_persons(self, grant, by, key, after, limit).await
    }

    async fn create_questionnaire(
        &self,
        grant: &QuestionnaireChange,
        name: &str,
        source: &str,
    ) -> Result<QuestionnaireVersion, StoreError> {
        questionnaire_sql::create(self, grant, name, source).await
    }

    async fn publish_questionnaire(
        &self,
        grant: &QuestionnaireChange,
        version: i64,
    ) -> Result<QuestionnaireVersion, StoreError> {
        questionnaire_sql::publish(self, grant, version).await
    }

    async fn list_questionnaires(&self) -> Result<Vec<QuestionnaireVersion>, StoreError> {
        questionnaire_sql::list(self).await
    }

    async fn get_questionnaire(
        &self,
        version: i64,
    ) -> Result<(QuestionnaireVersion, String), StoreError> {
        questionnaire_sql::get(self, version).await
    }

    async fn purge_followup(&self, before_ms: i64) -> Result<(u64, u64), StoreError> {
        on_pool!(&self.db.write, |p| {
            let mut tx = p.begin_write().await?;
            let rows = sqlx::query(
                "UPDATE followup_rows SET sealed = NULL WHERE sealed IS NOT NULL AND list_id IN \
                 (SELECT id FROM followup_lists WHERE brought_at < $1)",
            )
            .bind(before_ms)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            let answers = sqlx::query(
                "UPDATE followup_attempts SET answers = NULL WHERE answers IS NOT NULL AND at < $1",
            )
            .bind(before_ms)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            // New addresses told on the phone go with the answers.
            let addresses = sqlx::query(
                "UPDATE followup_transfers SET address = NULL WHERE address IS NOT NULL AND at < $1",
            )
            .bind(before_ms)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            tx.commit().await?;
            Ok((rows, answers + addresses))
        })
    }

    async fn bench_plain_rows(&self, list: &NewList) -> Result<(), StoreError> {
        let id = list.id.to_string();
        let id = id.as_str();
        on_pool!(&self.db.write, |p| {
            let mut tx = p.begin_write().await?;
            sqlx::query(
                "CREATE TABLE IF NOT EXISTS bench_followup_plain (list_id TEXT NOT NULL, \
                 row_no BIGINT NOT NULL, match_key TEXT NOT NULL, fingerprint TEXT NOT NULL, \
                 sealed BYTEA, PRIMARY KEY (list_id, row_no))",
            )
            .execute(&mut *tx)
            .await?;
            for chunk in list.rows.chunks(CHUNK) {
                let mut q = QueryBuilder::new(
                    "INSERT INTO bench_followup_plain (list_id, row_no, match_key, fingerprint, sealed) ",
                );
                q.push_values(chunk, |mut b, r| {
                    b.push_bind(id)
                        .push_bind(r.row)
                        .push_bind(r.match_key.as_str())
                        .push_bind(r.fingerprint.as_str())
                        .push_bind(r.sealed.as_slice());
                });
                q.build().execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }
}
