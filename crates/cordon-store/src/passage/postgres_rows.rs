//! How PostgreSQL's registration writer writes a passage: its core (checkpoint, time, outcome,
//! decision) into `passage_core`, its personal data into `passage_personal`, partitioned by the
//! day it was observed on (migration 43), in one statement; and the day partitions it makes
//! sure of before a group ([`Partitions`]). Readers read both through the view `passages`.

use std::collections::{BTreeSet, HashSet};
use std::sync::Mutex;

use sqlx::query_builder::Separated;
use sqlx::{PgPool, Postgres, QueryBuilder};

use super::rows;
use super::NewPassage;
use crate::days::day_of;
use crate::StoreError;

/// The statement's start: the rows as values, in [`push_row`]'s order.
const ROWS: &str = "WITH v (id, checkpoint_id, lane, direction, observed_at, observed_offset, \
     recorded_at, plate, plate_color, vehicle_class, origin, destination, persons, outcome, \
     decision, fingerprint, freight_pass, facts, sealed, occupant_keys, goods) AS (";

/// Its end: the core rows inserted unless their id is taken, then the personal rows of those
/// inserted. The statement's count is theirs.
const INSERTS: &str = "), core AS (INSERT INTO passage_core (id, checkpoint_id, lane, direction, \
     observed_at, observed_offset, recorded_at, plate_color, vehicle_class, origin, destination, \
     persons, outcome, decision, fingerprint, freight_pass, goods) \
     SELECT id, checkpoint_id, lane, direction, observed_at, observed_offset, recorded_at, \
     plate_color, vehicle_class, origin, destination, persons, outcome, decision, fingerprint, \
     freight_pass, goods FROM v ON CONFLICT (id) DO NOTHING RETURNING id) \
     INSERT INTO passage_personal (observed_at, id, persons, plate, facts, sealed, occupant_keys) \
     SELECT v.observed_at, v.id, v.persons, v.plate, v.facts, v.sealed, v.occupant_keys \
     FROM v JOIN core USING (id)";

/// Inserts passages, their core and personal rows; answers how many were inserted (fewer than
/// given when another writer took an id first).
pub(crate) async fn insert(
    conn: &mut sqlx::PgConnection,
    passages: &[(&NewPassage, i64)],
    recorded_at: i64,
    decision: impl Fn(&NewPassage) -> Vec<u8>,
) -> Result<u64, sqlx::Error> {
    let mut q = QueryBuilder::<Postgres>::new(ROWS);
    q.push_values(passages, |b, (p, checkpoint_id)| {
        push_row(b, p, *checkpoint_id, recorded_at, decision(p));
    });
    q.push(INSERTS);
    Ok(q.build().execute(conn).await?.rows_affected())
}

/// One passage's values, in [`ROWS`]' order.
fn push_row(
    mut b: Separated<'_, '_, Postgres, &'static str>,
    p: &NewPassage,
    checkpoint_id: i64,
    recorded_at: i64,
    decision: Vec<u8>,
) {
    let d = &p.draft;
    let v = d.vehicle.as_ref();
    b.push_bind(d.id)
        .push_bind(checkpoint_id)
        .push_bind(i64::from(d.lane))
        .push_bind(d.direction.as_str())
        .push_bind(d.observed_at.timestamp_millis())
        .push_bind(i64::from(d.observed_at.offset().local_minus_utc()))
        .push_bind(recorded_at)
        .push_bind(v.map(|v| v.plate.as_str().to_owned()))
        .push_bind(v.map(|v| v.plate_color.as_str()))
        .push_bind(v.map(|v| v.class.as_str()))
        .push_bind(d.origin.map(rows::division_int))
        .push_bind(d.destination.map(rows::division_int))
        .push_bind(d.occupants.len() as i64)
        .push_bind(p.decision.outcome.as_str())
        .push_bind(decision)
        .push_bind(p.stored_fingerprint().to_vec())
        .push_bind(v.is_some_and(|v| v.freight_pass))
        .push_bind(p.facts.clone())
        .push_bind(p.sealed.clone())
        .push_bind(p.occupant_keys.clone())
        .push_bind(v.and_then(|v| v.goods).map(|g| g.as_str()));
}

/// The day partitions of `passage_personal` this process knows exist.
#[derive(Default)]
pub(crate) struct Partitions {
    known: Mutex<HashSet<i64>>,
}

impl Partitions {
    /// Creates the partitions missing of the days the instants `observed` fall on, and of the
    /// day after each (so that the next midnight's first group finds its day ready). Creating
    /// one takes a lock on the whole table for a moment: once a day, not on every group.
    pub(crate) async fn ensure(
        &self,
        pool: &PgPool,
        observed: impl Iterator<Item = i64>,
    ) -> Result<(), StoreError> {
        let missing: Vec<i64> = {
            let known = self.known.lock().unwrap_or_else(|e| e.into_inner());
            observed
                .map(day_of)
                .flat_map(|d| [d, d + 1])
                .filter(|d| !known.contains(d))
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect()
        };
        if missing.is_empty() {
            return Ok(());
        }
        sqlx::query("SELECT cordon_personal_partition(d) FROM UNNEST($1::BIGINT[]) AS d")
            .bind(&missing)
            .execute(pool)
            .await?;
        self.known
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend(missing);
        Ok(())
    }

    /// Forgets every partition: the purge dropped one this process knew.
    pub(crate) fn forget(&self) {
        self.known.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

/// A row found no partition: the purge dropped its day after this process last made sure of it.
pub(crate) fn is_missing_partition(e: &StoreError) -> bool {
    matches!(e, StoreError::Database(sqlx::Error::Database(d))
        if d.code().as_deref() == Some("23514") && d.message().contains("no partition"))
}
