//! The SQL of [`PassStore`] for both backends. A pass is numbered in the transaction that
//! writes it (the issuing division's largest serial plus one; two commanders of one division
//! issuing at once on PostgreSQL meet the unique index and the later one takes the next
//! serial). Its drivers are sealed against its number.

use async_trait::async_trait;
use cordon_domain::access::freight::PassIssue;
use cordon_domain::checkpoint::CheckpointCode;
use cordon_domain::division::DivisionCode;
use cordon_domain::freight::alert::AlertKind;
use cordon_domain::freight::application::already_decided;
use cordon_domain::freight::pass::{FreightPass, GoodsCategory, PassClaims, PassDraft, PassNumber};
use cordon_domain::freight::route::WatchedPass;
use cordon_domain::freight::truck::DriverShown;
use cordon_domain::time::from_ms;
use sqlx::QueryBuilder;

use super::rows::{corrupt, push_within, AlertDetail};
use super::{PassQuery, PassRevocation, PassStore, RouteAlert};
use crate::db::{on_pool, retry, BeginWrite};
use crate::store::SqlStore;
use crate::StoreError;

pub(super) const PASS_COLS: &str =
    "p.number, p.plate, p.tractor_plate, p.origin, p.destination, p.via, \
     p.goods, p.drivers_masked, p.valid_from, p.valid_until, p.issued_by, p.issued_at, \
     r.revoked_at, r.revoked_by, r.reason, p.expected_arrival";
pub(super) const PASS_FROM: &str =
    "FROM freight_passes p LEFT JOIN freight_pass_revocations r ON r.number = p.number";
pub(super) type PassRow = (
    String,
    String,
    Option<String>,
    i64,
    i64,
    String,
    String,
    String,
    i64,
    i64,
    String,
    i64,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<i64>,
);

fn division(v: i64) -> Result<DivisionCode, StoreError> {
    u32::try_from(v)
        .ok()
        .and_then(DivisionCode::from_value)
        .ok_or_else(|| corrupt("division"))
}

/// A route's checkpoints as stored (JSON).
pub(super) fn via_of(text: &str) -> Result<Vec<CheckpointCode>, StoreError> {
    let via: Vec<String> = serde_json::from_str(text).map_err(|_| corrupt("route"))?;
    via.iter()
        .map(|c| CheckpointCode::parse(c).map_err(|_| corrupt("route")))
        .collect()
}

pub(super) fn pass(r: PassRow) -> Result<FreightPass, StoreError> {
    let drivers: Vec<DriverShown> = serde_json::from_str(&r.7).map_err(|_| corrupt("drivers"))?;
    Ok(FreightPass {
        claims: PassClaims {
            number: PassNumber::parse(&r.0).map_err(|_| corrupt("pass number"))?,
            plate: r.1,
            tractor_plate: r.2,
            origin: division(r.3)?,
            destination: division(r.4)?,
            via: via_of(&r.5)?,
            goods: GoodsCategory::parse(&r.6).map_err(|_| corrupt("goods"))?,
            valid_from: from_ms(r.8),
            valid_until: from_ms(r.9),
        },
        drivers,
        issued_by: r.10,
        issued_at: from_ms(r.11),
        revoked_at: r.12.map(from_ms),
        revoked_by: r.13,
        revoked_reason: r.14,
        expected_arrival: r.15.map(from_ms),
    })
}

/// A draft's columns as written: its route, and its drivers masked and in clear (to be sealed).
struct PassValues {
    via: String,
    masked: String,
    clear: Vec<u8>,
}

impl PassValues {
    fn of(d: &PassDraft) -> Self {
        let masked: Vec<DriverShown> = d.drivers.iter().map(|x| x.masked()).collect();
        let clear: Vec<DriverShown> = d.drivers.iter().map(|x| x.clear()).collect();
        let via: Vec<&str> = d.via.iter().map(|c| c.as_str()).collect();
        PassValues {
            via: serde_json::to_string(&via).expect("strings serialise"),
            masked: serde_json::to_string(&masked).expect("strings serialise"),
            clear: serde_json::to_vec(&clear).expect("strings serialise"),
        }
    }
}

fn context(number: &PassNumber) -> Vec<u8> {
    format!("pass {number}").into_bytes()
}

