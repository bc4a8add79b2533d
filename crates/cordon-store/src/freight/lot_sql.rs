//! The SQL of [`LotStore`] for both backends: lots and their checkpoints, the board (trucks in
//! `truck_sql.rs`, requests in `bay_sql.rs`), and the freight alerts. A lot belongs to a city or
//! a county and is seen by the grants whose jurisdiction holds it.

use async_trait::async_trait;
use cordon_domain::access::freight::{LotKeep, LotWork};
use cordon_domain::checkpoint::CheckpointCode;
use cordon_domain::division::DivisionCode;
use cordon_domain::freight::alert::{AlertKind, FreightAlert, SeenAt};
use cordon_domain::freight::bay::{BayRequest, BayToken, DriverNeed};
use cordon_domain::freight::board::LotBoard;
use cordon_domain::freight::lot::{capacity, Lot, LotCheckpoint, LotDraft, Zone, ZoneKind};
use cordon_domain::freight::truck::{CheckIn, LotReading, Step, Truck};
use cordon_domain::time::from_ms;
use sqlx::QueryBuilder;

use super::rows::{corrupt, push_within, AlertDetail};
use super::{bay_sql, truck_sql, LotPublic, LotStore};
use crate::db::{on_pool, push_hours, push_list, retry, BeginWrite, Pool};
use crate::network::sql::checkpoint_within;
use crate::store::SqlStore;
use crate::StoreError;

type LotRow = (i64, String, i64, String, String, i64, String, i64, i64);
const LOT_SELECT: &str = "SELECT l.id, l.name, l.division, l.address, l.zones, l.bays, \
     l.created_by, l.created_at, (SELECT COUNT(*) FROM lot_trucks t WHERE t.lot_id = l.id \
     AND t.present IS NOT NULL) FROM lots l WHERE 1 = 1";

/// The lots of `rows` with their checkpoints.
async fn lots_of(store: &SqlStore, rows: Vec<LotRow>) -> Result<Vec<Lot>, StoreError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let cps: Vec<(i64, String, String)> = on_pool!(&store.db.read, |p| {
        let mut q = QueryBuilder::new(
            "SELECT lc.lot_id, c.code, c.name FROM lot_checkpoints lc \
             JOIN checkpoints c ON c.id = lc.checkpoint_id WHERE lc.lot_id IN ",
        );
        push_list(&mut q, rows.iter().map(|r| r.0));
        q.push(" ORDER BY c.code");
        q.build_query_as().fetch_all(p).await?
    });
    rows.into_iter()
        .map(|r| {
            let zones: Vec<Zone> = serde_json::from_str(&r.4).map_err(|_| corrupt("zones"))?;
            let checkpoints = cps
                .iter()
                .filter(|c| c.0 == r.0)
                .map(|c| {
                    Ok(LotCheckpoint {
                        code: CheckpointCode::parse(&c.1).map_err(|_| corrupt("checkpoint"))?,
                        name: c.2.clone(),
                    })
                })
                .collect::<Result<_, StoreError>>()?;
            Ok(Lot {
                id: r.0,
                name: r.1,
                division: DivisionCode::parse(&r.2.to_string()).map_err(|_| corrupt("division"))?,
                address: r.3,
                isolation_places: capacity(&zones, ZoneKind::Isolation),
                zones,
                bays: u32::try_from(r.5).map_err(|_| corrupt("bays"))?,
                checkpoints,
                created_by: r.6,
                created_at: from_ms(r.7),
                present: r.8,
            })
        })
        .collect()
}

/// A lot within the jurisdiction, or `NotFound`.
pub(super) async fn lot_in(
    store: &SqlStore,
    division: impl Into<Option<DivisionCode>>,
    id: i64,
) -> Result<Lot, StoreError> {
    let division = division.into();
    let rows: Vec<LotRow> = on_pool!(&store.db.read, |p| {
        let mut q = QueryBuilder::new(LOT_SELECT);
        q.push(" AND l.id = ").push_bind(id);
        if let Some(division) = division {
            push_within(&mut q, "l.division", division);
        }
        q.build_query_as().fetch_all(p).await?
    });
    lots_of(store, rows)
        .await?
        .pop()
        .ok_or_else(|| StoreError::not_found(format!("lot {id}")))
}

