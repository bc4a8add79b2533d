//! SQLite's scan writer: a thread that owns one direct (rusqlite) connection and writes each
//! group in one `BEGIN IMMEDIATE` transaction with cached prepared statements (the write lock
//! holds the group's tubes still while it is decided), then reads back the tubes it answers
//! with, so that a scan costs the request no read of its own.

use std::collections::HashMap;
use std::path::Path;

use rusqlite::{params, params_from_iter, Connection, OptionalExtension, TransactionBehavior};

use super::{
    answered_audit, answers, group_keys, plan, shown, BlockingScanGroupWrite, Facts, Scan,
    ScanResult, TubeRow, TUBE,
};
use crate::passage::sqlite_writer::{append_audit, connect};
use crate::testing::results_sql::{latest_sql, CHUNK};
use crate::testing::tubes_sql::{build_view, MemberCols, ViewCols, VIEW_MEMBERS, VIEW_TUBE};
use crate::testing::TubeView;
use crate::StoreError;

pub(crate) struct SqliteScans {
    conn: Connection,
}

impl SqliteScans {
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Ok(Self {
            conn: connect(path)?,
        })
    }
}

/// The tubes (and their campaigns) that hold a person, ending `WHERE m.person_key`.
pub(super) const HELD_BY: &str =
    "SELECT m.tube_id, s.campaign_id, m.person_key FROM testing_members m \
     JOIN testing_tubes t ON t.id = m.tube_id JOIN testing_sites s ON s.id = t.site_id \
     WHERE m.person_key ";

pub(super) const MEMBER_INSERT: &str =
    "INSERT INTO testing_members (tube_id, person_key, masked_name, document_type, \
     masked_number, sealed, bound_by, bound_at) ";

fn facts(tx: &rusqlite::Transaction<'_>, scans: &[&Scan]) -> Result<Facts, StoreError> {
    let (codes, persons) = group_keys(scans);
    let mut facts = Facts::default();
    let mut tube = tx.prepare_cached(&format!("{TUBE}= ?1"))?;
    for code in codes {
        let row = tube
            .query_row([&code], |r| {
                Ok(TubeRow::from((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                )))
            })
            .optional()?;
        if let Some(row) = row {
            facts.tubes.insert(code, row);
        }
    }
    let mut open = tx.prepare_cached("SELECT tube_id FROM testing_open WHERE person_key = ?1")?;
    let mut held = tx.prepare_cached(&format!("{HELD_BY}= ?1"))?;
    let tubes: Vec<i64> = facts.tubes.values().map(|t| t.id).collect();
    for key in &persons {
        if let Some(id) = open.query_row([key], |r| r.get::<_, i64>(0)).optional()? {
            facts.open.insert(key.clone(), id);
        }
        for row in held.query_map([key], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))? {
            let (id, campaign) = row?;
            if tubes.contains(&id) {
                facts.held.insert((id, key.clone()));
            }
            facts.in_campaign.insert((campaign, key.clone()));
        }
    }
    for chunk in persons.chunks(CHUNK) {
        let mut latest = tx.prepare_cached(&latest_sql(chunk.len()))?;
        let rows = latest
            .query_map(params_from_iter(chunk), |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        facts.note_recalled(chunk, rows)?;
    }
    Ok(facts)
}

/// The tubes `codes` as they stand in the transaction.
fn views(
    tx: &rusqlite::Transaction<'_>,
    codes: Vec<String>,
) -> Result<HashMap<String, TubeView>, StoreError> {
    let mut tube = tx.prepare_cached(&format!("{VIEW_TUBE}= ?1"))?;
    let mut members =
        tx.prepare_cached(&format!("{VIEW_MEMBERS}= ?1 ORDER BY bound_at, person_key"))?;
    let mut out = HashMap::with_capacity(codes.len());
    for code in codes {
        let c: ViewCols = tube.query_row([&code], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
                r.get(8)?,
                r.get(9)?,
            ))
        })?;
        let rows = members
            .query_map([c.0], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })?
            .collect::<Result<Vec<MemberCols>, _>>()?;
        let barcode = cordon_domain::testing::Barcode::parse(&code)
            .map_err(|_| StoreError::Corrupt("barcode".into()))?;
        out.insert(code, build_view(&barcode, c, rows)?.0);
    }
    Ok(out)
}

impl BlockingScanGroupWrite for SqliteScans {
    fn write_group(&mut self, scans: &[&Scan]) -> Result<Vec<ScanResult>, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let plan = plan(scans, facts(&tx, scans)?);
        {
            let mut open = tx
                .prepare_cached("INSERT INTO testing_open (person_key, tube_id) VALUES (?1, ?2)")?;
            let mut member = tx.prepare_cached(&format!(
                "{MEMBER_INSERT}VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
            ))?;
            let mut roster = tx.prepare_cached(
                "UPDATE testing_roster SET sampled = 1 \
                 WHERE campaign_id = ?1 AND person_key = ?2 AND sampled = 0",
            )?;
            for a in &plan.accepted {
                let m = &a.scan.member;
                open.execute(params![m.person_key, a.tube])?;
                member.execute(params![
                    a.tube,
                    m.person_key,
                    m.masked_name,
                    m.document.kind.as_str(),
                    m.document.number,
                    m.sealed,
                    a.scan.grant.username().as_str(),
                    a.scan.at_ms,
                ])?;
                roster.execute(params![a.campaign, m.person_key])?;
            }
            let mut count =
                tx.prepare_cached("UPDATE testing_tubes SET members = ?2 WHERE id = ?1")?;
            for (id, n) in &plan.counts {
                count.execute(params![id, n])?;
            }
            let mut persons = tx.prepare_cached(
                "UPDATE testing_campaigns SET persons = persons + ?2 WHERE id = ?1",
            )?;
            for (id, n) in &plan.new_persons {
                persons.execute(params![id, n])?;
            }
        }
        append_audit(&tx, &answered_audit(scans, &plan.results))?;
        let views = views(&tx, shown(scans, &plan.results))?;
        tx.commit()?;
        Ok(answers(scans, plan.results, &views))
    }
}
