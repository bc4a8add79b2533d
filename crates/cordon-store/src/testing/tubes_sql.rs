//! The SQL of tubes: opened at a site (a barcode once), persons scanned in (one open tube per
//! person, never past the pool, a recalled person alone: written in groups by
//! [`super::scans`]), sealed (the persons free again); each write checked by
//! [`cordon_domain::testing::tube`] against the tube as its transaction reads it.

use cordon_domain::access::testing::Sample;
use cordon_domain::division::DivisionCode;
use cordon_domain::identity::{DocumentType, MaskedDocument};
use cordon_domain::testing::tube::{self, TubeState};
use cordon_domain::testing::{Barcode, PoolSize};

use super::division;
use super::scans::{Scan, TubeCols, TubeRow, TUBE};
use super::{Added, Member, NewMember, TubeView};
use crate::db::{on_pool, retry, BeginWrite};
use crate::store::SqlStore;
use crate::StoreError;

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(what.to_owned())
}

fn pool(n: i64) -> Result<PoolSize, StoreError> {
    PoolSize::parse(n as u32).map_err(|_| corrupt("pool size"))
}

fn not_found(barcode: &Barcode) -> StoreError {
    StoreError::not_found(format!("tube {barcode}"))
}

pub(super) async fn open(
    store: &SqlStore,
    grant: &Sample,
    site: i64,
    barcode: &Barcode,
    pool_size: Option<PoolSize>,
    now_ms: i64,
) -> Result<TubeView, StoreError> {
    let found: Option<(i64, i64)> = on_pool!(&store.db.read, |p| sqlx::query_as(
        "SELECT c.area, c.pool_size FROM testing_sites s \
         JOIN testing_campaigns c ON c.id = s.campaign_id WHERE s.id = $1"
    )
    .bind(site)
    .fetch_optional(p)
    .await?);
    let default_pool = match found {
        Some((area, pool_size)) if grant.serves(division(area)?) => pool(pool_size)?,
        _ => return Err(StoreError::not_found(format!("site {site}"))),
    };
    let size = i64::from(pool_size.unwrap_or(default_pool).get());
    let by = grant.username().as_str();
    retry(|| async move {
        on_pool!(&store.db.write, |p| {
            let mut tx = p.begin_write().await?;
            let made: Option<(i64,)> = sqlx::query_as(
                "INSERT INTO testing_tubes (barcode, site_id, pool_size, state, opened_by, \
                 opened_at) VALUES ($1, $2, $3, 'open', $4, $5) \
                 ON CONFLICT (barcode) DO NOTHING RETURNING id",
            )
            .bind(barcode.as_str())
            .bind(site)
            .bind(size)
            .bind(by)
            .bind(now_ms)
            .fetch_optional(&mut *tx)
            .await?;
            if made.is_none() {
                return Err(StoreError::invalid(
                    "barcode_used",
                    "barcode",
                    "this barcode was used for another tube: take a new tube",
                ));
            }
            tx.commit().await?;
            Ok(())
        })
    })
    .await?;
    Ok(view(store, barcode).await?.0)
}

/// Puts a person into a tube through the scan writer ([`crate::testing::scans`]), which
/// decides it with the other scans waiting, commits them together (with the audit entries of
/// those it answers) and answers the tube as it stands after.
pub(super) async fn add(
    store: &SqlStore,
    grant: &Sample,
    barcode: &Barcode,
    m: NewMember,
    now_ms: i64,
    audit: Option<cordon_domain::audit::AuditEntry>,
) -> Result<Added, StoreError> {
    store
        .scans
        .scan(Scan {
            barcode: barcode.clone(),
            grant: grant.clone(),
            member: m,
            at_ms: now_ms,
            audit,
        })
        .await
}

