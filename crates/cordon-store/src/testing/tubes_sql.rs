//! The SQL of tubes: opened at a site (a barcode once), persons scanned in (one open tube per
//! person, never past the pool, a recalled person alone), sealed (the persons free again); each
//! one transaction, checked by [`cordon_domain::testing::tube`] against the tube as the
//! transaction reads it.

use cordon_domain::access::testing::Sample;
use cordon_domain::division::DivisionCode;
use cordon_domain::identity::{DocumentType, MaskedDocument};
use cordon_domain::testing::antigen::CordonTest;
use cordon_domain::testing::lab::MemberResult;
use cordon_domain::testing::tube::{self, Tube, TubeState};
use cordon_domain::testing::{Barcode, PoolSize};

use super::area::division;
use super::{Added, Member, NewMember, TubeView};
use crate::db::{on_pool, retry, BeginWrite};
use crate::store::SqlStore;
use crate::StoreError;

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(what.to_owned())
}

fn not_found(barcode: &Barcode) -> StoreError {
    StoreError::not_found(format!("tube {barcode}"))
}

fn pool(n: i64) -> Result<PoolSize, StoreError> {
    PoolSize::parse(n as u32).map_err(|_| corrupt("pool size"))
}

/// A tube as a write reads it: id, state, pool, members, and its campaign's area.
type TubeCols = (i64, String, i64, i64, i64);

const TUBE_FOR_WRITE: &str = "SELECT t.id, t.state, t.pool_size, t.members, c.area \
     FROM testing_tubes t JOIN testing_sites s ON s.id = t.site_id \
     JOIN testing_campaigns c ON c.id = s.campaign_id WHERE t.barcode = $1";