type AlertRow = (
    i64,
    String,
    String,
    Option<i64>,
    Option<String>,
    Option<i64>,
    String,
    i64,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
);
const ALERT_SELECT: &str = "SELECT a.id, a.kind, a.plate, a.lot_id, l.name, a.truck_id, \
     a.detail, a.raised_at, a.closed_at, a.closed_by, a.closed_note, a.pass_number \
     FROM freight_alerts a \
     LEFT JOIN lots l ON l.id = a.lot_id WHERE 1 = 1";

/// The passages of a plate since `from_ms` (up to two days on), latest first.
async fn seen_since(
    store: &SqlStore,
    plate: &str,
    since_ms: i64,
    until_ms: i64,
) -> Result<Vec<SeenAt>, StoreError> {
    let until = until_ms.min(since_ms + 48 * 3_600_000);
    if until < since_ms {
        return Ok(Vec::new());
    }
    // On PostgreSQL the plate is read from the personal data's table with the period named on
    // it (migration 43), so that only those days' partitions are read.
    let from = match &store.db.read {
        Pool::Sqlite(_) => {
            "FROM passages p JOIN checkpoints c ON c.id = p.checkpoint_id \
             WHERE p.plate = "
        }
        Pool::Postgres(_) => {
            "FROM passage_personal p \
             JOIN passage_core k ON k.observed_at = p.observed_at AND k.id = p.id \
             JOIN checkpoints c ON c.id = k.checkpoint_id WHERE p.plate = "
        }
    };
    let rows: Vec<(String, String, i64)> = on_pool!(&store.db.read, |p| {
        let mut q = QueryBuilder::new("SELECT c.code, c.name, p.observed_at ");
        q.push(from);
        q.push_bind(plate.to_owned());
        push_hours(
            &mut q,
            "p.observed_at",
            since_ms / 3_600_000..=until / 3_600_000,
        );
        q.push(" AND p.observed_at >= ").push_bind(since_ms);
        q.push(" AND p.observed_at < ")
            .push_bind((until / 3_600_000 + 1) * 3_600_000);
        q.push(" ORDER BY p.observed_at DESC LIMIT 20");
        q.build_query_as().fetch_all(p).await?
    });
    rows.into_iter()
        .map(|r| {
            Ok(SeenAt {
                checkpoint: CheckpointCode::parse(&r.0).map_err(|_| corrupt("checkpoint"))?,
                checkpoint_name: r.1,
                at: from_ms(r.2),
            })
        })
        .collect()
}

/// The pass an alert's vehicle runs on: the alert's own, or the one in force for its plate
/// (the latest issued); its number and route.
async fn pass_of(
    store: &SqlStore,
    number: Option<&str>,
    plate: &str,
    now_ms: i64,
) -> Result<Option<(String, Vec<CheckpointCode>)>, StoreError> {
    if plate.is_empty() && number.is_none() {
        return Ok(None);
    }
    let row: Option<(String, String)> = on_pool!(&store.db.read, |p| {
        let mut q = QueryBuilder::new("SELECT p.number, p.via FROM freight_passes p ");
        match number {
            Some(n) => {
                q.push("WHERE p.number = ").push_bind(n.to_owned());
            }
            None => {
                q.push(
                    "LEFT JOIN freight_pass_revocations r ON r.number = p.number \
                     WHERE r.number IS NULL AND p.plate = ",
                )
                .push_bind(plate.to_owned())
                .push(" AND p.valid_until > ")
                .push_bind(now_ms)
                .push(" AND p.valid_from <= ")
                .push_bind(now_ms)
                .push(" ORDER BY p.issued_at DESC");
            }
        }
        q.push(" LIMIT 1");
        q.build_query_as().fetch_optional(p).await?
    });
    row.map(|(n, via)| Ok((n, super::pass_sql::via_of(&via)?)))
        .transpose()
}

