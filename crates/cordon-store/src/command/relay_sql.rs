//! The SQL of [`DirectiveRelayStore`]: the hub's side written once for both backends, the
//! station's outbox SQLite's only (a station always runs on it).

use async_trait::async_trait;
use cordon_domain::access::station::StationSync;
use cordon_domain::checkpoint::CheckpointCode;
use cordon_domain::command::directive::TargetRequest;
use cordon_domain::command::relay::{
    DirectiveReceipt, ReceiptAnswer, ReceiptKind, StationDirective,
};

use super::lane_sql::note_delivered;
use super::rows::BUMP;
use super::rows::{DirectiveRow, DIRECTIVE_COLS};
use super::DirectiveRelayStore;
use crate::db::{on_pool, retry, BeginWrite, Pool};
use crate::store::SqlStore;
use crate::StoreError;

/// The station's triggers: each opening and acknowledgement adds its receipt to the outbox in
/// the step's own transaction.
const TRIGGERS: [&str; 2] = [
    "CREATE TRIGGER IF NOT EXISTS directive_out_read AFTER UPDATE OF read_rev \
     ON directive_recipients WHEN NEW.read_rev > OLD.read_rev \
     BEGIN INSERT INTO directive_outbox (directive_id, revision, kind, by_name, reply, at) \
     VALUES (NEW.directive_id, NEW.read_rev, 'read', COALESCE(NEW.read_by, 'station'), NULL, \
     COALESCE(NEW.read_at, 0)); END",
    "CREATE TRIGGER IF NOT EXISTS directive_out_ack AFTER UPDATE OF acked_rev \
     ON directive_recipients WHEN NEW.acked_rev > OLD.acked_rev \
     BEGIN INSERT INTO directive_outbox (directive_id, revision, kind, by_name, reply, at) \
     VALUES (NEW.directive_id, NEW.acked_rev, 'ack', COALESCE(NEW.acked_by, 'station'), \
     NEW.reply, COALESCE(NEW.acked_at, 0)); END",
];

fn station_only() -> StoreError {
    StoreError::Config("a station's outbox is on the embedded database".into())
}

type AckRow = (i64, i32, Option<i64>, Option<String>, Option<String>);

fn station_directive(
    r: DirectiveRow,
    ack: Option<&AckRow>,
) -> Result<StationDirective, StoreError> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("a directive's {what}"));
    Ok(StationDirective {
        id: r.0,
        revision: r.1,
        title: r.2,
        text: r.3,
        priority: cordon_domain::command::directive::Priority::parse(&r.4)
            .map_err(|_| corrupt("priority"))?,
        target: serde_json::from_str::<TargetRequest>(&r.5).map_err(|_| corrupt("target"))?,
        division: r.6,
        issued_by: r.7,
        issued_at_ms: r.8,
        effective_at_ms: r.9,
        deadline_ms: r.10,
        update_note: r.11,
        updated_at_ms: r.12,
        cancelled_at_ms: r.13,
        cancelled_by: r.14,
        cancel_reason: r.15,
        acked_rev: ack.map_or(0, |a| a.1),
        acked_at_ms: ack.and_then(|a| a.2),
        acked_by: ack.and_then(|a| a.3.clone()),
        reply: ack.and_then(|a| a.4.clone()),
    })
}

#[async_trait]
impl DirectiveRelayStore for SqlStore {
    async fn station_directives(
        &self,
        grant: &StationSync,
        since_ms: i64,
        now_ms: i64,
    ) -> Result<Vec<StationDirective>, StoreError> {
        let code = grant.checkpoint().as_str();
        note_delivered(self, code, now_ms).await?;
        let from = "FROM directives d JOIN directive_recipients r ON r.directive_id = d.id \
             JOIN checkpoints c ON c.id = r.checkpoint_id WHERE c.code = $1 AND d.issued_at >= $2";
        let rows_sql = format!("SELECT {DIRECTIVE_COLS} {from} ORDER BY d.id");
        let acks_sql = format!("SELECT d.id, r.acked_rev, r.acked_at, r.acked_by, r.reply {from}");
        let rows: Vec<DirectiveRow> = on_pool!(&self.db.read, |p| sqlx::query_as(&rows_sql)
            .bind(code)
            .bind(since_ms)
            .fetch_all(p)
            .await?);
        let acks: Vec<AckRow> = on_pool!(&self.db.read, |p| sqlx::query_as(&acks_sql)
            .bind(code)
            .bind(since_ms)
            .fetch_all(p)
            .await?);
        rows.into_iter()
            .map(|r| {
                let ack = acks.iter().find(|a| a.0 == r.0);
                station_directive(r, ack)
            })
            .collect()
    }

