//! The SQL of [`ReportStore`]: written once for both backends, but a station's outbox, which
//! only SQLite has (a station always runs on it).

use async_trait::async_trait;
use cordon_domain::access::command::{DirectiveAck, DirectiveIssue, DirectiveRead};
use cordon_domain::access::station::StationSync;
use cordon_domain::checkpoint::CheckpointCode;
use cordon_domain::command::directive::Priority;
use cordon_domain::command::report::{Report, ReportCategory, ReportDraft, ReportState};
use cordon_domain::time::from_ms;
use sqlx::QueryBuilder;
use uuid::Uuid;

use super::rows::BUMP;
use super::{ReportQuery, ReportStore, StationReport};
use crate::db::{on_pool, push_scope, retry, BeginWrite, Pool};
use crate::store::SqlStore;
use crate::StoreError;

const COLS: &str = "r.id, c.code, c.name, r.category, r.urgency, r.body, r.reported_by, \
     r.reported_at, r.assigned_to, r.assigned_at, r.answer, r.answered_by, r.answered_at";
const FROM: &str = "FROM reports r JOIN checkpoints c ON c.id = r.checkpoint_id";

type Row = (
    Uuid,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<i64>,
);

const TRIGGER: &str = "CREATE TRIGGER IF NOT EXISTS report_out AFTER INSERT ON reports \
     BEGIN INSERT INTO report_outbox (report_id) VALUES (NEW.id); END";

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(format!("a report's {what}"))
}

fn report(r: Row) -> Result<Report, StoreError> {
    let state = match (&r.10, &r.8) {
        (Some(_), _) => ReportState::Answered,
        (None, Some(_)) => ReportState::Assigned,
        (None, None) => ReportState::Open,
    };
    Ok(Report {
        id: r.0,
        checkpoint: CheckpointCode::parse(&r.1).map_err(|_| corrupt("checkpoint"))?,
        checkpoint_name: r.2,
        category: ReportCategory::parse(&r.3).map_err(|_| corrupt("category"))?,
        urgency: Priority::parse(&r.4).map_err(|_| corrupt("urgency"))?,
        text: r.5,
        reported_by: r.6,
        reported_at: from_ms(r.7),
        state,
        assigned_to: r.8,
        assigned_at: r.9.map(from_ms),
        answer: r.10,
        answered_by: r.11,
        answered_at: r.12.map(from_ms),
    })
}

async fn one(store: &SqlStore, id: Uuid) -> Result<Option<Report>, StoreError> {
    let sql = format!("SELECT {COLS} {FROM} WHERE r.id = $1");
    let row: Option<Row> = on_pool!(&store.db.write, |p| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(p)
        .await?);
    row.map(report).transpose()
}

/// The report if it is at a checkpoint in the grant's scope.
async fn in_scope(
    store: &SqlStore,
    grant: &DirectiveIssue,
    id: Uuid,
) -> Result<Report, StoreError> {
    let found: Option<Row> = on_pool!(&store.db.write, |p| {
        let mut q = QueryBuilder::new(format!("SELECT {COLS} {FROM} WHERE r.id = "));
        q.push_bind(id);
        push_scope(&mut q, grant.scope());
        q.build_query_as().fetch_optional(p).await?
    });
    let r = found
        .map(report)
        .transpose()?
        .ok_or_else(|| StoreError::not_found(format!("report {id}")))?;
    if r.state == ReportState::Answered {
        return Err(StoreError::invalid(
            "report_answered",
            "id",
            "this report was answered already",
        ));
    }
    Ok(r)
}

