//! A released run's recall over HTTP (`GET /api/v1/testing/runs/{id}/recall`), for commanders:
//! the persons its positive (or unclear) tubes recall, masked, with the recall list they were
//! put on, each one's re-test (the tube they were scanned into since, and its result) and
//! passages of the last 14 days from the trace index, so where they have been since is one
//! click away. Audited with each person's keyed hash.

use axum::extract::{Path, State};
use axum::{Extension, Json};
use chrono::Duration;
use cordon_domain::access::testing::TestingRead;
use cordon_domain::access::trace::TrajectoryRead;
use cordon_domain::identity::MaskedDocument;
use cordon_domain::passage::TrajectoryPoint;
use cordon_domain::testing::lab::MemberResult;
use cordon_store::testing::lab::Retest;
use cordon_store::Period;
use cordon_trace::Subject;
use serde::Serialize;
use uuid::Uuid;

use super::paths::id;
use crate::audit::AuditNote;
use crate::auth::Grant;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::state::AppState;

/// Days of passages shown per person.
const DAYS: i64 = 14;

/// A recalled person, masked, with where they have passed since.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RecalledPerson {
    pub tube: String,
    pub name: String,
    pub document: MaskedDocument,
    pub result: MemberResult,
    /// Compound and building, when the roster has them.
    pub home: Option<String>,
    /// Their re-test: the first tube they were scanned into after the release, and its result
    /// once released.
    pub retest: Option<Retest>,
    /// Their passages of the last 14 days at checkpoints the reader sees, oldest first.
    pub passages: Vec<TrajectoryPoint>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RecallView {
    pub run: i64,
    /// The follow-up list the persons were put on (`null` if it was not made).
    pub list: Option<Uuid>,
    pub persons: Vec<RecalledPerson>,
}

#[utoipa::path(get, path = "/api/v1/testing/runs/{id}/recall", tag = "testing",
    params(("id" = i64, Path, description = "the run")),
    responses((status = 200, body = RecallView), (status = 404, body = ErrorBody),
        (status = 503, body = ErrorBody, description = "the trace index is loading")))]
pub async fn recall(
    State(app): State<AppState>,
    read: Grant<TrajectoryRead>,
    Path(run): Path<String>,
) -> ApiResult<(Extension<AuditNote>, Json<RecallView>)> {
    let testing: TestingRead = read.caller.principal.may_read_testing()?;
    let run = id(&run, "run")?;
    let recalled = app.store.recall_persons(&testing, run).await?;
    let now = cordon_domain::time::now_ms();
    let period = Period {
        from_ms: now - Duration::days(DAYS).num_milliseconds(),
        to_ms: now + 1,
    };
    let mut persons = Vec::with_capacity(recalled.len());
    let mut keys = Vec::with_capacity(recalled.len());
    for p in recalled {
        let key = cordon_trace::person_key(&p.person_key).ok_or(ApiError::Internal)?;
        let passages =
            crate::trace::trajectories::points(&app, &read.grant, Subject::Person(key), period)
                .await?;
        persons.push(RecalledPerson {
            tube: p.barcode.to_string(),
            name: p.masked_name,
            document: p.document,
            result: p.result,
            home: p.home,
            retest: p.retest,
            passages,
        });
        keys.push((p.area, p.person_key));
    }
    let areas: std::collections::BTreeSet<_> = keys.iter().map(|k| k.0).collect();
    let list = areas
        .first()
        .map(|area| super::recall::list_id(&app, run, *area));
    let note = AuditNote::read(format!("testing run {run} recall"), persons.len())
        .subjects(keys.into_iter().map(|k| k.1).collect());
    Ok((Extension(note), Json(RecallView { run, list, persons })))
}
