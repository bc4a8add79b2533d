//! PostgreSQL's scan writer: each group in one transaction, its tubes read `FOR UPDATE` (a seal
//! waits for the group), its facts read with one statement each, its rows written with one
//! statement (`UNNEST` of arrays into each table), and the tubes it answers with read back, so
//! that a group of hundreds of scans costs a handful of round trips. Every statement finds its
//! rows by a primary key or an index, whatever the planner knew of the tables when it planned
//! them (`enable_seqscan` off in the group's transaction).

use async_trait::async_trait;
use sqlx::PgPool;

use std::collections::HashMap;

use cordon_domain::testing::Barcode;

use super::sqlite::{HELD_BY, MEMBER_INSERT};
use super::{
    answered_audit, answers, group_keys, plan, shown, Accepted, Facts, Scan, ScanGroupWrite,
    ScanResult, TubeRow, TUBE,
};
use crate::db::BeginWrite;
use crate::passage::postgres_writer::append_chain;
use crate::testing::results_sql::{latest_sql, ResultRow, CHUNK};
use crate::testing::tubes_sql::{build_view, MemberCols, ViewCols, VIEW_MEMBERS, VIEW_TUBE};
use crate::testing::TubeView;
use crate::StoreError;

pub(crate) struct PgScans {
    pub pool: PgPool,
}

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
    let open: Vec<(String, i64)> =
        sqlx::query_as("SELECT person_key, tube_id FROM testing_open WHERE person_key = ANY($1)")
            .bind(&persons)
            .fetch_all(&mut *tx)
            .await?;
    facts.open.extend(open);
    let held: Vec<(i64, i64, String)> = sqlx::query_as(&format!("{HELD_BY}= ANY($1)"))
        .bind(&persons)
        .fetch_all(&mut *tx)
        .await?;
    let tubes: Vec<i64> = facts.tubes.values().map(|t| t.id).collect();
    for (id, campaign, key) in held {
        if tubes.contains(&id) {
            facts.held.insert((id, key.clone()));
        }
        facts.in_campaign.insert((campaign, key));
    }
    for chunk in persons.chunks(CHUNK) {
        let sql = latest_sql(chunk.len());
        let mut q = sqlx::query_as(&sql);
        for key in chunk {
            q = q.bind(key);
        }
        let rows: Vec<ResultRow> = q.fetch_all(&mut *tx).await?;
        facts.note_recalled(chunk, rows)?;
    }
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
        let mut tx = self.pool.begin_write().await?;
        // The group's reads by a list of keys are planned once per connection and then kept:
        // planned while the tables were small (the first scans of a campaign), they would read
        // whole tables for ever after. Within the group, every table is read by an index.
        sqlx::query("SET LOCAL enable_seqscan = off")
            .execute(&mut *tx)
            .await?;
        let plan = plan(scans, facts(&mut tx, scans).await?);
        if !plan.accepted.is_empty() {
            write(&mut tx, &plan.accepted, &plan.counts, &plan.new_persons).await?;
        }
        append_chain(&mut tx, &answered_audit(scans, &plan.results)).await?;
        let views = views(&mut tx, shown(scans, &plan.results)).await?;
        tx.commit().await?;
        Ok(answers(scans, plan.results, &views))
    }
}
