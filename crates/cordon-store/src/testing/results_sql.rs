//! Each person's latest result in Cordon, as the lane reads it before deciding: a lab's released
//! result for their tube or an antigen cassette read at a site, whichever
//! [`CordonTest::replaces`] keeps: the read's SQL and the fold of its rows, run by the lane's
//! reads (`lab/sql.rs`) and the scan writer, one read per chunk of persons. A person's lab
//! result is read from their tube's reading and size ([`result_case`]).

use std::collections::HashMap;

use cordon_domain::testing::antigen::{AntigenResult, CordonTest};
use cordon_domain::testing::lab::{MemberResult, Reading};

use crate::testing::lab::PersonResult;
use crate::StoreError;

/// Each person's result from their tube's reading and how many the tube holds, as SQL: a
/// `CASE` written out from [`MemberResult::of`], so the rule is the domain's alone.
pub(crate) fn result_case() -> String {
    let mut s = String::from("CASE");
    for r in Reading::ALL {
        for (held, n) in [("t.members > 1", 2), ("t.members <= 1", 1)] {
            s.push_str(&format!(
                " WHEN t.reading = '{}' AND {held} THEN '{}'",
                r.as_str(),
                MemberResult::of(*r, n).as_str()
            ));
        }
    }
    s.push_str(" END");
    s
}

/// Persons per read.
pub(crate) const CHUNK: usize = 200;

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(what.to_owned())
}

fn test_of(kind: &str, result: &str) -> Result<CordonTest, StoreError> {
    match kind {
        "lab" => MemberResult::parse(result)
            .map(CordonTest::Lab)
            .map_err(|_| corrupt("result")),
        _ => AntigenResult::parse(result)
            .map(CordonTest::Antigen)
            .map_err(|_| corrupt("antigen result")),
    }
}

/// The read of `n` persons' results: rows of (person, `lab` or `antigen`, result, sampled,
/// released), the persons bound as `$1..$n`.
pub(crate) fn latest_sql(n: usize) -> String {
    let marks: Vec<String> = (1..=n).map(|i| format!("${i}")).collect();
    let marks = marks.join(", ");
    format!(
        "SELECT m.person_key, 'lab', {}, m.bound_at, t.released_at FROM testing_members m \
         JOIN testing_tubes t ON t.id = m.tube_id \
         WHERE t.released_at IS NOT NULL AND m.person_key IN ({marks}) \
         UNION ALL \
         SELECT person_key, 'antigen', result, swabbed_at, read_at FROM testing_antigen \
         WHERE result IN ('negative', 'positive') AND person_key IN ({marks})",
        result_case()
    )
}

/// A row of [`latest_sql`].
pub(crate) type ResultRow = (String, String, String, i64, i64);

/// Each person's latest result from the rows read for them.
pub(crate) fn fold(
    persons: &[String],
    mut rows: Vec<ResultRow>,
) -> Result<Vec<Option<PersonResult>>, StoreError> {
    let mut latest: HashMap<&str, PersonResult> = HashMap::new();
    // Oldest first, so that each later result is weighed against the one it would replace.
    rows.sort_by_key(|r| (r.3, r.4));
    for (key, kind, result, sampled, released) in rows {
        let r = PersonResult {
            test: test_of(&kind, &result)?,
            sampled_at_ms: sampled,
            released_at_ms: released,
        };
        let Some(k) = persons.iter().find(|c| **c == key) else {
            continue;
        };
        let e = latest.entry(k.as_str()).or_insert(r);
        if r.test.replaces(r.sampled_at_ms, e.test, e.sampled_at_ms) {
            *e = r;
        }
    }
    Ok(persons
        .iter()
        .map(|k| latest.get(k.as_str()).copied())
        .collect())
}
