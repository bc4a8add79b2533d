//! PostgreSQL's scan writer: each group in one transaction on the writer's own connection, its
//! tubes read `FOR UPDATE` (a seal waits for the group), its facts in two more reads (every tube
//! holding its persons, with the state and the released result; their antigen results), its rows
//! written with one statement (`UNNEST` of arrays into each table), its audit entries appended,
//! and the tubes it answers with read back, so that a group of hundreds of scans costs a handful
//! of round trips. Every statement finds its rows by a primary key or an index, whatever the
//! planner knew of the tables when it planned them (`enable_seqscan` off on the connection).

use async_trait::async_trait;
use sqlx::PgPool;

use std::collections::HashMap;

use cordon_domain::testing::Barcode;

use super::sqlite::MEMBER_INSERT;
use super::{
    answered_audit, answers, group_keys, plan, shown, Accepted, Facts, Scan, ScanGroupWrite,
    ScanResult, TubeRow, TUBE,
};
use crate::passage::postgres_writer::append_chain;
use crate::testing::results_sql::{result_case, ResultRow};
use crate::testing::tubes_sql::{build_view, MemberCols, ViewCols, VIEW_MEMBERS, VIEW_TUBE};
use crate::testing::TubeView;
use crate::StoreError;

pub(crate) struct PgScans {
    pool: PgPool,
    /// The writer's own connection, taken out of the pool once (a group neither waits for the
    /// pool nor pings the server first) with sequential scans off for its whole session;
    /// dropped after an error and taken again by the next group.
    conn: tokio::sync::Mutex<Option<sqlx::PgConnection>>,
}

impl PgScans {
    pub fn new(pool: PgPool) -> Self {
        Self {
            pool,
            conn: tokio::sync::Mutex::new(None),
        }
    }

    async fn connection(&self) -> Result<sqlx::PgConnection, StoreError> {
        let mut conn = self.pool.acquire().await?.detach();
        // The group's reads by a list of keys are planned once per connection and then kept:
        // planned while the tables were small (the first scans of a campaign), they would read
        // whole tables for ever after. On this connection every table is read by an index.
        sqlx::query("SET enable_seqscan = off")
            .execute(&mut conn)
            .await?;
        Ok(conn)
    }
}

/// A tube holding one of a group's persons: its id, campaign, the person, its state, and the
/// person's result and its times once the tube is released.
type HeldRow = (i64, i64, String, String, Option<String>, i64, Option<i64>);

/// A tube's barcode and its [`TubeCols`].
type BarcodeTube = (String, i64, String, i64, i64, i64, i64);

async fn facts(tx: &mut sqlx::PgConnection, scans: &[&Scan]) -> Result<Facts, StoreError> {
    let (codes, persons) = group_keys(scans);
    let tubes: Vec<BarcodeTube> = sqlx::query_as(&format!(
        "SELECT t.barcode, {}= ANY($1) ORDER BY t.id FOR UPDATE OF t",
        TUBE.trim_start_matches("SELECT ")
    ))
    .bind(&codes)
    .fetch_all(&mut *tx)
    .await?;
    let mut facts = Facts::default();
    for (code, id, state, pool_size, members, area, campaign) in tubes {
        facts.tubes.insert(
            code,
            TubeRow::from((id, state, pool_size, members, area, campaign)),
        );
    }
    // Every tube that holds one of the group's persons, with its state (the open one is where
    // the person stands: `testing_open` holds the same pairs) and, once released, the result it
    // gave them: one read of the persons' rows where three were.
    let held: Vec<HeldRow> = sqlx::query_as(&format!(
        "SELECT m.tube_id, s.campaign_id, m.person_key, t.state, \
         CASE WHEN t.released_at IS NOT NULL THEN {} END, m.bound_at, t.released_at \
         FROM testing_members m JOIN testing_tubes t ON t.id = m.tube_id \
         JOIN testing_sites s ON s.id = t.site_id WHERE m.person_key = ANY($1)",
        result_case()
    ))
    .bind(&persons)
    .fetch_all(&mut *tx)
    .await?;
    let tubes: Vec<i64> = facts.tubes.values().map(|t| t.id).collect();
    let mut results: Vec<ResultRow> = Vec::new();
    for (id, campaign, key, state, result, bound_at, released_at) in held {
        if state == "open" {
            facts.open.insert(key.clone(), id);
        }
        if tubes.contains(&id) {
            facts.held.insert((id, key.clone()));
        }
        if let (Some(result), Some(released_at)) = (result, released_at) {
            results.push((key.clone(), "lab".into(), result, bound_at, released_at));
        }
        facts.in_campaign.insert((campaign, key));
    }
    let antigen: Vec<ResultRow> = sqlx::query_as(
        "SELECT person_key, 'antigen', result, swabbed_at, read_at FROM testing_antigen \
         WHERE result IN ('negative', 'positive') AND person_key = ANY($1)",
    )
    .bind(&persons)
    .fetch_all(&mut *tx)
    .await?;
    results.extend(antigen);
    facts.note_recalled(&persons, results)?;
    Ok(facts)
}

