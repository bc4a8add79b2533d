//! The lane's side of directives: what a checkpoint is shown (and so delivered), and its
//! officers' openings and acknowledgements, each recorded once per revision.

use cordon_domain::access::command::DirectiveAck;
use cordon_domain::checkpoint::CheckpointCode;
use cordon_domain::command::directive::Priority;

use super::rows;
use super::rows::BUMP;
use crate::db::{on_pool, retry, BeginWrite};
use crate::store::SqlStore;
use crate::StoreError;

pub(super) fn lane_sql(one: bool) -> String {
    format!(
        "SELECT {} FROM directive_recipients r JOIN directives d ON d.id = r.directive_id \
         JOIN checkpoints c ON c.id = r.checkpoint_id WHERE c.code = $1 {}",
        rows::LANE_COLS,
        if one {
            "AND d.id = $2"
        } else {
            "AND d.cancelled_at IS NULL AND d.effective_at <= $2 \
             AND (r.acked_rev < d.revision OR r.acked_at > $3)"
        }
    )
}

pub(super) fn rank(p: Priority) -> u8 {
    match p {
        Priority::Flash => 0,
        Priority::Urgent => 1,
        Priority::Routine => 2,
    }
}

/// Notes as delivered at a checkpoint every revision in effect that it had not received.
pub(super) async fn note_delivered(
    store: &SqlStore,
    code: &str,
    now_ms: i64,
) -> Result<(), StoreError> {
    let stale: i64 = on_pool!(&store.db.read, |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM directive_recipients r \
             JOIN directives d ON d.id = r.directive_id \
             JOIN checkpoints c ON c.id = r.checkpoint_id WHERE c.code = $1 \
             AND r.delivered_rev < d.revision AND d.cancelled_at IS NULL AND d.effective_at <= $2"
    )
    .bind(code)
    .bind(now_ms)
    .fetch_one(p)
    .await?);
    if stale > 0 {
        retry(|| async move {
            on_pool!(&store.db.write, |p| sqlx::query(
                "UPDATE directive_recipients SET delivered_at = $1, \
                     delivered_rev = (SELECT d.revision FROM directives d \
                       WHERE d.id = directive_recipients.directive_id) \
                     WHERE checkpoint_id = (SELECT id FROM checkpoints WHERE code = $2) \
                     AND directive_id IN (SELECT d.id FROM directives d \
                       WHERE d.id = directive_recipients.directive_id \
                       AND d.revision > directive_recipients.delivered_rev \
                       AND d.cancelled_at IS NULL AND d.effective_at <= $1)"
            )
            .bind(now_ms)
            .bind(code)
            .execute(p)
            .await?
            .rows_affected());
            Ok(())
        })
        .await?;
    }
    Ok(())
}

/// An opening (`ack` None) or an acknowledgement (with its reply) of a revision at a
/// checkpoint, each recorded once; an acknowledgement also counts as the opening.
pub(super) async fn step(
    store: &SqlStore,
    grant: &DirectiveAck,
    id: i64,
    checkpoint: &CheckpointCode,
    revision: i32,
    ack: Option<Option<String>>,
    now_ms: i64,
) -> Result<(), StoreError> {
    if !grant.works_at(checkpoint) {
        return Err(StoreError::Forbidden);
    }
    let (code, by, ack) = (checkpoint.as_str(), grant.username().as_str(), &ack);
    retry(|| async move {
        on_pool!(&store.db.write, |p| {
            let mut tx = p.begin_write().await?;
            let found: Option<(i64, i32, i32, i32, Option<i64>, i64)> = sqlx::query_as(
                "SELECT r.checkpoint_id, r.read_rev, r.acked_rev, d.revision, d.cancelled_at, \
                 d.effective_at FROM directive_recipients r \
                 JOIN directives d ON d.id = r.directive_id \
                 JOIN checkpoints c ON c.id = r.checkpoint_id WHERE d.id = $1 AND c.code = $2",
            )
            .bind(id)
            .bind(code)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((cp, read_rev, acked_rev, current, cancelled, effective)) = found else {
                return Err(StoreError::not_found(format!("directive {id} at {code}")));
            };
            if cancelled.is_some() {
                return Err(rows::cancelled());
            }
            if effective > now_ms {
                return Err(StoreError::not_found(format!("directive {id} at {code}")));
            }
            if revision != current {
                return Err(StoreError::invalid(
                    "directive_updated",
                    "revision",
                    "the directive was updated since: read it again before acknowledging",
                ));
            }
            let touch = |sql: &'static str| {
                sqlx::query(sql)
                    .bind(now_ms)
                    .bind(current)
                    .bind(id)
                    .bind(cp)
            };
            if read_rev < current {
                touch(
                    "UPDATE directive_recipients SET read_at = $1, read_rev = $2, read_by = $5, \
                     delivered_at = CASE WHEN delivered_rev < $2 THEN $1 ELSE delivered_at END, \
                     delivered_rev = $2 WHERE directive_id = $3 AND checkpoint_id = $4",
                )
                .bind(by)
                .execute(&mut *tx)
                .await?;
            }
            if let Some(reply) = ack {
                if acked_rev < current {
                    touch(
                        "UPDATE directive_recipients SET acked_at = $1, acked_rev = $2, \
                         acked_by = $5, reply = $6 WHERE directive_id = $3 AND checkpoint_id = $4",
                    )
                    .bind(by)
                    .bind(reply.as_deref())
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query(BUMP).execute(&mut *tx).await?;
                }
            }
            tx.commit().await?;
            Ok(())
        })
    })
    .await
}
