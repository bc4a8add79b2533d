//! The SQL of [`DirectiveStore`], written once for both backends ([`crate::db`]).

use async_trait::async_trait;
use cordon_domain::access::command::{DirectiveAck, DirectiveIssue, DirectiveRead};
use cordon_domain::access::Scope;
use cordon_domain::checkpoint::CheckpointCode;
use cordon_domain::command::directive::{
    AckCounts, Directive, DirectiveDraft, LaneDirective, Priority, Recipient, Revision,
};
use cordon_domain::division::DivisionCode;
use sqlx::{Database, Encode, QueryBuilder, Type};

use super::lane_sql::{lane_sql, note_delivered, rank, step};
use super::rows::{self, CountRow, DirectiveRow, LaneRow, RecipientRow, BUMP, DIRECTIVE_COLS};
use super::targets::resolve;
use super::{DirectiveQuery, DirectiveStore, Overdue};
use crate::db::{on_pool, push_list, push_scope, retry, BeginWrite, CHUNK};
use crate::store::SqlStore;
use crate::StoreError;

/// Appends ` AND <directive d has a recipient in scope>`.
fn push_has_recipient<'a, DB: Database>(q: &mut QueryBuilder<'a, DB>, scope: &Scope)
where
    i64: Encode<'a, DB> + Type<DB>,
    String: Encode<'a, DB> + Type<DB>,
{
    q.push(
        " AND EXISTS (SELECT 1 FROM directive_recipients r JOIN checkpoints c \
         ON c.id = r.checkpoint_id WHERE r.directive_id = d.id",
    );
    push_scope(q, scope);
    q.push(")");
}

/// The directive's row, and whether the grant may change it: `NotFound` when it has no
/// recipient in the grant's scope, `Forbidden` when it does but was issued for a jurisdiction
/// beyond the account's.
async fn changeable(
    store: &SqlStore,
    grant: &DirectiveIssue,
    id: i64,
) -> Result<DirectiveRow, StoreError> {
    let row = fetch(store, id).await?;
    let division = DivisionCode::parse(&row.6.to_string())
        .map_err(|_| StoreError::Corrupt("a directive's division".into()))?;
    if !grant.scope().covers_division(division) {
        let visible: Option<i64> = on_pool!(&store.db.read, |p| {
            let mut q = QueryBuilder::new("SELECT d.id FROM directives d WHERE d.id = ");
            q.push_bind(id);
            push_has_recipient(&mut q, grant.scope());
            q.build_query_scalar().fetch_optional(p).await?
        });
        return Err(match visible {
            Some(_) => StoreError::Forbidden,
            None => StoreError::not_found(format!("directive {id}")),
        });
    }
    if row.13.is_some() {
        return Err(rows::cancelled());
    }
    Ok(row)
}

pub(super) async fn fetch(store: &SqlStore, id: i64) -> Result<DirectiveRow, StoreError> {
    let sql = format!("SELECT {DIRECTIVE_COLS} FROM directives d WHERE d.id = $1");
    let row: Option<DirectiveRow> = on_pool!(&store.db.write, |p| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(p)
        .await?);
    row.ok_or_else(|| StoreError::not_found(format!("directive {id}")))
}

/// Counts per directive over its recipients in scope.
async fn counts(
    store: &SqlStore,
    ids: &[i64],
    scope: Option<&Scope>,
    now_ms: i64,
) -> Result<Vec<CountRow>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(on_pool!(&store.db.read, |p| {
        let mut q = QueryBuilder::new(
            "SELECT r.directive_id, COUNT(*), \
             SUM(CASE WHEN r.delivered_rev = d.revision THEN 1 ELSE 0 END), \
             SUM(CASE WHEN r.read_rev = d.revision THEN 1 ELSE 0 END), \
             SUM(CASE WHEN r.acked_rev = d.revision THEN 1 ELSE 0 END), \
             SUM(CASE WHEN r.acked_rev < d.revision AND d.cancelled_at IS NULL AND d.deadline_at < ",
        );
        q.push_bind(now_ms).push(
            " THEN 1 ELSE 0 END) FROM directive_recipients r \
             JOIN directives d ON d.id = r.directive_id \
             JOIN checkpoints c ON c.id = r.checkpoint_id WHERE r.directive_id IN ",
        );
        push_list(&mut q, ids.iter().copied());
        if let Some(scope) = scope {
            push_scope(&mut q, scope);
        }
        q.push(" GROUP BY r.directive_id");
        q.build_query_as().fetch_all(p).await?
    }))
}

