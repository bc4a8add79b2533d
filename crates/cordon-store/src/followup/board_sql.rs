//! The completion board's SQL: each list's persons counted by bucket in `followup_list_counts`,
//! kept by the writes ([`move_bucket`]); the boards by team and county from
//! `followup_unit_counts`, kept by the database's own triggers on the persons.

use std::collections::HashMap;

use cordon_domain::access::followup::ListRead;

use super::scope::{holds, within};
use super::{BoardBy, BoardLine};
use crate::db::on_pool;
use crate::store::SqlStore;
use crate::StoreError;

/// The board's bucket of a person: its state, or `reached` for one closed reached.
pub(super) fn bucket(state: &str, outcome: Option<&str>) -> &'static str {
    match (state, outcome) {
        ("closed", Some("reached")) => "reached",
        ("closed", _) => "closed",
        ("pending", _) => "pending",
        ("in_progress", _) => "in_progress",
        ("escalated", _) => "escalated",
        _ => "transferred",
    }
}

/// Moves person `$subject` from bucket `$from` to `$to` in the counts of every list naming it
/// but `$except` (a list whose counts are made again whole), in transaction `$tx`.
macro_rules! move_bucket {
    ($tx:ident, $subject:expr, $from:expr, $to:expr, $except:expr) => {{
        sqlx::query(
            "UPDATE followup_list_counts SET n = n - 1 WHERE bucket = $1 AND list_id <> $3 \
             AND list_id IN (SELECT list_id FROM followup_rows WHERE subject_id = $2)",
        )
        .bind($from)
        .bind($subject)
        .bind($except)
        .execute(&mut *$tx)
        .await?;
        sqlx::query(
            "INSERT INTO followup_list_counts (list_id, bucket, n) \
             SELECT DISTINCT list_id, CAST($1 AS TEXT), 1 FROM followup_rows \
             WHERE subject_id = $2 AND list_id <> $3 \
             ON CONFLICT (list_id, bucket) DO UPDATE SET n = followup_list_counts.n + 1",
        )
        .bind($to)
        .bind($subject)
        .bind($except)
        .execute(&mut *$tx)
        .await?;
    }};
}
pub(super) use move_bucket;

/// Makes list `$list`'s counts whole again from its persons, in transaction `$tx`.
macro_rules! recount_list {
    ($tx:ident, $list:expr) => {{
        sqlx::query("DELETE FROM followup_list_counts WHERE list_id = $1")
            .bind($list)
            .execute(&mut *$tx)
            .await?;
        sqlx::query(
            "INSERT INTO followup_list_counts (list_id, bucket, n) \
             SELECT CAST($1 AS TEXT), b, COUNT(*) FROM (SELECT DISTINCT s.id, \
               CASE WHEN s.state = 'closed' AND s.outcome = 'reached' THEN 'reached' \
               ELSE s.state END AS b \
               FROM followup_rows r JOIN followup_subjects s ON s.id = r.subject_id \
               WHERE r.list_id = $1) AS persons GROUP BY b",
        )
        .bind($list)
        .execute(&mut *$tx)
        .await?;
    }};
}
pub(super) use recount_list;

/// A board line's counts, added up bucket by bucket.
fn add(line: &mut BoardLine, bucket: &str, n: i64, overdue: i64) {
    line.total += n;
    match bucket {
        "pending" => line.pending += n,
        "in_progress" => line.in_progress += n,
        "escalated" => line.escalated += n,
        "transferred" => line.transferred += n,
        "reached" => {
            line.closed += n;
            line.reached += n;
        }
        _ => line.closed += n,
    }
    line.overdue += overdue;
}

fn empty(key: String, label: String) -> BoardLine {
    BoardLine {
        key,
        label,
        total: 0,
        pending: 0,
        in_progress: 0,
        escalated: 0,
        transferred: 0,
        closed: 0,
        reached: 0,
        overdue: 0,
    }
}