fn rules(c: &TubeCols) -> Result<Tube, StoreError> {
    Ok(Tube {
        state: TubeState::parse(&c.1).map_err(|_| corrupt("tube state"))?,
        pool_size: pool(c.2)?,
        members: c.3 as u32,
    })
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

pub(super) async fn add(
    store: &SqlStore,
    grant: &Sample,
    barcode: &Barcode,
    m: NewMember,
    now_ms: i64,
) -> Result<Added, StoreError> {
    // A person recalled by a positive pool (their latest result) is re-tested alone.
    let recalled = crate::testing::results_sql::latest(store, std::slice::from_ref(&m.person_key))
        .await?[0]
        .is_some_and(|r| r.test == CordonTest::Lab(MemberResult::Recall));
    let m = &m;
    let by = grant.username().as_str();
    let already = retry(|| async move {
        on_pool!(&store.db.write, |p| {
            let mut tx = p.begin_write().await?;
            let found: Option<TubeCols> = sqlx::query_as(TUBE_FOR_WRITE)
                .bind(barcode.as_str())
                .fetch_optional(&mut *tx)
                .await?;
            let Some(t) = found.filter(|t| division(t.4).is_ok_and(|a| grant.serves(a))) else {
                return Err(not_found(barcode));
            };
            let holding: Option<(i64,)> =
                sqlx::query_as("SELECT tube_id FROM testing_open WHERE person_key = $1")
                    .bind(&m.person_key)
                    .fetch_optional(&mut *tx)
                    .await?;
            match holding {
                Some((tube_id,)) if tube_id == t.0 => return Ok(true),
                Some(_) => {
                    return Err(StoreError::invalid(
                        "in_open_tube",
                        "document",
                        "this person is in another open tube: seal that one first",
                    ))
                }
                None => {}
            }
            let sealed_already: Option<(i64,)> = sqlx::query_as(
                "SELECT tube_id FROM testing_members WHERE tube_id = $1 AND person_key = $2",
            )
            .bind(t.0)
            .bind(&m.person_key)
            .fetch_optional(&mut *tx)
            .await?;
            if sealed_already.is_some() {
                return Ok(true);
            }
            tube::may_add(&rules(&t)?).map_err(StoreError::Invalid)?;
            if recalled {
                tube::may_take_recalled(&rules(&t)?).map_err(StoreError::Invalid)?;
            }
            let placed: Option<(i64,)> = sqlx::query_as(
                "INSERT INTO testing_open (person_key, tube_id) VALUES ($1, $2) \
                 ON CONFLICT (person_key) DO NOTHING RETURNING tube_id",
            )
            .bind(&m.person_key)
            .bind(t.0)
            .fetch_optional(&mut *tx)
            .await?;
            if placed.is_none() {
                return Err(StoreError::invalid(
                    "in_open_tube",
                    "document",
                    "this person is in another open tube: seal that one first",
                ));
            }
            sqlx::query(
                "INSERT INTO testing_members (tube_id, person_key, masked_name, document_type, \
                 masked_number, sealed, bound_by, bound_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(t.0)
            .bind(&m.person_key)
            .bind(&m.masked_name)
            .bind(m.document.kind.as_str())
            .bind(&m.document.number)
            .bind(m.sealed.as_slice())
            .bind(by)
            .bind(now_ms)
            .execute(&mut *tx)
            .await?;
            // The person's roster row, if the campaign lists them, is marked sampled.
            sqlx::query(
                "UPDATE testing_roster SET sampled = 1 WHERE person_key = $1 AND sampled = 0 \
                 AND campaign_id = (SELECT s.campaign_id FROM testing_tubes t \
                 JOIN testing_sites s ON s.id = t.site_id WHERE t.id = $2)",
            )
            .bind(&m.person_key)
            .bind(t.0)
            .execute(&mut *tx)
            .await?;
            let counted = sqlx::query(
                "UPDATE testing_tubes SET members = members + 1 \
                 WHERE id = $1 AND state = 'open' AND members < pool_size",
            )
            .bind(t.0)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if counted != 1 {
                return Err(StoreError::invalid(
                    "tube_full",
                    "barcode",
                    "this tube holds its pool: seal it",
                ));
            }
            tx.commit().await?;
            Ok(false)
        })
    })
    .await?;
    Ok(Added {
        tube: view(store, barcode).await?.0,
        already,
    })
}

pub(super) async fn seal(
    store: &SqlStore,
    grant: &Sample,
    barcode: &Barcode,
    short_reason: Option<&str>,
    now_ms: i64,
) -> Result<TubeView, StoreError> {
    let by = grant.username().as_str();
    retry(|| async move {
        on_pool!(&store.db.write, |p| {
            let mut tx = p.begin_write().await?;
            let found: Option<TubeCols> = sqlx::query_as(TUBE_FOR_WRITE)
                .bind(barcode.as_str())
                .fetch_optional(&mut *tx)
                .await?;
            let Some(t) = found.filter(|t| division(t.4).is_ok_and(|a| grant.serves(a))) else {
                return Err(not_found(barcode));
            };
            let short = tube::may_seal(&rules(&t)?, short_reason).map_err(StoreError::Invalid)?;
            sqlx::query(
                "UPDATE testing_tubes SET state = 'sealed', short_reason = $2, sealed_by = $3, \
                 sealed_at = $4 WHERE id = $1",
            )
            .bind(t.0)
            .bind(if short { short_reason } else { None })
            .bind(by)
            .bind(now_ms)
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM testing_open WHERE tube_id = $1")
                .bind(t.0)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(())
        })
    })
    .await?;
    Ok(view(store, barcode).await?.0)
}

type ViewCols = (
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

/// A tube with its persons, masked, and its campaign's area.
pub(super) async fn view(
    store: &SqlStore,
    barcode: &Barcode,
) -> Result<(TubeView, DivisionCode), StoreError> {
    let found: Option<ViewCols> = on_pool!(&store.db.read, |p| sqlx::query_as(
        "SELECT t.id, t.site_id, s.name, t.state, t.pool_size, t.short_reason, t.opened_by, \
         t.opened_at, t.sealed_at, c.area FROM testing_tubes t \
         JOIN testing_sites s ON s.id = t.site_id \
         JOIN testing_campaigns c ON c.id = s.campaign_id WHERE t.barcode = $1"
    )
    .bind(barcode.as_str())
    .fetch_optional(p)
    .await?);
    let Some(c) = found else {
        return Err(not_found(barcode));
    };
    let members: Vec<(String, String, String, String, i64)> =
        on_pool!(&store.db.read, |p| sqlx::query_as(
            "SELECT masked_name, document_type, masked_number, bound_by, bound_at \
             FROM testing_members WHERE tube_id = $1 ORDER BY bound_at, person_key"
        )
        .bind(c.0)
        .fetch_all(p)
        .await?);
    let members = members
        .into_iter()
        .map(|(name, kind, number, by, at)| {
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
