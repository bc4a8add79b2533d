//! A sampling site running as an edge station, at the hub. `GET /api/v1/sync/site` answers the
//! site its credential is bound to, with its campaign (what the station copies at its first
//! start) and how far the hub has taken its series. `POST /api/v1/sync/sampling` takes the
//! station's events in series order (the rules of the registrations' series: numbers without
//! gaps, the first at most one past the hub's mark, numbers at or below it skipped) and applies
//! each new one as the station's sampler would have done it at the hub, with the station's
//! times: a tube opened, a person scanned in, a tube sealed, an antigen swab and its read. Each
//! is idempotent by what it is (the barcode; the person in the tube; the tube sealed; the
//! person's test swabbed at that moment), so a push repeated after a crash between the writes
//! and the mark writes nothing twice. An event the hub cannot apply is answered refused, with
//! the hub's code and sentence, and counts as taken: sending it again would not change it.

use axum::extract::State;
use axum::{Extension, Json};
use cordon_domain::access::testing::{Sample, SiteSync, TestingRead};
use cordon_domain::access::Username;
use cordon_domain::station::sampling::{
    RefusedEvent, SamplingAnswer, SamplingBatch, SamplingEvent, MAX_EVENTS,
};
use cordon_domain::testing::antigen::AntigenResult;
use cordon_domain::testing::{Barcode, PoolSize};
use cordon_domain::FieldError;
use cordon_store::testing::antigen::antigen_context;
use cordon_store::testing::{member_context, Campaign, NewMember, Site};
use cordon_store::StoreError;
use serde::Serialize;

use super::AppState;
use crate::audit::AuditNote;
use crate::auth::Grant;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiJson;

/// The site a station's credential is bound to, as the station copies it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct BoundSite {
    pub campaign: Campaign,
    pub site: Site,
    /// The highest number of the station's series the hub has taken.
    pub high_water: i64,
}

async fn bound(app: &AppState, grant: &SiteSync) -> ApiResult<(Campaign, Site, i64)> {
    let series = app
        .store
        .site_station(grant)
        .await?
        .ok_or(ApiError::Forbidden)?;
    let campaigns = app.store.list_campaigns(&grant.read()).await?;
    campaigns
        .into_iter()
        .find_map(|c| {
            let site = c.sites.iter().find(|s| s.id == series.site)?.clone();
            Some((c, site, series.high_water))
        })
        .ok_or_else(|| ApiError::NotFound("the station's site".into()))
}

#[utoipa::path(get, path = "/api/v1/sync/site", tag = "stations",
    responses((status = 200, body = BoundSite), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody, description = "not a sampling site's credential")))]
pub async fn site(
    State(app): State<AppState>,
    station: Grant<SiteSync>,
) -> ApiResult<Json<BoundSite>> {
    let (campaign, site, high_water) = bound(&app, &station.grant).await?;
    Ok(Json(BoundSite {
        campaign,
        site,
        high_water,
    }))
}

/// What applying one event did: written now (with the person's keyed hash, for the audit),
/// held already, or refused with the hub's reason.
enum Applied {
    Now(Option<String>),
    Held,
    Refused(FieldError),
}

/// A store refusal is the event's answer; anything else (the database) fails the push, which
/// the station sends again.
fn refusal(e: StoreError) -> Result<Applied, ApiError> {
    match e {
        StoreError::Invalid(f) => Ok(Applied::Refused(f)),
        StoreError::NotFound { what } => Ok(Applied::Refused(FieldError::new(
            "not_found",
            "",
            format!("{what} not found at the hub"),
        ))),
        other => Err(other.into()),
    }
}

fn parsed<T>(r: Result<T, FieldError>) -> Result<T, Applied> {
    r.map_err(Applied::Refused)
}

/// The person an event names, keyed and sealed by the hub against `context`.
fn person(
    app: &AppState,
    req: &cordon_domain::testing::MemberRequest,
    context: impl Fn(&str) -> Vec<u8>,
) -> Result<NewMember, Applied> {
    crate::testing::api::member(app, req, context).map_err(|e| {
        Applied::Refused(match e {
            ApiError::Invalid(f) => f,
            ApiError::Refused(mut all) if !all.is_empty() => all.remove(0),
            _ => FieldError::new("invalid_person", "person", "the person does not parse"),
        })
    })
}

