//! The dashboard's counts kept by the registration writer (migration 37): what a group of new
//! passages adds to `passage_counts`, one row per checkpoint and hour, written in the group's
//! own transaction; and what a correction takes out (its superseded passage). Both backends
//! write the same statements.

use std::collections::BTreeMap;

use cordon_domain::passage::Outcome;

use super::LANE_HANDLING_MAX_MS;
use crate::hours::HOUR_MS;
use crate::passage::NewPassage;

/// The outcomes' columns of `passage_counts`, in [`outcome_column`]'s order.
pub(crate) const OUTCOME_COLUMNS: [&str; 5] =
    ["pass", "test_on_site", "persuade_return", "hold", "refer"];

/// The column of an outcome (a new outcome does not compile until it has its column).
pub(crate) fn outcome_column(o: Outcome) -> usize {
    match o {
        Outcome::Pass => 0,
        Outcome::TestOnSite => 1,
        Outcome::PersuadeReturn => 2,
        Outcome::Hold => 3,
        Outcome::Refer => 4,
    }
}

/// What some passages add to one row of `passage_counts`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    pub passages: i64,
    pub persons: i64,
    pub handled: i64,
    pub handling_ms: i64,
    pub green: i64,
    pub green_handled: i64,
    pub green_handling_ms: i64,
    /// Vehicles per outcome, in [`OUTCOME_COLUMNS`] order.
    pub outcomes: [i64; 5],
}

/// Adds to a row of `passage_counts`, or starts it (14 values).
pub(crate) const COUNTS_UPSERT: &str = "INSERT INTO passage_counts (checkpoint_id, hour, \
     passages, persons, handled, handling_ms, green, green_handled, green_handling_ms, \
     pass, test_on_site, persuade_return, hold, refer) ";

/// The conflict clause that makes [`COUNTS_UPSERT`] add.
pub(crate) const COUNTS_ADD: &str = " ON CONFLICT (checkpoint_id, hour) DO UPDATE SET \
     passages = passage_counts.passages + excluded.passages, \
     persons = passage_counts.persons + excluded.persons, \
     handled = passage_counts.handled + excluded.handled, \
     handling_ms = passage_counts.handling_ms + excluded.handling_ms, \
     green = passage_counts.green + excluded.green, \
     green_handled = passage_counts.green_handled + excluded.green_handled, \
     green_handling_ms = passage_counts.green_handling_ms + excluded.green_handling_ms, \
     pass = passage_counts.pass + excluded.pass, \
     test_on_site = passage_counts.test_on_site + excluded.test_on_site, \
     persuade_return = passage_counts.persuade_return + excluded.persuade_return, \
     hold = passage_counts.hold + excluded.hold, \
     refer = passage_counts.refer + excluded.refer";

/// Takes one stored passage (`$1`) out of its row, as a `SELECT` for [`COUNTS_UPSERT`]: a
/// correction superseded it. (The `WHERE` also lets SQLite read the upsert after a `SELECT`.)
pub(crate) const COUNTS_TAKE_OUT: &str = "SELECT p.checkpoint_id, p.observed_at / 3600000, \
     -1, -p.persons, \
     CASE WHEN p.recorded_at - p.observed_at BETWEEN 0 AND 600000 THEN -1 ELSE 0 END, \
     CASE WHEN p.recorded_at - p.observed_at BETWEEN 0 AND 600000 \
     THEN p.observed_at - p.recorded_at ELSE 0 END, \
     CASE WHEN p.freight_pass THEN -1 ELSE 0 END, \
     CASE WHEN p.freight_pass AND p.recorded_at - p.observed_at BETWEEN 0 AND 600000 \
     THEN -1 ELSE 0 END, \
     CASE WHEN p.freight_pass AND p.recorded_at - p.observed_at BETWEEN 0 AND 600000 \
     THEN p.observed_at - p.recorded_at ELSE 0 END, \
     CASE WHEN p.outcome = 'pass' THEN -1 ELSE 0 END, \
     CASE WHEN p.outcome = 'test_on_site' THEN -1 ELSE 0 END, \
     CASE WHEN p.outcome = 'persuade_return' THEN -1 ELSE 0 END, \
     CASE WHEN p.outcome = 'hold' THEN -1 ELSE 0 END, \
     CASE WHEN p.outcome = 'refer' THEN -1 ELSE 0 END \
     FROM passage_core p WHERE p.id = $1";

/// Moves the revision of the counts of past hours on (migration 42): in the transaction that
/// changes one, after its count rows (so that every writer takes the revision's row last).
pub(crate) const COUNTS_REVISE: &str =
    "UPDATE counts_revision SET revision = revision + 1 WHERE id = 1";

/// Whether a group's counts change an hour before the one it is recorded in (`recorded_at`):
/// a late record, or a lane's vehicle observed before the top of the hour. A hub reads the
/// counts of the hours before the last two again only when the revision moved, so that any
/// change to them (a group deciding before an hour's top and committing after it included)
/// moves it.
pub(crate) fn revises_past(tallied: &BTreeMap<(i64, i64), Counts>, recorded_at: i64) -> bool {
    tallied
        .keys()
        .any(|(_, hour)| *hour < recorded_at / HOUR_MS)
}

/// What the passages of a group (with their checkpoint's id), recorded at `recorded_at`, add
/// per (checkpoint, hour), in key order (so that concurrent writers on PostgreSQL take the
/// rows' locks in one order).
pub(crate) fn tally(rows: &[(&NewPassage, i64)], recorded_at: i64) -> BTreeMap<(i64, i64), Counts> {
    let mut out: BTreeMap<(i64, i64), Counts> = BTreeMap::new();
    for (p, checkpoint_id) in rows {
        let observed = p.draft.observed_at.timestamp_millis();
        // Integer division as SQL's (toward zero), so that the rows match the migration's.
        let c = out.entry((*checkpoint_id, observed / HOUR_MS)).or_default();
        let delay = recorded_at - observed;
        let handled = (0..=LANE_HANDLING_MAX_MS).contains(&delay);
        let green = p.draft.vehicle.as_ref().is_some_and(|v| v.freight_pass);
        c.passages += 1;
        c.persons += p.draft.occupants.len() as i64;
        c.outcomes[outcome_column(p.decision.outcome)] += 1;
        if handled {
            c.handled += 1;
            c.handling_ms += delay;
        }
        if green {
            c.green += 1;
            if handled {
                c.green_handled += 1;
                c.green_handling_ms += delay;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The SQL's literals are the Rust constants': the outcomes' names and the lane's window.
    #[test]
    fn the_statements_name_the_outcomes_and_the_window() {
        for o in [
            Outcome::Pass,
            Outcome::TestOnSite,
            Outcome::PersuadeReturn,
            Outcome::Hold,
            Outcome::Refer,
        ] {
            let column = OUTCOME_COLUMNS[outcome_column(o)];
            assert_eq!(column, o.as_str());
            assert!(COUNTS_UPSERT.contains(column) && COUNTS_ADD.contains(column));
            assert!(COUNTS_TAKE_OUT.contains(&format!("'{column}'")));
        }
        assert!(COUNTS_TAKE_OUT.contains(&LANE_HANDLING_MAX_MS.to_string()));
        for sql in [
            include_str!("../../migrations/sqlite/0037_passage_counts.sql"),
            include_str!("../../migrations/postgres/0037_passage_counts.sql"),
        ] {
            assert!(sql.contains(&LANE_HANDLING_MAX_MS.to_string()));
            for column in OUTCOME_COLUMNS {
                assert!(sql.contains(&format!("'{column}'")), "{column}");
            }
        }
    }
}
