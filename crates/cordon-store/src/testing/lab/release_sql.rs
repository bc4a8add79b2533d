//! The SQL of a run's release: by a second person, once its controls read as they must, each
//! tube's reading written in one set-wide statement (each person's result is read from their
//! tube, never copied: `results_sql::result_case`); and the persons it recalls, for their recall
//! list.

use cordon_domain::access::testing::{LabWork, TestingRead};
use cordon_domain::identity::{DocumentType, MaskedDocument};
use cordon_domain::testing::lab::{MemberResult, RunStep};
use cordon_domain::testing::Barcode;

use super::lookup::corrupt;
use super::runs_sql::view;
use super::{RecallPerson, Released, Retest};
use crate::db::{on_pool, retry, BeginWrite};
use crate::store::SqlStore;
use crate::testing::division;
use crate::testing::results_sql::result_case;
use crate::StoreError;

type RunCols = (String, i64, Option<i64>, String, Option<String>);

/// Tubes, persons and persons recalled (or found positive) of a released run.
async fn counts(store: &SqlStore, run: i64) -> Result<(i64, i64, i64), StoreError> {
    let c: (i64, i64, i64) = on_pool!(&store.db.read, |p| {
        sqlx::query_as(
        "SELECT COUNT(DISTINCT m.tube_id), COUNT(*), \
         COALESCE(SUM(CASE WHEN t.reading = 'negative' THEN 0 ELSE 1 END), 0) \
         FROM testing_members m JOIN testing_wells w ON w.tube_id = m.tube_id \
         JOIN testing_tubes t ON t.id = m.tube_id WHERE w.run_id = $1 AND t.released_at IS NOT NULL"
    )
    .bind(run)
    .fetch_one(p)
    .await?
    });
    Ok(c)
}

pub(super) async fn release(
    store: &SqlStore,
    grant: &LabWork,
    run: i64,
    now_ms: i64,
) -> Result<Released, StoreError> {
    let by = grant.username().as_str();
    let already = retry(|| async move {
        on_pool!(&store.db.write, |p| {
            let mut tx = p.begin_write().await?;
            let found: Option<RunCols> = sqlx::query_as(
                "SELECT r.step, l.area, r.controls_ok, r.made_by, r.resulted_by \
                 FROM testing_runs r JOIN testing_labs l ON l.id = r.lab_id WHERE r.id = $1",
            )
            .bind(run)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(r) = found.filter(|r| division(r.1).is_ok_and(|a| grant.serves(a))) else {
                return Err(StoreError::not_found(format!("run {run}")));
            };
            match RunStep::parse(&r.0).map_err(|_| corrupt("run step"))? {
                RunStep::Released => return Ok(true),
                RunStep::Resulted => {}
                _ => {
                    return Err(StoreError::invalid(
                        "not_resulted",
                        "run",
                        "the run has no results yet: import the instrument's file first",
                    ))
                }
            }
            if r.2 != Some(1) {
                return Err(StoreError::invalid(
                    "controls_failed",
                    "run",
                    "the controls did not read as they must: the run is not released",
                ));
            }
            if r.3 == by || r.4.as_deref() == Some(by) {
                return Err(StoreError::invalid(
                    "own_run",
                    "run",
                    "a run is released by a second person: not the one who made it or read its results",
                ));
            }
            // One statement for the whole plate, whatever its size, joined from the run's wells.
            // Each person's result is not copied: it is read from their tube (`result_case`).
            sqlx::query(
                "UPDATE testing_tubes SET released_at = $2, reading = w.reading \
                 FROM testing_wells w \
                 WHERE w.run_id = $1 AND w.kind = 'tube' AND w.tube_id = testing_tubes.id",
            )
            .bind(run)
            .bind(now_ms)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "UPDATE testing_runs SET step = 'released', released_by = $2, released_at = $3 \
                 WHERE id = $1",
            )
            .bind(run)
            .bind(by)
            .bind(now_ms)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO testing_run_steps (run_id, step, done_by, done_at) \
                 VALUES ($1, 'released', $2, $3)",
            )
            .bind(run)
            .bind(by)
            .bind(now_ms)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(false)
        })
    })
    .await?;
    let (tubes, persons, recalled) = counts(store, run).await?;
    Ok(Released {
        run: view(store, run).await?.0,
        tubes,
        persons,
        recalled,
        already,
    })
}

