//! A follow-up list made from the checkpoints' own records (`POST
//! /api/v1/followup/lists/from-passages`): everyone who entered the caller's scope from a
//! division, or declared at the lane a visit to it, within the last N days. The stored passages
//! of the period are scanned by their facts and origin alone (as a policy's dry run is); only
//! the passages that match are opened, at checkpoints the caller may trace in, and each person
//! is one row (their latest crossing) with what ties them to the division. Pressing twice
//! makes one list: an id already taken answers that list, nothing written.

use std::collections::{HashMap, HashSet};

use axum::extract::State;
use axum::http::StatusCode;
use axum::{Extension, Json};
use cordon_domain::access::followup::ListWrite;
use cordon_domain::division::DivisionCode;
use cordon_domain::followup::crossing::{Crossing, FromPassagesRequest, Tie};
use cordon_domain::followup::{ListRow, ListSource, MAX_ROWS};
use cordon_domain::policy::facts::FactsBuf;
use cordon_store::followup::ListAdded;
use cordon_store::Period;
use uuid::Uuid;

use super::api::{add, deadline, label, status, Incoming};
use crate::audit::AuditNote;
use crate::auth::Grant;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiJson;
use crate::state::AppState;

/// Passages opened per read of their occupants.
const OPEN_CHUNK: usize = 500;

/// A passage the query names, with which of its occupants and why.
struct Hit {
    id: Uuid,
    checkpoint: i64,
    observed_ms: i64,
    origin: Option<DivisionCode>,
    occupants: Vec<(usize, Tie)>,
}

/// A division as a note says it: "北京市朝阳区", or its code when the country has no such.
fn place(code: DivisionCode) -> String {
    let code = code.to_string();
    match cordon_domain::places::by_code(&code) {
        Some(p) => format!("{}{}", p.within.replace(' ', ""), p.name),
        None => code,
    }
}

/// Scans the period's passages at `checkpoints` for those the query names, latest first.
async fn scan(
    app: &AppState,
    q: Crossing,
    checkpoints: HashSet<i64>,
    now_ms: i64,
) -> ApiResult<Vec<Hit>> {
    let period = Period {
        from_ms: q.since_ms(now_ms),
        to_ms: now_ms + 1,
    };
    let (tx, mut rx) = tokio::sync::mpsc::channel(8);
    let store = app.store.clone();
    let replay = tokio::spawn(async move { store.replay_passages(period, tx).await });
    let matcher = tokio::task::spawn_blocking(move || {
        let mut hits = Vec::new();
        let mut persons = 0usize;
        let mut buf = FactsBuf::default();
        while let Some(batch) = rx.blocking_recv() {
            for r in batch {
                if !checkpoints.contains(&r.checkpoint_id) || !buf.decode(&r.facts) {
                    continue;
                }
                let origin = r
                    .origin
                    .and_then(|o| u32::try_from(o).ok())
                    .and_then(DivisionCode::from_value);
                let occupants = q.occupants(origin, &buf);
                if occupants.is_empty() {
                    continue;
                }
                persons += occupants.len();
                if persons > 2 * MAX_ROWS {
                    return None;
                }
                hits.push(Hit {
                    id: r.id,
                    checkpoint: r.checkpoint_id,
                    observed_ms: r.observed_ms,
                    origin,
                    occupants,
                });
            }
        }
        hits.sort_by_key(|h| std::cmp::Reverse((h.observed_ms, h.id)));
        Some(hits)
    });
    let hits = matcher.await.map_err(|_| ApiError::Internal)?;
    // The replay stops by itself once the matcher is gone.
    replay.await.map_err(|_| ApiError::Internal)??;
    hits.ok_or_else(too_many)
}

fn too_many() -> ApiError {
    ApiError::invalid(
        "too_many",
        "division",
        format!("more than {MAX_ROWS} persons: narrow the division or the days"),
    )
}

