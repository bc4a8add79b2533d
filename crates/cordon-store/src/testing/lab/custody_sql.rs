//! The SQL of custody: a box opened at a site (a barcode no tube has), the site's sealed tubes
//! packed in it (each in one box), the box handed over to a named person, and the box received
//! at a lab, which receives every tube in it in one transaction (all or none).

use cordon_domain::access::testing::{LabWork, Sample};
use cordon_domain::testing::Barcode;

use super::lookup::lab_area;
use super::{BoxView, Received};
use crate::db::{on_pool, retry, BeginWrite};
use crate::store::SqlStore;
use crate::testing::division;
use crate::StoreError;

fn box_not_found(b: &Barcode) -> StoreError {
    StoreError::not_found(format!("box {b}"))
}

/// A box as a write reads it: id, site, handed, and its campaign's area.
type BoxCols = (i64, i64, Option<i64>, i64);

/// A tube as packing reads it: id, site, state, box, received.
type TubeCols = (i64, i64, String, Option<i64>, Option<i64>);

const BOX_FOR_WRITE: &str = "SELECT b.id, b.site_id, b.handed_at, c.area FROM testing_boxes b \
     JOIN testing_sites s ON s.id = b.site_id \
     JOIN testing_campaigns c ON c.id = s.campaign_id WHERE b.barcode = $1";

