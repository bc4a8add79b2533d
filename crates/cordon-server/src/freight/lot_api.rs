//! Holding lots over HTTP: commanders set them up; the lot's staff (and the commanders) read the
//! board, check trucks in at the gate, move them step by step, close the drivers' requests and
//! print the bays' QR codes; a lane reads which lots its checkpoint sends to.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::{Extension, Json};
use cordon_domain::access::freight::{LotKeep, LotWork};
use cordon_domain::checkpoint::CheckpointCode;
use cordon_domain::freight::bay::{BayRequest, BayToken};
use cordon_domain::freight::board::LotBoard;
use cordon_domain::freight::lot::{Lot, LotRequest};
use cordon_domain::freight::truck::{CheckInRequest, Step, Truck, TruckStepRequest};
use cordon_domain::time::now_ms;
use cordon_domain::FieldError;
use cordon_store::freight::LotPublic;
use cordon_store::StoreError;
use serde::{Deserialize, Serialize};

use super::feed::SharedBoard;
use crate::audit::AuditNote;
use crate::auth::{Caller, Grant};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery};
use crate::flight::NotNow;
use crate::state::AppState;

pub(super) fn id_of(what: &str, id: &str) -> ApiResult<i64> {
    id.parse()
        .map_err(|_| ApiError::NotFound(format!("{what} {id} not found")))
}