/// A directive as it now stands, counted over all its recipients.
async fn answer(store: &SqlStore, id: i64, now_ms: i64) -> Result<Directive, StoreError> {
    let row = fetch(store, id).await?;
    let c = counts(store, &[id], None, now_ms).await?;
    rows::directive(row, c.first().map(rows::counts).unwrap_or_default(), now_ms)
}

#[async_trait]
impl DirectiveStore for SqlStore {
    async fn issue_directive(
        &self,
        grant: &DirectiveIssue,
        draft: DirectiveDraft,
        now_ms: i64,
    ) -> Result<Directive, StoreError> {
        let (division, ids) = resolve(self, grant, &draft).await?;
        if ids.is_empty() {
            return Err(StoreError::invalid(
                "empty_scope",
                "target",
                "no open checkpoint matches this target",
            ));
        }
        let target = serde_json::to_string(&draft.target_request)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let (draft, ids, target) = (&draft, &ids, &target);
        let by = grant.username().as_str();
        let id: i64 = retry(|| async move {
            on_pool!(&self.db.write, |p| {
                let mut tx = p.begin_write().await?;
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO directives (title, body, priority, target, division, issued_by, \
                     issued_at, effective_at, deadline_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                )
                .bind(&draft.title)
                .bind(&draft.text)
                .bind(draft.priority.as_str())
                .bind(target)
                .bind(i64::from(division.value()))
                .bind(by)
                .bind(now_ms)
                .bind(draft.effective_ms)
                .bind(draft.deadline_ms)
                .fetch_one(&mut *tx)
                .await?;
                for chunk in ids.chunks(CHUNK) {
                    let mut q = QueryBuilder::new(
                        "INSERT INTO directive_recipients (directive_id, checkpoint_id) ",
                    );
                    q.push_values(chunk, |mut b, c| {
                        b.push_bind(id).push_bind(*c);
                    });
                    q.build().execute(&mut *tx).await?;
                }
                sqlx::query(BUMP).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(id)
            })
        })
        .await?;
        answer(self, id, now_ms).await
    }

    async fn update_directive(
        &self,
        grant: &DirectiveIssue,
        id: i64,
        revision: Revision,
        now_ms: i64,
    ) -> Result<Directive, StoreError> {
        let row = changeable(self, grant, id).await?;
        let priority = revision
            .priority
            .or_else(|| Priority::parse(&row.4).ok())
            .unwrap_or(Priority::Routine);
        // A deadline passed is moved on by the priority's window: a new revision is never
        // overdue the moment it is made.
        let deadline = revision.deadline_ms.unwrap_or(if row.10 > now_ms {
            row.10
        } else {
            (now_ms + priority.default_window_ms()) / 1000 * 1000
        });
        let (revision, by) = (&revision, grant.username().as_str());
        retry(|| async move {
            on_pool!(&self.db.write, |p| {
                let mut tx = p.begin_write().await?;
                let changed = sqlx::query(
                    "UPDATE directives SET revision = revision + 1, \
                     title = COALESCE($1, title), body = COALESCE($2, body), priority = $3, \
                     deadline_at = $4, update_note = $5, updated_at = $6, updated_by = $7 \
                     WHERE id = $8 AND cancelled_at IS NULL",
                )
                .bind(revision.title.as_deref())
                .bind(revision.text.as_deref())
                .bind(priority.as_str())
                .bind(deadline)
                .bind(&revision.note)
                .bind(now_ms)
                .bind(by)
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if changed == 0 {
                    return Err(rows::cancelled());
                }
                sqlx::query(
                    "UPDATE directive_recipients SET reminded_at = NULL, escalated_at = NULL \
                     WHERE directive_id = $1",
                )
                .bind(id)
                .execute(&mut *tx)
                .await?;
                sqlx::query(BUMP).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(())
            })
        })
        .await?;
        answer(self, id, now_ms).await
    }

    async fn cancel_directive(
        &self,
        grant: &DirectiveIssue,
        id: i64,
        reason: &str,
        now_ms: i64,
    ) -> Result<Directive, StoreError> {
        changeable(self, grant, id).await?;
        let by = grant.username().as_str();
        retry(|| async move {
            on_pool!(&self.db.write, |p| {
                let mut tx = p.begin_write().await?;
                let changed = sqlx::query(
                    "UPDATE directives SET cancelled_at = $1, cancelled_by = $2, \
                     cancel_reason = $3 WHERE id = $4 AND cancelled_at IS NULL",
                )
                .bind(now_ms)
                .bind(by)
                .bind(reason)
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if changed == 0 {
                    return Err(rows::cancelled());
                }
                sqlx::query(BUMP).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(())
            })
        })
        .await?;
        answer(self, id, now_ms).await
    }