    async fn apply_directive_receipts(
        &self,
        grant: &StationSync,
        receipts: &[DirectiveReceipt],
        now_ms: i64,
    ) -> Result<ReceiptAnswer, StoreError> {
        let code = grant.checkpoint().as_str();
        retry(|| async move {
            on_pool!(&self.db.write, |p| {
                let mut tx = p.begin_write().await?;
                let mut answer = ReceiptAnswer::default();
                let mut acked = false;
                for r in receipts {
                    let found: Option<(i64, i32, i32, i32, Option<i64>)> = sqlx::query_as(
                        "SELECT r.checkpoint_id, r.read_rev, r.acked_rev, d.revision, \
                         d.cancelled_at FROM directive_recipients r \
                         JOIN directives d ON d.id = r.directive_id \
                         JOIN checkpoints c ON c.id = r.checkpoint_id \
                         WHERE d.id = $1 AND c.code = $2",
                    )
                    .bind(r.directive)
                    .bind(code)
                    .fetch_optional(&mut *tx)
                    .await?;
                    let Some((cp, read_rev, acked_rev, current, None)) = found else {
                        answer.unchanged += 1;
                        continue;
                    };
                    if r.revision != current {
                        answer.unchanged += 1;
                        continue;
                    }
                    let at = r.at_ms.min(now_ms);
                    let by = r.by.trim();
                    let mut changed = false;
                    if read_rev < current {
                        sqlx::query(
                            "UPDATE directive_recipients SET read_at = $1, read_rev = $2, \
                             read_by = $3, delivered_at = CASE WHEN delivered_rev < $2 THEN $1 \
                             ELSE delivered_at END, delivered_rev = $2 \
                             WHERE directive_id = $4 AND checkpoint_id = $5",
                        )
                        .bind(at)
                        .bind(current)
                        .bind(by)
                        .bind(r.directive)
                        .bind(cp)
                        .execute(&mut *tx)
                        .await?;
                        changed = true;
                    }
                    if r.kind == ReceiptKind::Ack && acked_rev < current {
                        sqlx::query(
                            "UPDATE directive_recipients SET acked_at = $1, acked_rev = $2, \
                             acked_by = $3, reply = $4 WHERE directive_id = $5 AND checkpoint_id = $6",
                        )
                        .bind(at)
                        .bind(current)
                        .bind(by)
                        .bind(r.reply.as_deref().map(str::trim).filter(|s| !s.is_empty()))
                        .bind(r.directive)
                        .bind(cp)
                        .execute(&mut *tx)
                        .await?;
                        changed = true;
                        acked = true;
                    }
                    if changed {
                        answer.applied += 1;
                    } else {
                        answer.unchanged += 1;
                    }
                }
                if acked {
                    sqlx::query(BUMP).execute(&mut *tx).await?;
                }
                tx.commit().await?;
                Ok(answer)
            })
        })
        .await
    }

