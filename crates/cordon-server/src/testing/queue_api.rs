//! Queue numbers over HTTP: a volunteer registers a person at a site and the person gets the
//! site's next number for the day, shown large ("I'll write your number on the back of your
//! hand"); at the tube the sampler scans or types the number instead of the ID card, and the
//! person behind it goes into the tube. Both audited with the person's keyed hash.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use cordon_domain::access::testing::Sample;
use cordon_domain::testing::{Barcode, MemberRequest};
use cordon_store::testing::{member_context, queue_context, Added, NewMember, QueueNumber};
use serde::Deserialize;

use super::api::{member, scan_in};
use crate::audit::AuditNote;
use crate::auth::{ClientAddress, Grant};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiJson;
use crate::state::AppState;

/// Today in China as `YYYYMMDD`: the day a queue number is for.
fn today() -> i64 {
    cordon_domain::time::today_china()
        .format("%Y%m%d")
        .to_string()
        .parse()
        .expect("a day is digits")
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ByNumber {
    /// The person's queue number at the tube's site today.
    #[schema(minimum = 1)]
    pub number: u32,
}

#[utoipa::path(post, path = "/api/v1/testing/sites/{id}/queue", tag = "testing",
    params(("id" = i64, Path, description = "the site")), request_body = MemberRequest,
    responses((status = 201, body = QueueNumber, description = "the site's next number for the day"),
        (status = 200, body = QueueNumber, description = "the person took a number earlier today: the same one"),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn take_number(
    State(app): State<AppState>,
    sample: Grant<Sample>,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<MemberRequest>,
) -> ApiResult<(StatusCode, Extension<AuditNote>, Json<QueueNumber>)> {
    app.samples_here()?;
    let site: i64 = id
        .parse()
        .map_err(|_| ApiError::NotFound(format!("site {id} not found")))?;
    let day = today();
    let person = member(&app, &req, |key| queue_context(site, day, key))?;
    let key = person.person_key.clone();
    let taken = app
        .store
        .take_number(
            &sample.grant,
            site,
            day,
            person,
            cordon_domain::time::now_ms(),
        )
        .await?;
    let mut note = AuditNote::read(format!("queue of site {site}"), 1).subjects(vec![key]);
    note.action = Some("testing.queue");
    let status = if taken.already {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Extension(note), Json(taken)))
}

#[utoipa::path(post, path = "/api/v1/testing/tubes/{barcode}/members/by-number", tag = "testing",
    params(("barcode" = String, Path, description = "the tube's barcode")), request_body = ByNumber,
    responses((status = 201, body = Added), (status = 200, body = Added, description = "in this tube already"),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "nobody took this number at the tube's site today")))]
pub async fn add_by_number(
    State(app): State<AppState>,
    sample: Grant<Sample>,
    address: ClientAddress,
    Path(code): Path<String>,
    ApiJson(req): ApiJson<ByNumber>,
) -> ApiResult<(StatusCode, Extension<AuditNote>, Json<Added>)> {
    app.samples_here()?;
    let code =
        Barcode::parse(&code).map_err(|_| ApiError::NotFound(format!("tube {code} not found")))?;
    let read = sample.caller.principal.may_read_testing()?;
    let tube = app.store.tube(&read, &code).await?;
    let day = today();
    let entry = app
        .store
        .queue_entry(&sample.grant, tube.site, day, i64::from(req.number))
        .await?;
    let keyring = app.store.keyring();
    let sealed = entry
        .sealed
        .as_ref()
        .ok_or(ApiError::Internal)
        .and_then(|s| {
            keyring
                .open(&queue_context(tube.site, day, &entry.person_key), s)
                .map_err(|_| ApiError::Internal)
        })?;
    let person = NewMember {
        sealed: keyring.seal(&member_context(&code, &entry.person_key), &sealed),
        person_key: entry.person_key.clone(),
        masked_name: entry.masked_name,
        document: entry.document,
    };
    scan_in(&app, &sample, address, &code, person).await
}