#[async_trait]
impl PassStore for SqlStore {
    async fn issue_pass(
        &self,
        grant: &PassIssue,
        draft: &PassDraft,
        now_ms: i64,
    ) -> Result<FreightPass, StoreError> {
        let numbers = self
            .issue_passes(grant, std::slice::from_ref(draft), now_ms)
            .await?;
        match numbers.first() {
            Some(number) => self.freight_pass(grant, number).await,
            None => Err(StoreError::Corrupt("a pass issued without a number".into())),
        }
    }

    async fn issue_passes(
        &self,
        grant: &PassIssue,
        drafts: &[PassDraft],
        now_ms: i64,
    ) -> Result<Vec<PassNumber>, StoreError> {
        issue(self, grant, drafts, now_ms, None).await
    }

    async fn list_passes(
        &self,
        grant: &PassIssue,
        query: &PassQuery,
    ) -> Result<Vec<FreightPass>, StoreError> {
        let rows: Vec<PassRow> = on_pool!(&self.db.read, |p| {
            let mut q = QueryBuilder::new(format!("SELECT {PASS_COLS} {PASS_FROM} WHERE 1 = 1"));
            push_within(&mut q, "p.division", grant.division());
            if let Some(plate) = &query.plate {
                q.push(" AND (p.plate = ")
                    .push_bind(plate.clone())
                    .push(" OR p.tractor_plate = ")
                    .push_bind(plate.clone())
                    .push(")");
            }
            if let Some(at) = query.active_at_ms {
                q.push(" AND p.valid_until > ")
                    .push_bind(at)
                    .push(" AND r.number IS NULL");
            }
            q.push(" ORDER BY p.issued_at DESC, p.number DESC LIMIT 500");
            q.build_query_as().fetch_all(p).await?
        });
        rows.into_iter().map(pass).collect()
    }

    async fn freight_pass(
        &self,
        grant: &PassIssue,
        number: &PassNumber,
    ) -> Result<FreightPass, StoreError> {
        let row: Option<PassRow> = on_pool!(&self.db.write, |p| {
            let mut q =
                QueryBuilder::new(format!("SELECT {PASS_COLS} {PASS_FROM} WHERE p.number = "));
            q.push_bind(number.as_str().to_owned());
            push_within(&mut q, "p.division", grant.division());
            q.build_query_as().fetch_optional(p).await?
        });
        pass(row.ok_or_else(|| StoreError::not_found(format!("pass {number}")))?)
    }

