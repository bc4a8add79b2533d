//! The work on follow-up persons over HTTP (teams and hand-overs are in `teams_api.rs`): a
//! caller's worklist, one person opened for the call (the facts of every
//! list in clear, for the stated purpose "follow-up", audited), a call or a visit recorded with
//! the questionnaire's answers, and the completion board. An answer that meets its
//! questionnaire's rule proposes a person-status change for two commanders to decide; it
//! changes nothing by itself.

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use cordon_domain::access::followup::{ListRead, Work};
use cordon_domain::division::DivisionCode;
use cordon_domain::followup::questionnaire::{compile, Questionnaire};
use cordon_domain::followup::work::{AttemptKind, Outcome, SubjectState, MAX_NOTE};
use cordon_domain::identity::{DocumentType, IdentityDocument};
use cordon_domain::status::{Evidence, EvidenceKind, StatusChangeDraft};
use cordon_store::followup::{
    answers_context, row_context, transfer_context, AttemptView, BoardBy, BoardLine, NewAttempt,
    SealedRow, WorkItem,
};
use cordon_store::status::NewStatusChange;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::audit::AuditNote;
use crate::auth::Grant;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery};
use crate::state::AppState;

const WORKLIST_LIMIT: i64 = 500;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Worklist {
    pub items: Vec<WorkItem>,
}

