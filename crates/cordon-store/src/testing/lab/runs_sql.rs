//! The SQL of runs: made with their controls, tubes placed in wells by scanning, steps recorded
//! in order, and the instrument's Ct values read by the run's assay; each one transaction
//! checked against the run as it reads it.

use std::collections::{BTreeMap, BTreeSet};

use cordon_domain::access::testing::LabWork;
use cordon_domain::division::DivisionCode;
use cordon_domain::testing::instrument::Cts;
use cordon_domain::testing::lab::{may_step, Assay, Reading, RunStep, Well};
use cordon_domain::testing::Barcode;

use super::lookup::{assay_version, corrupt, lab_area};
use super::{RunLine, RunView, StepDone, WellKind, WellView};
use crate::db::{on_pool, retry, BeginWrite};
use crate::store::SqlStore;
use crate::testing::division;
use crate::StoreError;

fn run_not_found(run: i64) -> StoreError {
    StoreError::not_found(format!("run {run}"))
}

fn kind(s: &str) -> Result<WellKind, StoreError> {
    match s {
        "tube" => Ok(WellKind::Tube),
        "negative" => Ok(WellKind::Negative),
        "positive" => Ok(WellKind::Positive),
        _ => Err(corrupt("well kind")),
    }
}

fn well(s: &str) -> Result<Well, StoreError> {
    Well::parse(s).map_err(|_| corrupt("well"))
}

fn step_of(s: &str) -> Result<RunStep, StoreError> {
    RunStep::parse(s).map_err(|_| corrupt("run step"))
}

/// A run as a write reads it: its lab, step and lab's area.
const RUN_FOR_WRITE: &str = "SELECT r.lab_id, r.step, l.area, r.assay_id FROM testing_runs r \
     JOIN testing_labs l ON l.id = r.lab_id WHERE r.id = $1";

type RunForWrite = (i64, String, i64, i64);

/// The run's lab, step and assay, if the account works for its lab.
fn served(
    grant: &LabWork,
    run: i64,
    found: Option<RunForWrite>,
) -> Result<RunForWrite, StoreError> {
    match found {
        Some(r) if division(r.2).is_ok_and(|a| grant.serves(a)) => Ok(r),
        _ => Err(run_not_found(run)),
    }
}

pub(super) async fn create(
    store: &SqlStore,
    grant: &LabWork,
    lab: i64,
    assay: i64,
    (negative, positive): (Well, Well),
    now_ms: i64,
) -> Result<RunView, StoreError> {
    lab_area(store, |a| grant.serves(a), lab).await?;
    let by = grant.username().as_str();
    let id = retry(|| async move {
        on_pool!(&store.db.write, |p| {
            let mut tx = p.begin_write().await?;
            let known: Option<(i64,)> =
                sqlx::query_as("SELECT id FROM testing_assays WHERE id = $1")
                    .bind(assay)
                    .fetch_optional(&mut *tx)
                    .await?;
            if known.is_none() {
                return Err(StoreError::invalid(
                    "unknown_assay",
                    "assay",
                    "no assay version of this number",
                ));
            }
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO testing_runs (lab_id, assay_id, step, made_by, made_at) \
                 VALUES ($1, $2, 'created', $3, $4) RETURNING id",
            )
            .bind(lab)
            .bind(assay)
            .bind(by)
            .bind(now_ms)
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO testing_run_steps (run_id, step, done_by, done_at) \
                 VALUES ($1, 'created', $2, $3)",
            )
            .bind(id)
            .bind(by)
            .bind(now_ms)
            .execute(&mut *tx)
            .await?;
            for (w, k) in [(negative, "negative"), (positive, "positive")] {
                sqlx::query(
                    "INSERT INTO testing_wells (run_id, well, kind, placed_by, placed_at) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(id)
                .bind(w.to_string())
                .bind(k)
                .bind(by)
                .bind(now_ms)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(id)
        })
    })
    .await?;
    Ok(view(store, id).await?.0)
}

