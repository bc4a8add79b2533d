//! The SQL of [`PassApplicationStore`] for both backends. An application is found by its
//! reference (the carrier) or by its id within a jurisdiction holding its origin or destination
//! county (the command); its request is sealed against the reference and opened only for its approval,
//! which issues the pass and marks the application in one transaction (`pass_sql::issue`).

use async_trait::async_trait;
use cordon_domain::access::freight::PassIssue;
use cordon_domain::division::DivisionCode;
use cordon_domain::freight::application::{
    already_decided, ApplicationShown, ApplicationState, PassApplication, PassApplicationRequest,
};
use cordon_domain::freight::pass::{FreightPass, GoodsCategory, PassDraft};
use cordon_domain::freight::truck::DriverShown;
use cordon_domain::time::from_ms;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sqlx::QueryBuilder;

use super::applications::PassApplicationStore;
use super::rows::corrupt;
use super::PassStore;
use crate::db::{division_range, on_pool, retry, BeginWrite};
use crate::store::SqlStore;
use crate::StoreError;

/// What the command sees of an application, kept beside the sealed request.
#[derive(Serialize, Deserialize)]
struct Shown {
    contact: DriverShown,
    plate: String,
    tractor_plate: Option<String>,
    origin: u32,
    destination: u32,
    goods: GoodsCategory,
    drivers: u32,
    valid_from_ms: i64,
    valid_until_ms: i64,
}

const SELECT: &str = "SELECT id, state, carrier, shown, applied_at, decided_by, decided_at, \
     reason, pass_number FROM freight_pass_applications WHERE 1 = 1";

type Row = (
    i64,
    String,
    String,
    String,
    i64,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<String>,
);

const WEEK_MS: i64 = 7 * 86_400_000;

/// Appends: from or to a county of the grant's jurisdiction.
fn push_within<'a, DB: sqlx::Database>(q: &mut QueryBuilder<'a, DB>, grant: &PassIssue)
where
    i64: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    let (lo, hi) = division_range(grant.division());
    q.push(" AND (division BETWEEN ")
        .push_bind(lo)
        .push(" AND ")
        .push_bind(hi)
        .push(" OR destination BETWEEN ")
        .push_bind(lo)
        .push(" AND ")
        .push_bind(hi)
        .push(")");
}

fn context(token: &str) -> Vec<u8> {
    format!("pass application {token}").into_bytes()
}

fn division(v: u32) -> Result<DivisionCode, StoreError> {
    DivisionCode::from_value(v).ok_or_else(|| corrupt("application division"))
}

fn shown(r: Row) -> Result<ApplicationShown, StoreError> {
    let s: Shown = serde_json::from_str(&r.3).map_err(|_| corrupt("application"))?;
    Ok(ApplicationShown {
        id: r.0,
        state: ApplicationState::parse(&r.1).map_err(|_| corrupt("application state"))?,
        carrier: r.2,
        contact: s.contact,
        plate: s.plate,
        tractor_plate: s.tractor_plate,
        origin: division(s.origin)?,
        destination: division(s.destination)?,
        goods: s.goods,
        drivers: s.drivers,
        valid_from: from_ms(s.valid_from_ms),
        valid_until: from_ms(s.valid_until_ms),
        applied_at: from_ms(r.4),
        decided_by: r.5,
        decided_at: r.6.map(from_ms),
        reason: r.7,
        pass_number: r.8,
    })
}

async fn one(store: &SqlStore, grant: Option<&PassIssue>, id: i64) -> Result<Row, StoreError> {
    let row: Option<Row> = on_pool!(&store.db.write, |p| {
        let mut q = QueryBuilder::new(SELECT);
        q.push(" AND id = ").push_bind(id);
        if let Some(g) = grant {
            push_within(&mut q, g);
        }
        q.build_query_as().fetch_optional(p).await?
    });
    row.ok_or_else(|| StoreError::not_found(format!("application {id}")))
}

