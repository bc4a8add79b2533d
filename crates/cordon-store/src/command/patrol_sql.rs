//! The SQL of [`PatrolStore`], written once for both backends. Channels are seen within the
//! grant's jurisdiction (their checkpoint's); plans and rounds belong to the jurisdiction of the
//! commander who made them and are seen by the commanders of it and above.

use async_trait::async_trait;
use cordon_domain::access::command::PatrolRun;
use cordon_domain::checkpoint::CheckpointCode;
use cordon_domain::command::patrol::{
    Channel, ChannelDraft, ChannelKind, Plan, Round, RoundStop, Sight,
};
use cordon_domain::time::from_ms;
use sqlx::QueryBuilder;

use super::rows::BUMP;
use super::PatrolStore;
use crate::db::{division_range, on_pool, push_list, push_scope, retry, BeginWrite};
use crate::network::sql::checkpoint_within;
use crate::store::SqlStore;
use crate::StoreError;
use cordon_domain::command::report::ReportDraft;

const CHANNEL_COLS: &str = "v.id, c.code, c.name, v.name, v.stream, v.kind, v.added_by, \
     v.retired_at";
const CHANNEL_FROM: &str = "FROM video_channels v JOIN checkpoints c ON c.id = v.checkpoint_id";
type ChannelRow = (
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<i64>,
);

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(format!("a patrol's {what}"))
}

fn channel(r: ChannelRow) -> Result<Channel, StoreError> {
    Ok(Channel {
        id: r.0,
        checkpoint: CheckpointCode::parse(&r.1).map_err(|_| corrupt("checkpoint"))?,
        checkpoint_name: r.2,
        name: r.3,
        stream: r.4,
        kind: ChannelKind::parse(&r.5).map_err(|_| corrupt("kind"))?,
        added_by: r.6,
        retired: r.7.is_some(),
    })
}

/// The channels of `ids` within the grant's scope, by id.
async fn channels_by_id(
    store: &SqlStore,
    grant: &PatrolRun,
    ids: &[i64],
) -> Result<Vec<Channel>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<ChannelRow> = on_pool!(&store.db.read, |p| {
        let mut q = QueryBuilder::new(format!(
            "SELECT {CHANNEL_COLS} {CHANNEL_FROM} WHERE v.id IN "
        ));
        push_list(&mut q, ids.iter().copied());
        push_scope(&mut q, &grant.scope());
        q.build_query_as().fetch_all(p).await?
    });
    rows.into_iter().map(channel).collect()
}

type PlanRow = (i64, String, i64, String, String, i64);

fn plan(r: PlanRow) -> Result<Plan, StoreError> {
    Ok(Plan {
        id: r.0,
        name: r.1,
        channels: serde_json::from_str(&r.3).map_err(|_| corrupt("channels"))?,
        created_by: r.4,
        created_at: from_ms(r.5),
    })
}

/// Appends ` AND <col> BETWEEN` the grant's jurisdiction's codes.
fn push_within<'a, DB: sqlx::Database>(q: &mut QueryBuilder<'a, DB>, col: &str, grant: &PatrolRun)
where
    i64: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    let (lo, hi) = division_range(grant.division());
    q.push(format!(" AND {col} BETWEEN "))
        .push_bind(lo)
        .push(" AND ")
        .push_bind(hi);
}

async fn plan_of(store: &SqlStore, grant: &PatrolRun, id: i64) -> Result<Plan, StoreError> {
    let row: Option<PlanRow> = on_pool!(&store.db.read, |p| {
        let mut q = QueryBuilder::new(
            "SELECT id, name, division, channels, created_by, created_at FROM patrol_plans \
             WHERE id = ",
        );
        q.push_bind(id);
        push_within(&mut q, "division", grant);
        q.build_query_as().fetch_optional(p).await?
    });
    plan(row.ok_or_else(|| StoreError::not_found(format!("patrol plan {id}")))?)
}

type RoundRow = (i64, i64, String, String, i64, Option<i64>, String);
/// An observation: channel, sight, note, when, its directive, its report.
type SeenRow = (
    i64,
    String,
    Option<String>,
    i64,
    Option<i64>,
    Option<uuid::Uuid>,
);