pub(super) async fn open(
    store: &SqlStore,
    grant: &Sample,
    site: i64,
    barcode: &Barcode,
    now_ms: i64,
) -> Result<BoxView, StoreError> {
    let by = grant.username().as_str();
    retry(|| async move {
        on_pool!(&store.db.write, |p| {
            let mut tx = p.begin_write().await?;
            let area: Option<(i64,)> = sqlx::query_as(
                "SELECT c.area FROM testing_sites s \
                 JOIN testing_campaigns c ON c.id = s.campaign_id WHERE s.id = $1",
            )
            .bind(site)
            .fetch_optional(&mut *tx)
            .await?;
            if !area.is_some_and(|(a,)| division(a).is_ok_and(|a| grant.serves(a))) {
                return Err(StoreError::not_found(format!("site {site}")));
            }
            let tube: Option<(i64,)> =
                sqlx::query_as("SELECT id FROM testing_tubes WHERE barcode = $1")
                    .bind(barcode.as_str())
                    .fetch_optional(&mut *tx)
                    .await?;
            if tube.is_some() {
                return Err(StoreError::invalid(
                    "barcode_used",
                    "barcode",
                    "this barcode is a tube's: a box has its own barcode",
                ));
            }
            let held: Option<(i64,)> =
                sqlx::query_as("SELECT site_id FROM testing_boxes WHERE barcode = $1")
                    .bind(barcode.as_str())
                    .fetch_optional(&mut *tx)
                    .await?;
            match held {
                Some((s,)) if s == site => return Ok(()),
                Some(_) => {
                    return Err(StoreError::invalid(
                        "barcode_used",
                        "barcode",
                        "this box was opened at another site",
                    ))
                }
                None => {}
            }
            sqlx::query(
                "INSERT INTO testing_boxes (barcode, site_id, packed_by, packed_at) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(barcode.as_str())
            .bind(site)
            .bind(by)
            .bind(now_ms)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(())
        })
    })
    .await?;
    view(store, barcode).await
}

pub(super) async fn pack(
    store: &SqlStore,
    grant: &Sample,
    barcode: &Barcode,
    tube: &Barcode,
) -> Result<BoxView, StoreError> {
    retry(|| async move {
        on_pool!(&store.db.write, |p| {
            let mut tx = p.begin_write().await?;
            let found: Option<BoxCols> = sqlx::query_as(BOX_FOR_WRITE)
                .bind(barcode.as_str())
                .fetch_optional(&mut *tx)
                .await?;
            let Some(b) = found.filter(|b| division(b.3).is_ok_and(|a| grant.serves(a))) else {
                return Err(box_not_found(barcode));
            };
            let t: Option<TubeCols> = sqlx::query_as(
                "SELECT id, site_id, state, box_id, received_at FROM testing_tubes WHERE barcode = $1",
            )
            .bind(tube.as_str())
            .fetch_optional(&mut *tx)
            .await?;
            let Some(t) = t else {
                return Err(StoreError::not_found(format!("tube {tube}")));
            };
            match t.3 {
                Some(in_box) if in_box == b.0 => return Ok(()),
                Some(_) => {
                    return Err(StoreError::invalid(
                        "in_another_box",
                        "tube",
                        "this tube is packed in another box",
                    ))
                }
                None => {}
            }
            if b.2.is_some() {
                return Err(StoreError::invalid(
                    "box_handed",
                    "tube",
                    "this box was handed over: pack the tube in a new box",
                ));
            }
            if t.1 != b.1 {
                return Err(StoreError::invalid(
                    "other_site",
                    "tube",
                    "this tube was filled at another site",
                ));
            }
            if t.2 != "sealed" {
                return Err(StoreError::invalid(
                    "not_sealed",
                    "tube",
                    "this tube is still open: seal it before it is packed",
                ));
            }
            if t.4.is_some() {
                return Err(StoreError::invalid(
                    "received_elsewhere",
                    "tube",
                    "this tube was received at a lab already",
                ));
            }
            sqlx::query("UPDATE testing_tubes SET box_id = $2 WHERE id = $1")
                .bind(t.0)
                .bind(b.0)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(())
        })
    })
    .await?;
    view(store, barcode).await
}

pub(super) async fn hand_over(
    store: &SqlStore,
    grant: &Sample,
    barcode: &Barcode,
    to: &str,
    now_ms: i64,
) -> Result<BoxView, StoreError> {
    let by = grant.username().as_str();
    retry(|| async move {
        on_pool!(&store.db.write, |p| {
            let mut tx = p.begin_write().await?;
            let found: Option<BoxCols> = sqlx::query_as(BOX_FOR_WRITE)
                .bind(barcode.as_str())
                .fetch_optional(&mut *tx)
                .await?;
            let Some(b) = found.filter(|b| division(b.3).is_ok_and(|a| grant.serves(a))) else {
                return Err(box_not_found(barcode));
            };
            if b.2.is_some() {
                return Ok(());
            }
            let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM testing_tubes WHERE box_id = $1")
                .bind(b.0)
                .fetch_one(&mut *tx)
                .await?;
            if n == 0 {
                return Err(StoreError::invalid(
                    "box_empty",
                    "barcode",
                    "an empty box is not handed over: pack its tubes first",
                ));
            }
            sqlx::query(
                "UPDATE testing_boxes SET handed_to = $2, handed_by = $3, handed_at = $4 WHERE id = $1",
            )
            .bind(b.0)
            .bind(to)
            .bind(by)
            .bind(now_ms)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(())
        })
    })
    .await?;
    view(store, barcode).await
}

/// Receives every tube of a box at a lab the account works for: `None` when `barcode` names no
/// box (it may be a tube's).
pub(super) async fn receive(
    store: &SqlStore,
    grant: &LabWork,
    lab: i64,
    barcode: &Barcode,
    now_ms: i64,
) -> Result<Option<Received>, StoreError> {
    lab_area(store, |a| grant.serves(a), lab).await?;
    // Most scans at the door are tubes: whether this is a box is read first, so a tube's
    // receipt opens one write transaction, not two (a box's rows are never deleted).
    let is_box: Option<(i64,)> = on_pool!(&store.db.read, |p| sqlx::query_as(
        "SELECT id FROM testing_boxes WHERE barcode = $1"
    )
    .bind(barcode.as_str())
    .fetch_optional(p)
    .await?);
    if is_box.is_none() {
        return Ok(None);
    }
    let by = grant.username().as_str();
    retry(|| async move {
        on_pool!(&store.db.write, |p| {
            let mut tx = p.begin_write().await?;
            let found: Option<BoxCols> = sqlx::query_as(BOX_FOR_WRITE)
                .bind(barcode.as_str())
                .fetch_optional(&mut *tx)
                .await?;
            let Some(b) = found else {
                return Ok(None);
            };
            if !division(b.3).is_ok_and(|a| grant.serves(a)) {
                return Err(box_not_found(barcode));
            }
            let tubes: Vec<(i64, i64, Option<i64>)> =
                sqlx::query_as("SELECT id, members, lab_id FROM testing_tubes WHERE box_id = $1")
                    .bind(b.0)
                    .fetch_all(&mut *tx)
                    .await?;
            if tubes.iter().any(|t| t.2.is_some_and(|l| l != lab)) {
                return Err(StoreError::invalid(
                    "received_elsewhere",
                    "barcode",
                    "a tube of this box was received at another lab",
                ));
            }
            let fresh = tubes.iter().filter(|t| t.2.is_none()).count();
            sqlx::query(
                "UPDATE testing_tubes SET lab_id = $2, received_by = $3, received_at = $4 \
                 WHERE box_id = $1 AND lab_id IS NULL",
            )
            .bind(b.0)
            .bind(lab)
            .bind(by)
            .bind(now_ms)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(Some(Received {
                barcode: barcode.to_string(),
                tubes: tubes.len() as u32,
                persons: tubes.iter().map(|t| t.1 as u32).sum(),
                already: fresh == 0,
            }))
        })
    })
    .await
}

type ViewCols = (
    i64,
    i64,
    String,
    String,
    i64,
    Option<String>,
    Option<String>,
    Option<i64>,
);

/// A box with its tubes.
pub(super) async fn view(store: &SqlStore, barcode: &Barcode) -> Result<BoxView, StoreError> {
    let found: Option<ViewCols> = on_pool!(&store.db.read, |p| sqlx::query_as(
        "SELECT b.id, b.site_id, s.name, b.packed_by, b.packed_at, b.handed_to, b.handed_by, \
         b.handed_at FROM testing_boxes b JOIN testing_sites s ON s.id = b.site_id \
         WHERE b.barcode = $1"
    )
    .bind(barcode.as_str())
    .fetch_optional(p)
    .await?);
    let Some(c) = found else {
        return Err(box_not_found(barcode));
    };
    let tubes: Vec<(String, i64)> = on_pool!(&store.db.read, |p| sqlx::query_as(
        "SELECT barcode, members FROM testing_tubes WHERE box_id = $1 ORDER BY barcode"
    )
    .bind(c.0)
    .fetch_all(p)
    .await?);
    Ok(BoxView {
        barcode: barcode.to_string(),
        site: c.1,
        site_name: c.2,
        persons: tubes.iter().map(|t| t.1).sum(),
        tubes: tubes.into_iter().map(|t| t.0).collect(),
        packed_by: c.3,
        packed_at_ms: c.4,
        handed_to: c.5,
        handed_by: c.6,
        handed_at_ms: c.7,
    })
}