#[async_trait]
impl PassApplicationStore for SqlStore {
    async fn apply_for_pass(
        &self,
        request: &PassApplicationRequest,
        checked: &PassApplication,
        now_ms: i64,
    ) -> Result<(String, ApplicationShown), StoreError> {
        let mut raw = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut raw);
        let token: String = raw.iter().map(|b| format!("{b:02x}")).collect();
        let d = &checked.draft;
        let seen = Shown {
            contact: checked.contact.masked(),
            plate: d.plate.as_str().to_owned(),
            tractor_plate: d.tractor_plate.as_ref().map(|t| t.as_str().to_owned()),
            origin: d.origin.value(),
            destination: d.destination.value(),
            goods: d.goods,
            drivers: d.drivers.len() as u32,
            valid_from_ms: d.valid_from_ms,
            valid_until_ms: d.valid_until_ms,
        };
        let seen = serde_json::to_string(&seen).expect("plain values serialise");
        let clear = serde_json::to_vec(request).expect("plain values serialise");
        let sealed = self.keyring.seal(&context(&token), &clear);
        let (token_ref, seen, sealed) = (&token, &seen, &sealed);
        let id: i64 = retry(|| async move {
            on_pool!(&self.db.write, |p| {
                let mut tx = p.begin_write().await?;
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO freight_pass_applications (token, division, destination, \
                     carrier, shown, sealed, state, applied_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7) RETURNING id",
                )
                .bind(token_ref.as_str())
                .bind(i64::from(d.origin.value()))
                .bind(i64::from(d.destination.value()))
                .bind(checked.carrier.as_str())
                .bind(seen.as_str())
                .bind(sealed.clone())
                .bind(now_ms)
                .fetch_one(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(id)
            })
        })
        .await?;
        Ok((token.clone(), shown(one(self, None, id).await?)?))
    }

    async fn application_by_token(&self, token: &str) -> Result<ApplicationShown, StoreError> {
        let row: Option<Row> = on_pool!(&self.db.read, |p| sqlx::query_as(&format!(
            "{SELECT} AND token = $1"
        ))
        .bind(token)
        .fetch_optional(p)
        .await?);
        shown(row.ok_or_else(|| StoreError::not_found("application"))?)
    }

    async fn application_pass(&self, token: &str) -> Result<Option<FreightPass>, StoreError> {
        use super::pass_sql::{pass, PassRow, PASS_COLS, PASS_FROM};
        let row: Option<PassRow> = on_pool!(&self.db.read, |p| sqlx::query_as(&format!(
            "SELECT {PASS_COLS} {PASS_FROM} WHERE p.number = \
             (SELECT pass_number FROM freight_pass_applications WHERE token = $1)"
        ))
        .bind(token)
        .fetch_optional(p)
        .await?);
        row.map(pass).transpose()
    }

    async fn pass_applications(
        &self,
        grant: &PassIssue,
        now_ms: i64,
    ) -> Result<Vec<ApplicationShown>, StoreError> {
        let rows: Vec<Row> = on_pool!(&self.db.read, |p| {
            let mut q = QueryBuilder::new(SELECT);
            push_within(&mut q, grant);
            q.push(" AND (state = 'pending' OR decided_at >= ")
                .push_bind(now_ms - WEEK_MS)
                .push(") ORDER BY state <> 'pending', applied_at LIMIT 200");
            q.build_query_as().fetch_all(p).await?
        });
        rows.into_iter().map(shown).collect()
    }

    async fn application_request(
        &self,
        grant: &PassIssue,
        id: i64,
    ) -> Result<PassApplicationRequest, StoreError> {
        let r = one(self, Some(grant), id).await?;
        if r.1 != ApplicationState::Pending.as_str() {
            return Err(StoreError::Invalid(already_decided()));
        }
        let found: Option<(String, Option<Vec<u8>>)> = on_pool!(&self.db.write, |p| {
            sqlx::query_as("SELECT token, sealed FROM freight_pass_applications WHERE id = $1")
                .bind(id)
                .fetch_optional(p)
                .await?
        });
        let (token, sealed) = found.ok_or_else(|| StoreError::not_found("application"))?;
        let sealed = sealed.ok_or_else(|| corrupt("application without its request"))?;
        let clear = self.keyring.open(&context(&token), &sealed)?;
        serde_json::from_slice(&clear).map_err(|_| corrupt("application request"))
    }

    async fn approve_application(
        &self,
        grant: &PassIssue,
        id: i64,
        draft: &PassDraft,
        now_ms: i64,
    ) -> Result<FreightPass, StoreError> {
        one(self, Some(grant), id).await?;
        let numbers =
            super::pass_sql::issue(self, grant, std::slice::from_ref(draft), now_ms, Some(id))
                .await?;
        match numbers.first() {
            Some(number) => self.freight_pass(grant, number).await,
            None => Err(StoreError::Corrupt("a pass issued without a number".into())),
        }
    }

    async fn refuse_application(
        &self,
        grant: &PassIssue,
        id: i64,
        reason: &str,
        now_ms: i64,
    ) -> Result<ApplicationShown, StoreError> {
        one(self, Some(grant), id).await?;
        let by = grant.username().as_str();
        let done: u64 = retry(|| async move {
            on_pool!(&self.db.write, |p| {
                let d = sqlx::query(
                    "UPDATE freight_pass_applications SET state = 'refused', reason = $1, \
                     decided_by = $2, decided_at = $3 WHERE id = $4 AND state = 'pending'",
                )
                .bind(reason)
                .bind(by)
                .bind(now_ms)
                .bind(id)
                .execute(p)
                .await?;
                Ok(d.rows_affected())
            })
        })
        .await?;
        if done == 0 {
            return Err(StoreError::Invalid(already_decided()));
        }
        shown(one(self, Some(grant), id).await?)
    }
}
