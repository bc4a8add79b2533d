//! Trucks in a lot: checked in (linked to the lane's passage that sent them), their steps taken
//! one at a time (a step is written only if the truck is still as it was read, so two staff
//! tapping at once never skip or repeat one), and the lanes' trucks on their way.

use cordon_domain::access::freight::LotWork;
use cordon_domain::checkpoint::CheckpointCode;
use cordon_domain::freight::alert::{AlertKind, SeenAt};
use cordon_domain::freight::lot::Lot;
use cordon_domain::freight::truck::{
    advance, next_steps, pcr_at_lab, released_on, CheckIn, HandOverShown, LotReading, LotStep,
    ReleasedOn, SentTruck, Step, Truck, TruckFacts, TruckShown, TruckState, TruckStep,
    ANTIGEN_WAIT_MS, SENT_WITHIN_MS,
};
use cordon_domain::passage::Action;
use cordon_domain::time::from_ms;
use sqlx::QueryBuilder;
use uuid::Uuid;

use super::rows::{corrupt, AlertDetail, BUMP};
use crate::db::{on_pool, push_list, retry, BeginWrite};
use crate::store::SqlStore;
use crate::StoreError;

const TRUCK_COLS: &str = "t.id, t.lot_id, t.plate, t.state, t.bay, t.arrived_at, t.changed_at, \
     t.sampled_at, t.antigen, t.pcr_tube, t.pcr, t.released_on, t.left_at, t.passage_id, \
     t.from_checkpoint, t.shown";
type TruckRow = (
    i64,
    i64,
    String,
    String,
    Option<i64>,
    i64,
    i64,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<Uuid>,
    Option<String>,
    String,
);

fn reading(s: Option<String>) -> Result<Option<LotReading>, StoreError> {
    s.map(|s| LotReading::parse(&s).map_err(|_| corrupt("reading")))
        .transpose()
}

fn facts(r: &TruckRow) -> Result<TruckFacts, StoreError> {
    Ok(TruckFacts {
        state: TruckState::parse(&r.3).map_err(|_| corrupt("state"))?,
        sampled_ms: r.7,
        pcr_taken: r.9.is_some(),
        pcr: reading(r.10.clone())?,
    })
}

fn truck(r: TruckRow) -> Result<Truck, StoreError> {
    let f = facts(&r)?;
    let shown: TruckShown = serde_json::from_str(&r.15).map_err(|_| corrupt("truck"))?;
    Ok(Truck {
        id: r.0,
        lot: r.1,
        plate: r.2,
        state: f.state,
        bay: r.4.map(|b| b as u32),
        arrived_at: from_ms(r.5),
        changed_at: from_ms(r.6),
        sampled_at: r.7.map(from_ms),
        antigen_due: r
            .7
            .filter(|_| f.state == TruckState::Sampled)
            .map(|s| from_ms(s + ANTIGEN_WAIT_MS)),
        antigen: reading(r.8)?,
        pcr_tube: r.9,
        pcr: f.pcr,
        pcr_at_lab: false,
        released_on: r
            .11
            .map(|s| ReleasedOn::parse(&s).map_err(|_| corrupt("release")))
            .transpose()?,
        left_at: r.12.map(from_ms),
        passage: r.13,
        from_checkpoint: r
            .14
            .map(|c| CheckpointCode::parse(&c).map_err(|_| corrupt("checkpoint")))
            .transpose()?,
        driver: shown.driver,
        handed_to: shown.handed_to,
        destination: shown.destination,
        next: next_steps(&f),
        steps: Vec::new(),
    })
}

async fn truck_row(store: &SqlStore, lot: i64, id: i64) -> Result<TruckRow, StoreError> {
    let row: Option<TruckRow> = on_pool!(&store.db.write, |p| sqlx::query_as(&format!(
        "SELECT {TRUCK_COLS} FROM lot_trucks t WHERE t.id = $1 AND t.lot_id = $2"
    ))
    .bind(id)
    .bind(lot)
    .fetch_optional(p)
    .await?);
    row.ok_or_else(|| StoreError::not_found(format!("truck {id}")))
}