type RecallCols = (
    String,
    String,
    String,
    String,
    Option<Vec<u8>>,
    i64,
    i64,
    Option<Vec<u8>>,
    String,
    Option<String>,
    Option<String>,
    String,
);

pub(super) async fn recalled(
    store: &SqlStore,
    grant: &TestingRead,
    run: i64,
) -> Result<Vec<RecallPerson>, StoreError> {
    let (seen, area) = view(store, run).await?;
    if !grant.sees(area) {
        return Err(StoreError::not_found(format!("run {run}")));
    }
    let rows: Vec<RecallCols> = on_pool!(&store.db.read, |p| sqlx::query_as(&format!(
        "SELECT t.barcode, m.person_key, m.document_type, m.masked_number, m.sealed, c.area, \
         c.id, r.sealed, {}, r.compound, r.building, m.masked_name FROM testing_wells w \
         JOIN testing_tubes t ON t.id = w.tube_id \
         JOIN testing_members m ON m.tube_id = t.id \
         JOIN testing_sites s ON s.id = t.site_id \
         JOIN testing_campaigns c ON c.id = s.campaign_id \
         LEFT JOIN testing_roster r ON r.campaign_id = c.id AND r.person_key = m.person_key \
         WHERE w.run_id = $1 AND t.released_at IS NOT NULL AND t.reading <> 'negative' \
         ORDER BY t.barcode, m.bound_at, m.person_key",
        result_case()
    ))
    .bind(run)
    .fetch_all(p)
    .await?);
    let released = seen.released_at_ms.unwrap_or(i64::MAX);
    let keys: Vec<&str> = rows.iter().map(|c| c.1.as_str()).collect();
    let mut retests = retests(store, &keys, released).await?;
    rows.into_iter()
        .map(|c| {
            Ok(RecallPerson {
                retest: retests.remove(&c.1),
                barcode: Barcode::parse(&c.0).map_err(|_| corrupt("barcode"))?,
                person_key: c.1,
                masked_name: c.11,
                document: MaskedDocument {
                    kind: DocumentType::parse(&c.2).map_err(|_| corrupt("document type"))?,
                    number: c.3,
                },
                sealed: c.4,
                area: division(c.5)?,
                campaign: c.6,
                roster_sealed: c.7,
                home: c.9.map(|compound| match c.10.as_deref() {
                    Some(b) if !b.is_empty() => format!("{compound} {b}"),
                    _ => compound,
                }),
                result: MemberResult::parse(&c.8).map_err(|_| corrupt("result"))?,
            })
        })
        .collect()
}

/// Each of `persons`' first sample after `after_ms` (a recall's release): their re-test.
async fn retests(
    store: &SqlStore,
    persons: &[&str],
    after_ms: i64,
) -> Result<std::collections::HashMap<String, Retest>, StoreError> {
    let mut found = std::collections::HashMap::new();
    for chunk in persons.chunks(crate::db::IDS_PER_QUERY) {
        let marks: Vec<String> = (2..chunk.len() + 2).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT m.person_key, t.barcode, m.bound_at, \
             CASE WHEN t.released_at IS NULL THEN NULL ELSE {} END \
             FROM testing_members m JOIN testing_tubes t ON t.id = m.tube_id \
             WHERE m.bound_at > $1 AND m.person_key IN ({}) ORDER BY m.bound_at DESC",
            result_case(),
            marks.join(", ")
        );
        let rows: Vec<(String, String, i64, Option<String>)> = on_pool!(&store.db.read, |p| {
            let mut q = sqlx::query_as(&sql).bind(after_ms);
            for k in chunk {
                q = q.bind(*k);
            }
            q.fetch_all(p).await?
        });
        // Newest first: the earliest after the release is the one kept.
        for (key, tube, at, result) in rows {
            let result = result
                .map(|r| MemberResult::parse(&r).map_err(|_| corrupt("result")))
                .transpose()?;
            found.insert(
                key,
                Retest {
                    tube,
                    sampled_at_ms: at,
                    result,
                },
            );
        }
    }
    Ok(found)
}