pub(super) fn noted(what: String) -> Extension<AuditNote> {
    Extension(AuditNote::read(what, 0))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LotList {
    pub lots: Vec<Lot>,
}

#[utoipa::path(get, path = "/api/v1/lots", tag = "lots",
    responses((status = 200, body = LotList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn lots(State(app): State<AppState>, grant: Grant<LotWork>) -> ApiResult<Json<LotList>> {
    Ok(Json(LotList {
        lots: app.store.list_lots(&grant.grant).await?,
    }))
}

#[utoipa::path(post, path = "/api/v1/lots", tag = "lots", request_body = LotRequest,
    responses((status = 201, body = Lot), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody, description = "its division or a checkpoint beyond the jurisdiction"),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn make_lot(
    State(app): State<AppState>,
    grant: Grant<LotKeep>,
    ApiJson(req): ApiJson<LotRequest>,
) -> ApiResult<(StatusCode, Extension<AuditNote>, Json<Lot>)> {
    app.hub_only("holding lots")?;
    let draft = req.parse()?;
    let lot = app.store.make_lot(&grant.grant, &draft, now_ms()).await?;
    let note = noted(format!("lot {} ({} bays)", lot.id, lot.bays));
    Ok((StatusCode::CREATED, note, Json(lot)))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct BoardParams {
    /// The board's clock as last seen: with `wait`, answer once the lot changes.
    pub known: Option<i64>,
    /// Seconds to wait for a change (at most 25).
    pub wait: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/lots/{id}", tag = "lots",
    params(("id" = String, Path, description = "the lot"), BoardParams),
    responses((status = 200, body = LotBoard), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn board(
    State(app): State<AppState>,
    grant: Grant<LotWork>,
    Path(id): Path<String>,
    ApiQuery(p): ApiQuery<BoardParams>,
) -> ApiResult<(
    Extension<AuditNote>,
    [(header::HeaderName, &'static str); 1],
    axum::body::Bytes,
)> {
    let id = id_of("lot", &id)?;
    if let (Some(known), Some(wait)) = (p.known, p.wait) {
        let wait = std::time::Duration::from_secs(u64::from(wait.min(super::feed::MAX_WAIT_S)));
        let (store, g) = (&app.store, &grant.grant);
        app.lots
            .wait(known, wait, || store.lot_clock(g, id))
            .await?;
    }
    // The clock checks the lot is within the grant; the board read at it is shared by every
    // reader of the same clock (it holds nothing one reader may see and another not).
    let clock = app.store.lot_clock(&grant.grant, id).await?;
    let (store, g) = (&app.store, &grant.grant);
    let b = app
        .lots
        .boards
        .get((id, clock), || async move {
            let b = store.lot_board(g, id, now_ms()).await?;
            let json =
                serde_json::to_vec(&b).map_err(|e| StoreError::Unavailable(e.to_string()))?;
            Ok::<_, StoreError>(SharedBoard {
                json: json.into(),
                trucks: b.trucks.len(),
            })
        })
        .await
        .map_err(|e| match e {
            NotNow::Busy => ApiError::RateLimited(super::feed::MAX_WAIT_S.into()),
            NotNow::Failed(e) => e.into(),
        })?;
    let note = Extension(AuditNote::read(format!("lot {id} board"), b.trucks));
    let json = [(header::CONTENT_TYPE, "application/json")];
    Ok((note, json, b.json.clone()))
}

#[utoipa::path(post, path = "/api/v1/lots/{id}/trucks", tag = "lots", request_body = CheckInRequest,
    params(("id" = String, Path, description = "the lot")),
    responses((status = 201, body = Truck, description = "checked in, linked to the lane's passage that sent it when one did"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "already_in_lot"),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn check_in(
    State(app): State<AppState>,
    grant: Grant<LotWork>,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<CheckInRequest>,
) -> ApiResult<(StatusCode, Extension<AuditNote>, Json<Truck>)> {
    app.hub_only("holding lots")?;
    let id = id_of("lot", &id)?;
    let c = req.parse()?;
    let t = app.store.check_in(&grant.grant, id, &c, now_ms()).await?;
    app.lots.moved();
    let note = noted(format!("lot {id} truck {} checked in", t.id));
    Ok((StatusCode::CREATED, note, Json(t)))
}

#[utoipa::path(get, path = "/api/v1/lots/{id}/trucks/{truck}", tag = "lots",
    params(("id" = String, Path, description = "the lot"), ("truck" = String, Path, description = "the truck")),
    responses((status = 200, body = Truck, description = "with its steps"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn truck(
    State(app): State<AppState>,
    grant: Grant<LotWork>,
    Path((id, truck)): Path<(String, String)>,
) -> ApiResult<(Extension<AuditNote>, Json<Truck>)> {
    let (id, truck) = (id_of("lot", &id)?, id_of("truck", &truck)?);
    let t = app.store.lot_truck(&grant.grant, id, truck).await?;
    Ok((noted(format!("lot {id} truck {truck}")), Json(t)))
}

#[utoipa::path(post, path = "/api/v1/lots/{id}/trucks/{truck}/steps", tag = "lots", request_body = TruckStepRequest,
    params(("id" = String, Path, description = "the lot"), ("truck" = String, Path, description = "the truck")),
    responses((status = 200, body = Truck, description = "the step taken"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "truck_out_of_order, truck_gone, bay_taken, pcr_at_lab (the tube is in the testing records: the lab's release records its result)"),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "too_early, no_such_bay, a missing field")))]
pub async fn step(
    State(app): State<AppState>,
    grant: Grant<LotWork>,
    Path((id, truck)): Path<(String, String)>,
    ApiJson(req): ApiJson<TruckStepRequest>,
) -> ApiResult<(Extension<AuditNote>, Json<Truck>)> {
    app.hub_only("holding lots")?;
    let (id, truck) = (id_of("lot", &id)?, id_of("truck", &truck)?);
    let (step, why) = req.parse()?;
    let mut t = app
        .store
        .take_step(&grant.grant, id, truck, &step, why.as_deref(), now_ms())
        .await?;
    app.lots.moved();
    // A tube the lab has released already gives its result at once.
    if matches!(step, Step::Sample { .. })
        && t.pcr_at_lab
        && super::lab_pcr::take(app.store.as_ref(), &app.lots).await? > 0
    {
        t = app.store.lot_truck(&grant.grant, id, truck).await?;
    }
    let note = noted(format!(
        "lot {id} truck {truck} {} -> {}",
        step.kind().as_str(),
        t.state.as_str()
    ));
    Ok((note, Json(t)))
}

#[utoipa::path(post, path = "/api/v1/lots/{id}/requests/{request}/close", tag = "lots",
    params(("id" = String, Path, description = "the lot"), ("request" = String, Path, description = "the driver's request")),
    responses((status = 200, body = BayRequest), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn close_request(
    State(app): State<AppState>,
    grant: Grant<LotWork>,
    Path((id, request)): Path<(String, String)>,
) -> ApiResult<(Extension<AuditNote>, Json<BayRequest>)> {
    let (id, request) = (id_of("lot", &id)?, id_of("request", &request)?);
    let r = app
        .store
        .close_request(&grant.grant, id, request, now_ms())
        .await?;
    app.lots.moved();
    Ok((noted(format!("lot {id} request {request} closed")), Json(r)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CodeParams {
    /// The first bay (default 1).
    pub from: Option<u32>,
    /// The last bay (at most 200 after `from`; default the lot's last bay).
    pub to: Option<u32>,
}

/// A bay's QR code for the drivers' page.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BayCode {
    pub bay: u32,
    /// The page's path, such as `/bay/7-12-…`.
    pub path: String,
    pub qr_svg: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BayCodes {
    pub lot: String,
    pub codes: Vec<BayCode>,
}

/// Most codes in one answer.
const MAX_CODES: u32 = 200;

#[utoipa::path(get, path = "/api/v1/lots/{id}/bay-codes", tag = "lots",
    params(("id" = String, Path, description = "the lot"), CodeParams),
    responses((status = 200, body = BayCodes, description = "the QR codes to print and post at the bays"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn bay_codes(
    State(app): State<AppState>,
    grant: Grant<LotWork>,
    Path(id): Path<String>,
    ApiQuery(p): ApiQuery<CodeParams>,
) -> ApiResult<Json<BayCodes>> {
    let id = id_of("lot", &id)?;
    let lot = app
        .store
        .list_lots(&grant.grant)
        .await?
        .into_iter()
        .find(|l| l.id == id)
        .ok_or_else(|| ApiError::NotFound(format!("lot {id} not found")))?;
    let from = p.from.unwrap_or(1);
    let to = p.to.unwrap_or(lot.bays).min(lot.bays);
    if from == 0 || from > to || to - from >= MAX_CODES {
        return Err(ApiError::Invalid(FieldError::new(
            "out_of_range",
            "from",
            format!("bays 1 to {}, at most {MAX_CODES} at a time", lot.bays),
        )));
    }
    let mut codes = Vec::with_capacity((to - from + 1) as usize);
    for bay in from..=to {
        let token = BayToken::format(id, bay, &app.store.bay_check(id, bay));
        let path = format!("/bay/{token}");
        codes.push(BayCode {
            bay,
            qr_svg: crate::declaration::api::qr_svg(&path)?,
            path,
        });
    }
    Ok(Json(BayCodes {
        lot: lot.name,
        codes,
    }))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CheckpointLots {
    pub lots: Vec<LotPublic>,
}

#[utoipa::path(get, path = "/api/v1/checkpoints/{code}/lots", tag = "lots",
    params(("code" = String, Path, description = "the checkpoint")),
    responses((status = 200, body = CheckpointLots, description = "the holding lots its lanes send trucks to"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn checkpoint_lots(
    State(app): State<AppState>,
    _caller: Caller,
    Path(code): Path<String>,
) -> ApiResult<Json<CheckpointLots>> {
    let code = CheckpointCode::parse(&code).map_err(|e| ApiError::Invalid(e.under("code")))?;
    Ok(Json(CheckpointLots {
        lots: app.store.lots_of_checkpoint(&code).await?,
    }))
}
