//! Passage registration (one vehicle, or a batch) and the reads by checkpoint: pages in time
//! order with a keyset cursor, and hourly counts.

use axum::extract::{Path, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::{Extension, Json};
use chrono::{DateTime, Duration, FixedOffset};
use cordon_domain::access::passage::{PassageRead, Registration, Reveal};
use cordon_domain::checkpoint::CheckpointCode;
use cordon_domain::passage::{Passage, PassageDraft};
use cordon_domain::policy::facts::TestFacts;
use cordon_domain::registration::PassageRequest;
use cordon_store::keyring::Keyring;
use cordon_store::{Cursor, NewPassage, PassageQuery, Recorded, StoreError};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::AppState;
use crate::audit::AuditNote;
use crate::auth::{ClientAddress, Grant};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery};
use crate::network::api::checkpoint_param;
use crate::period::PeriodParams;
use crate::policy::decide::Engine;

/// Set on the answer to a retry: nothing was written, this is the first answer again.
pub const REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");
/// Most passages in one batch.
pub const MAX_BATCH: usize = 5_000;

/// The oldest observation a lane may register now: the start of what the hub keeps.
fn earliest(app: &AppState, now: DateTime<FixedOffset>) -> DateTime<FixedOffset> {
    now - chrono::Duration::days(i64::from(app.trace.retention_days))
}

fn now() -> DateTime<FixedOffset> {
    chrono::Utc::now().with_timezone(&cordon_domain::time::china())
}

fn count(recorded: &[Recorded]) {
    for r in recorded {
        let result = match r {
            Recorded::Created(_) => "created",
            Recorded::Replayed(_) => "replayed",
        };
        let outcome = r.passage().decision.outcome.as_str();
        metrics::counter!("cordon_registrations_total", "outcome" => outcome, "result" => result)
            .increment(1);
    }
}

/// Refuses a registration at a checkpoint outside the officer's scope.
fn at_own_checkpoint(reg: &Registration, draft: &PassageDraft) -> ApiResult<()> {
    let code = &draft.checkpoint;
    if reg.scope().covers(code, code.division()) {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}

/// Attaches the request's audit entry (where, and the keyed hashes of the persons registered,
/// computed once with the passages) to its first passage, so the writer records it in the
/// registration's transaction; answers the note that tells the guard it is written.
fn audited(
    reg: &Grant<Registration>,
    address: ClientAddress,
    action: &str,
    passages: &mut [NewPassage],
) -> AuditNote {
    let subjects: Vec<String> = passages
        .iter()
        .flat_map(|p| p.subjects().iter().cloned())
        .collect();
    let target = match &*passages {
        [one] => one.draft.checkpoint.to_string(),
        many => format!("{} passages", many.len()),
    };
    let note = AuditNote {
        persons: subjects.len() as i64,
        ..AuditNote::read(target, 0)
    }
    .subjects(subjects);
    let entry = crate::auth::guard::audit_entry(
        Some(&reg.caller),
        address,
        action,
        "ok",
        note,
        cordon_domain::time::now_ms(),
    );
    if let Some(first) = passages.first_mut() {
        first.set_audit(entry);
    }
    AuditNote {
        recorded: true,
        ..AuditNote::default()
    }
}

/// Checks that each correction names an earlier passage at its own checkpoint (stored, or
/// earlier in the same request); `prefix` is the batch path or empty.
pub(crate) async fn check_corrections(
    app: &AppState,
    drafts: &[PassageDraft],
    prefix: &str,
) -> ApiResult<()> {
    for (i, d) in drafts.iter().enumerate() {
        let Some(earlier) = d.supersedes else {
            continue;
        };
        let in_request = drafts[..i]
            .iter()
            .any(|e| e.id == earlier && e.checkpoint == d.checkpoint);
        let stored = match in_request {
            true => true,
            false => {
                app.store.passage_checkpoint(earlier).await?.as_deref()
                    == Some(d.checkpoint.as_str())
            }
        };
        if !stored {
            let field = if prefix.is_empty() {
                "supersedes".to_owned()
            } else {
                format!("{prefix}[{i}].supersedes")
            };
            return Err(ApiError::invalid(
                "unknown_superseded",
                field,
                "a correction names an earlier passage at the same checkpoint: no such passage",
            ));
        }
    }
    Ok(())
}

/// Notes the corrections among recorded passages (after they are written: a retry notes them
/// again, once).
pub(crate) async fn note_corrections<'a>(
    app: &AppState,
    passages: impl Iterator<Item = &'a Passage>,
) -> ApiResult<()> {
    let links: Vec<(Uuid, Uuid)> = passages
        .filter_map(|p| p.supersedes.map(|e| (p.id, e)))
        .collect();
    if !links.is_empty() {
        app.store.record_corrections(&links).await?;
        // Traces asked from now on leave the superseded passages out.
        app.trace.withdrawals.noted();
        app.trace.nudge();
    }
    Ok(())
}

