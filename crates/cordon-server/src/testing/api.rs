//! Mass testing over HTTP: campaigns and their sites (commanders open them; commanders and
//! samplers read them), and tubes filled at a site by a sampler: opened by barcode, persons
//! scanned in one by one (each scan audited with the person's keyed hash), sealed full or
//! short with a reason.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use cordon_domain::access::testing::{CampaignManage, Sample, TestingRead};
use cordon_domain::identity::{DocumentType, IdentityDocument};
use cordon_domain::person::PersonName;
use cordon_domain::testing::{
    Barcode, CampaignRequest, MemberRequest, PoolSize, SealRequest, SiteRequest, TubeRequest,
};
use cordon_domain::Gathered;
use cordon_store::testing::{member_context, Added, Campaign, NewMember, Site, TubeView};
use serde::Serialize;

use crate::audit::AuditNote;
use crate::auth::{ClientAddress, Grant};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiJson;
use crate::state::AppState;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CampaignList {
    pub campaigns: Vec<Campaign>,
}

fn barcode(s: &str) -> ApiResult<Barcode> {
    Ok(Barcode::parse(s)?)
}

#[utoipa::path(post, path = "/api/v1/testing/campaigns", tag = "testing", request_body = CampaignRequest,
    responses((status = 201, body = Campaign),
        (status = 422, body = ErrorBody, description = "every problem under `problems`; an area outside the jurisdiction")))]
pub async fn create_campaign(
    State(app): State<AppState>,
    manage: Grant<CampaignManage>,
    ApiJson(req): ApiJson<CampaignRequest>,
) -> ApiResult<(StatusCode, Json<Campaign>)> {
    app.hub_only("testing campaigns")?;
    let c = req.parse(cordon_domain::time::from_ms(cordon_domain::time::now_ms()))?;
    let made = app.store.create_campaign(&manage.grant, c).await?;
    Ok((StatusCode::CREATED, Json(made)))
}

#[utoipa::path(get, path = "/api/v1/testing/campaigns", tag = "testing",
    responses((status = 200, body = CampaignList)))]
pub async fn campaigns(
    State(app): State<AppState>,
    read: Grant<TestingRead>,
) -> ApiResult<Json<CampaignList>> {
    Ok(Json(CampaignList {
        campaigns: app.store.list_campaigns(&read.grant).await?,
    }))
}

#[utoipa::path(post, path = "/api/v1/testing/campaigns/{id}/sites", tag = "testing",
    params(("id" = i64, Path, description = "the campaign")), request_body = SiteRequest,
    responses((status = 201, body = Site), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "the campaign has a site of this name"),
        (status = 422, body = ErrorBody)))]
pub async fn create_site(
    State(app): State<AppState>,
    manage: Grant<CampaignManage>,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<SiteRequest>,
) -> ApiResult<(StatusCode, Json<Site>)> {
    let id: i64 = id
        .parse()
        .map_err(|_| ApiError::NotFound(format!("campaign {id} not found")))?;
    let (name, lanes) = req.parse()?;
    let site = app
        .store
        .create_site(&manage.grant, id, &name, lanes)
        .await?;
    Ok((StatusCode::CREATED, Json(site)))
}

#[utoipa::path(post, path = "/api/v1/testing/tubes", tag = "testing", request_body = TubeRequest,
    responses((status = 201, body = TubeView), (status = 404, body = ErrorBody, description = "no such site in the sampler's campaigns"),
        (status = 409, body = ErrorBody, description = "the barcode was used before"), (status = 422, body = ErrorBody)))]
pub async fn open_tube(
    State(app): State<AppState>,
    sample: Grant<Sample>,
    ApiJson(req): ApiJson<TubeRequest>,
) -> ApiResult<(StatusCode, Json<TubeView>)> {
    app.samples_here()?;
    let mut g = Gathered::default();
    let code = g.take(Barcode::parse(&req.barcode));
    let pool = match req.pool_size {
        None => Some(None),
        Some(n) => g.take(
            PoolSize::parse(n)
                .map_err(|e| e.under("pool_size"))
                .map(Some),
        ),
    };
    let (code, pool) = g.finish(|| Some((code?, pool?)))?;
    let tube = app
        .store
        .open_tube(
            &sample.grant,
            req.site,
            &code,
            pool,
            cordon_domain::time::now_ms(),
        )
        .await
        .map_err(conflict)?;
    Ok((StatusCode::CREATED, Json(tube)))
}

/// A tube's state refusing a scan or a seal is a conflict with what is stored.
fn conflict(e: cordon_store::StoreError) -> ApiError {
    match e {
        cordon_store::StoreError::Invalid(f)
            if matches!(
                f.code.as_str(),
                "barcode_used" | "tube_full" | "tube_sealed" | "in_open_tube"
            ) =>
        {
            ApiError::Conflict(f)
        }
        other => other.into(),
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SiteSeries {
    /// Each series of barcodes used at the site, with the numbers skipped.
    pub series: Vec<cordon_domain::testing::Series>,
}

#[utoipa::path(get, path = "/api/v1/testing/sites/{id}/series", tag = "testing",
    params(("id" = i64, Path, description = "the site")),
    responses((status = 200, body = SiteSeries), (status = 404, body = ErrorBody)))]