/// The barcode of a tube of the station's site at the hub; another site's tube (its barcode
/// taken at the hub by another tube) is refused.
async fn ours(
    app: &AppState,
    read: &TestingRead,
    site: i64,
    barcode: &str,
) -> Result<Result<Barcode, Applied>, ApiError> {
    let code = match parsed(Barcode::parse(barcode)) {
        Ok(c) => c,
        Err(r) => return Ok(Err(r)),
    };
    Ok(match app.store.tube(read, &code).await {
        Ok(t) if t.site == site => Ok(code),
        Ok(_) => Err(Applied::Refused(FieldError::new(
            "other_site",
            "barcode",
            "at the hub this barcode is another site's tube",
        ))),
        Err(e) => Err(refusal(e)?),
    })
}

/// Applies one event of the station's site as its sampler `sample`.
async fn apply(
    app: &AppState,
    sample: &Sample,
    read: &TestingRead,
    site: i64,
    event: &SamplingEvent,
) -> Result<Applied, ApiError> {
    let store = app.store.as_ref();
    let barcode = |b: &str| parsed(Barcode::parse(b));
    let outcome = match event {
        SamplingEvent::Tube {
            barcode: b,
            pool_size,
            at_ms,
            ..
        } => {
            let (code, pool) = match (barcode(b), parsed(PoolSize::parse(*pool_size))) {
                (Ok(c), Ok(p)) => (c, p),
                (Err(r), _) | (_, Err(r)) => return Ok(r),
            };
            match store
                .open_tube(sample, site, &code, Some(pool), *at_ms)
                .await
            {
                Ok(_) => Applied::Now(None),
                Err(StoreError::Invalid(f)) if f.code == "barcode_used" => {
                    // The same tube sent again, or another tube's barcode.
                    match store.tube(read, &code).await {
                        Ok(t) if t.site == site => Applied::Held,
                        _ => Applied::Refused(f),
                    }
                }
                Err(e) => refusal(e)?,
            }
        }
        SamplingEvent::Member {
            barcode: b,
            person: p,
            at_ms,
            ..
        } => {
            let code = match ours(app, read, site, b).await? {
                Ok(c) => c,
                Err(r) => return Ok(r),
            };
            let member = match person(app, p, |key| member_context(&code, key)) {
                Ok(m) => m,
                Err(r) => return Ok(r),
            };
            let key = member.person_key.clone();
            match store.add_member(sample, &code, member, *at_ms).await {
                Ok(added) if added.already => Applied::Held,
                Ok(_) => Applied::Now(Some(key)),
                Err(e) => refusal(e)?,
            }
        }
        SamplingEvent::Seal {
            barcode: b,
            short_reason,
            at_ms,
            ..
        } => {
            let code = match ours(app, read, site, b).await? {
                Ok(c) => c,
                Err(r) => return Ok(r),
            };
            match store
                .seal_tube(sample, &code, short_reason.as_deref(), *at_ms)
                .await
            {
                Ok(_) => Applied::Now(None),
                Err(StoreError::Invalid(f)) if f.code == "tube_sealed" => Applied::Held,
                Err(e) => refusal(e)?,
            }
        }
        SamplingEvent::Swab {
            person: p, at_ms, ..
        } => {
            let member = match person(app, p, |key| antigen_context(site, key)) {
                Ok(m) => m,
                Err(r) => return Ok(r),
            };
            let key = member.person_key.clone();
            let found = store.antigen_swabbed_at(sample, site, &key, *at_ms).await;
            match found {
                Ok(Some(_)) => Applied::Held,
                Ok(None) => match store.swab(sample, site, member, *at_ms).await {
                    Ok(done) if done.already => Applied::Held,
                    Ok(_) => Applied::Now(Some(key)),
                    Err(e) => refusal(e)?,
                },
                Err(e) => refusal(e)?,
            }
        }
        SamplingEvent::Read {
            person: p,
            swabbed_at_ms,
            result,
            at_ms,
            ..
        } => {
            let result = match AntigenResult::parse(result) {
                Ok(r) => r,
                Err(_) => {
                    return Ok(Applied::Refused(FieldError::new(
                        "invalid_result",
                        "result",
                        "negative, positive or invalid",
                    )))
                }
            };
            let member = match person(app, p, |key| antigen_context(site, key)) {
                Ok(m) => m,
                Err(r) => return Ok(r),
            };
            match store
                .antigen_swabbed_at(sample, site, &member.person_key, *swabbed_at_ms)
                .await
            {
                Ok(Some(id)) => match store.read_antigen(sample, id, result, *at_ms).await {
                    Ok(done) if done.already => Applied::Held,
                    Ok(_) => Applied::Now(Some(member.person_key)),
                    Err(e) => refusal(e)?,
                },
                Ok(None) => Applied::Refused(FieldError::new(
                    "unknown_test",
                    "swabbed_at_ms",
                    "the hub holds no test of this person swabbed then at this site",
                )),
                Err(e) => refusal(e)?,
            }
        }
        SamplingEvent::Lost { .. } => Applied::Held,
    };
    Ok(outcome)
}

