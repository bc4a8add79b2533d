//! A passage by id read straight from the SQLite file on the request's own task
//! ([`crate::sqlite_read`]): the hot point read of every reveal and every audited lookup.

use cordon_domain::access::passage::PassageRead;
use cordon_domain::access::Scope;
use rusqlite::OptionalExtension;
use uuid::Uuid;

use super::rows::{PassageRow, PASSAGE_SELECT};
use crate::db::division_range;
use crate::sqlite_read::{blob_id, DirectReads};
use crate::StoreError;

/// A correction: `(passage, the earlier one it supersedes)`.
pub(crate) type Correction = (Uuid, Uuid);

/// The passage `id` if the grant may read it (in its scope and time), as [`super::reads`]'s
/// query over sqlx would answer it, and the corrections that touch it (read on the same
/// connection).
pub(crate) fn passage(
    reads: &DirectReads,
    grant: &PassageRead,
    id: Uuid,
) -> Result<(Option<PassageRow>, Vec<Correction>), StoreError> {
    let mut sql = format!("{PASSAGE_SELECT} WHERE p.id = ?1 AND p.observed_at >= ?2");
    let mut codes: Vec<&str> = Vec::new();
    let range = match grant.scope() {
        Scope::Division(d) => {
            sql.push_str(" AND c.jurisdiction BETWEEN ?3 AND ?4");
            Some(division_range(*d))
        }
        Scope::Checkpoints(list) => {
            sql.push_str(" AND c.code IN (");
            for (i, code) in list.iter().enumerate() {
                if i > 0 {
                    sql.push_str(", ");
                }
                sql.push_str(&format!("?{}", i + 3));
                codes.push(code.as_str());
            }
            sql.push(')');
            None
        }
    };
    let since = grant.since_ms();
    let id_bytes: &[u8] = id.as_bytes();
    let mut params: Vec<&dyn rusqlite::ToSql> = vec![&id_bytes, &since];
    if let Some((lo, hi)) = &range {
        params.push(lo);
        params.push(hi);
    }
    for c in &codes {
        params.push(c);
    }
    reads.with(|conn| {
        let found = conn
            .prepare_cached(&sql)?
            .query_row(params.as_slice(), row)
            .optional()?;
        if found.is_none() {
            return Ok((None, Vec::new()));
        }
        let mut links = conn.prepare_cached(
            "SELECT passage, supersedes FROM corrections WHERE passage = ?1 OR supersedes = ?1",
        )?;
        let links = links
            .query_map([id_bytes], |r| Ok((blob_id(r, 0), blob_id(r, 1))))?
            .map(|l| {
                let (later, earlier) = l?;
                Ok((later?, earlier?))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok((found, links))
    })
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<PassageRow> {
    let id: Vec<u8> = r.get(0)?;
    Ok(PassageRow {
        id: Uuid::from_slice(&id).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Blob, Box::new(e))
        })?,
        checkpoint: r.get(1)?,
        lane: r.get(2)?,
        direction: r.get(3)?,
        observed_at: r.get(4)?,
        observed_offset: r.get(5)?,
        recorded_at: r.get(6)?,
        plate: r.get(7)?,
        plate_color: r.get(8)?,
        vehicle_class: r.get(9)?,
        origin: r.get(10)?,
        destination: r.get(11)?,
        decision: crate::sqlite_read::bytes(r.get_ref(12)?)?,
        occupants: r.get(13)?,
        freight_pass: r.get(14)?,
        sealed: r.get(15)?,
        facts: r.get(16)?,
    })
}
