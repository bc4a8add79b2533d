//! The drivers' requests from a lot's bays: a bay token checked by the hub's key, one open
//! request per bay and need (asking again answers the open one), closed by the lot's staff.

use cordon_domain::access::freight::LotWork;
use cordon_domain::freight::bay::{BayRequest, BayToken, DriverNeed};
use cordon_domain::time::from_ms;

use super::rows::{corrupt, BUMP};
use super::LotPublic;
use crate::db::{on_pool, retry, BeginWrite};
use crate::store::SqlStore;
use crate::StoreError;

/// The first 20 hex digits of the hub's keyed hash of the lot and bay.
pub(super) fn check(store: &SqlStore, lot: i64, bay: u32) -> String {
    store.keyring.subject(&format!("lot-bay:{lot}:{bay}"))[..20].to_owned()
}

/// The lot of a genuine token for one of its bays.
pub(super) async fn bay_lot(store: &SqlStore, t: &BayToken) -> Result<LotPublic, StoreError> {
    let missing = || StoreError::not_found("bay");
    let genuine = check(store, t.lot, t.bay);
    if !subtle_eq(genuine.as_bytes(), t.check.to_ascii_lowercase().as_bytes()) {
        return Err(missing());
    }
    let row: Option<(i64, String, String, i64)> = on_pool!(&store.db.read, |p| sqlx::query_as(
        "SELECT id, name, address, bays FROM lots WHERE id = $1"
    )
    .bind(t.lot)
    .fetch_optional(p)
    .await?);
    match row {
        Some(r) if t.bay >= 1 && i64::from(t.bay) <= r.3 => Ok(LotPublic {
            id: r.0,
            name: r.1,
            address: r.2,
        }),
        _ => Err(missing()),
    }
}

/// Compares in time independent of where the bytes differ.
fn subtle_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

type RequestRow = (i64, i64, i64, String, i64, Option<i64>, Option<String>);
const REQUEST_COLS: &str = "id, lot_id, bay, need, asked_at, closed_at, closed_by";

fn request(r: RequestRow) -> Result<BayRequest, StoreError> {
    Ok(BayRequest {
        id: r.0,
        lot: r.1,
        bay: u32::try_from(r.2).map_err(|_| corrupt("bay"))?,
        need: DriverNeed::parse(&r.3).map_err(|_| corrupt("need"))?,
        asked_at: from_ms(r.4),
        closed_at: r.5.map(from_ms),
        closed_by: r.6,
    })
}

pub(super) async fn ask(
    store: &SqlStore,
    t: &BayToken,
    need: DriverNeed,
    now_ms: i64,
) -> Result<BayRequest, StoreError> {
    bay_lot(store, t).await?;
    let bay = i64::from(t.bay);
    let id: Option<i64> = retry(|| async move {
        on_pool!(&store.db.write, |p| {
            let mut tx = p.begin_write().await?;
            let open: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM lot_requests WHERE lot_id = $1 AND bay = $2 AND need = $3 \
                 AND closed_at IS NULL",
            )
            .bind(t.lot)
            .bind(bay)
            .bind(need.as_str())
            .fetch_optional(&mut *tx)
            .await?;
            if open.is_some() {
                return Ok(open);
            }
            let inserted = sqlx::query_scalar(
                "INSERT INTO lot_requests (lot_id, bay, need, asked_at) VALUES ($1, $2, $3, $4) \
                 RETURNING id",
            )
            .bind(t.lot)
            .bind(bay)
            .bind(need.as_str())
            .bind(now_ms)
            .fetch_one(&mut *tx)
            .await;
            let id: i64 = match inserted {
                Ok(id) => id,
                // Asked twice at once (PostgreSQL): the other's request is the open one.
                Err(e) if StoreError::is_unique_violation(&e) => return Ok(None),
                Err(e) => return Err(e.into()),
            };
            sqlx::query(BUMP).bind(t.lot).execute(&mut *tx).await?;
            tx.commit().await?;
            Ok(Some(id))
        })
    })
    .await?;
    let id = match id {
        Some(id) => id,
        None => on_pool!(&store.db.write, |p| sqlx::query_scalar(
            "SELECT id FROM lot_requests WHERE lot_id = $1 AND bay = $2 AND need = $3 \
             AND closed_at IS NULL"
        )
        .bind(t.lot)
        .bind(bay)
        .bind(need.as_str())
        .fetch_one(p)
        .await?),
    };
    one(store, t.lot, id).await
}

async fn one(store: &SqlStore, lot: i64, id: i64) -> Result<BayRequest, StoreError> {
    let row: Option<RequestRow> = on_pool!(&store.db.write, |p| sqlx::query_as(&format!(
        "SELECT {REQUEST_COLS} FROM lot_requests WHERE id = $1 AND lot_id = $2"
    ))
    .bind(id)
    .bind(lot)
    .fetch_optional(p)
    .await?);
    request(row.ok_or_else(|| StoreError::not_found(format!("request {id}")))?)
}

pub(super) async fn bay_requests(
    store: &SqlStore,
    t: &BayToken,
    now_ms: i64,
) -> Result<Vec<BayRequest>, StoreError> {
    bay_lot(store, t).await?;
    let rows: Vec<RequestRow> = on_pool!(&store.db.read, |p| sqlx::query_as(&format!(
        "SELECT {REQUEST_COLS} FROM lot_requests WHERE lot_id = $1 AND bay = $2 \
         AND asked_at >= $3 ORDER BY id DESC LIMIT 50"
    ))
    .bind(t.lot)
    .bind(i64::from(t.bay))
    .bind(now_ms - 86_400_000)
    .fetch_all(p)
    .await?);
    rows.into_iter().map(request).collect()
}

pub(super) async fn open_requests(
    store: &SqlStore,
    lot: i64,
) -> Result<Vec<BayRequest>, StoreError> {
    let rows: Vec<RequestRow> = on_pool!(&store.db.read, |p| sqlx::query_as(&format!(
        "SELECT {REQUEST_COLS} FROM lot_requests WHERE lot_id = $1 AND closed_at IS NULL \
         ORDER BY asked_at, id LIMIT 2000"
    ))
    .bind(lot)
    .fetch_all(p)
    .await?);
    rows.into_iter().map(request).collect()
}

pub(super) async fn close(
    store: &SqlStore,
    grant: &LotWork,
    lot: i64,
    id: i64,
    now_ms: i64,
) -> Result<BayRequest, StoreError> {
    one(store, lot, id).await?;
    let by = grant.username().as_str();
    retry(|| async move {
        on_pool!(&store.db.write, |p| {
            let mut tx = p.begin_write().await?;
            let done = sqlx::query(
                "UPDATE lot_requests SET closed_at = $1, closed_by = $2 \
                 WHERE id = $3 AND closed_at IS NULL",
            )
            .bind(now_ms)
            .bind(by)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() > 0 {
                sqlx::query(BUMP).bind(lot).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(())
        })
    })
    .await?;
    one(store, lot, id).await
}