#[utoipa::path(post, path = "/api/v1/sync/sampling", tag = "stations", request_body = SamplingBatch,
    responses((status = 200, body = SamplingAnswer, description = "what was applied, held already or refused; the new mark"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody, description = "not a sampling site's credential"),
        (status = 409, body = ErrorBody, description = "series_gap: send from the high-water mark plus one"),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn push(
    State(app): State<AppState>,
    station: Grant<SiteSync>,
    ApiJson(batch): ApiJson<SamplingBatch>,
) -> ApiResult<(Extension<AuditNote>, Json<SamplingAnswer>)> {
    let grant = &station.grant;
    let records = &batch.records;
    if records.len() > MAX_EVENTS {
        return Err(ApiError::invalid(
            "too_many",
            "records",
            format!("a push holds at most {MAX_EVENTS} events"),
        ));
    }
    for (i, r) in records.iter().enumerate() {
        let follows = match i {
            0 => r.seq >= 1,
            _ => r.seq == records[i - 1].seq + 1,
        };
        if !follows {
            return Err(ApiError::invalid(
                "invalid_seq",
                format!("records[{i}].seq"),
                "a push's numbers start at 1 or more and follow each other without gaps",
            ));
        }
    }
    let (_, site, high) = bound(&app, grant).await?;
    let now = cordon_domain::time::now_ms();
    let mut answer = SamplingAnswer {
        high_water: high,
        applied: 0,
        replayed: 0,
        refused: Vec::new(),
    };
    if let Some(first) = records.first() {
        if first.seq > high + 1 {
            return Err(ApiError::Conflict(FieldError::new(
                "series_gap",
                "records[0].seq",
                format!(
                    "the hub holds this station's series up to {high}: send from {}",
                    high + 1
                ),
            )));
        }
    }
    let mut subjects = Vec::new();
    for r in records.iter().filter(|r| r.seq > high) {
        if let SamplingEvent::Lost { reason, .. } = &r.event {
            let lost = FieldError::new("lost_at_station", "", reason.clone());
            answer.refused.push(refused(r.seq, &r.event, lost));
            continue;
        }
        let by = match Username::parse(r.event.by()) {
            Ok(by) => by,
            Err(_) => {
                answer.refused.push(refused(
                    r.seq,
                    &r.event,
                    FieldError::new(
                        "invalid_by",
                        "by",
                        "the station's sampler has no valid account name",
                    ),
                ));
                continue;
            }
        };
        let sample = grant.sampler(by);
        match apply(&app, &sample, &grant.read(), site.id, &r.event).await? {
            Applied::Now(key) => {
                answer.applied += 1;
                subjects.extend(key);
            }
            Applied::Held => answer.replayed += 1,
            Applied::Refused(f) => answer.refused.push(refused(r.seq, &r.event, f)),
        }
    }
    answer.replayed += records.iter().filter(|r| r.seq <= high).count();
    if let Some(last) = records.last() {
        answer.high_water = app.store.advance_site_station(grant, last.seq, now).await?;
    }
    // A push that wrote persons is audited with their keyed hashes; an idle one is not.
    let note = if subjects.is_empty() {
        AuditNote {
            recorded: true,
            ..AuditNote::default()
        }
    } else {
        AuditNote {
            action: Some("sync.sampling"),
            persons: subjects.len() as i64,
            ..AuditNote::read(format!("site {} events", site.id), 0)
        }
        .subjects(subjects)
    };
    for f in &answer.refused {
        tracing::warn!(site = site.id, seq = f.seq, code = %f.code, "a sampling station's event was refused");
    }
    Ok((Extension(note), Json(answer)))
}

fn refused(seq: i64, event: &SamplingEvent, f: FieldError) -> RefusedEvent {
    RefusedEvent {
        seq,
        what: event.label(),
        code: f.code,
        message: f.message,
    }
}