/// The tubes `codes` as they stand in the transaction.
async fn views(
    tx: &mut sqlx::PgConnection,
    codes: Vec<String>,
) -> Result<HashMap<String, TubeView>, StoreError> {
    if codes.is_empty() {
        return Ok(HashMap::new());
    }
    let tubes: Vec<(String, ViewCols)> = sqlx::query_as::<_, ViewRow>(&format!(
        "SELECT t.barcode, {}= ANY($1)",
        VIEW_TUBE.trim_start_matches("SELECT ")
    ))
    .bind(&codes)
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(|r| (r.0, (r.1, r.2, r.3, r.4, r.5, r.6, r.7, r.8, r.9, r.10)))
    .collect();
    let ids: Vec<i64> = tubes.iter().map(|(_, c)| c.0).collect();
    let rows: Vec<MemberCols> = sqlx::query_as(&format!(
        "{VIEW_MEMBERS}= ANY($1) ORDER BY tube_id, bound_at, person_key"
    ))
    .bind(&ids)
    .fetch_all(&mut *tx)
    .await?;
    let mut out = HashMap::with_capacity(tubes.len());
    for (code, c) in tubes {
        let barcode = Barcode::parse(&code).map_err(|_| StoreError::Corrupt("barcode".into()))?;
        let id = c.0;
        let members = rows.iter().filter(|m| m.0 == id).cloned();
        out.insert(code, build_view(&barcode, c, members)?.0);
    }
    Ok(out)
}

/// A tube's barcode and its [`ViewCols`].
type ViewRow = (
    String,
    i64,
    i64,
    String,
    String,
    i64,
    Option<String>,
    String,
    i64,
    Option<i64>,
    i64,
);

/// One text column of the accepted scans, as an array.
fn column<'a>(a: &'a [Accepted<'a>], f: impl Fn(&'a Accepted<'a>) -> &'a str) -> Vec<&'a str> {
    a.iter().map(f).collect()
}

/// The group's persons into their tubes, their roster rows marked, the tubes' counts set and
/// the campaigns' counts of persons raised, in one statement.
async fn write(
    tx: &mut sqlx::PgConnection,
    a: &[Accepted<'_>],
    counts: &[(i64, i64)],
    new_persons: &[(i64, i64)],
) -> Result<(), StoreError> {
    let tubes: Vec<i64> = a.iter().map(|a| a.tube).collect();
    let campaigns: Vec<i64> = a.iter().map(|a| a.campaign).collect();
    let at: Vec<i64> = a.iter().map(|a| a.scan.at_ms).collect();
    let sealed: Vec<&[u8]> = a.iter().map(|a| a.scan.member.sealed.as_slice()).collect();
    let (ids, members): (Vec<i64>, Vec<i64>) = counts.iter().copied().unzip();
    let (campaign_ids, persons): (Vec<i64>, Vec<i64>) = new_persons.iter().copied().unzip();
    sqlx::query(&format!(
        "WITH open AS (INSERT INTO testing_open (person_key, tube_id) \
           SELECT * FROM UNNEST($2::text[], $1::bigint[])), \
         members AS ({MEMBER_INSERT}SELECT * FROM UNNEST($1::bigint[], $2::text[], \
           $3::text[], $4::text[], $5::text[], $6::bytea[], $7::text[], $8::bigint[])), \
         roster AS (UPDATE testing_roster r SET sampled = 1 \
           FROM UNNEST($9::bigint[], $2::text[]) AS u(campaign, person) \
           WHERE r.campaign_id = u.campaign AND r.person_key = u.person AND r.sampled = 0), \
         counted AS (UPDATE testing_tubes t SET members = u.n \
           FROM UNNEST($10::bigint[], $11::bigint[]) AS u(id, n) WHERE t.id = u.id), \
         campaigns AS (UPDATE testing_campaigns c SET persons = c.persons + u.n \
           FROM UNNEST($12::bigint[], $13::bigint[]) AS u(id, n) WHERE c.id = u.id) \
         SELECT 1"
    ))
    .bind(&tubes)
    .bind(column(a, |a| &a.scan.member.person_key))
    .bind(column(a, |a| &a.scan.member.masked_name))
    .bind(column(a, |a| a.scan.member.document.kind.as_str()))
    .bind(column(a, |a| &a.scan.member.document.number))
    .bind(&sealed)
    .bind(column(a, |a| a.scan.grant.username().as_str()))
    .bind(&at)
    .bind(&campaigns)
    .bind(&ids)
    .bind(&members)
    .bind(&campaign_ids)
    .bind(&persons)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

#[async_trait]
impl ScanGroupWrite for PgScans {
    async fn write_group(&self, scans: &[&Scan]) -> Result<Vec<ScanResult>, StoreError> {
        let mut slot = self.conn.lock().await;
        let mut conn = match slot.take() {
            Some(c) => c,
            None => self.connection().await?,
        };
        // Kept for the next group only if this one ends cleanly.
        let (plan, views) = {
            let mut tx = sqlx::Connection::begin(&mut conn).await?;
            let plan = plan(scans, facts(&mut tx, scans).await?);
            if !plan.accepted.is_empty() {
                write(&mut tx, &plan.accepted, &plan.counts, &plan.new_persons).await?;
            }
            append_chain(&mut tx, &answered_audit(scans, &plan.results)).await?;
            let views = views(&mut tx, shown(scans, &plan.results)).await?;
            tx.commit().await?;
            (plan, views)
        };
        *slot = Some(conn);
        Ok(answers(scans, plan.results, &views))
    }
}