pub(super) async fn place(
    store: &SqlStore,
    grant: &LabWork,
    run: i64,
    tube: &Barcode,
    at: Option<Well>,
    now_ms: i64,
) -> Result<RunView, StoreError> {
    let by = grant.username().as_str();
    retry(|| async move {
        on_pool!(&store.db.write, |p| {
            let mut tx = p.begin_write().await?;
            let found: Option<RunForWrite> = sqlx::query_as(RUN_FOR_WRITE)
                .bind(run)
                .fetch_optional(&mut *tx)
                .await?;
            let r = served(grant, run, found)?;
            if !step_of(&r.1)?.plating() {
                return Err(StoreError::invalid(
                    "plate_closed",
                    "barcode",
                    "this plate is sorted: tubes are placed before it is closed",
                ));
            }
            let t: Option<(i64, Option<i64>)> =
                sqlx::query_as("SELECT id, lab_id FROM testing_tubes WHERE barcode = $1")
                    .bind(tube.as_str())
                    .fetch_optional(&mut *tx)
                    .await?;
            let tube_id =
                match t {
                    Some((id, Some(lab))) if lab == r.0 => id,
                    _ => return Err(StoreError::invalid(
                        "not_received",
                        "barcode",
                        "this tube has not been received at this lab: scan it at the door first",
                    )),
                };
            let placed: Option<(i64,)> =
                sqlx::query_as("SELECT run_id FROM testing_wells WHERE tube_id = $1")
                    .bind(tube_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            match placed {
                Some((other,)) if other == run => return Ok(()),
                Some((other,)) => {
                    return Err(StoreError::invalid(
                        "on_another_plate",
                        "barcode",
                        format!("this tube stands on run {other}'s plate"),
                    ))
                }
                None => {}
            }
            let taken: Vec<(String,)> =
                sqlx::query_as("SELECT well FROM testing_wells WHERE run_id = $1")
                    .bind(run)
                    .fetch_all(&mut *tx)
                    .await?;
            let taken: BTreeSet<Well> =
                taken.iter().map(|(w,)| well(w)).collect::<Result<_, _>>()?;
            let w = match at {
                Some(w) if taken.contains(&w) => {
                    return Err(StoreError::invalid(
                        "well_taken",
                        "well",
                        format!("well {w} holds a tube or a control"),
                    ))
                }
                Some(w) => w,
                None => Well::all().find(|w| !taken.contains(w)).ok_or_else(|| {
                    StoreError::invalid(
                        "plate_full",
                        "barcode",
                        "every well holds a tube or a control: start another run",
                    )
                })?,
            };
            sqlx::query(
                "INSERT INTO testing_wells (run_id, well, kind, tube_id, placed_by, placed_at) \
                 VALUES ($1, $2, 'tube', $3, $4, $5)",
            )
            .bind(run)
            .bind(w.to_string())
            .bind(tube_id)
            .bind(by)
            .bind(now_ms)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(())
        })
    })
    .await?;
    Ok(view(store, run).await?.0)
}

pub(super) async fn step(
    store: &SqlStore,
    grant: &LabWork,
    run: i64,
    step: RunStep,
    now_ms: i64,
) -> Result<RunView, StoreError> {
    let by = grant.username().as_str();
    retry(|| async move {
        on_pool!(&store.db.write, |p| {
            let mut tx = p.begin_write().await?;
            let found: Option<RunForWrite> = sqlx::query_as(RUN_FOR_WRITE)
                .bind(run)
                .fetch_optional(&mut *tx)
                .await?;
            let r = served(grant, run, found)?;
            let (placed,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM testing_wells WHERE run_id = $1 AND kind = 'tube'",
            )
            .bind(run)
            .fetch_one(&mut *tx)
            .await?;
            may_step(step_of(&r.1)?, step, placed as u32).map_err(StoreError::Invalid)?;
            sqlx::query("UPDATE testing_runs SET step = $2 WHERE id = $1")
                .bind(run)
                .bind(step.as_str())
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO testing_run_steps (run_id, step, done_by, done_at) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(run)
            .bind(step.as_str())
            .bind(by)
            .bind(now_ms)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(())
        })
    })
    .await?;
    Ok(view(store, run).await?.0)
}

/// Wells named in a message: the first few.
fn named(wells: &[Well]) -> String {
    let mut s: Vec<String> = wells.iter().take(8).map(Well::to_string).collect();
    if wells.len() > 8 {
        s.push("…".into());
    }
    s.join(", ")
}

pub(super) async fn import(
    store: &SqlStore,
    grant: &LabWork,
    run: i64,
    cts: &Cts,
    now_ms: i64,
) -> Result<RunView, StoreError> {
    let by = grant.username().as_str();
    retry(|| async move {
        on_pool!(&store.db.write, |p| {
            let mut tx = p.begin_write().await?;
            let found: Option<RunForWrite> = sqlx::query_as(RUN_FOR_WRITE)
                .bind(run)
                .fetch_optional(&mut *tx)
                .await?;
            let r = served(grant, run, found)?;
            if !matches!(step_of(&r.1)?, RunStep::Amplified | RunStep::Resulted) {
                return Err(StoreError::invalid(
                    "not_amplified",
                    "file",
                    "results come after the run is amplified (and before it is released)",
                ));
            }
            let (definition,): (String,) =
                sqlx::query_as("SELECT definition FROM testing_assays WHERE id = $1")
                    .bind(r.3)
                    .fetch_one(&mut *tx)
                    .await?;
            let assay: Assay =
                serde_json::from_str(&definition).map_err(|_| corrupt("assay definition"))?;
            let rows: Vec<(String, String)> =
                sqlx::query_as("SELECT well, kind FROM testing_wells WHERE run_id = $1")
                    .bind(run)
                    .fetch_all(&mut *tx)
                    .await?;
            let plate: BTreeMap<Well, WellKind> = rows
                .iter()
                .map(|(w, k)| Ok((well(w)?, kind(k)?)))
                .collect::<Result<_, StoreError>>()?;
            let unknown: Vec<Well> = cts.keys().filter(|w| !plate.contains_key(w)).copied().collect();
            if !unknown.is_empty() {
                return Err(StoreError::invalid(
                    "unknown_well",
                    "file",
                    format!("the file has wells this plate leaves empty: {}", named(&unknown)),
                ));
            }
            let missing: Vec<Well> = plate.keys().filter(|w| !cts.contains_key(w)).copied().collect();
            if !missing.is_empty() {
                return Err(StoreError::invalid(
                    "missing_well",
                    "file",
                    format!("the file has no values for: {}", named(&missing)),
                ));
            }
            let mut controls_ok = true;
            for (w, k) in &plate {
                let values = &cts[w];
                let reading = assay.read(values);
                controls_ok &= match k {
                    WellKind::Negative => reading == Reading::Negative,
                    WellKind::Positive => reading == Reading::Positive,
                    WellKind::Tube => true,
                };
                let json = serde_json::to_string(values).map_err(|_| corrupt("cts"))?;
                sqlx::query(
                    "UPDATE testing_wells SET cts = $3, reading = $4 WHERE run_id = $1 AND well = $2",
                )
                .bind(run)
                .bind(w.to_string())
                .bind(json)
                .bind(reading.as_str())
                .execute(&mut *tx)
                .await?;
            }
            sqlx::query(
                "UPDATE testing_runs SET step = 'resulted', controls_ok = $2, resulted_by = $3 \
                 WHERE id = $1",
            )
            .bind(run)
            .bind(i64::from(controls_ok))
            .bind(by)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO testing_run_steps (run_id, step, done_by, done_at) \
                 VALUES ($1, 'resulted', $2, $3) ON CONFLICT (run_id, step) \
                 DO UPDATE SET done_by = excluded.done_by, done_at = excluded.done_at",
            )
            .bind(run)
            .bind(by)
            .bind(now_ms)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(())
        })
    })
    .await?;
    Ok(view(store, run).await?.0)
}