/// Each occupant's latest Cordon result (a lab's released result or an antigen test read at a
/// site), for each draft, in order, as the engine looks at it.
async fn lab_tests(
    app: &AppState,
    drafts: &[PassageDraft],
) -> ApiResult<Vec<Vec<Option<TestFacts>>>> {
    let keyring = app.store.keyring();
    let persons: Vec<String> = drafts
        .iter()
        .flat_map(|d| d.occupants.iter())
        .map(|o| keyring.person(&o.person.document))
        .collect();
    let mut found = app.store.latest_results(&persons).await?.into_iter();
    Ok(drafts
        .iter()
        .map(|d| {
            d.occupants
                .iter()
                .map(|_| {
                    found
                        .next()
                        .flatten()
                        .and_then(|r| TestFacts::cordon(r.test, r.sampled_at_ms))
                })
                .collect()
        })
        .collect())
}

fn new_passage(
    engine: &Engine,
    keyring: &Keyring,
    draft: PassageDraft,
    lab: Vec<Option<TestFacts>>,
) -> NewPassage {
    let now = cordon_domain::time::now_ms();
    NewPassage::decided(draft, keyring, |draft, persons| {
        engine.decide(draft, persons, lab, now)
    })
}

#[utoipa::path(post, path = "/api/v1/passages", tag = "passages", request_body = PassageRequest,
    responses(
        (status = 201, body = Passage, description = "recorded; a retry with the same id and body gets the same answer and header idempotent-replayed: true"),
        (status = 400, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn register(
    State(app): State<AppState>,
    reg: Grant<Registration>,
    address: ClientAddress,
    ApiJson(req): ApiJson<PassageRequest>,
) -> ApiResult<(
    StatusCode,
    Extension<AuditNote>,
    [(HeaderName, HeaderValue); 1],
    Json<Passage>,
)> {
    let now = now();
    let mut draft = req.parse_kept(now, earliest(&app, now))?;
    at_own_checkpoint(&reg.grant, &draft)?;
    crate::freight::lane_pass::apply(&app, &req, &mut draft, "").await?;
    check_corrections(&app, std::slice::from_ref(&draft), "").await?;
    let engine = app
        .lanes
        .engine_for(
            app.store.as_ref(),
            std::iter::once(draft.checkpoint.as_str()),
        )
        .await;
    let lab = lab_tests(&app, std::slice::from_ref(&draft)).await?.pop();
    let mut passages = vec![new_passage(
        &engine,
        app.store.keyring(),
        draft,
        lab.unwrap_or_default(),
    )];
    let note = audited(&reg, address, "POST /api/v1/passages", &mut passages);
    let pending = app.trace.prepare(&passages);
    let mut recorded = app.store.record_passages(passages).await?;
    app.trace.recorded(pending, &recorded);
    app.routes.noticed(&recorded);
    note_corrections(&app, recorded.iter().map(Recorded::passage)).await?;
    count(&recorded);
    let r = recorded.pop().ok_or(ApiError::Internal)?;
    let replayed = HeaderValue::from_static(if matches!(r, Recorded::Replayed(_)) {
        "true"
    } else {
        "false"
    });
    Ok((
        StatusCode::CREATED,
        Extension(note),
        [(REPLAYED, replayed)],
        Json(r.into_passage()),
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchRequest {
    pub passages: Vec<PassageRequest>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BatchItem {
    pub id: Uuid,
    /// `created` or `replayed`.
    pub status: &'static str,
    pub decision: cordon_domain::passage::Decision,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BatchResponse {
    pub created: usize,
    pub replayed: usize,
    pub results: Vec<BatchItem>,
}

#[utoipa::path(post, path = "/api/v1/passages/batch", tag = "passages", request_body = BatchRequest,
    responses(
        (status = 200, body = BatchResponse, description = "all recorded (or replayed) in one transaction"),
        (status = 400, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody, description = "nothing written; the field path names the passage")))]
pub async fn register_batch(
    State(app): State<AppState>,
    reg: Grant<Registration>,
    address: ClientAddress,
    ApiJson(req): ApiJson<BatchRequest>,
) -> ApiResult<(Extension<AuditNote>, Json<BatchResponse>)> {
    if req.passages.is_empty() || req.passages.len() > MAX_BATCH {
        return Err(ApiError::invalid(
            "out_of_range",
            "passages",
            format!("a batch has 1 to {MAX_BATCH} passages"),
        ));
    }
    let now = now();
    let mut drafts = req
        .passages
        .iter()
        .enumerate()
        .map(|(i, p)| {
            p.parse_kept(now, earliest(&app, now)).map_err(|found| {
                let path = format!("passages[{i}]");
                found
                    .into_iter()
                    .map(|e| e.under(&path))
                    .collect::<Vec<_>>()
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    for (i, (d, r)) in drafts.iter_mut().zip(&req.passages).enumerate() {
        at_own_checkpoint(&reg.grant, d)?;
        crate::freight::lane_pass::apply(&app, r, d, &format!("passages[{i}].")).await?;
    }
    check_corrections(&app, &drafts, "passages").await?;
    let engine = app
        .lanes
        .engine_for(
            app.store.as_ref(),
            drafts.iter().map(|d| d.checkpoint.as_str()),
        )
        .await;
    let lab = lab_tests(&app, &drafts).await?;
    let mut passages: Vec<NewPassage> = drafts
        .into_iter()
        .zip(lab)
        .map(|(d, lab)| new_passage(&engine, app.store.keyring(), d, lab))
        .collect();
    let note = audited(&reg, address, "POST /api/v1/passages/batch", &mut passages);
    let pending = app.trace.prepare(&passages);
    let recorded = app
        .store
        .record_passages(passages)
        .await
        .map_err(|e| match e {
            StoreError::Rejected(r) => ApiError::from_rejection(r, "passages"),
            other => other.into(),
        })?;
    app.trace.recorded(pending, &recorded);
    app.routes.noticed(&recorded);
    note_corrections(&app, recorded.iter().map(Recorded::passage)).await?;
    count(&recorded);
    let created = recorded
        .iter()
        .filter(|r| matches!(r, Recorded::Created(_)))
        .count();
    let results = recorded
        .into_iter()
        .map(|r| {
            let status = if matches!(r, Recorded::Created(_)) {
                "created"
            } else {
                "replayed"
            };
            let p = r.into_passage();
            BatchItem {
                id: p.id,
                status,
                decision: p.decision,
            }
        })
        .collect::<Vec<_>>();
    Ok((
        Extension(note),
        Json(BatchResponse {
            created,
            replayed: results.len() - created,
            results,
        }),
    ))
}

/// A passage as its page reads it: the record, and the shift it was made in.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PassageView {
    #[serde(flatten)]
    pub passage: Passage,
    /// The shift that held the checkpoint at the passage's time (absent: the roster had none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shift: Option<cordon_domain::command::roster::ShiftRef>,
}

#[utoipa::path(get, path = "/api/v1/passages/{id}", tag = "passages",
    params(("id" = cordon_domain::registration::ClientId, Path, description = "passage id")),
    responses((status = 200, body = PassageView), (status = 404, body = ErrorBody)))]
pub async fn get_passage(
    State(app): State<AppState>,
    read: Grant<PassageRead>,
    Path(id): Path<String>,
) -> ApiResult<(Extension<AuditNote>, Json<PassageView>)> {
    let id =
        cordon_domain::registration::parse_id(&id).map_err(|e| ApiError::Invalid(e.under("id")))?;
    let (passage, shift) = app.store.get_passage_on_duty(&read.grant, id).await?;
    let note = AuditNote::read(id.to_string(), passage.persons());
    Ok((Extension(note), Json(PassageView { passage, shift })))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PageParams {
    /// Start, inclusive (RFC 3339). Default: 24 hours before `to`.
    pub from: Option<DateTime<FixedOffset>>,
    /// End, exclusive (RFC 3339). Default: now.
    pub to: Option<DateTime<FixedOffset>>,
    /// The `next` value of the previous page.
    pub after: Option<String>,
    /// Rows per page, 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PassagePageResponse {
    pub passages: Vec<Passage>,
    /// Pass as `after` to get the next page; absent on the last page.
    pub next: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/checkpoints/{code}/passages", tag = "passages",
    params(("code" = cordon_domain::checkpoint::CheckpointCode, Path, description = "checkpoint code"), PageParams),
    responses((status = 200, body = PassagePageResponse), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn at_checkpoint(
    State(app): State<AppState>,
    read: Grant<PassageRead>,
    Path(code): Path<String>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<(Extension<AuditNote>, Json<PassagePageResponse>)> {
    let checkpoint = checkpoint_param(&code)?;
    let period = PeriodParams {
        from: p.from,
        to: p.to,
    }
    .resolve(Duration::hours(24))?;
    let after = p
        .after
        .as_deref()
        .map(|a| {
            Cursor::decode(a).ok_or_else(|| {
                ApiError::invalid(
                    "invalid_cursor",
                    "after",
                    "pass the `next` value of the previous page",
                )
            })
        })
        .transpose()?;
    let limit = p.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::invalid(
            "out_of_range",
            "limit",
            "limit runs from 1 to 1000",
        ));
    }
    let target = checkpoint.to_string();
    let page = app
        .store
        .passages_at_checkpoint(
            &read.grant,
            &PassageQuery {
                checkpoint,
                period,
                after,
                limit,
            },
        )
        .await?;
    let persons = page.passages.iter().map(Passage::persons).sum();
    Ok((
        Extension(AuditNote::read(target, persons)),
        Json(PassagePageResponse {
            passages: page.passages,
            next: page.next.map(|c| c.encode()),
        }),
    ))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HourRow {
    /// Start of the hour, China Standard Time.
    pub hour: DateTime<FixedOffset>,
    pub passages: i64,
    pub persons: i64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HourlyResponse {
    #[schema(value_type = String)]
    pub checkpoint: CheckpointCode,
    pub hours: Vec<HourRow>,
}

#[utoipa::path(get, path = "/api/v1/checkpoints/{code}/hourly", tag = "passages",
    params(("code" = cordon_domain::checkpoint::CheckpointCode, Path, description = "checkpoint code"), PeriodParams),
    responses((status = 200, body = HourlyResponse), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn hourly(
    State(app): State<AppState>,
    read: Grant<PassageRead>,
    Path(code): Path<String>,
    ApiQuery(p): ApiQuery<PeriodParams>,
) -> ApiResult<Json<HourlyResponse>> {
    let checkpoint = checkpoint_param(&code)?;
    let period = p.resolve(Duration::hours(24))?;
    let hours = app
        .store
        .hourly_counts(&read.grant, &checkpoint, period)
        .await?
        .into_iter()
        .map(|h| HourRow {
            hour: cordon_domain::time::from_ms(h.hour_ms),
            passages: h.passages,
            persons: h.persons,
        })
        .collect();
    Ok(Json(HourlyResponse { checkpoint, hours }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevealRequest {
    /// Why (a case number, a follow-up task): required, and kept in the audit trail.
    #[schema(value_type = crate::texts_schema::ReasonText)]
    pub purpose: String,
}

/// One occupant in clear.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RevealedPerson {
    /// The occupant's place in the passage's `occupants`.
    pub occupant: usize,
    pub document_type: String,
    pub number: String,
    pub name: String,
    pub phone: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RevealResponse {
    pub passage: Uuid,
    pub persons: Vec<RevealedPerson>,
}

#[utoipa::path(post, path = "/api/v1/passages/{id}/reveal", tag = "passages", request_body = RevealRequest,
    params(("id" = cordon_domain::registration::ClientId, Path, description = "passage id")),
    responses((status = 200, body = RevealResponse, description = "the occupants in clear; audited with the purpose"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reveal(
    State(app): State<AppState>,
    grant: Grant<Reveal>,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<RevealRequest>,
) -> ApiResult<(Extension<AuditNote>, Json<RevealResponse>)> {
    let purpose = cordon_domain::checkpoint::parse_reason(&req.purpose).map_err(|e| {
        ApiError::Invalid(cordon_domain::FieldError {
            field: "purpose".into(),
            ..e
        })
    })?;
    let id =
        cordon_domain::registration::parse_id(&id).map_err(|e| ApiError::Invalid(e.under("id")))?;
    let passage = app.store.get_passage(grant.grant.passages(), id).await?;
    let persons: Vec<RevealedPerson> = passage
        .occupants
        .iter()
        .enumerate()
        .map(|(i, o)| RevealedPerson {
            occupant: i,
            document_type: o.person.document.kind().as_str().to_owned(),
            number: o.person.document.expose_number().to_owned(),
            name: o.person.name.expose().to_owned(),
            phone: o.person.phone.as_ref().map(|p| p.expose().to_owned()),
        })
        .collect();
    let subjects = passage
        .occupants
        .iter()
        .map(|o| app.auth.keyring.person(&o.person.document))
        .collect();
    let mut note = AuditNote::read(id.to_string(), persons.len()).subjects(subjects);
    note.action = Some("reveal");
    note.purpose = purpose;
    Ok((
        Extension(note),
        Json(RevealResponse {
            passage: id,
            persons,
        }),
    ))
}
