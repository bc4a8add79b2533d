//! `POST /api/v1/sync/passages`: an edge station pushes its registrations, numbered in its
//! series. The whole batch is checked before anything is written (a malformed record is refused
//! with its position; a record for another checkpoint is 403); numbers the hub holds already
//! must name the same passages (else the series went backwards: 409 `series_backwards`); the
//! first new number must follow the hub's high-water mark (else 409 `series_gap`). New records
//! are written with the station's decisions, then the mark is raised. An empty batch answers the
//! mark. Writing passages and raising the mark are two steps: a crash between them leaves
//! passages the next push replays (same id, same content) without writing them twice.

use axum::extract::State;
use axum::{Extension, Json};
use cordon_domain::access::station::StationSync;
use cordon_domain::station::{SyncAnswer, SyncBatch, MAX_BATCH};
use cordon_store::{NewPassage, Recorded, StoreError};

use super::AppState;
use crate::audit::AuditNote;
use crate::auth::{ClientAddress, Grant};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiJson;

fn now() -> chrono::DateTime<chrono::FixedOffset> {
    chrono::Utc::now().with_timezone(&cordon_domain::time::china())
}

#[utoipa::path(post, path = "/api/v1/sync/passages", tag = "stations", request_body = SyncBatch,
    responses((status = 200, body = SyncAnswer),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody, description = "a record for a checkpoint that is not the station's"),
        (status = 409, body = ErrorBody, description = "series_gap (send from the high-water mark plus one) or series_backwards"),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn push(
    State(app): State<AppState>,
    station: Grant<StationSync>,
    address: ClientAddress,
    ApiJson(batch): ApiJson<SyncBatch>,
) -> ApiResult<(Extension<AuditNote>, Json<SyncAnswer>)> {
    let grant = &station.grant;
    let records = &batch.records;
    if records.len() > MAX_BATCH {
        return Err(ApiError::invalid(
            "too_many",
            "records",
            format!("a batch holds at most {MAX_BATCH} records"),
        ));
    }
    let now = now();
    let mut drafts = Vec::with_capacity(records.len());
    for (i, r) in records.iter().enumerate() {
        let at = |field: &str| format!("records[{i}].{field}");
        let seq_ok = match i {
            0 => r.seq >= 1,
            _ => r.seq == records[i - 1].seq + 1,
        };
        if !seq_ok {
            return Err(ApiError::invalid(
                "invalid_seq",
                at("seq"),
                "a batch's numbers start at 1 or more and follow each other without gaps",
            ));
        }
        let draft = r
            .passage
            .parse(now)
            .map_err(|e| ApiError::Invalid(e.under(&at("passage"))))?;
        if &draft.checkpoint != grant.checkpoint() {
            return Err(ApiError::Forbidden);
        }
        drafts.push(draft);
    }
    let high = app.store.station_high_water(grant).await?;
    // Nothing is written for an empty batch or one the hub holds whole (beyond the time of the
    // last push): no audit entry, so that a station's idle pushes do not fill the trail.
    let quiet = Extension(AuditNote {
        recorded: true,
        ..AuditNote::default()
    });
    let Some(first) = records.first() else {
        let high = app
            .store
            .advance_station(grant, &[], cordon_domain::time::now_ms())
            .await?;
        return Ok((
            quiet,
            Json(SyncAnswer {
                high_water: high,
                created: 0,
                replayed: 0,
            }),
        ));
    };
    if first.seq > high + 1 {
        return Err(ApiError::Conflict(cordon_domain::FieldError::new(
            "series_gap",
            "records[0].seq",
            format!(
                "the hub holds this station's series up to {high}: send from {}",
                high + 1
            ),
        )));
    }
    // Numbers the hub holds already must be the same passages.
    let last = records.last().map_or(0, |r| r.seq);
    let held = app
        .store
        .station_records(grant, first.seq, last.min(high))
        .await?;
    for (seq, id) in &held {
        let i = (seq - first.seq) as usize;
        if drafts.get(i).map(|d| d.id) != Some(*id) {
            tracing::warn!(station = %station.caller.name(), seq, "a station's series went backwards");
            return Err(ApiError::Conflict(cordon_domain::FieldError::new(
                "series_backwards",
                format!("records[{i}].seq"),
                format!(
                    "number {seq} of this station's series is another passage at the hub: the station's series went backwards (a restored or copied database?); it needs a new credential"
                ),
            )));
        }
    }
    let skip = held.len().min(records.len());
    let keyring = app.store.keyring();
    let mut fresh: Vec<NewPassage> = records
        .iter()
        .zip(drafts)
        .skip(skip)
        .map(|(r, draft)| {
            NewPassage::decided(draft, keyring, |_, _| {
                (r.decision.clone(), Default::default())
            })
            .from_station()
        })
        .collect();
    let mut created = 0;
    let mut replayed = skip;
    let mut numbers = Vec::with_capacity(fresh.len());
    if !fresh.is_empty() {
        for (r, p) in records.iter().skip(skip).zip(&fresh) {
            numbers.push((r.seq, p.draft.id));
        }
        let subjects: Vec<String> = fresh
            .iter()
            .flat_map(|p| p.subjects().iter().cloned())
            .collect();
        let note = AuditNote {
            action: Some("sync.passages"),
            persons: subjects.len() as i64,
            ..AuditNote::read(format!("{} passages", fresh.len()), 0)
        }
        .subjects(subjects);
        let entry = crate::auth::guard::audit_entry(
            Some(&station.caller),
            address,
            "POST /api/v1/sync/passages",
            "ok",
            note,
            cordon_domain::time::now_ms(),
        );
        fresh[0].set_audit(entry);
        let pending = app.trace.prepare(&fresh);
        let recorded = app
            .store
            .record_passages(fresh)
            .await
            .map_err(|e| match e {
                StoreError::Rejected(r) => ApiError::from_rejection(r, "records"),
                e => e.into(),
            })?;
        crate::passage::api::note_corrections(&app, recorded.iter().map(Recorded::passage)).await?;
        for r in &recorded {
            match r {
                Recorded::Created(_) => created += 1,
                Recorded::Replayed(_) => replayed += 1,
            }
        }
        app.trace.recorded(pending, &recorded);
        app.routes.noticed(&recorded);
    }
    let high = app
        .store
        .advance_station(grant, &numbers, cordon_domain::time::now_ms())
        .await?;
    Ok((
        quiet,
        Json(SyncAnswer {
            high_water: high,
            created,
            replayed,
        }),
    ))
}