/// A round's head and counts (its stops when `stops`).
async fn round_of(
    store: &SqlStore,
    grant: &PatrolRun,
    r: RoundRow,
    stops: bool,
) -> Result<Round, StoreError> {
    let order: Vec<i64> = serde_json::from_str(&r.6).map_err(|_| corrupt("channels"))?;
    let seen: Vec<SeenRow> = on_pool!(&store.db.read, |p| sqlx::query_as(
        "SELECT channel_id, sight, note, seen_at, directive_id, report_id \
             FROM patrol_observations WHERE round_id = $1"
    )
    .bind(r.0)
    .fetch_all(p)
    .await?);
    let findings = seen.iter().filter(|s| s.1 != "ok").count() as i64;
    let mut list = Vec::new();
    if stops {
        let channels = channels_by_id(store, grant, &order).await?;
        for id in &order {
            let Some(c) = channels.iter().find(|c| c.id == *id) else {
                continue;
            };
            let s = seen.iter().find(|s| s.0 == *id);
            list.push(RoundStop {
                channel: c.clone(),
                sight: s
                    .map(|s| Sight::parse(&s.1).map_err(|_| corrupt("sight")))
                    .transpose()?,
                note: s.and_then(|s| s.2.clone()),
                seen_at: s.map(|s| from_ms(s.3)),
                directive: s.and_then(|s| s.4),
                report: s.and_then(|s| s.5),
            });
        }
    }
    Ok(Round {
        id: r.0,
        plan: r.1,
        plan_name: r.2,
        started_by: r.3,
        started_at: from_ms(r.4),
        finished_at: r.5.map(from_ms),
        channels: order.len() as i64,
        seen: seen.len() as i64,
        findings,
        stops: list,
    })
}

const ROUND_SELECT: &str = "SELECT r.id, r.plan_id, p.name, r.started_by, r.started_at, \
     r.finished_at, p.channels FROM patrol_rounds r JOIN patrol_plans p ON p.id = r.plan_id \
     WHERE 1 = 1";

async fn round_row(store: &SqlStore, grant: &PatrolRun, id: i64) -> Result<RoundRow, StoreError> {
    let row: Option<RoundRow> = on_pool!(&store.db.write, |p| {
        let mut q = QueryBuilder::new(ROUND_SELECT);
        q.push(" AND r.id = ").push_bind(id);
        push_within(&mut q, "r.division", grant);
        q.build_query_as().fetch_optional(p).await?
    });
    row.ok_or_else(|| StoreError::not_found(format!("patrol round {id}")))
}

fn finished() -> StoreError {
    StoreError::invalid("round_finished", "round", "this round is finished")
}

#[async_trait]
impl PatrolStore for SqlStore {
    async fn add_channel(
        &self,
        grant: &PatrolRun,
        draft: &ChannelDraft,
        now_ms: i64,
    ) -> Result<Channel, StoreError> {
        let cp = checkpoint_within(self, &draft.checkpoint, grant.division(), "checkpoint").await?;
        let by = grant.username().as_str();
        let id: i64 = retry(|| async move {
            on_pool!(&self.db.write, |p| {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO video_channels (checkpoint_id, name, stream, kind, added_by, \
                     added_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                )
                .bind(cp)
                .bind(&draft.name)
                .bind(&draft.stream)
                .bind(draft.kind.as_str())
                .bind(by)
                .bind(now_ms)
                .fetch_one(p)
                .await?;
                Ok(id)
            })
        })
        .await?;
        channels_by_id(self, grant, &[id])
            .await?
            .pop()
            .ok_or_else(|| StoreError::not_found(format!("channel {id}")))
    }

    async fn retire_channel(
        &self,
        grant: &PatrolRun,
        id: i64,
        now_ms: i64,
    ) -> Result<Channel, StoreError> {
        if channels_by_id(self, grant, &[id]).await?.is_empty() {
            return Err(StoreError::not_found(format!("channel {id}")));
        }
        retry(|| async move {
            on_pool!(&self.db.write, |p| {
                sqlx::query(
                    "UPDATE video_channels SET retired_at = $1 WHERE id = $2 AND retired_at IS NULL",
                )
                .bind(now_ms)
                .bind(id)
                .execute(p)
                .await?;
                Ok(())
            })
        })
        .await?;
        channels_by_id(self, grant, &[id])
            .await?
            .pop()
            .ok_or_else(|| StoreError::not_found(format!("channel {id}")))
    }