pub(super) async fn board(
    store: &SqlStore,
    grant: &ListRead,
    by: BoardBy,
    now_ms: i64,
) -> Result<Vec<BoardLine>, StoreError> {
    let scope = grant.scope();
    let mut lines: Vec<BoardLine> = Vec::new();
    let mut at: HashMap<String, usize> = HashMap::new();
    let mut line_of = |lines: &mut Vec<BoardLine>, key: String, label: String| -> usize {
        *at.entry(key.clone()).or_insert_with(|| {
            lines.push(empty(key, label));
            lines.len() - 1
        })
    };
    if by == BoardBy::List {
        // Kept by every write: as cheap at a million persons as at ten.
        type Row = (String, String, String, i64, String, i64);
        let rows: Vec<Row> = on_pool!(&store.db.read, |p| sqlx::query_as(
            "SELECT l.id, l.label, l.scope, l.deadline_at, c.bucket, c.n \
             FROM followup_list_counts c JOIN followup_lists l ON l.id = c.list_id \
             ORDER BY l.deadline_at DESC, l.id"
        )
        .fetch_all(p)
        .await?);
        for (id, label, list_scope, deadline, bucket, n) in rows {
            if !holds(scope, &list_scope) || n == 0 {
                continue;
            }
            let open = matches!(bucket.as_str(), "pending" | "in_progress" | "escalated");
            let overdue = if open && deadline < now_ms { n } else { 0 };
            let i = line_of(&mut lines, id, label);
            add(&mut lines[i], &bucket, n, overdue);
        }
        return Ok(lines);
    }
    // By team or county: kept by the database's triggers on the persons (migration 0015),
    // by bucket and deadline, so the overdue are exact.
    let dim = if by == BoardBy::Team {
        "team"
    } else {
        "county"
    };
    type Row = (i64, String, i64, i64);
    let counted: Vec<Row> = on_pool!(&store.db.read, |p| sqlx::query_as(
        "SELECT unit, bucket, deadline_at, n FROM followup_unit_counts \
         WHERE dim = $1 AND n <> 0 ORDER BY unit"
    )
    .bind(dim)
    .fetch_all(p)
    .await?);
    let teams: HashMap<i64, String> = if by == BoardBy::Team {
        let named: Vec<(i64, String, i64)> = on_pool!(&store.db.read, |p| sqlx::query_as(
            "SELECT id, name, county FROM followup_teams"
        )
        .fetch_all(p)
        .await?);
        named
            .into_iter()
            .filter(|(_, _, county)| within(scope, Some(*county)))
            .map(|(id, name, _)| (id, name))
            .collect()
    } else {
        HashMap::new()
    };
    for (k, b, deadline, n) in counted {
        let (key, label) = match by {
            BoardBy::Team => match teams.get(&k) {
                Some(name) => (k.to_string(), name.clone()),
                None => continue,
            },
            _ if within(scope, Some(k)) => {
                let code = format!("{k:06}");
                let name = cordon_domain::places::by_code(&code)
                    .map(|p| format!("{} {}", p.within, p.name).trim().to_owned())
                    .unwrap_or_else(|| code.clone());
                (code, name)
            }
            _ => continue,
        };
        let open = matches!(b.as_str(), "pending" | "in_progress" | "escalated");
        let i = line_of(&mut lines, key, label);
        add(
            &mut lines[i],
            &b,
            n,
            if open && deadline < now_ms { n } else { 0 },
        );
    }
    Ok(lines)
}

/// The persons behind a board line by team or county (`key`: the team's id or the county's
/// code), masked, by id after `after`; `NotFound` for a line outside the grant's jurisdiction
/// or a board by list (whose persons are the list's).
pub(super) async fn line_persons(
    store: &SqlStore,
    grant: &ListRead,
    by: BoardBy,
    key: i64,
    after: i64,
    limit: i64,
) -> Result<Vec<super::WorkItem>, StoreError> {
    use super::items::{item, ItemCols, ITEM_COLUMNS};
    let scope = grant.scope();
    let column = match by {
        BoardBy::Team => {
            let county: Option<(i64,)> = on_pool!(&store.db.read, |p| sqlx::query_as(
                "SELECT county FROM followup_teams WHERE id = $1"
            )
            .bind(key)
            .fetch_optional(p)
            .await?);
            if !county.is_some_and(|(c,)| within(scope, Some(c))) {
                return Err(StoreError::not_found(format!("team {key}")));
            }
            "team_id"
        }
        BoardBy::County if within(scope, Some(key)) => "county",
        _ => return Err(StoreError::not_found(format!("board line {key}"))),
    };
    let sql = format!(
        "SELECT {ITEM_COLUMNS} FROM followup_subjects s WHERE s.{column} = $1 AND s.id > $2 \
         ORDER BY s.id LIMIT $3"
    );
    let rows: Vec<ItemCols> = on_pool!(&store.db.read, |p| sqlx::query_as(&sql)
        .bind(key)
        .bind(after)
        .bind(limit)
        .fetch_all(p)
        .await?);
    rows.into_iter().map(item).collect()
}