pub(super) async fn seal(
    store: &SqlStore,
    grant: &Sample,
    barcode: &Barcode,
    short_reason: Option<&str>,
    now_ms: i64,
) -> Result<TubeView, StoreError> {
    let by = grant.username().as_str();
    // On PostgreSQL the tube is locked as it is read, so that a group of scans committing
    // meanwhile (which locks it too) is either wholly before the seal's count or waits for it;
    // SQLite's `BEGIN IMMEDIATE` holds every writer off already.
    let lock = match &store.db.write {
        crate::db::Pool::Postgres(_) => " FOR UPDATE OF t",
        crate::db::Pool::Sqlite(_) => "",
    };
    let read = &format!("{TUBE}= $1{lock}");
    retry(|| async move {
        on_pool!(&store.db.write, |p| {
            let mut tx = p.begin_write().await?;
            let found: Option<TubeCols> = sqlx::query_as(read)
                .bind(barcode.as_str())
                .fetch_optional(&mut *tx)
                .await?;
            let Some(t) = found
                .map(TubeRow::from)
                .filter(|t| division(t.area).is_ok_and(|a| grant.serves(a)))
            else {
                return Err(not_found(barcode));
            };
            let short = tube::may_seal(&t.rules()?, short_reason).map_err(StoreError::Invalid)?;
            sqlx::query(
                "UPDATE testing_tubes SET state = 'sealed', short_reason = $2, sealed_by = $3, \
                 sealed_at = $4 WHERE id = $1",
            )
            .bind(t.id)
            .bind(if short { short_reason } else { None })
            .bind(by)
            .bind(now_ms)
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM testing_open WHERE tube_id = $1")
                .bind(t.id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(())
        })
    })
    .await?;
    Ok(view(store, barcode).await?.0)
}

/// A tube's columns as its view reads them ([`VIEW_TUBE`]).
pub(crate) type ViewCols = (
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

/// A tube as its view reads it, ending `WHERE t.barcode`: the caller says how it matches.
pub(crate) const VIEW_TUBE: &str = "SELECT t.id, t.site_id, s.name, t.state, t.pool_size, \
     t.short_reason, t.opened_by, t.opened_at, t.sealed_at, c.area FROM testing_tubes t \
     JOIN testing_sites s ON s.id = t.site_id \
     JOIN testing_campaigns c ON c.id = s.campaign_id WHERE t.barcode ";

/// A tube's persons as its view reads them, ending `WHERE tube_id`: the caller says how it
/// matches and orders them by `bound_at, person_key`.
pub(crate) const VIEW_MEMBERS: &str = "SELECT tube_id, masked_name, document_type, \
     masked_number, bound_by, bound_at FROM testing_members WHERE tube_id ";

/// A row of [`VIEW_MEMBERS`].
pub(crate) type MemberCols = (i64, String, String, String, String, i64);

/// A tube's view from its columns and its persons' rows (in order).
pub(crate) fn build_view(
    barcode: &Barcode,
    c: ViewCols,
    members: impl IntoIterator<Item = MemberCols>,
) -> Result<(TubeView, DivisionCode), StoreError> {
    let members = members
        .into_iter()
        .map(|(_, name, kind, number, by, at)| {
            Ok(Member {
                name,
                document: MaskedDocument {
                    kind: DocumentType::parse(&kind).map_err(|_| corrupt("document type"))?,
                    number,
                },
                bound_by: by,
                bound_at_ms: at,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    Ok((
        TubeView {
            barcode: barcode.to_string(),
            site: c.1,
            site_name: c.2,
            state: TubeState::parse(&c.3).map_err(|_| corrupt("tube state"))?,
            pool_size: c.4 as u32,
            members,
            short_reason: c.5,
            opened_by: c.6,
            opened_at_ms: c.7,
            sealed_at_ms: c.8,
        },
        division(c.9)?,
    ))
}

/// A tube with its persons, masked, and its campaign's area.
pub(super) async fn view(
    store: &SqlStore,
    barcode: &Barcode,
) -> Result<(TubeView, DivisionCode), StoreError> {
    let found: Option<ViewCols> = on_pool!(&store.db.read, |p| sqlx::query_as(&format!(
        "{VIEW_TUBE}= $1"
    ))
    .bind(barcode.as_str())
    .fetch_optional(p)
    .await?);
    let Some(c) = found else {
        return Err(not_found(barcode));
    };
    let members: Vec<MemberCols> = on_pool!(&store.db.read, |p| sqlx::query_as(&format!(
        "{VIEW_MEMBERS}= $1 ORDER BY bound_at, person_key"
    ))
    .bind(c.0)
    .fetch_all(p)
    .await?);
    build_view(barcode, c, members)
}