/// The trucks in the lot, and those that left in the last 24 hours.
pub(super) async fn board_trucks(
    store: &SqlStore,
    lot: i64,
    now_ms: i64,
) -> Result<Vec<Truck>, StoreError> {
    let rows: Vec<TruckRow> = on_pool!(&store.db.read, |p| sqlx::query_as(&format!(
        "SELECT {TRUCK_COLS} FROM lot_trucks t WHERE t.lot_id = $1 \
         AND (t.present IS NOT NULL OR t.left_at >= $2) \
         ORDER BY t.present IS NULL, t.bay IS NULL, t.bay, t.arrived_at LIMIT 20000"
    ))
    .bind(lot)
    .bind(now_ms - 86_400_000)
    .fetch_all(p)
    .await?);
    let mut trucks: Vec<Truck> = rows.into_iter().map(truck).collect::<Result<_, _>>()?;
    mark_lab_tubes(store, &mut trucks).await?;
    Ok(trucks)
}

/// Marks the trucks whose PCR tube the testing records hold (the lab's release records their
/// result).
async fn mark_lab_tubes(store: &SqlStore, trucks: &mut [Truck]) -> Result<(), StoreError> {
    let codes: Vec<&str> = trucks
        .iter()
        .filter_map(|t| t.pcr_tube.as_deref())
        .collect();
    if codes.is_empty() {
        return Ok(());
    }
    let mut known = std::collections::HashSet::new();
    for chunk in codes.chunks(500) {
        let found: Vec<String> = on_pool!(&store.db.read, |p| {
            let mut q = QueryBuilder::new("SELECT barcode FROM testing_tubes WHERE barcode IN ");
            push_list(&mut q, chunk.iter().copied());
            q.build_query_scalar().fetch_all(p).await?
        });
        known.extend(found);
    }
    for t in trucks.iter_mut() {
        if t.pcr_tube.as_ref().is_some_and(|c| known.contains(c)) {
            t.at_lab();
        }
    }
    Ok(())
}

/// Whether the testing records hold a tube of this code.
async fn at_lab(store: &SqlStore, code: &str) -> Result<bool, StoreError> {
    let found: Option<i64> = on_pool!(&store.db.write, |p| sqlx::query_scalar(
        "SELECT id FROM testing_tubes WHERE barcode = $1"
    )
    .bind(code)
    .fetch_optional(p)
    .await?);
    Ok(found.is_some())
}

/// A step: kind, state, when, by whom, why, detail.
type StepRow = (String, String, i64, String, Option<String>, Option<String>);

