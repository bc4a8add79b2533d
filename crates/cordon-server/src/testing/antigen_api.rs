//! Antigen tests over HTTP: a sampler scans a person's ID card as the swab is taken, the page
//! counts the 15 minutes down, and the cassette is read once (negative, positive, or invalid:
//! swab again). Each swab and read is audited with the person's keyed hash; the site's list
//! (waiting, and read today) is audited as a read of masked persons.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use cordon_domain::access::testing::Sample;
use cordon_domain::testing::antigen::AntigenReadRequest;
use cordon_domain::testing::MemberRequest;
use cordon_store::testing::antigen::{antigen_context, AntigenDone, SiteAntigen};

use super::api::member;
use super::paths::{conflict, id};
use crate::audit::AuditNote;
use crate::auth::Grant;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::ApiJson;
use crate::state::AppState;

fn status(done: &AntigenDone) -> StatusCode {
    if done.already {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    }
}

#[utoipa::path(post, path = "/api/v1/testing/sites/{id}/antigen", tag = "testing",
    params(("id" = i64, Path, description = "the site")), request_body = MemberRequest,
    responses((status = 201, body = AntigenDone, description = "swabbed: the cassette is read 15 minutes later"),
        (status = 200, body = AntigenDone, description = "the person's test waits at this site already: the same one"),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "the person's test waits to be read at another site"),
        (status = 422, body = ErrorBody, description = "a bad document or name, each under `problems`")))]
pub async fn swab(
    State(app): State<AppState>,
    sample: Grant<Sample>,
    Path(site): Path<String>,
    ApiJson(req): ApiJson<MemberRequest>,
) -> ApiResult<(StatusCode, Extension<AuditNote>, Json<AntigenDone>)> {
    app.samples_here()?;
    let site = id(&site, "site")?;
    let person = member(&app, &req, |key| antigen_context(site, key))?;
    let key = person.person_key.clone();
    let done = app
        .store
        .swab(&sample.grant, site, person, cordon_domain::time::now_ms())
        .await
        .map_err(conflict)?;
    let mut note = AuditNote::read(format!("antigen test {}", done.test.id), 1).subjects(vec![key]);
    note.action = Some("testing.antigen");
    Ok((status(&done), Extension(note), Json(done)))
}

#[utoipa::path(get, path = "/api/v1/testing/sites/{id}/antigen", tag = "testing",
    params(("id" = i64, Path, description = "the site")),
    responses((status = 200, body = SiteAntigen, description = "tests waiting to be read, oldest first, and those read today, newest first"),
        (status = 404, body = ErrorBody)))]
pub async fn site_tests(
    State(app): State<AppState>,
    sample: Grant<Sample>,
    Path(site): Path<String>,
) -> ApiResult<(Extension<AuditNote>, Json<SiteAntigen>)> {
    app.samples_here()?;
    let site = id(&site, "site")?;
    let midnight = cordon_domain::time::today_china()
        .and_hms_opt(0, 0, 0)
        .and_then(|t| t.and_local_timezone(cordon_domain::time::china()).single())
        .map_or(0, |t| t.timestamp_millis());
    let list = app
        .store
        .site_antigen(&sample.grant, site, midnight)
        .await?;
    let note = AuditNote::read(
        format!("antigen tests of site {site}"),
        list.waiting.len() + list.read.len(),
    );
    Ok((Extension(note), Json(list)))
}

#[utoipa::path(post, path = "/api/v1/testing/antigen/{id}/result", tag = "testing",
    params(("id" = i64, Path, description = "the antigen test")), request_body = AntigenReadRequest,
    responses((status = 201, body = AntigenDone, description = "read"),
        (status = 200, body = AntigenDone, description = "read so before: nothing written"),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "read before as another result"),
        (status = 422, body = ErrorBody, description = "too early (the cassette is read 15 minutes after the swab), or not a result")))]
pub async fn read(
    State(app): State<AppState>,
    sample: Grant<Sample>,
    Path(test): Path<String>,
    ApiJson(req): ApiJson<AntigenReadRequest>,
) -> ApiResult<(StatusCode, Extension<AuditNote>, Json<AntigenDone>)> {
    app.samples_here()?;
    let test = id(&test, "antigen test")?;
    let result = req.parse()?;
    let done = app
        .store
        .read_antigen(&sample.grant, test, result, cordon_domain::time::now_ms())
        .await
        .map_err(conflict)?;
    let mut note = AuditNote::read(format!("antigen test {test}"), 1);
    note.action = Some("testing.antigen_read");
    note.purpose = format!("read {}", result.as_str());
    Ok((status(&done), Extension(note), Json(done)))
}