    async fn remind_directive(
        &self,
        grant: &DirectiveIssue,
        id: i64,
        now_ms: i64,
    ) -> Result<i64, StoreError> {
        changeable(self, grant, id).await?;
        retry(|| async move {
            on_pool!(&self.db.write, |p| {
                let mut tx = p.begin_write().await?;
                let n = sqlx::query(
                    "UPDATE directive_recipients SET reminded_at = $1 WHERE directive_id = $2 \
                     AND acked_rev < (SELECT revision FROM directives WHERE id = $2)",
                )
                .bind(now_ms)
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                sqlx::query(BUMP).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(n as i64)
            })
        })
        .await
    }

    async fn list_directives(
        &self,
        grant: &DirectiveRead,
        query: &DirectiveQuery,
        now_ms: i64,
    ) -> Result<Vec<Directive>, StoreError> {
        let found: Vec<DirectiveRow> = on_pool!(&self.db.read, |p| {
            let mut q = QueryBuilder::new(format!(
                "SELECT {DIRECTIVE_COLS} FROM directives d WHERE 1 = 1"
            ));
            if !query.cancelled {
                q.push(" AND d.cancelled_at IS NULL");
            }
            if let Some(before) = query.before_id {
                q.push(" AND d.id < ").push_bind(before);
            }
            push_has_recipient(&mut q, grant.scope());
            q.push(" ORDER BY d.id DESC LIMIT ")
                .push_bind(query.limit.clamp(1, 500));
            q.build_query_as().fetch_all(p).await?
        });
        let ids: Vec<i64> = found.iter().map(|r| r.0).collect();
        let counted = counts(self, &ids, Some(grant.scope()), now_ms).await?;
        found
            .into_iter()
            .map(|r| {
                let c = counted
                    .iter()
                    .find(|c| c.0 == r.0)
                    .map(rows::counts)
                    .unwrap_or_default();
                rows::directive(r, c, now_ms)
            })
            .collect()
    }

    async fn directive_board(
        &self,
        grant: &DirectiveRead,
        id: i64,
        now_ms: i64,
    ) -> Result<(Directive, Vec<Recipient>), StoreError> {
        let found: Vec<RecipientRow> = on_pool!(&self.db.read, |p| {
            let mut q = QueryBuilder::new(format!(
                "SELECT {} FROM directive_recipients r \
                 JOIN directives d ON d.id = r.directive_id \
                 JOIN checkpoints c ON c.id = r.checkpoint_id WHERE r.directive_id = ",
                rows::RECIPIENT_COLS
            ));
            q.push_bind(id);
            push_scope(&mut q, grant.scope());
            q.push(" ORDER BY c.code");
            q.build_query_as().fetch_all(p).await?
        });
        if found.is_empty() {
            return Err(StoreError::not_found(format!("directive {id}")));
        }
        let recipients = found
            .into_iter()
            .map(|r| rows::recipient(r, now_ms))
            .collect::<Result<Vec<_>, _>>()?;
        let mut c = AckCounts {
            recipients: recipients.len() as i64,
            ..AckCounts::default()
        };
        for r in &recipients {
            c.delivered += i64::from(r.delivered_at.is_some());
            c.read += i64::from(r.read_at.is_some());
            c.acknowledged += i64::from(r.acknowledged_at.is_some());
            c.overdue += i64::from(r.overdue);
        }
        let directive = rows::directive(fetch(self, id).await?, c, now_ms)?;
        Ok((directive, recipients))
    }