pub(super) async fn truck_with_steps(
    store: &SqlStore,
    lot: i64,
    id: i64,
) -> Result<Truck, StoreError> {
    let mut t = truck(truck_row(store, lot, id).await?)?;
    mark_lab_tubes(store, std::slice::from_mut(&mut t)).await?;
    let steps: Vec<StepRow> = on_pool!(&store.db.write, |p| sqlx::query_as(
        "SELECT step, state, at, by_name, why, detail FROM lot_truck_steps \
             WHERE truck_id = $1 ORDER BY seq"
    )
    .bind(id)
    .fetch_all(p)
    .await?);
    t.steps = steps
        .into_iter()
        .map(|s| {
            Ok(TruckStep {
                step: LotStep::parse(&s.0).map_err(|_| corrupt("step"))?,
                state: TruckState::parse(&s.1).map_err(|_| corrupt("state"))?,
                at: from_ms(s.2),
                by: s.3,
                why: s.4,
                detail: s.5,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    Ok(t)
}

fn sends_to_lot(decision: &[u8]) -> bool {
    crate::passage::words::actions(decision).is_ok_and(|a| a.contains(&Action::HoldingLot))
}

type SentRow = (Uuid, Option<String>, String, String, i64, i64, Vec<u8>);

/// The passages of the lot's checkpoints in the last 24 hours that sent a truck here (of one
/// plate when given), latest first, with those already checked in left out.
async fn sent_rows(
    store: &SqlStore,
    lot: i64,
    plate: Option<&str>,
    now_ms: i64,
) -> Result<Vec<SentTruck>, StoreError> {
    let from = now_ms - SENT_WITHIN_MS;
    let checkpoint_ids: Vec<i64> = on_pool!(&store.db.read, |p| sqlx::query_scalar(
        "SELECT checkpoint_id FROM lot_checkpoints WHERE lot_id = $1"
    )
    .bind(lot)
    .fetch_all(p)
    .await?);
    if checkpoint_ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<SentRow> = on_pool!(&store.db.read, |p| {
        let mut q = QueryBuilder::new(
            "SELECT p.id, p.plate, c.code, c.name, p.observed_at, p.persons, p.decision \
             FROM passages p JOIN checkpoints c ON c.id = p.checkpoint_id \
             WHERE p.checkpoint_id IN ",
        );
        push_list(&mut q, checkpoint_ids.iter().copied());
        q.push(" AND p.observed_at >= ").push_bind(from);
        q.push(" AND p.observed_at <= ").push_bind(now_ms);
        // Only a held truck is sent to a lot (the policy refuses `holding_lot` with any other
        // outcome): the partial index `passages_held` holds just those.
        q.push(" AND p.outcome = 'hold'");
        match plate {
            Some(plate) => {
                q.push(" AND p.plate = ").push_bind(plate.to_owned());
            }
            None => {
                q.push(" AND p.plate IS NOT NULL");
            }
        }
        q.push(
            " AND NOT EXISTS (SELECT 1 FROM lot_trucks t WHERE t.passage_id = p.id) \
             ORDER BY p.observed_at DESC LIMIT 2000",
        );
        q.build_query_as().fetch_all(p).await?
    });
    let mut out: Vec<SentTruck> = Vec::new();
    for r in rows {
        let Some(plate) = r.1 else { continue };
        if !sends_to_lot(&r.6) || out.iter().any(|s| s.plate == plate) {
            continue;
        }
        out.push(SentTruck {
            passage: r.0,
            plate,
            checkpoint: CheckpointCode::parse(&r.2).map_err(|_| corrupt("checkpoint"))?,
            checkpoint_name: r.3,
            observed_at: from_ms(r.4),
            persons: r.5,
        });
    }
    Ok(out)
}

/// The trucks the lanes sent here in the last 24 hours that are not in (nor were in) the lot.
pub(super) async fn sent_to(
    store: &SqlStore,
    lot: i64,
    now_ms: i64,
) -> Result<Vec<SentTruck>, StoreError> {
    let mut sent = sent_rows(store, lot, None, now_ms).await?;
    let present: Vec<String> = on_pool!(&store.db.read, |p| sqlx::query_scalar(
        "SELECT plate FROM lot_trucks WHERE lot_id = $1 AND present IS NOT NULL"
    )
    .bind(lot)
    .fetch_all(p)
    .await?);
    sent.retain(|s| !present.contains(&s.plate));
    Ok(sent)
}

fn context(id: i64) -> Vec<u8> {
    format!("lot truck {id}").into_bytes()
}

fn already_in() -> StoreError {
    StoreError::invalid(
        "already_in_lot",
        "plate",
        "this truck is in the lot already",
    )
}

pub(super) async fn check_in(
    store: &SqlStore,
    grant: &LotWork,
    lot: i64,
    c: &CheckIn,
    now_ms: i64,
) -> Result<Truck, StoreError> {
    let plate = c.plate.as_str();
    let sent = sent_rows(store, lot, Some(plate), now_ms)
        .await?
        .into_iter()
        .next();
    let shown = TruckShown {
        driver: c.driver.as_ref().map(|d| d.masked()),
        ..Default::default()
    };
    let shown = serde_json::to_string(&shown).expect("strings serialise");
    let clear = c
        .driver
        .as_ref()
        .map(|d| serde_json::to_vec(&d.clear()).expect("strings serialise"));
    let detail = sent.as_ref().map(|s| s.checkpoint.as_str().to_owned());
    let by = grant.username().as_str();
    let (sent, shown, clear, detail) = (&sent, &shown, &clear, &detail);
    let id = retry(|| async move {
        on_pool!(&store.db.write, |p| {
            let mut tx = p.begin_write().await?;
            let here: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM lot_trucks WHERE lot_id = $1 AND plate = $2 AND present IS NOT NULL",
            )
            .bind(lot)
            .bind(plate)
            .fetch_optional(&mut *tx)
            .await?;
            if here.is_some() {
                return Err(already_in());
            }
            let inserted = sqlx::query_scalar(
                "INSERT INTO lot_trucks (lot_id, plate, state, present, arrived_at, changed_at, \
                 passage_id, from_checkpoint, shown) VALUES ($1, $2, 'arrived', 1, $3, $3, $4, \
                 $5, $6) RETURNING id",
            )
            .bind(lot)
            .bind(plate)
            .bind(now_ms)
            .bind(sent.as_ref().map(|s| s.passage))
            .bind(sent.as_ref().map(|s| s.checkpoint.as_str().to_owned()))
            .bind(shown.as_str())
            .fetch_one(&mut *tx)
            .await;
            let id: i64 = match inserted {
                Ok(id) => id,
                Err(e) if StoreError::is_unique_violation(&e) => return Err(already_in()),
                Err(e) => return Err(e.into()),
            };
            if let Some(clear) = clear {
                sqlx::query("UPDATE lot_trucks SET driver_sealed = $1 WHERE id = $2")
                    .bind(store.keyring.seal(&context(id), clear))
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query(
                "INSERT INTO lot_truck_steps (truck_id, seq, step, state, at, by_name, why, \
                 detail) VALUES ($1, 1, 'check_in', 'arrived', $2, $3, NULL, $4)",
            )
            .bind(id)
            .bind(now_ms)
            .bind(by)
            .bind(detail.clone())
            .execute(&mut *tx)
            .await?;
            sqlx::query(BUMP).bind(lot).execute(&mut *tx).await?;
            tx.commit().await?;
            Ok(id)
        })
    })
    .await?;
    truck_with_steps(store, lot, id).await
}

/// Where and when the lane's passage that sent the truck was made.
async fn sent_from(store: &SqlStore, passage: Option<Uuid>) -> Result<Option<SeenAt>, StoreError> {
    let Some(passage) = passage else {
        return Ok(None);
    };
    let row: Option<(String, String, i64)> = on_pool!(&store.db.read, |p| sqlx::query_as(
        "SELECT c.code, c.name, p.observed_at FROM passage_core p \
         JOIN checkpoints c ON c.id = p.checkpoint_id WHERE p.id = $1"
    )
    .bind(passage)
    .fetch_optional(p)
    .await?);
    row.map(|r| {
        Ok(SeenAt {
            checkpoint: CheckpointCode::parse(&r.0).map_err(|_| corrupt("checkpoint"))?,
            checkpoint_name: r.1,
            at: from_ms(r.2),
        })
    })
    .transpose()
}

fn bay_taken(bay: u32) -> StoreError {
    StoreError::invalid("bay_taken", "bay", format!("bay {bay} holds another truck"))
}

/// What a step writes besides its state.
struct Change {
    bay: Option<i64>,
    sampled_at: Option<i64>,
    antigen: Option<String>,
    pcr_tube: Option<String>,
    pcr: Option<String>,
    released_on: Option<String>,
    shown: String,
    handed_sealed: Option<Vec<u8>>,
    detail: Option<String>,
}

fn change(r: &TruckRow, f: &TruckFacts, step: &Step, now_ms: i64, store: &SqlStore) -> Change {
    let mut shown: TruckShown = serde_json::from_str(&r.15).unwrap_or_default();
    let mut c = Change {
        bay: r.4,
        sampled_at: r.7,
        antigen: r.8.clone(),
        pcr_tube: r.9.clone(),
        pcr: r.10.clone(),
        released_on: r.11.clone(),
        shown: String::new(),
        handed_sealed: None,
        detail: None,
    };
    match step {
        Step::Park { bay } => {
            c.bay = Some(i64::from(*bay));
            c.detail = Some(bay.to_string());
        }
        Step::Sample { pcr_tube } => {
            c.sampled_at = Some(now_ms);
            c.antigen = None;
            c.pcr_tube = pcr_tube.clone().or(c.pcr_tube);
            c.detail = c.pcr_tube.clone();
        }
        Step::Antigen(r) => {
            c.antigen = Some(r.as_str().to_owned());
            c.detail = Some(r.as_str().to_owned());
        }
        Step::Pcr(r) => {
            c.pcr = Some(r.as_str().to_owned());
            c.detail = Some(r.as_str().to_owned());
        }
        Step::Release => {
            let on = released_on(f);
            c.released_on = Some(on.as_str().to_owned());
            c.detail = Some(on.as_str().to_owned());
        }
        Step::HandOver { plate, driver } => {
            shown.handed_to = Some(HandOverShown {
                plate: plate.as_str().to_owned(),
                driver: driver.masked(),
            });
            let clear = serde_json::to_vec(&HandOverShown {
                plate: plate.as_str().to_owned(),
                driver: driver.clear(),
            })
            .expect("strings serialise");
            c.handed_sealed = Some(store.keyring.seal(&context(r.0), &clear));
            c.released_on = Some(released_on(f).as_str().to_owned());
            c.detail = Some(plate.as_str().to_owned());
        }
        Step::EscortOut { destination } => {
            shown.destination = Some(destination.clone());
            c.released_on = Some(released_on(f).as_str().to_owned());
            c.detail = Some(destination.clone());
        }
        Step::Isolate | Step::TurnBack => {}
    }
    c.shown = serde_json::to_string(&shown).expect("strings serialise");
    c
}

/// A step taken by a lot's staff: a PCR result by hand only for a tube the testing records do
/// not hold.
pub(super) async fn take_step(
    store: &SqlStore,
    grant: &LotWork,
    lot: &Lot,
    id: i64,
    step: &Step,
    why: Option<&str>,
    now_ms: i64,
) -> Result<Truck, StoreError> {
    if let Step::Pcr(_) = step {
        let r = truck_row(store, lot.id, id).await?;
        if let Some(code) = &r.9 {
            if at_lab(store, code).await? {
                return Err(StoreError::Invalid(pcr_at_lab()));
            }
        }
    }
    write_step(store, grant.username().as_str(), lot, id, step, why, now_ms).await
}

/// A PCR reading released by a lab: the truck and its lot, the reading, who released it.
pub(super) type LabResult = (i64, i64, String, String);

/// The PCR results the labs have released for the tubes of lots' trucks that do not have them
/// yet, each with the account that released its run.
pub(super) async fn lab_results(store: &SqlStore) -> Result<Vec<LabResult>, StoreError> {
    let found: Vec<LabResult> = on_pool!(&store.db.write, |p| sqlx::query_as(
        "SELECT t.id, t.lot_id, x.reading, r.released_by FROM lot_trucks t \
         JOIN testing_tubes x ON x.barcode = t.pcr_tube \
         JOIN testing_wells w ON w.tube_id = x.id \
         JOIN testing_runs r ON r.id = w.run_id \
         WHERE t.pcr IS NULL AND t.pcr_tube IS NOT NULL AND x.released_at IS NOT NULL \
         AND x.reading IN ('negative', 'positive') AND r.released_by IS NOT NULL"
    )
    .fetch_all(p)
    .await?);
    Ok(found)
}

/// Writes a step by `by` if the truck is still as it was read.
pub(super) async fn write_step(
    store: &SqlStore,
    by: &str,
    lot: &Lot,
    id: i64,
    step: &Step,
    why: Option<&str>,
    now_ms: i64,
) -> Result<Truck, StoreError> {
    if let Step::Park { bay } = step {
        if *bay == 0 || *bay > lot.bays {
            return Err(StoreError::invalid(
                "no_such_bay",
                "bay",
                format!("this lot's bays are 1 to {}", lot.bays),
            ));
        }
    }
    // A step is written only if the truck is as it was read; another staff member's step in
    // between reads it again.
    for _ in 0..5 {
        let r = truck_row(store, lot.id, id).await?;
        let f = facts(&r)?;
        let to = advance(&f, step, now_ms).map_err(StoreError::Invalid)?;
        let c = change(&r, &f, step, now_ms, store);
        let left = to.is_final() && !f.state.is_final();
        let alert = matches!(step, Step::Pcr(LotReading::Positive)) && f.state.is_final();
        let detail = if alert {
            let d = AlertDetail {
                sent_from: sent_from(store, r.13).await?,
                left_ms: r.12,
                ..AlertDetail::default()
            };
            Some(serde_json::to_string(&d).expect("plain values serialise"))
        } else {
            None
        };
        let (r, c, detail) = (&r, &c, &detail);
        let written: bool = retry(|| async move {
            on_pool!(&store.db.write, |p| {
                let mut tx = p.begin_write().await?;
                if let Step::Park { bay } = step {
                    let other: Option<i64> = sqlx::query_scalar(
                        "SELECT id FROM lot_trucks WHERE lot_id = $1 AND bay = $2 \
                         AND present IS NOT NULL AND id <> $3",
                    )
                    .bind(lot.id)
                    .bind(i64::from(*bay))
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?;
                    if other.is_some() {
                        return Err(bay_taken(*bay));
                    }
                }
                let mut q = QueryBuilder::new("UPDATE lot_trucks SET state = ");
                q.push_bind(to.as_str())
                    .push(", changed_at = ")
                    .push_bind(now_ms)
                    .push(", bay = ")
                    .push_bind(c.bay)
                    .push(", sampled_at = ")
                    .push_bind(c.sampled_at)
                    .push(", antigen = ")
                    .push_bind(c.antigen.clone())
                    .push(", pcr_tube = ")
                    .push_bind(c.pcr_tube.clone())
                    .push(", pcr = ")
                    .push_bind(c.pcr.clone())
                    .push(", released_on = ")
                    .push_bind(c.released_on.clone())
                    .push(", shown = ")
                    .push_bind(c.shown.clone());
                if let Some(sealed) = &c.handed_sealed {
                    q.push(", handed_sealed = ").push_bind(sealed.clone());
                }
                if left {
                    q.push(", present = NULL, left_at = ").push_bind(now_ms);
                }
                q.push(" WHERE id = ")
                    .push_bind(id)
                    .push(" AND changed_at = ")
                    .push_bind(r.6)
                    .push(" AND state = ")
                    .push_bind(r.3.clone());
                let done = match q.build().execute(&mut *tx).await {
                    Ok(d) => d.rows_affected(),
                    Err(e) if StoreError::is_unique_violation(&e) => {
                        let bay = c.bay.unwrap_or_default() as u32;
                        return Err(bay_taken(bay));
                    }
                    Err(e) => return Err(e.into()),
                };
                if done == 0 {
                    return Ok(false);
                }
                let seq: i64 = sqlx::query_scalar(
                    "SELECT COALESCE(MAX(seq), 0) + 1 FROM lot_truck_steps WHERE truck_id = $1",
                )
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO lot_truck_steps (truck_id, seq, step, state, at, by_name, why, \
                     detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(id)
                .bind(seq)
                .bind(step.kind().as_str())
                .bind(to.as_str())
                .bind(now_ms)
                .bind(by)
                .bind(why)
                .bind(c.detail.clone())
                .execute(&mut *tx)
                .await?;
                if let Some(detail) = detail {
                    sqlx::query(
                        "INSERT INTO freight_alerts (kind, division, plate, lot_id, truck_id, \
                         detail, raised_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
                         ON CONFLICT DO NOTHING",
                    )
                    .bind(AlertKind::PcrPositiveAfterRelease.as_str())
                    .bind(i64::from(lot.division.value()))
                    .bind(r.2.as_str())
                    .bind(lot.id)
                    .bind(id)
                    .bind(detail.as_str())
                    .bind(now_ms)
                    .execute(&mut *tx)
                    .await?;
                }
                sqlx::query(BUMP).bind(lot.id).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(true)
            })
        })
        .await?;
        if written {
            return truck_with_steps(store, lot.id, id).await;
        }
    }
    Err(StoreError::Unavailable(
        "this truck keeps changing; try again".into(),
    ))
}