/// Inserts a report unless its id is there; answers whether it did.
macro_rules! insert_report {
    ($tx:expr, $id:expr, $code:expr, $category:expr, $urgency:expr, $text:expr, $by:expr, $at:expr) => {{
        let n = sqlx::query(
            "INSERT INTO reports (id, checkpoint_id, category, urgency, body, reported_by, \
             reported_at) SELECT $1, id, $2, $3, $4, $5, $6 FROM checkpoints WHERE code = $7 \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind($id)
        .bind($category)
        .bind($urgency)
        .bind($text)
        .bind($by)
        .bind($at)
        .bind($code)
        .execute(&mut *$tx)
        .await?
        .rows_affected();
        n > 0
    }};
}

fn station_only() -> StoreError {
    StoreError::Config("a station's outbox is on the embedded database".into())
}

#[async_trait]
impl ReportStore for SqlStore {
    async fn file_report(
        &self,
        grant: &DirectiveAck,
        draft: &ReportDraft,
        now_ms: i64,
    ) -> Result<(Report, bool), StoreError> {
        if !grant.works_at(&draft.checkpoint) {
            return Err(StoreError::Forbidden);
        }
        let by = grant.username().as_str();
        let created = retry(|| async move {
            on_pool!(&self.db.write, |p| {
                let mut tx = p.begin_write().await?;
                let known: Option<(i64,)> =
                    sqlx::query_as("SELECT id FROM checkpoints WHERE code = $1")
                        .bind(draft.checkpoint.as_str())
                        .fetch_optional(&mut *tx)
                        .await?;
                if known.is_none() {
                    return Err(StoreError::invalid(
                        "unknown_checkpoint",
                        "checkpoint",
                        format!("there is no checkpoint {}", draft.checkpoint),
                    ));
                }
                let created = insert_report!(
                    tx,
                    draft.id,
                    draft.checkpoint.as_str(),
                    draft.category.as_str(),
                    draft.urgency.as_str(),
                    &draft.text,
                    by,
                    now_ms
                );
                if created {
                    sqlx::query(BUMP).execute(&mut *tx).await?;
                }
                tx.commit().await?;
                Ok(created)
            })
        })
        .await?;
        let r = one(self, draft.id)
            .await?
            .ok_or_else(|| StoreError::not_found(format!("report {}", draft.id)))?;
        if !created
            && (r.checkpoint != draft.checkpoint
                || r.category != draft.category
                || r.urgency != draft.urgency
                || r.text != draft.text)
        {
            return Err(StoreError::invalid(
                "report_conflict",
                "id",
                "this id names another report: a new report takes a new id",
            ));
        }
        Ok((r, created))
    }

    async fn report_inbox(
        &self,
        grant: &DirectiveRead,
        query: &ReportQuery,
    ) -> Result<Vec<Report>, StoreError> {
        let rows: Vec<Row> = on_pool!(&self.db.read, |p| {
            let mut q = QueryBuilder::new(format!("SELECT {COLS} {FROM} WHERE 1 = 1"));
            if query.open_only {
                q.push(" AND r.answered_at IS NULL");
            }
            push_scope(&mut q, grant.scope());
            q.push(
                " ORDER BY CASE WHEN r.answered_at IS NULL THEN 0 ELSE 1 END, \
                 CASE WHEN r.answered_at IS NOT NULL THEN 0 WHEN r.urgency = 'flash' THEN 0 \
                 WHEN r.urgency = 'urgent' THEN 1 ELSE 2 END, \
                 CASE WHEN r.answered_at IS NULL THEN r.reported_at ELSE -r.answered_at END \
                 LIMIT ",
            )
            .push_bind(query.limit.clamp(1, 1_000));
            q.build_query_as().fetch_all(p).await?
        });
        rows.into_iter().map(report).collect()
    }

    async fn assign_report(
        &self,
        grant: &DirectiveIssue,
        id: Uuid,
        to: &str,
        now_ms: i64,
    ) -> Result<Report, StoreError> {
        in_scope(self, grant, id).await?;
        retry(|| async move {
            on_pool!(&self.db.write, |p| sqlx::query(
                "UPDATE reports SET assigned_to = $1, assigned_at = $2 \
                 WHERE id = $3 AND answered_at IS NULL"
            )
            .bind(to)
            .bind(now_ms)
            .bind(id)
            .execute(p)
            .await?
            .rows_affected());
            Ok(())
        })
        .await?;
        one(self, id)
            .await?
            .ok_or_else(|| StoreError::not_found(format!("report {id}")))
    }

    async fn answer_report(
        &self,
        grant: &DirectiveIssue,
        id: Uuid,
        answer: &str,
        now_ms: i64,
    ) -> Result<Report, StoreError> {
        in_scope(self, grant, id).await?;
        let by = grant.username().as_str();
        let answered = retry(|| async move {
            on_pool!(&self.db.write, |p| {
                let mut tx = p.begin_write().await?;
                let n = sqlx::query(
                    "UPDATE reports SET answer = $1, answered_by = $2, answered_at = $3, \
                     assigned_to = COALESCE(assigned_to, $2), \
                     assigned_at = COALESCE(assigned_at, $3) WHERE id = $4 AND answered_at IS NULL",
                )
                .bind(answer)
                .bind(by)
                .bind(now_ms)
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                sqlx::query(BUMP).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(n > 0)
            })
        })
        .await?;
        if !answered {
            return Err(StoreError::invalid(
                "report_answered",
                "id",
                "this report was answered already",
            ));
        }
        one(self, id)
            .await?
            .ok_or_else(|| StoreError::not_found(format!("report {id}")))
    }

    async fn lane_reports(
        &self,
        grant: &DirectiveAck,
        checkpoint: &CheckpointCode,
        since_ms: i64,
    ) -> Result<Vec<Report>, StoreError> {
        if !grant.works_at(checkpoint) {
            return Err(StoreError::Forbidden);
        }
        by_checkpoint(self, checkpoint.as_str(), since_ms, 50).await
    }

    async fn station_reports(
        &self,
        grant: &StationSync,
        since_ms: i64,
    ) -> Result<Vec<Report>, StoreError> {
        by_checkpoint(self, grant.checkpoint().as_str(), since_ms, 500).await
    }

    async fn apply_station_reports(
        &self,
        grant: &StationSync,
        reports: &[StationReport],
        now_ms: i64,
    ) -> Result<i64, StoreError> {
        let code = grant.checkpoint().as_str();
        retry(|| async move {
            on_pool!(&self.db.write, |p| {
                let mut tx = p.begin_write().await?;
                let mut created = 0;
                for r in reports {
                    if insert_report!(
                        tx,
                        r.id,
                        code,
                        r.category.as_str(),
                        r.urgency.as_str(),
                        &r.text,
                        r.reported_by.as_str(),
                        r.reported_at_ms.min(now_ms)
                    ) {
                        created += 1;
                    }
                }
                if created > 0 {
                    sqlx::query(BUMP).execute(&mut *tx).await?;
                }
                tx.commit().await?;
                Ok(created)
            })
        })
        .await
    }

    async fn mirror_reports(&self, list: &[Report]) -> Result<usize, StoreError> {
        let wanted: Vec<&Report> = list
            .iter()
            .filter(|r| r.assigned_to.is_some() || r.answer.is_some())
            .collect();
        if wanted.is_empty() {
            return Ok(0);
        }
        let wanted = &wanted;
        retry(|| async move {
            on_pool!(&self.db.write, |p| {
                let mut tx = p.begin_write().await?;
                let mut changed = 0;
                for r in wanted.iter() {
                    let n = sqlx::query(
                        "UPDATE reports SET assigned_to = $1, assigned_at = $2, answer = $3, \
                         answered_by = $4, answered_at = $5 WHERE id = $6 \
                         AND (assigned_to IS NULL OR assigned_to <> $1 \
                           OR (answered_at IS NULL AND $5 IS NOT NULL))",
                    )
                    .bind(r.assigned_to.as_deref())
                    .bind(r.assigned_at.map(|t| t.timestamp_millis()))
                    .bind(r.answer.as_deref())
                    .bind(r.answered_by.as_deref())
                    .bind(r.answered_at.map(|t| t.timestamp_millis()))
                    .bind(r.id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    changed += n as usize;
                }
                if changed > 0 {
                    sqlx::query(BUMP).execute(&mut *tx).await?;
                }
                tx.commit().await?;
                Ok(changed)
            })
        })
        .await
    }

    async fn install_report_outbox(&self) -> Result<(), StoreError> {
        let Pool::Sqlite(pool) = &self.db.write else {
            return Err(station_only());
        };
        sqlx::query(TRIGGER).execute(pool).await?;
        Ok(())
    }

    async fn report_outbox(&self, limit: i64) -> Result<Vec<StationReport>, StoreError> {
        let Pool::Sqlite(pool) = &self.db.read else {
            return Err(station_only());
        };
        let rows: Vec<(i64, Uuid, String, String, String, String, i64)> = sqlx::query_as(
            "SELECT o.seq, r.id, r.category, r.urgency, r.body, r.reported_by, r.reported_at \
             FROM report_outbox o JOIN reports r ON r.id = o.report_id ORDER BY o.seq LIMIT $1",
        )
        .bind(limit)
        .fetch_all(pool)
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(StationReport {
                    seq: r.0,
                    id: r.1,
                    category: r.2,
                    urgency: Priority::parse(&r.3).map_err(|_| corrupt("urgency"))?,
                    text: r.4,
                    reported_by: r.5,
                    reported_at_ms: r.6,
                })
            })
            .collect()
    }

    async fn report_outbox_sent(&self, seq: i64) -> Result<(), StoreError> {
        let Pool::Sqlite(pool) = &self.db.write else {
            return Err(station_only());
        };
        sqlx::query("DELETE FROM report_outbox WHERE seq <= $1")
            .bind(seq)
            .execute(pool)
            .await?;
        Ok(())
    }
}

async fn by_checkpoint(
    store: &SqlStore,
    code: &str,
    since_ms: i64,
    limit: i64,
) -> Result<Vec<Report>, StoreError> {
    let sql = format!(
        "SELECT {COLS} {FROM} WHERE c.code = $1 AND r.reported_at >= $2 \
         ORDER BY r.reported_at DESC LIMIT $3"
    );
    let rows: Vec<Row> = on_pool!(&store.db.read, |p| sqlx::query_as(&sql)
        .bind(code)
        .bind(since_ms)
        .bind(limit)
        .fetch_all(p)
        .await?);
    rows.into_iter().map(report).collect()
}