/// One list's row about the person, in clear.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SourceView {
    #[schema(value_type = String, format = Uuid)]
    pub list: Uuid,
    pub label: String,
    pub source: cordon_domain::followup::ListSource,
    pub row: i64,
    /// The row's facts, or none when purged.
    #[schema(value_type = Option<Object>)]
    pub facts: Option<SealedRow>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SubjectView {
    pub item: WorkItem,
    pub sources: Vec<SourceView>,
    pub attempts: Vec<AttemptView>,
    /// Whether the caller may visit (is the team's lead) rather than call.
    pub visit: bool,
    /// The questionnaire to answer: the latest published version.
    pub questionnaire: Option<PublishedQuestionnaire>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PublishedQuestionnaire {
    pub version: i64,
    pub questionnaire: Questionnaire,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttemptRequest {
    /// `call`, or `visit` (the team's lead, after the calls failed).
    #[schema(value_type = cordon_domain::followup::work::AttemptKind)]
    pub kind: String,
    #[schema(value_type = cordon_domain::followup::work::Outcome)]
    pub outcome: String,
    /// The published questionnaire version answered (with `answers`, for a person reached).
    #[serde(default)]
    pub questionnaire: Option<i64>,
    /// Question id to answer.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub answers: Option<serde_json::Value>,
    #[serde(default)]
    #[schema(max_length = 500)]
    pub note: Option<String>,
    /// For `lives_elsewhere`: where the person lives now, as told. A place in another county
    /// of the province hands the person to it; outside the province, transferred out to it.
    #[serde(default)]
    #[schema(max_length = 200, example = "北京市海淀区某小区")]
    pub moved_to: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AttemptRecorded {
    pub attempt: AttemptView,
    pub state: SubjectState,
    /// The status change the answers proposed (pending, for two commanders), if any.
    pub proposed_status_change: Option<i64>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct BoardParams {
    /// `list` (default), `team` or `county`.
    #[param(inline)]
    pub by: Option<BoardByParam>,
}

/// What the board counts by.
#[derive(Debug, Clone, Copy, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum BoardByParam {
    List,
    Team,
    County,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct LineParams {
    /// `team` or `county` (a list's persons are the list's own page).
    #[param(inline)]
    pub by: BoardByParam,
    /// The team's id, or the county's code.
    pub key: i64,
    /// The last person of the previous page (default 0).
    pub after: Option<i64>,
    /// 1 to 500, default 200.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LinePersons {
    pub items: Vec<WorkItem>,
    /// The `after` of the next page, when there is one.
    pub next: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/followup/board/persons", tag = "followup", params(LineParams),
    responses((status = 200, body = LinePersons), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn line_persons(
    State(app): State<AppState>,
    read: Grant<ListRead>,
    ApiQuery(q): ApiQuery<LineParams>,
) -> ApiResult<(Extension<AuditNote>, Json<LinePersons>)> {
    let limit = q.limit.unwrap_or(200);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::invalid(
            "out_of_range",
            "limit",
            "limit is 1 to 500",
        ));
    }
    let by = match q.by {
        BoardByParam::Team => BoardBy::Team,
        BoardByParam::County => BoardBy::County,
        BoardByParam::List => {
            return Err(ApiError::invalid(
                "invalid_value",
                "by",
                "a list's persons are at /api/v1/followup/lists/{id}/subjects",
            ))
        }
    };
    let mut items = app
        .store
        .board_line_persons(&read.grant, by, q.key, q.after.unwrap_or(0), limit + 1)
        .await?;
    let next = if items.len() as i64 > limit {
        items.truncate(limit as usize);
        items.last().map(|i| i.subject)
    } else {
        None
    };
    let note = AuditNote::read(format!("follow-up board line {}", q.key), items.len());
    Ok((Extension(note), Json(LinePersons { items, next })))
}

/// The board's dimension asked for (by list when none is).
pub fn board_by(by: Option<BoardByParam>) -> BoardBy {
    match by.unwrap_or(BoardByParam::List) {
        BoardByParam::List => BoardBy::List,
        BoardByParam::Team => BoardBy::Team,
        BoardByParam::County => BoardBy::County,
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Board {
    pub lines: Vec<BoardLine>,
}

#[utoipa::path(get, path = "/api/v1/followup/worklist", tag = "followup",
    responses((status = 200, body = Worklist)))]
pub async fn worklist(State(app): State<AppState>, work: Grant<Work>) -> ApiResult<Json<Worklist>> {
    Ok(Json(Worklist {
        items: app.store.worklist(&work.grant, WORKLIST_LIMIT).await?,
    }))
}

/// A stored questionnaire, compiled once per text (versions never change).
fn compiled(source: &str) -> ApiResult<std::sync::Arc<Questionnaire>> {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex, OnceLock};
    static COMPILED: OnceLock<Mutex<HashMap<String, Arc<Questionnaire>>>> = OnceLock::new();
    let key = cordon_domain::policy::record::digest(source);
    let cache = COMPILED.get_or_init(Default::default);
    if let Some(q) = cache.lock().map_err(|_| ApiError::Internal)?.get(&key) {
        return Ok(q.clone());
    }
    let q = Arc::new(compile(source).map_err(|p| {
        tracing::error!(problems = ?p, "a stored questionnaire no longer compiles");
        ApiError::Internal
    })?);
    let mut map = cache.lock().map_err(|_| ApiError::Internal)?;
    if map.len() > 64 {
        map.clear();
    }
    map.insert(key, q.clone());
    Ok(q)
}

/// The latest published questionnaire, checked.
async fn published(app: &AppState) -> ApiResult<Option<PublishedQuestionnaire>> {
    let Some(v) = app
        .store
        .list_questionnaires()
        .await?
        .into_iter()
        .find(|v| v.published_at_ms.is_some())
    else {
        return Ok(None);
    };
    let (_, source) = app.store.get_questionnaire(v.version).await?;
    Ok(Some(PublishedQuestionnaire {
        version: v.version,
        questionnaire: (*compiled(&source)?).clone(),
    }))
}

pub(super) fn subject_id(s: &str) -> ApiResult<i64> {
    s.parse::<i64>()
        .ok()
        .filter(|i| *i > 0)
        .ok_or_else(|| ApiError::NotFound(format!("person {s} not found")))
}

#[utoipa::path(get, path = "/api/v1/followup/subjects/{id}", tag = "followup",
    params(("id" = i64, Path, description = "the person (subject id)")),
    responses((status = 200, body = SubjectView), (status = 404, body = ErrorBody)))]
pub async fn open_subject(
    State(app): State<AppState>,
    work: Grant<Work>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let id = subject_id(&id)?;
    let record = app.store.work_subject(&work.grant, id).await?;
    let keyring = app.store.keyring();
    let sources: Vec<SourceView> = record
        .sources
        .iter()
        .map(|s| {
            let facts = match &s.sealed {
                None => None,
                Some(bytes) => Some(
                    keyring
                        .open(&row_context(s.list, s.row), bytes)
                        .ok()
                        .and_then(|b| serde_json::from_slice::<SealedRow>(&b).ok())
                        .ok_or(ApiError::Internal)?,
                ),
            };
            Ok(SourceView {
                list: s.list,
                label: s.label.clone(),
                source: s.source,
                row: s.row,
                facts,
            })
        })
        .collect::<ApiResult<_>>()?;
    let visit = record.item.state == SubjectState::Escalated
        && record.team_lead.as_deref() == Some(work.grant.username().as_str());
    let mut note = AuditNote::read(format!("follow-up person {id}"), 1)
        .subjects(vec![record.match_key.clone()]);
    note.action = Some("followup.open");
    note.purpose = "follow-up".into();
    let view = SubjectView {
        item: record.item,
        sources,
        attempts: record.attempts,
        visit,
        questionnaire: published(&app).await?,
    };
    let mut response = (Extension(note), Json(view)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// The person's document in clear, from the first of its rows that has one.
fn document_of(
    app: &AppState,
    record: &cordon_store::followup::SubjectRecord,
) -> Option<IdentityDocument> {
    record.sources.iter().find_map(|s| {
        let bytes = s.sealed.as_ref()?;
        let plain = app
            .store
            .keyring()
            .open(&row_context(s.list, s.row), bytes)
            .ok()?;
        let row: SealedRow = serde_json::from_slice(&plain).ok()?;
        let kind = DocumentType::parse(row.document_type.as_deref()?).ok()?;
        IdentityDocument::parse(kind, row.document_number.as_deref()?).ok()
    })
}

/// The new address of a person who lives elsewhere now: the place it names, and the address
/// sealed. Refused for another outcome, or when too long.
fn moved_to(
    app: &AppState,
    req: &AttemptRequest,
    outcome: Outcome,
    subject: i64,
    now_ms: i64,
) -> ApiResult<Option<(Option<DivisionCode>, Vec<u8>)>> {
    let Some(text) = req
        .moved_to
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    else {
        return Ok(None);
    };
    if outcome != Outcome::LivesElsewhere {
        return Err(ApiError::invalid(
            "not_moved",
            "moved_to",
            "a new address is told for a person who lives elsewhere now",
        ));
    }
    if text.chars().count() > cordon_domain::followup::MAX_TEXT
        || text.chars().any(char::is_control)
    {
        return Err(ApiError::invalid(
            "invalid_text",
            "moved_to",
            "at most 200 characters, without control characters",
        ));
    }
    let place = cordon_domain::places::named_anywhere(text)
        .or_else(|| cordon_domain::places::named_in(text, ""))
        .and_then(|p| DivisionCode::parse(p.code).ok());
    let sealed = app
        .store
        .keyring()
        .seal(&transfer_context(subject, now_ms), text.as_bytes());
    Ok(Some((place, sealed)))
}

#[utoipa::path(post, path = "/api/v1/followup/subjects/{id}/attempts", tag = "followup",
    params(("id" = i64, Path, description = "the person (subject id)")), request_body = AttemptRequest,
    responses((status = 201, body = AttemptRecorded), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "the person's state refuses this attempt (closed, too soon, escalated)"),
        (status = 422, body = ErrorBody)))]