type RunCols = (
    i64,
    i64,
    String,
    i64,
    String,
    Option<i64>,
    String,
    i64,
    Option<String>,
    Option<String>,
    Option<i64>,
    i64,
);

type WellCols = (
    String,
    String,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<String>,
);

/// A run with its plate and steps, and its lab's area.
pub(super) async fn view(
    store: &SqlStore,
    run: i64,
) -> Result<(RunView, DivisionCode), StoreError> {
    let found: Option<RunCols> = on_pool!(&store.db.read, |p| {
        sqlx::query_as(
        "SELECT r.id, r.lab_id, l.name, r.assay_id, r.step, r.controls_ok, r.made_by, r.made_at, \
         r.resulted_by, r.released_by, r.released_at, l.area FROM testing_runs r \
         JOIN testing_labs l ON l.id = r.lab_id WHERE r.id = $1"
    )
    .bind(run)
    .fetch_optional(p)
    .await?
    });
    let Some(c) = found else {
        return Err(run_not_found(run));
    };
    let assay: (i64, String, String, i64) = on_pool!(&store.db.read, |p| sqlx::query_as(
        "SELECT id, definition, created_by, created_at FROM testing_assays WHERE id = $1"
    )
    .bind(c.3)
    .fetch_one(p)
    .await?);
    let steps: Vec<(String, String, i64)> = on_pool!(&store.db.read, |p| {
        sqlx::query_as(
        "SELECT step, done_by, done_at FROM testing_run_steps WHERE run_id = $1 ORDER BY done_at"
    )
    .bind(run)
    .fetch_all(p)
    .await?
    });
    let wells: Vec<WellCols> = on_pool!(&store.db.read, |p| sqlx::query_as(
        "SELECT w.well, w.kind, t.barcode, t.members, w.cts, w.reading FROM testing_wells w \
         LEFT JOIN testing_tubes t ON t.id = w.tube_id WHERE w.run_id = $1"
    )
    .bind(run)
    .fetch_all(p)
    .await?);
    let mut wells = wells
        .into_iter()
        .map(|(w, k, barcode, members, cts, reading)| {
            Ok(WellView {
                well: well(&w)?,
                kind: kind(&k)?,
                tube: barcode,
                persons: members.map(|m| m as u32),
                cts: match cts {
                    Some(j) => Some(serde_json::from_str(&j).map_err(|_| corrupt("cts"))?),
                    None => None,
                },
                reading: match reading {
                    Some(r) => Some(Reading::parse(&r).map_err(|_| corrupt("reading"))?),
                    None => None,
                },
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    wells.sort_by_key(|w| w.well);
    let steps = steps
        .into_iter()
        .map(|(s, by, at)| {
            Ok(StepDone {
                step: step_of(&s)?,
                by,
                at_ms: at,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    Ok((
        RunView {
            id: c.0,
            lab: c.1,
            lab_name: c.2,
            assay: assay_version(assay)?,
            step: step_of(&c.4)?,
            controls_ok: c.5.map(|v| v != 0),
            made_by: c.6,
            made_at_ms: c.7,
            resulted_by: c.8,
            released_by: c.9,
            released_at_ms: c.10,
            steps,
            wells,
        },
        division(c.11)?,
    ))
}

type LineCols = (
    i64,
    i64,
    String,
    i64,
    i64,
    Option<i64>,
    String,
    i64,
    Option<i64>,
);

/// A lab's runs, newest first.
pub(super) async fn lines(
    store: &SqlStore,
    lab: i64,
    limit: i64,
) -> Result<Vec<RunLine>, StoreError> {
    let rows: Vec<LineCols> = on_pool!(&store.db.read, |p| sqlx::query_as(
        "SELECT r.id, r.lab_id, r.step, \
         (SELECT COUNT(*) FROM testing_wells w WHERE w.run_id = r.id AND w.kind = 'tube'), \
         (SELECT COUNT(*) FROM testing_wells w WHERE w.run_id = r.id AND w.kind = 'tube' \
          AND w.reading IN ('positive', 'inconclusive')), \
         r.controls_ok, r.made_by, r.made_at, r.released_at FROM testing_runs r \
         WHERE r.lab_id = $1 ORDER BY r.id DESC LIMIT $2"
    )
    .bind(lab)
    .bind(limit)
    .fetch_all(p)
    .await?);
    rows.into_iter()
        .map(|c| {
            Ok(RunLine {
                id: c.0,
                lab: c.1,
                step: step_of(&c.2)?,
                tubes: c.3,
                positives: c.4,
                controls_ok: c.5.map(|v| v != 0),
                made_by: c.6,
                made_at_ms: c.7,
                released_at_ms: c.8,
            })
        })
        .collect()
}