/// What a station holds of the hub's rules, for it to decide as the hub would.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct HubState {
    /// Every policy version, oldest first (documents included).
    #[schema(value_type = Vec<Object>)]
    pub policies: Vec<cordon_domain::policy::record::PolicyVersion>,
    /// The whole publication log, oldest first.
    #[schema(value_type = Vec<Object>)]
    pub publications: Vec<cordon_domain::policy::record::Publication>,
    /// Every risk-area interval ever recorded.
    pub risk_areas: Vec<cordon_domain::risk::RiskArea>,
    /// Pre-declarations revoked and not yet expired.
    pub revoked: Vec<RevokedDeclaration>,
    /// Freight passes revoked that would still be valid: a station's lanes refuse them.
    pub revoked_passes: Vec<cordon_store::freight::PassRevocation>,
    /// The hub's key for drivers' pre-declaration codes (and freight passes' codes).
    pub public_key: String,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct RevokedDeclaration {
    pub id: uuid::Uuid,
    pub issued_at_ms: i64,
    pub expires_at_ms: i64,
    pub persons: i32,
    pub revoked_at_ms: i64,
    pub revoked_by: String,
    pub reason: String,
}

#[utoipa::path(get, path = "/api/v1/sync/state", tag = "stations",
    responses((status = 200, body = HubState), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn state(
    State(app): State<AppState>,
    _station: Grant<StationSync>,
) -> ApiResult<Json<HubState>> {
    let mut policies = app.store.list_policy_versions().await?;
    policies.sort_by_key(|p| p.version);
    let now = cordon_domain::time::now_ms();
    let revoked = app
        .store
        .revoked_declarations(now)
        .await?
        .into_iter()
        .filter_map(|d| {
            let r = d.revoked?;
            Some(RevokedDeclaration {
                id: d.id,
                issued_at_ms: d.issued_at_ms,
                expires_at_ms: d.expires_at_ms,
                persons: d.persons,
                revoked_at_ms: r.at_ms,
                revoked_by: r.by,
                reason: r.reason,
            })
        })
        .collect();
    Ok(Json(HubState {
        policies,
        publications: app.store.list_publications().await?,
        risk_areas: app.store.list_risk_areas().await?,
        revoked,
        revoked_passes: app.store.live_revocations(now).await?,
        public_key: cordon_domain::declaration::public_key_hex(&app.verifying_key()),
    }))
}