pub async fn record_attempt(
    State(app): State<AppState>,
    work: Grant<Work>,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<AttemptRequest>,
) -> ApiResult<(StatusCode, Extension<AuditNote>, Json<AttemptRecorded>)> {
    let id = subject_id(&id)?;
    let kind = AttemptKind::parse(&req.kind).map_err(|e| e.under("kind"))?;
    let outcome = Outcome::parse(&req.outcome).map_err(|e| e.under("outcome"))?;
    let note = req.note.as_deref().unwrap_or("").trim().to_owned();
    if note.chars().count() > MAX_NOTE || note.chars().any(char::is_control) {
        return Err(ApiError::invalid(
            "too_long",
            "note",
            format!("a note has at most {MAX_NOTE} characters"),
        ));
    }
    let today = cordon_domain::time::today_china();
    let checked = match (&req.questionnaire, &req.answers) {
        (None, None) => None,
        (Some(v), Some(answers)) => {
            let (version, source) = match app.store.get_questionnaire(*v).await {
                Ok(found) => found,
                Err(cordon_store::StoreError::NotFound { .. }) => {
                    return Err(ApiError::invalid(
                        "not_published",
                        "questionnaire",
                        "no published questionnaire has this version",
                    ))
                }
                Err(e) => return Err(e.into()),
            };
            if version.published_at_ms.is_none() {
                return Err(ApiError::invalid(
                    "not_published",
                    "questionnaire",
                    "answers name a published questionnaire version",
                ));
            }
            let q = compiled(&source)?;
            let a = q.check(answers, today)?;
            Some((version.version, q, a))
        }
        _ => {
            return Err(ApiError::invalid(
                "required",
                "questionnaire",
                "answers come with the questionnaire version they answer",
            ))
        }
    };
    let answered = checked.as_ref().map(|(v, _, a)| {
        let plain = serde_json::to_vec(&a.values).expect("answers serialise");
        (*v, app.store.keyring().seal(&answers_context(id), &plain))
    });
    let now = cordon_domain::time::now_ms();
    let moved_to = moved_to(&app, &req, outcome, id, now)?;
    let (attempt, state) = app
        .store
        .record_attempt(
            &work.grant,
            NewAttempt {
                subject: id,
                kind,
                outcome,
                answered,
                note,
                moved_to,
            },
            now,
        )
        .await
        .map_err(|e| match e {
            cordon_store::StoreError::Invalid(f) if f.code != "not_published" => {
                ApiError::Conflict(f)
            }
            other => other.into(),
        })?;
    // An answer that meets the questionnaire's rule proposes a status, never sets one.
    let mut proposed = None;
    if let Some((_, q, answers)) = &checked {
        // The register the lanes decide by: kept fresh, not read again per answer.
        let engine = app.lanes.current();
        if let Some((status, reason)) = q.proposal(answers, &engine.risk, today) {
            let record = app.store.work_subject(&work.grant, id).await?;
            match (document_of(&app, &record), work.caller.principal.may_propose_status_from_followup()) {
                (Some(document), Ok(grant)) => {
                    let draft = StatusChangeDraft {
                        document,
                        status,
                        reason,
                        evidence: Evidence {
                            kind: EvidenceKind::Followup,
                            reference: format!("followup-attempt-{}", attempt.id),
                        },
                        until_ms: None,
                    };
                    let change = app
                        .store
                        .request_status_change(&grant, NewStatusChange::new(draft, app.store.keyring()))
                        .await?;
                    proposed = Some(change.change.id);
                }
                _ => tracing::info!(subject = id, "an answer proposes a status for a person known without a document: left to the lead"),
            }
        }
    }
    let mut audit = AuditNote::read(format!("follow-up person {id}"), 1);
    audit.action = Some("followup.attempt");
    audit.purpose = "follow-up".into();
    Ok((
        StatusCode::CREATED,
        Extension(audit),
        Json(AttemptRecorded {
            attempt,
            state,
            proposed_status_change: proposed,
        }),
    ))
}

#[utoipa::path(get, path = "/api/v1/followup/board", tag = "followup", params(BoardParams),
    responses((status = 200, body = Board), (status = 422, body = ErrorBody)))]
pub async fn board(
    State(app): State<AppState>,
    read: Grant<ListRead>,
    ApiQuery(q): ApiQuery<BoardParams>,
) -> ApiResult<Json<Board>> {
    let by = board_by(q.by);
    let lines = app
        .store
        .followup_board(&read.grant, by, cordon_domain::time::now_ms())
        .await?;
    Ok(Json(Board { lines }))
}