    async fn overdue_recipients(
        &self,
        grant: &DirectiveRead,
        limit: i64,
        now_ms: i64,
    ) -> Result<Vec<Overdue>, StoreError> {
        // The recipient's columns but the last (always null here), with its directive first.
        let cols = rows::RECIPIENT_COLS.replace(", d.cancelled_at", "");
        let found: Vec<rows::OverdueRow> = on_pool!(&self.db.read, |p| {
            let mut q = QueryBuilder::new(format!(
                "SELECT d.id, {cols} FROM directive_recipients r \
                 JOIN directives d ON d.id = r.directive_id \
                 JOIN checkpoints c ON c.id = r.checkpoint_id \
                 WHERE d.cancelled_at IS NULL AND r.acked_rev < d.revision AND d.deadline_at < "
            ));
            q.push_bind(now_ms);
            push_scope(&mut q, grant.scope());
            q.push(" ORDER BY d.deadline_at, d.id, c.code LIMIT ")
                .push_bind(limit.clamp(1, 2_000));
            q.build_query_as().fetch_all(p).await?
        });
        let mut ids: Vec<i64> = found.iter().map(|r| r.0).collect();
        ids.sort_unstable();
        ids.dedup();
        let titles: Vec<(i64, String, String)> = if ids.is_empty() {
            Vec::new()
        } else {
            on_pool!(&self.db.read, |p| {
                let mut q =
                    QueryBuilder::new("SELECT id, title, priority FROM directives WHERE id IN ");
                push_list(&mut q, ids.iter().copied());
                q.build_query_as().fetch_all(p).await?
            })
        };
        found
            .into_iter()
            .map(|r| {
                let (id, deadline, recipient) = rows::overdue(r, now_ms)?;
                let (_, title, priority) = titles
                    .iter()
                    .find(|t| t.0 == id)
                    .ok_or_else(|| StoreError::Corrupt("an overdue directive".into()))?;
                Ok(Overdue {
                    directive: id,
                    title: title.clone(),
                    priority: Priority::parse(priority)
                        .map_err(|_| StoreError::Corrupt("a directive's priority".into()))?,
                    ack_deadline: cordon_domain::time::from_ms(deadline),
                    recipient,
                })
            })
            .collect()
    }

    async fn escalate_overdue(&self, now_ms: i64) -> Result<i64, StoreError> {
        let sql = "UPDATE directive_recipients SET escalated_at = $1 \
             WHERE escalated_at IS NULL AND EXISTS (SELECT 1 FROM directives d \
             WHERE d.id = directive_recipients.directive_id AND d.cancelled_at IS NULL \
             AND d.deadline_at < $1 AND directive_recipients.acked_rev < d.revision)";
        // Nothing newly overdue is the usual answer: asked of the readers first, so that the
        // sweep takes no write lock for it.
        let due: i64 = on_pool!(&self.db.read, |p| sqlx::query_scalar(
            "SELECT COUNT(*) FROM directive_recipients r JOIN directives d \
             ON d.id = r.directive_id WHERE r.escalated_at IS NULL AND d.cancelled_at IS NULL \
             AND d.deadline_at < $1 AND r.acked_rev < d.revision"
        )
        .bind(now_ms)
        .fetch_one(p)
        .await?);
        if due == 0 {
            return Ok(0);
        }
        retry(|| async move {
            Ok(on_pool!(&self.db.write, |p| sqlx::query(sql)
                .bind(now_ms)
                .execute(p)
                .await?
                .rows_affected()) as i64)
        })
        .await
    }

    async fn directive_clock(&self) -> Result<i64, StoreError> {
        Ok(on_pool!(&self.db.read, |p| sqlx::query_scalar(
            "SELECT version FROM directive_clock WHERE id = 1"
        )
        .fetch_one(p)
        .await?))
    }

    async fn lane_directives(
        &self,
        grant: &DirectiveAck,
        checkpoint: &CheckpointCode,
        now_ms: i64,
    ) -> Result<Vec<LaneDirective>, StoreError> {
        if !grant.works_at(checkpoint) {
            return Err(StoreError::Forbidden);
        }
        let code = checkpoint.as_str();
        note_delivered(self, code, now_ms).await?;
        let sql = lane_sql(false);
        let found: Vec<LaneRow> = on_pool!(&self.db.read, |p| sqlx::query_as(&sql)
            .bind(code)
            .bind(now_ms)
            .bind(now_ms - 86_400_000)
            .fetch_all(p)
            .await?);
        let mut list = found
            .into_iter()
            .map(rows::lane)
            .collect::<Result<Vec<_>, _>>()?;
        list.sort_by_key(|d| {
            (
                d.acknowledged_at.is_some(),
                rank(d.priority),
                d.ack_deadline,
                d.id,
            )
        });
        Ok(list)
    }

    async fn read_directive(
        &self,
        grant: &DirectiveAck,
        id: i64,
        checkpoint: &CheckpointCode,
        revision: i32,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        step(self, grant, id, checkpoint, revision, None, now_ms).await?;
        Ok(())
    }

    async fn acknowledge_directive(
        &self,
        grant: &DirectiveAck,
        id: i64,
        checkpoint: &CheckpointCode,
        revision: i32,
        reply: Option<String>,
        now_ms: i64,
    ) -> Result<LaneDirective, StoreError> {
        step(self, grant, id, checkpoint, revision, Some(reply), now_ms).await?;
        let sql = lane_sql(true);
        let row: LaneRow = on_pool!(&self.db.write, |p| sqlx::query_as(&sql)
            .bind(checkpoint.as_str())
            .bind(id)
            .fetch_one(p)
            .await?);
        rows::lane(row)
    }
}