    async fn revoke_pass(
        &self,
        grant: &PassIssue,
        number: &PassNumber,
        reason: &str,
        now_ms: i64,
    ) -> Result<FreightPass, StoreError> {
        let p = self.freight_pass(grant, number).await?;
        let revoked = || {
            StoreError::invalid(
                "pass_revoked",
                "number",
                format!("pass {number} was revoked already"),
            )
        };
        if p.revoked_at.is_some() {
            return Err(revoked());
        }
        let by = grant.username().as_str();
        let until = p.claims.valid_until.timestamp_millis();
        let written = retry(|| async move {
            on_pool!(&self.db.write, |p| {
                let r = sqlx::query(
                    "INSERT INTO freight_pass_revocations (number, revoked_at, revoked_by, \
                     reason, valid_until) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                )
                .bind(number.as_str())
                .bind(now_ms)
                .bind(by)
                .bind(reason)
                .bind(until)
                .execute(p)
                .await?;
                Ok(r.rows_affected())
            })
        })
        .await?;
        if written == 0 {
            return Err(revoked());
        }
        self.freight_pass(grant, number).await
    }

    async fn pass_revocation(
        &self,
        number: &PassNumber,
    ) -> Result<Option<PassRevocation>, StoreError> {
        let row: Option<(i64, String, String, i64)> = on_pool!(&self.db.read, |p| sqlx::query_as(
            "SELECT revoked_at, revoked_by, reason, valid_until FROM freight_pass_revocations \
             WHERE number = $1"
        )
        .bind(number.as_str())
        .fetch_optional(p)
        .await?);
        Ok(row.map(|r| PassRevocation {
            number: number.clone(),
            revoked_at_ms: r.0,
            revoked_by: r.1,
            reason: r.2,
            valid_until_ms: r.3,
        }))
    }

    async fn live_revocations(&self, now_ms: i64) -> Result<Vec<PassRevocation>, StoreError> {
        let rows: Vec<(String, i64, String, String, i64)> =
            on_pool!(&self.db.read, |p| sqlx::query_as(
                "SELECT number, revoked_at, revoked_by, reason, valid_until \
                 FROM freight_pass_revocations WHERE valid_until > $1 ORDER BY number LIMIT 100000"
            )
            .bind(now_ms)
            .fetch_all(p)
            .await?);
        rows.into_iter()
            .map(|r| {
                Ok(PassRevocation {
                    number: PassNumber::parse(&r.0).map_err(|_| corrupt("pass number"))?,
                    revoked_at_ms: r.1,
                    revoked_by: r.2,
                    reason: r.3,
                    valid_until_ms: r.4,
                })
            })
            .collect()
    }

    async fn watched_passes(&self, now_ms: i64) -> Result<Vec<WatchedPass>, StoreError> {
        type Row = (
            String,
            String,
            Option<String>,
            String,
            i64,
            i64,
            Option<i64>,
        );
        let rows: Vec<Row> = on_pool!(&self.db.read, |p| sqlx::query_as(
            "SELECT p.number, p.plate, p.tractor_plate, p.via, p.valid_from, \
             p.valid_until, p.expected_arrival FROM freight_passes p \
             LEFT JOIN freight_pass_revocations r ON r.number = p.number \
             WHERE p.valid_until > $1 AND r.number IS NULL"
        )
        .bind(now_ms)
        .fetch_all(p)
        .await?);
        rows.into_iter()
            .map(|r| {
                Ok(WatchedPass {
                    number: PassNumber::parse(&r.0).map_err(|_| corrupt("pass number"))?,
                    plate: r.1,
                    tractor_plate: r.2,
                    via: via_of(&r.3)?,
                    valid_from_ms: r.4,
                    valid_until_ms: r.5,
                    expected_arrival_ms: r.6,
                })
            })
            .collect()
    }

    async fn raise_route_alert(
        &self,
        alert: &RouteAlert<'_>,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let detail = AlertDetail {
            off_route_at: alert.off_route_at.clone(),
            expected_arrival_ms: alert.pass.expected_arrival_ms,
            seen_from_ms: Some(alert.seen_from_ms),
            ..AlertDetail::default()
        };
        let detail = serde_json::to_string(&detail).expect("strings serialise");
        let detail = detail.as_str();
        retry(|| async move {
            on_pool!(&self.db.write, |p| {
                let n = sqlx::query(
                    "INSERT INTO freight_alerts (kind, division, plate, detail, raised_at, \
                     pass_number) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
                )
                .bind(alert.kind.as_str())
                .bind(i64::from(alert.pass.issuer().value()))
                .bind(alert.plate)
                .bind(detail)
                .bind(now_ms)
                .bind(alert.pass.number.as_str())
                .execute(p)
                .await?
                .rows_affected();
                Ok(n == 1)
            })
        })
        .await
    }

    async fn route_alerts_raised(
        &self,
        since_ms: i64,
    ) -> Result<Vec<(String, AlertKind)>, StoreError> {
        let rows: Vec<(String, String)> = on_pool!(&self.db.read, |p| sqlx::query_as(
            "SELECT pass_number, kind FROM freight_alerts \
             WHERE pass_number IS NOT NULL AND raised_at >= $1"
        )
        .bind(since_ms)
        .fetch_all(p)
        .await?);
        rows.into_iter()
            .map(|(n, k)| Ok((n, AlertKind::parse(&k).map_err(|_| corrupt("alert kind"))?)))
            .collect()
    }