    async fn mirror_directives(
        &self,
        checkpoint: &CheckpointCode,
        list: &[StationDirective],
    ) -> Result<usize, StoreError> {
        if list.is_empty() {
            return Ok(0);
        }
        let code = checkpoint.as_str();
        retry(|| async move {
            on_pool!(&self.db.write, |p| {
                let mut tx = p.begin_write().await?;
                let mut changed = 0;
                for d in list {
                    let target = serde_json::to_string(&d.target)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                    let upserted = sqlx::query(
                        "INSERT INTO directives (id, revision, title, body, priority, target, \
                         division, issued_by, issued_at, effective_at, deadline_at, update_note, \
                         updated_at, cancelled_at, cancelled_by, cancel_reason) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) \
                         ON CONFLICT (id) DO UPDATE SET revision = excluded.revision, \
                         title = excluded.title, body = excluded.body, priority = excluded.priority, \
                         deadline_at = excluded.deadline_at, update_note = excluded.update_note, \
                         updated_at = excluded.updated_at, cancelled_at = excluded.cancelled_at, \
                         cancelled_by = excluded.cancelled_by, cancel_reason = excluded.cancel_reason \
                         WHERE directives.revision <> excluded.revision \
                         OR (directives.cancelled_at IS NULL AND excluded.cancelled_at IS NOT NULL) \
                         OR directives.deadline_at <> excluded.deadline_at",
                    )
                    .bind(d.id)
                    .bind(d.revision)
                    .bind(&d.title)
                    .bind(&d.text)
                    .bind(d.priority.as_str())
                    .bind(&target)
                    .bind(d.division)
                    .bind(&d.issued_by)
                    .bind(d.issued_at_ms)
                    .bind(d.effective_at_ms)
                    .bind(d.deadline_ms)
                    .bind(d.update_note.as_deref())
                    .bind(d.updated_at_ms)
                    .bind(d.cancelled_at_ms)
                    .bind(d.cancelled_by.as_deref())
                    .bind(d.cancel_reason.as_deref())
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    sqlx::query(
                        "INSERT INTO directive_recipients (directive_id, checkpoint_id) \
                         SELECT $1, id FROM checkpoints WHERE code = $2 \
                         ON CONFLICT (directive_id, checkpoint_id) DO NOTHING",
                    )
                    .bind(d.id)
                    .bind(code)
                    .execute(&mut *tx)
                    .await?;
                    // An acknowledgement the hub holds (made on the hub, or pushed from here
                    // before this copy of the station's database was restored).
                    let adopted = sqlx::query(
                        "UPDATE directive_recipients SET acked_rev = $1, acked_at = $2, \
                         acked_by = $3, reply = $4 WHERE directive_id = $5 \
                         AND checkpoint_id = (SELECT id FROM checkpoints WHERE code = $6) \
                         AND acked_rev < $1",
                    )
                    .bind(d.acked_rev)
                    .bind(d.acked_at_ms)
                    .bind(d.acked_by.as_deref().unwrap_or("hub"))
                    .bind(d.reply.as_deref())
                    .bind(d.id)
                    .bind(code)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    if upserted + adopted > 0 {
                        changed += 1;
                    }
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

    async fn install_directive_outbox(&self) -> Result<(), StoreError> {
        let Pool::Sqlite(pool) = &self.db.write else {
            return Err(station_only());
        };
        let mut tx = pool.begin_write().await?;
        for t in TRIGGERS {
            sqlx::query(t).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn directive_outbox(&self, limit: i64) -> Result<Vec<DirectiveReceipt>, StoreError> {
        let Pool::Sqlite(pool) = &self.db.read else {
            return Err(station_only());
        };
        let rows: Vec<(i64, i64, i32, String, String, Option<String>, i64)> = sqlx::query_as(
            "SELECT seq, directive_id, revision, kind, by_name, reply, at FROM directive_outbox \
             ORDER BY seq LIMIT $1",
        )
        .bind(limit)
        .fetch_all(pool)
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(DirectiveReceipt {
                    seq: r.0,
                    directive: r.1,
                    revision: r.2,
                    kind: ReceiptKind::parse(&r.3)
                        .map_err(|_| StoreError::Corrupt("a receipt's kind".into()))?,
                    by: r.4,
                    reply: r.5,
                    at_ms: r.6,
                })
            })
            .collect()
    }

    async fn directive_outbox_sent(&self, seq: i64) -> Result<(), StoreError> {
        let Pool::Sqlite(pool) = &self.db.write else {
            return Err(station_only());
        };
        sqlx::query("DELETE FROM directive_outbox WHERE seq <= $1")
            .bind(seq)
            .execute(pool)
            .await?;
        Ok(())
    }
}