#[utoipa::path(post, path = "/api/v1/followup/lists/from-passages", tag = "followup",
    request_body = FromPassagesRequest,
    responses((status = 201, body = ListAdded, description = "the list, made now"),
        (status = 200, body = ListAdded, description = "a list of this id was made before: nothing written"),
        (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "a bad division or number of days (each under `problems`), no passage found, or too many persons")))]
pub async fn from_passages(
    State(app): State<AppState>,
    write: Grant<ListWrite>,
    ApiJson(req): ApiJson<FromPassagesRequest>,
) -> ApiResult<(StatusCode, Extension<AuditNote>, Json<ListAdded>)> {
    app.hub_only("follow-up lists")?;
    let principal = &write.caller.principal;
    let read = principal.may_read_trajectories()?;
    let lists = principal.may_read_lists()?;
    let q = req.parse()?;
    let now = cordon_domain::time::now_ms();
    let deadline_ms = deadline(req.deadline_hours, now)?;
    match app.store.followup_list(&lists, req.id).await {
        Ok(list) => {
            let note = AuditNote::read(format!("follow-up list {}", req.id), 0);
            let rows = list.rows;
            return Ok((
                StatusCode::OK,
                Extension(note),
                Json(ListAdded {
                    list,
                    rows_added: 0,
                    rows_already: rows,
                    subjects_added: 0,
                }),
            ));
        }
        Err(cordon_store::StoreError::NotFound { .. }) => {}
        Err(e) => return Err(e.into()),
    }
    let all = app.store.trace_checkpoints().await?;
    let codes: HashMap<i64, String> = all
        .iter()
        .filter(|c| read.scope().covers(&c.code, c.jurisdiction))
        .map(|c| (c.id, c.code.as_str().to_owned()))
        .collect();
    let hits = scan(&app, q, codes.keys().copied().collect(), now).await?;
    let ids: Vec<Uuid> = hits.iter().map(|h| h.id).collect();
    let mut opened = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(OPEN_CHUNK) {
        opened.extend(app.store.trace_occupants(&read, chunk).await?);
    }
    let mut seen = HashSet::new();
    let mut rows: Vec<ListRow> = Vec::new();
    for h in &hits {
        let Some(occupants) = opened.get(&h.id) else {
            continue;
        };
        let at = cordon_domain::time::from_ms(h.observed_ms);
        let cp = codes.get(&h.checkpoint).map(String::as_str).unwrap_or("");
        for &(i, tie) in &h.occupants {
            let Some(o) = occupants.get(i) else { continue };
            let d = &o.person.document;
            if !seen.insert((d.kind(), d.expose_number().to_owned())) {
                continue;
            }
            if rows.len() == MAX_ROWS {
                return Err(too_many());
            }
            let why = match tie {
                Tie::EnteredFrom => format!("来自{}", h.origin.map(place).unwrap_or_default()),
                Tie::Visited => format!("申报到访{}", place(q.division)),
            };
            rows.push(ListRow {
                row: rows.len() as u32 + 1,
                name: o.person.name.clone(),
                document: Some(d.clone()),
                phone: o.person.phone.clone(),
                from: h.origin.map(place),
                arrived_on: Some(at.date_naive()),
                address: None,
                note: Some(format!(
                    "{} 经 {cp} 进入，{why}",
                    at.format("%Y-%m-%d %H:%M")
                )),
            });
        }
    }
    if rows.is_empty() {
        return Err(ApiError::invalid(
            "no_passages",
            "division",
            "no one entered from or declared a visit to this division in these days",
        ));
    }
    let given = req.label.as_deref().map(label).unwrap_or_default();
    let list_label = if given.is_empty() {
        label(&format!("{} {} 天内入境", place(q.division), q.days))
    } else {
        given
    };
    let persons = rows.len();
    let (added, mut note) = add(
        &app,
        &write.grant,
        Incoming {
            id: req.id,
            source: ListSource::Query,
            label: list_label,
            deadline_ms,
            skipped: 0,
            rows,
        },
    )
    .await?;
    note.persons = persons as i64;
    note.purpose = format!("{} {} {} days", q.kind.as_str(), q.division, q.days);
    Ok((status(&added), Extension(note), Json(added)))
}