    async fn list_channels(
        &self,
        grant: &PatrolRun,
        checkpoint: Option<&CheckpointCode>,
    ) -> Result<Vec<Channel>, StoreError> {
        let rows: Vec<ChannelRow> = on_pool!(&self.db.read, |p| {
            let mut q =
                QueryBuilder::new(format!("SELECT {CHANNEL_COLS} {CHANNEL_FROM} WHERE 1 = 1"));
            push_scope(&mut q, &grant.scope());
            if let Some(code) = checkpoint {
                q.push(" AND c.code = ").push_bind(code.as_str().to_owned());
            }
            q.push(" ORDER BY v.retired_at IS NOT NULL, c.code, v.id LIMIT 5000");
            q.build_query_as().fetch_all(p).await?
        });
        rows.into_iter().map(channel).collect()
    }

    async fn make_plan(
        &self,
        grant: &PatrolRun,
        name: &str,
        channels: &[i64],
        now_ms: i64,
    ) -> Result<Plan, StoreError> {
        let found = channels_by_id(self, grant, channels).await?;
        for (i, id) in channels.iter().enumerate() {
            if !found.iter().any(|c| c.id == *id && !c.retired) {
                return Err(StoreError::invalid(
                    "unknown_channel",
                    &format!("channels[{i}]"),
                    format!("no channel {id} in use in this jurisdiction"),
                ));
            }
        }
        let list = serde_json::to_string(channels).expect("numbers serialise");
        let by = grant.username().as_str();
        let division = i64::from(grant.division().value());
        let id: i64 = retry(|| {
            let list = &list;
            async move {
                on_pool!(&self.db.write, |p| {
                    let id: i64 = sqlx::query_scalar(
                        "INSERT INTO patrol_plans (name, division, channels, created_by, \
                         created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
                    )
                    .bind(name)
                    .bind(division)
                    .bind(list.as_str())
                    .bind(by)
                    .bind(now_ms)
                    .fetch_one(p)
                    .await?;
                    Ok(id)
                })
            }
        })
        .await?;
        plan_of(self, grant, id).await
    }

    async fn list_plans(&self, grant: &PatrolRun) -> Result<Vec<Plan>, StoreError> {
        let rows: Vec<PlanRow> = on_pool!(&self.db.read, |p| {
            let mut q = QueryBuilder::new(
                "SELECT id, name, division, channels, created_by, created_at FROM patrol_plans \
                 WHERE 1 = 1",
            );
            push_within(&mut q, "division", grant);
            q.push(" ORDER BY id DESC LIMIT 200");
            q.build_query_as().fetch_all(p).await?
        });
        rows.into_iter().map(plan).collect()
    }