    async fn copy_revocation(&self, r: &PassRevocation) -> Result<bool, StoreError> {
        let done = retry(|| async move {
            on_pool!(&self.db.write, |p| {
                let d = sqlx::query(
                    "INSERT INTO freight_pass_revocations (number, revoked_at, revoked_by, \
                     reason, valid_until) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                )
                .bind(r.number.as_str())
                .bind(r.revoked_at_ms)
                .bind(&r.revoked_by)
                .bind(&r.reason)
                .bind(r.valid_until_ms)
                .execute(p)
                .await?;
                Ok(d.rows_affected())
            })
        })
        .await?;
        Ok(done > 0)
    }
}

/// Issues `drafts` as the grant's passes in one transaction; with `application`, the carrier's
/// pending application they answer is marked approved in the same transaction (`Invalid`
/// `application_decided` when it no longer is pending: nothing is issued).
pub(super) async fn issue(
    store: &SqlStore,
    grant: &PassIssue,
    drafts: &[PassDraft],
    now_ms: i64,
    application: Option<i64>,
) -> Result<Vec<PassNumber>, StoreError> {
    let mut known = std::collections::HashSet::new();
    for (i, code) in drafts.iter().flat_map(|d| d.via.iter().enumerate()) {
        if known.contains(code) {
            continue;
        }
        let found: Option<i64> = on_pool!(&store.db.read, |p| sqlx::query_scalar(
            "SELECT id FROM checkpoints WHERE code = $1"
        )
        .bind(code.as_str())
        .fetch_optional(p)
        .await?);
        if found.is_none() {
            return Err(StoreError::invalid(
                "unknown_checkpoint",
                &format!("via[{i}]"),
                format!("no checkpoint {code}"),
            ));
        }
        known.insert(code.clone());
    }
    let issuer = grant.division();
    let rows: Vec<PassValues> = drafts.iter().map(PassValues::of).collect();
    let by = grant.username().as_str();
    let rows = &rows;
    for _ in 0..5 {
        let made: Option<Vec<PassNumber>> = retry(|| async move {
            on_pool!(&store.db.write, |p| {
                let mut tx = p.begin_write().await?;
                let first: i64 = sqlx::query_scalar(
                    "SELECT COALESCE(MAX(serial), 0) + 1 FROM freight_passes WHERE division = $1",
                )
                .bind(i64::from(issuer.value()))
                .fetch_one(&mut *tx)
                .await?;
                if first + rows.len() as i64 - 1 > 999_999 {
                    return Err(StoreError::invalid(
                        "too_many",
                        "",
                        "this jurisdiction has issued 999,999 passes: issue from the one above",
                    ));
                }
                let mut numbers = Vec::with_capacity(rows.len());
                for (i, (d, v)) in drafts.iter().zip(rows).enumerate() {
                    let serial = first + i as i64;
                    let number = PassNumber::new(issuer, serial as u32);
                    let sealed = store.keyring.seal(&context(&number), &v.clear);
                    let written = sqlx::query(
                        "INSERT INTO freight_passes (number, division, serial, plate, \
                         tractor_plate, origin, destination, via, goods, drivers_sealed, \
                         drivers_masked, valid_from, valid_until, issued_by, issued_at, \
                         expected_arrival) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, \
                         $15, $16)",
                    )
                    .bind(number.as_str())
                    .bind(i64::from(issuer.value()))
                    .bind(serial)
                    .bind(d.plate.as_str())
                    .bind(d.tractor_plate.as_ref().map(|t| t.as_str().to_owned()))
                    .bind(i64::from(d.origin.value()))
                    .bind(i64::from(d.destination.value()))
                    .bind(v.via.as_str())
                    .bind(d.goods.as_str())
                    .bind(sealed)
                    .bind(v.masked.as_str())
                    .bind(d.valid_from_ms)
                    .bind(d.valid_until_ms)
                    .bind(by)
                    .bind(now_ms)
                    .bind(d.expected_arrival_ms)
                    .execute(&mut *tx)
                    .await;
                    match written {
                        Ok(_) => {}
                        // Another commander took this serial at the same moment.
                        Err(e) if StoreError::is_unique_violation(&e) => return Ok(None),
                        Err(e) => return Err(e.into()),
                    }
                    numbers.push(number);
                }
                if let (Some(id), Some(number)) = (application, numbers.first()) {
                    let decided = sqlx::query(
                        "UPDATE freight_pass_applications SET state = 'approved', \
                         pass_number = $1, decided_by = $2, decided_at = $3 \
                         WHERE id = $4 AND state = 'pending'",
                    )
                    .bind(number.as_str())
                    .bind(by)
                    .bind(now_ms)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                    if decided.rows_affected() == 0 {
                        return Err(StoreError::Invalid(already_decided()));
                    }
                }
                tx.commit().await?;
                Ok(Some(numbers))
            })
        })
        .await?;
        if let Some(numbers) = made {
            return Ok(numbers);
        }
    }
    Err(StoreError::Unavailable(
        "passes kept being issued at once; try again".into(),
    ))
}