pub async fn site_series(
    State(app): State<AppState>,
    read: Grant<TestingRead>,
    Path(id): Path<String>,
) -> ApiResult<Json<SiteSeries>> {
    let id: i64 = id
        .parse()
        .map_err(|_| ApiError::NotFound(format!("site {id} not found")))?;
    let codes = app.store.site_barcodes(&read.grant, id).await?;
    Ok(Json(SiteSeries {
        series: cordon_domain::testing::series(&codes),
    }))
}

#[utoipa::path(get, path = "/api/v1/testing/tubes/{barcode}", tag = "testing",
    params(("barcode" = String, Path, description = "the tube's barcode")),
    responses((status = 200, body = TubeView), (status = 404, body = ErrorBody)))]
pub async fn tube(
    State(app): State<AppState>,
    read: Grant<TestingRead>,
    Path(code): Path<String>,
) -> ApiResult<(Extension<AuditNote>, Json<TubeView>)> {
    let code = barcode(&code).map_err(|_| ApiError::NotFound(format!("tube {code} not found")))?;
    let tube = app.store.tube(&read.grant, &code).await?;
    let note = AuditNote::read(format!("tube {code}"), tube.members.len());
    Ok((Extension(note), Json(tube)))
}

/// A person as scanned (document and name), checked, keyed and sealed against `context`.
pub(crate) fn member(
    app: &AppState,
    req: &MemberRequest,
    context: impl Fn(&str) -> Vec<u8>,
) -> ApiResult<NewMember> {
    let today = cordon_domain::time::today_china();
    let mut g = Gathered::default();
    let document = g.take(
        DocumentType::parse(&req.document.kind)
            .map_err(|e| e.under("document.type"))
            .and_then(|k| {
                IdentityDocument::parse_at(k, &req.document.number, today)
                    .map_err(|e| e.under("document"))
            }),
    );
    let name = g.take(PersonName::parse(&req.name).map_err(|e| e.under("name")));
    let (document, name) = g.finish(|| Some((document?, name?)))?;
    Ok(NewMember::sealed(
        app.store.keyring(),
        &document,
        &name,
        context,
    ))
}

#[utoipa::path(post, path = "/api/v1/testing/tubes/{barcode}/members", tag = "testing",
    params(("barcode" = String, Path, description = "the tube's barcode")), request_body = MemberRequest,
    responses((status = 201, body = Added, description = "the person is in the tube"),
        (status = 200, body = Added, description = "the person was in this tube already: nothing written"),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "the tube is full or sealed, or the person stands in another open tube"),
        (status = 422, body = ErrorBody, description = "a bad document or name, each under `problems`")))]
pub async fn add_member(
    State(app): State<AppState>,
    sample: Grant<Sample>,
    address: ClientAddress,
    Path(code): Path<String>,
    ApiJson(req): ApiJson<MemberRequest>,
) -> ApiResult<(StatusCode, Extension<AuditNote>, Json<Added>)> {
    app.samples_here()?;
    let code = barcode(&code).map_err(|_| ApiError::NotFound(format!("tube {code} not found")))?;
    let member = member(&app, &req, |key| member_context(&code, key))?;
    scan_in(&app, &sample, address, &code, member).await
}

/// Puts a person into a tube, audited with their keyed hash: 201, or 200 when they were in it
/// already. How they were found (their ID card, their queue number) is the caller's. The audit
/// entry travels with the scan and is committed with it; a refused scan is audited by the
/// guard, as any refusal.
pub(super) async fn scan_in(
    app: &AppState,
    sample: &Grant<Sample>,
    address: ClientAddress,
    code: &Barcode,
    member: NewMember,
) -> ApiResult<(StatusCode, Extension<AuditNote>, Json<Added>)> {
    let key = member.person_key.clone();
    let mut note = AuditNote::read(format!("tube {code}"), 1).subjects(vec![key]);
    note.action = Some("testing.sample");
    let now = cordon_domain::time::now_ms();
    let entry = crate::auth::guard::audit_entry(
        Some(&sample.caller),
        address,
        "POST /api/v1/testing/tubes/{barcode}/members",
        "ok",
        note.clone(),
        now,
    );
    let added = app
        .store
        .add_member_audited(&sample.grant, code, member, now, Some(entry))
        .await
        .map_err(conflict)?;
    note.recorded = true;
    let status = if added.already {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Extension(note), Json(added)))
}

#[utoipa::path(post, path = "/api/v1/testing/tubes/{barcode}/seal", tag = "testing",
    params(("barcode" = String, Path, description = "the tube's barcode")), request_body = SealRequest,
    responses((status = 200, body = TubeView), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "sealed already"),
        (status = 422, body = ErrorBody, description = "empty, or short without a reason")))]
pub async fn seal(
    State(app): State<AppState>,
    sample: Grant<Sample>,
    Path(code): Path<String>,
    ApiJson(req): ApiJson<SealRequest>,
) -> ApiResult<Json<TubeView>> {
    let code = barcode(&code).map_err(|_| ApiError::NotFound(format!("tube {code} not found")))?;
    let reason = req.reason()?;
    let tube = app
        .store
        .seal_tube(
            &sample.grant,
            &code,
            reason.as_deref(),
            cordon_domain::time::now_ms(),
        )
        .await
        .map_err(conflict)?;
    Ok(Json(tube))
}