async fn alert(store: &SqlStore, r: AlertRow, now_ms: i64) -> Result<FreightAlert, StoreError> {
    let detail: AlertDetail = serde_json::from_str(&r.6).map_err(|_| corrupt("alert"))?;
    let seen = match detail.left_ms.or(detail.seen_from_ms) {
        Some(from) => seen_since(store, &r.2, from, r.8.unwrap_or(now_ms)).await?,
        None => Vec::new(),
    };
    let pass = pass_of(store, r.11.as_deref(), &r.2, now_ms).await?;
    // Where to look: the route's checkpoints after the last of them it was seen at.
    let ahead = pass.as_ref().map_or_else(Vec::new, |(_, via)| {
        let last = seen.iter().find(|s| via.contains(&s.checkpoint));
        cordon_domain::freight::route::ahead(via, last.map(|s| s.checkpoint.as_str())).to_vec()
    });
    Ok(FreightAlert {
        pass: pass.map(|(n, _)| n),
        off_route_at: detail.off_route_at,
        expected_arrival: detail.expected_arrival_ms.map(from_ms),
        ahead,
        id: r.0,
        kind: AlertKind::parse(&r.1).map_err(|_| corrupt("alert kind"))?,
        plate: r.2,
        lot: r.3,
        lot_name: r.4,
        truck: r.5,
        sent_from: detail.sent_from,
        seen_since: seen,
        raised_at: from_ms(r.7),
        left_at: detail.left_ms.map(from_ms),
        closed_at: r.8.map(from_ms),
        closed_by: r.9,
        closed_note: r.10,
    })
}

async fn alert_in(
    store: &SqlStore,
    grant: &LotWork,
    id: i64,
    now_ms: i64,
) -> Result<FreightAlert, StoreError> {
    let row: Option<AlertRow> = on_pool!(&store.db.write, |p| {
        let mut q = QueryBuilder::new(ALERT_SELECT);
        q.push(" AND a.id = ").push_bind(id);
        push_within(&mut q, "a.division", grant.division());
        q.build_query_as().fetch_optional(p).await?
    });
    let row = row.ok_or_else(|| StoreError::not_found(format!("alert {id}")))?;
    alert(store, row, now_ms).await
}