    async fn start_round(
        &self,
        grant: &PatrolRun,
        plan_id: i64,
        now_ms: i64,
    ) -> Result<Round, StoreError> {
        plan_of(self, grant, plan_id).await?;
        let by = grant.username().as_str();
        let division = i64::from(grant.division().value());
        let id: i64 = retry(|| async move {
            on_pool!(&self.db.write, |p| {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO patrol_rounds (plan_id, division, started_by, started_at) \
                     VALUES ($1, $2, $3, $4) RETURNING id",
                )
                .bind(plan_id)
                .bind(division)
                .bind(by)
                .bind(now_ms)
                .fetch_one(p)
                .await?;
                Ok(id)
            })
        })
        .await?;
        self.patrol_round(grant, id).await
    }

    async fn patrol_round(&self, grant: &PatrolRun, id: i64) -> Result<Round, StoreError> {
        let r = round_row(self, grant, id).await?;
        round_of(self, grant, r, true).await
    }

    async fn list_rounds(
        &self,
        grant: &PatrolRun,
        since_ms: i64,
    ) -> Result<Vec<Round>, StoreError> {
        let rows: Vec<RoundRow> = on_pool!(&self.db.read, |p| {
            let mut q = QueryBuilder::new(ROUND_SELECT);
            q.push(" AND r.started_at >= ").push_bind(since_ms);
            push_within(&mut q, "r.division", grant);
            q.push(" ORDER BY r.id DESC LIMIT 200");
            q.build_query_as().fetch_all(p).await?
        });
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            out.push(round_of(self, grant, r, false).await?);
        }
        Ok(out)
    }

    async fn observe(
        &self,
        grant: &PatrolRun,
        round: i64,
        channel: i64,
        sight: Sight,
        note: Option<&str>,
        now_ms: i64,
    ) -> Result<Round, StoreError> {
        let r = round_row(self, grant, round).await?;
        if r.5.is_some() {
            return Err(finished());
        }
        let order: Vec<i64> = serde_json::from_str(&r.6).map_err(|_| corrupt("channels"))?;
        if !order.contains(&channel) {
            return Err(StoreError::invalid(
                "not_in_plan",
                "channel",
                format!("channel {channel} is not in this round's plan"),
            ));
        }
        let by = grant.username().as_str();
        let stored = retry(|| async move {
            on_pool!(&self.db.write, |p| {
                let mut tx = p.begin_write().await?;
                let before: Option<(String, Option<String>)> = sqlx::query_as(
                    "SELECT sight, note FROM patrol_observations WHERE round_id = $1 \
                     AND channel_id = $2",
                )
                .bind(round)
                .bind(channel)
                .fetch_optional(&mut *tx)
                .await?;
                if let Some((s, n)) = before {
                    // The same observation again (a retry) changes nothing; another is refused.
                    return Ok(s == sight.as_str() && n.as_deref() == note);
                }
                sqlx::query(
                    "INSERT INTO patrol_observations (round_id, channel_id, sight, note, \
                     seen_by, seen_at) VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(round)
                .bind(channel)
                .bind(sight.as_str())
                .bind(note)
                .bind(by)
                .bind(now_ms)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(true)
            })
        })
        .await?;
        if !stored {
            return Err(StoreError::invalid(
                "already_observed",
                "channel",
                "this channel was observed otherwise in this round",
            ));
        }
        self.patrol_round(grant, round).await
    }

    async fn finish_round(
        &self,
        grant: &PatrolRun,
        round: i64,
        now_ms: i64,
    ) -> Result<Round, StoreError> {
        round_row(self, grant, round).await?;
        retry(|| async move {
            on_pool!(&self.db.write, |p| {
                sqlx::query(
                    "UPDATE patrol_rounds SET finished_at = $1 WHERE id = $2 AND finished_at IS NULL",
                )
                .bind(now_ms)
                .bind(round)
                .execute(p)
                .await?;
                Ok(())
            })
        })
        .await?;
        self.patrol_round(grant, round).await
    }

    async fn finding(
        &self,
        grant: &PatrolRun,
        round: i64,
        channel: i64,
    ) -> Result<RoundStop, StoreError> {
        let r = self.patrol_round(grant, round).await?;
        r.stops
            .into_iter()
            .find(|s| s.channel.id == channel && matches!(s.sight, Some(x) if x != Sight::Ok))
            .ok_or_else(|| StoreError::not_found(format!("finding on channel {channel}")))
    }

    async fn finding_report(
        &self,
        grant: &PatrolRun,
        round: i64,
        channel: i64,
        draft: &ReportDraft,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        round_row(self, grant, round).await?;
        let by = grant.username().as_str();
        let done = retry(|| async move {
            on_pool!(&self.db.write, |p| {
                let mut tx = p.begin_write().await?;
                let linked: Option<Option<uuid::Uuid>> = sqlx::query_scalar(
                    "SELECT report_id FROM patrol_observations WHERE round_id = $1 \
                     AND channel_id = $2",
                )
                .bind(round)
                .bind(channel)
                .fetch_optional(&mut *tx)
                .await?;
                if !matches!(linked, Some(None)) {
                    return Ok(false);
                }
                sqlx::query(
                    "INSERT INTO reports (id, checkpoint_id, category, urgency, body, \
                     reported_by, reported_at) SELECT $1, id, $2, $3, $4, $5, $6 \
                     FROM checkpoints WHERE code = $7",
                )
                .bind(draft.id)
                .bind(draft.category.as_str())
                .bind(draft.urgency.as_str())
                .bind(&draft.text)
                .bind(by)
                .bind(now_ms)
                .bind(draft.checkpoint.as_str())
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "UPDATE patrol_observations SET report_id = $1 WHERE round_id = $2 \
                     AND channel_id = $3",
                )
                .bind(draft.id)
                .bind(round)
                .bind(channel)
                .execute(&mut *tx)
                .await?;
                sqlx::query(BUMP).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(true)
            })
        })
        .await?;
        if done {
            Ok(())
        } else {
            Err(StoreError::invalid(
                "already_turned",
                "channel",
                "this finding was turned into a report already",
            ))
        }
    }

    async fn link_directive(
        &self,
        grant: &PatrolRun,
        round: i64,
        channel: i64,
        directive: i64,
    ) -> Result<(), StoreError> {
        round_row(self, grant, round).await?;
        retry(|| async move {
            on_pool!(&self.db.write, |p| {
                sqlx::query(
                    "UPDATE patrol_observations SET directive_id = $1 WHERE round_id = $2 \
                     AND channel_id = $3",
                )
                .bind(directive)
                .bind(round)
                .bind(channel)
                .execute(p)
                .await?;
                Ok(())
            })
        })
        .await
    }
}