#[async_trait]
impl LotStore for SqlStore {
    async fn make_lot(
        &self,
        grant: &LotKeep,
        draft: &LotDraft,
        now_ms: i64,
    ) -> Result<Lot, StoreError> {
        if !grant.division().contains(draft.division) {
            return Err(StoreError::Forbidden);
        }
        let mut ids = Vec::with_capacity(draft.checkpoints.len());
        for (i, code) in draft.checkpoints.iter().enumerate() {
            let field = format!("checkpoints[{i}]");
            ids.push(checkpoint_within(self, code, grant.division(), &field).await?);
        }
        let zones = serde_json::to_string(&draft.zones).expect("zones serialise");
        let by = grant.username().as_str();
        let (zones, ids) = (&zones, &ids);
        let id: i64 = retry(|| async move {
            on_pool!(&self.db.write, |p| {
                let mut tx = p.begin_write().await?;
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO lots (name, division, address, zones, bays, created_by, \
                     created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                )
                .bind(&draft.name)
                .bind(i64::from(draft.division.value()))
                .bind(&draft.address)
                .bind(zones.as_str())
                .bind(i64::from(draft.bays()))
                .bind(by)
                .bind(now_ms)
                .fetch_one(&mut *tx)
                .await?;
                for cp in ids {
                    sqlx::query(
                        "INSERT INTO lot_checkpoints (lot_id, checkpoint_id) VALUES ($1, $2)",
                    )
                    .bind(id)
                    .bind(*cp)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok(id)
            })
        })
        .await?;
        lot_in(self, grant.division(), id).await
    }

    async fn list_lots(&self, grant: &LotWork) -> Result<Vec<Lot>, StoreError> {
        let rows: Vec<LotRow> = on_pool!(&self.db.read, |p| {
            let mut q = QueryBuilder::new(LOT_SELECT);
            push_within(&mut q, "l.division", grant.division());
            q.push(" ORDER BY l.division, l.id LIMIT 500");
            q.build_query_as().fetch_all(p).await?
        });
        lots_of(self, rows).await
    }

    async fn lot_board(
        &self,
        grant: &LotWork,
        id: i64,
        now_ms: i64,
    ) -> Result<LotBoard, StoreError> {
        // The clock first: a change made while the rest is read shows again at the next ask.
        let clock = self.lot_clock(grant, id).await?;
        let lot = lot_in(self, grant.division(), id).await?;
        let trucks = truck_sql::board_trucks(self, id, now_ms).await?;
        let sent = truck_sql::sent_to(self, id, now_ms).await?;
        let requests = bay_sql::open_requests(self, id).await?;
        Ok(LotBoard::assemble(
            lot, trucks, sent, requests, now_ms, clock,
        ))
    }

    async fn lot_clock(&self, grant: &LotWork, lot: i64) -> Result<i64, StoreError> {
        let clock: Option<i64> = on_pool!(&self.db.write, |p| {
            let mut q = QueryBuilder::new("SELECT clock FROM lots WHERE id = ");
            q.push_bind(lot);
            push_within(&mut q, "division", grant.division());
            q.build_query_scalar().fetch_optional(p).await?
        });
        clock.ok_or_else(|| StoreError::not_found(format!("lot {lot}")))
    }

    async fn lots_of_checkpoint(
        &self,
        code: &CheckpointCode,
    ) -> Result<Vec<LotPublic>, StoreError> {
        let rows: Vec<(i64, String, String)> = on_pool!(&self.db.read, |p| sqlx::query_as(
            "SELECT l.id, l.name, l.address FROM lots l \
             JOIN lot_checkpoints lc ON lc.lot_id = l.id \
             JOIN checkpoints c ON c.id = lc.checkpoint_id WHERE c.code = $1 ORDER BY l.id"
        )
        .bind(code.as_str())
        .fetch_all(p)
        .await?);
        Ok(rows
            .into_iter()
            .map(|r| LotPublic {
                id: r.0,
                name: r.1,
                address: r.2,
            })
            .collect())
    }

    async fn check_in(
        &self,
        grant: &LotWork,
        lot: i64,
        truck: &CheckIn,
        now_ms: i64,
    ) -> Result<Truck, StoreError> {
        lot_in(self, grant.division(), lot).await?;
        truck_sql::check_in(self, grant, lot, truck, now_ms).await
    }

    async fn lot_truck(&self, grant: &LotWork, lot: i64, truck: i64) -> Result<Truck, StoreError> {
        lot_in(self, grant.division(), lot).await?;
        truck_sql::truck_with_steps(self, lot, truck).await
    }

    async fn take_step(
        &self,
        grant: &LotWork,
        lot: i64,
        truck: i64,
        step: &Step,
        why: Option<&str>,
        now_ms: i64,
    ) -> Result<Truck, StoreError> {
        let l = lot_in(self, grant.division(), lot).await?;
        truck_sql::take_step(self, grant, &l, truck, step, why, now_ms).await
    }

    async fn lab_results_to_lots(&self, now_ms: i64) -> Result<u64, StoreError> {
        let mut recorded = 0;
        for (truck, lot, reading, by) in truck_sql::lab_results(self).await? {
            let reading = LotReading::parse(&reading).map_err(|_| corrupt("reading"))?;
            let lot = lot_in(self, None, lot).await?;
            let step = Step::Pcr(reading);
            // A truck whose steps no longer take a result (its driver isolated) is passed over.
            match truck_sql::write_step(self, &by, &lot, truck, &step, None, now_ms).await {
                Ok(_) => recorded += 1,
                Err(StoreError::Invalid(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(recorded)
    }

    fn bay_check(&self, lot: i64, bay: u32) -> String {
        bay_sql::check(self, lot, bay)
    }

    async fn bay_lot(&self, token: &BayToken) -> Result<LotPublic, StoreError> {
        bay_sql::bay_lot(self, token).await
    }

    async fn ask(
        &self,
        token: &BayToken,
        need: DriverNeed,
        now_ms: i64,
    ) -> Result<BayRequest, StoreError> {
        bay_sql::ask(self, token, need, now_ms).await
    }

    async fn bay_requests(
        &self,
        token: &BayToken,
        now_ms: i64,
    ) -> Result<Vec<BayRequest>, StoreError> {
        bay_sql::bay_requests(self, token, now_ms).await
    }

    async fn close_request(
        &self,
        grant: &LotWork,
        lot: i64,
        request: i64,
        now_ms: i64,
    ) -> Result<BayRequest, StoreError> {
        lot_in(self, grant.division(), lot).await?;
        bay_sql::close(self, grant, lot, request, now_ms).await
    }

    async fn freight_alerts(
        &self,
        grant: &LotWork,
        now_ms: i64,
    ) -> Result<Vec<FreightAlert>, StoreError> {
        let rows: Vec<AlertRow> = on_pool!(&self.db.read, |p| {
            let mut q = QueryBuilder::new(ALERT_SELECT);
            q.push(" AND (a.closed_at IS NULL OR a.closed_at >= ")
                .push_bind(now_ms - 7 * 86_400_000)
                .push(")");
            push_within(&mut q, "a.division", grant.division());
            q.push(" ORDER BY a.closed_at IS NOT NULL, a.raised_at DESC LIMIT 200");
            q.build_query_as().fetch_all(p).await?
        });
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            out.push(alert(self, r, now_ms).await?);
        }
        Ok(out)
    }

    async fn purge_freight(&self, before_ms: i64) -> Result<(u64, u64), StoreError> {
        retry(|| async move {
            on_pool!(&self.db.write, |p| {
                let mut tx = p.begin_write().await?;
                let trucks = sqlx::query(
                    "UPDATE lot_trucks SET plate = '', driver_sealed = NULL, \
                     handed_sealed = NULL, shown = '{}' WHERE left_at < $1 AND plate <> ''",
                )
                .bind(before_ms)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                sqlx::query(
                    "UPDATE freight_alerts SET plate = '' WHERE closed_at < $1 AND plate <> ''",
                )
                .bind(before_ms)
                .execute(&mut *tx)
                .await?;
                let passes = sqlx::query(
                    "UPDATE freight_passes SET drivers_sealed = $2, drivers_masked = '[]' \
                     WHERE valid_until < $1 AND drivers_masked <> '[]'",
                )
                .bind(before_ms)
                .bind(Vec::<u8>::new())
                .execute(&mut *tx)
                .await?
                .rows_affected();
                // Escorts over before it keep their route and officers, not their vehicles.
                sqlx::query(
                    "UPDATE escorts SET vehicles = '[]' WHERE closed_at < $1 AND vehicles <> '[]'",
                )
                .bind(before_ms)
                .execute(&mut *tx)
                .await?;
                // Applications decided before it keep what the command saw (masked), not the
                // drivers and contact as sent.
                sqlx::query(
                    "UPDATE freight_pass_applications SET sealed = NULL \
                     WHERE decided_at < $1 AND sealed IS NOT NULL",
                )
                .bind(before_ms)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok((trucks, passes))
            })
        })
        .await
    }

    async fn close_alert(
        &self,
        grant: &LotWork,
        id: i64,
        note: &str,
        now_ms: i64,
    ) -> Result<FreightAlert, StoreError> {
        let a = alert_in(self, grant, id, now_ms).await?;
        if a.closed_at.is_some() {
            return Err(StoreError::invalid(
                "alert_closed",
                "alert",
                "this alert was closed already",
            ));
        }
        let by = grant.username().as_str();
        let done: u64 = retry(|| async move {
            on_pool!(&self.db.write, |p| {
                let r = sqlx::query(
                    "UPDATE freight_alerts SET closed_at = $1, closed_by = $2, closed_note = $3 \
                     WHERE id = $4 AND closed_at IS NULL",
                )
                .bind(now_ms)
                .bind(by)
                .bind(note)
                .bind(id)
                .execute(p)
                .await?;
                Ok(r.rows_affected())
            })
        })
        .await?;
        if done == 0 {
            return Err(StoreError::invalid(
                "alert_closed",
                "alert",
                "this alert was closed already",
            ));
        }
        alert_in(self, grant, id, now_ms).await
    }
}
