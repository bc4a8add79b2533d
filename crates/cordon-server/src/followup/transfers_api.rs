//! Persons handed out of the province over HTTP: a day's transfers of the reader's
//! jurisdiction by destination, masked (`GET /api/v1/followup/transfers`); and, for a
//! commander, those to one province as a list that province takes: JSON in the push's own form
//! (`.../transfers/list`, its id the same however often it is fetched, so pushing it twice
//! writes nothing new) or a CSV file with the upload's column names (`.../transfers/list.csv`).
//! Both open personal data and are audited with how many persons and where to.

use axum::extract::State;
use axum::response::Response;
use axum::{Extension, Json};
use chrono::NaiveDate;
use cordon_domain::access::followup::{ListRead, TeamManage};
use cordon_domain::access::Scope;
use cordon_domain::division::DivisionCode;
use cordon_domain::followup::{ListRequest, ListRowRequest};
use cordon_domain::identity::MaskedDocument;
use cordon_domain::registration::DocumentRequest;
use cordon_store::followup::{row_context, transfer_context, SealedRow, Transfer};
use serde::{Deserialize, Serialize};

use crate::audit::AuditNote;
use crate::auth::Grant;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiQuery;
use crate::state::AppState;
use crate::table::{download, names, Kind};

/// The upload's column names, so that a file of transfers is taken by another hub's upload.
const COLUMNS: [&str; 8] = [
    "姓名",
    "证件类型",
    "证件号码",
    "手机号",
    "来源地",
    "抵达日期",
    "现住址",
    "备注",
];

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DayParams {
    /// The day (China time), `YYYY-MM-DD`; default today.
    #[param(example = "2022-05-03")]
    pub day: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// The day (China time), `YYYY-MM-DD`; default today.
    #[param(example = "2022-05-03")]
    pub day: Option<String>,
    /// The province the persons go to, by its code.
    #[param(example = "110000")]
    pub to: String,
}

/// A transfer as the page lists it, masked.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TransferLine {
    pub subject: i64,
    /// `address_outside` or `lives_elsewhere`.
    pub reason: String,
    /// The place the person went to, when known.
    pub to: Option<String>,
    pub to_name: Option<String>,
    /// The province it lies in (the group it is sent with), or `unknown`.
    pub province: String,
    /// Handed to another county of this province (called there), not sent out.
    pub within_province: bool,
    pub name: String,
    pub document: Option<MaskedDocument>,
    pub by: String,
    pub at_ms: i64,
}

/// The persons going to one province.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TransferGroup {
    /// The province's code, or `unknown` (no place told).
    pub province: String,
    pub name: String,
    pub persons: usize,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TransferDay {
    pub day: String,
    pub groups: Vec<TransferGroup>,
    pub transfers: Vec<TransferLine>,
}

fn day_of(s: Option<&str>) -> ApiResult<NaiveDate> {
    match s.map(str::trim) {
        None | Some("") => Ok(cordon_domain::time::today_china()),
        Some(d) => NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .map_err(|_| ApiError::invalid("invalid_date", "day", "a day such as 2022-05-03")),
    }
}

/// The day's bounds in milliseconds, China time.
fn bounds(day: NaiveDate) -> (i64, i64) {
    let start = day
        .and_hms_opt(0, 0, 0)
        .expect("midnight")
        .and_local_timezone(cordon_domain::time::china())
        .single()
        .expect("China has no gaps")
        .timestamp_millis();
    (start, start + 86_400_000)
}

fn place_name(code: DivisionCode) -> String {
    match cordon_domain::places::by_code(&code.to_string()) {
        Some(p) => format!("{}{}", p.within.replace(' ', ""), p.name),
        None => code.to_string(),
    }
}

fn province_of(t: &Transfer) -> String {
    t.to.map_or_else(|| "unknown".to_owned(), |d| d.province().to_string())
}

/// Whether the person was handed to another county of the province that handed them on.
fn within_province(t: &Transfer) -> bool {
    let held = u32::try_from(t.held_by)
        .ok()
        .and_then(DivisionCode::from_value);
    matches!((held, t.to), (Some(h), Some(to)) if h.province().contains(to))
}

#[utoipa::path(get, path = "/api/v1/followup/transfers", tag = "followup", params(DayParams),
    responses((status = 200, body = TransferDay), (status = 422, body = ErrorBody)))]
pub async fn transfers(
    State(app): State<AppState>,
    read: Grant<ListRead>,
    ApiQuery(q): ApiQuery<DayParams>,
) -> ApiResult<(Extension<AuditNote>, Json<TransferDay>)> {
    let day = day_of(q.day.as_deref())?;
    let (from, to) = bounds(day);
    let found = app.store.followup_transfers(&read.grant, from, to).await?;
    let mut groups: Vec<TransferGroup> = Vec::new();
    for t in found.iter().filter(|t| !within_province(t)) {
        let province = province_of(t);
        match groups.iter_mut().find(|g| g.province == province) {
            Some(g) => g.persons += 1,
            None => groups.push(TransferGroup {
                name: t.to.map(|d| place_name(d.province())).unwrap_or_default(),
                province,
                persons: 1,
            }),
        }
    }
    let transfers: Vec<TransferLine> = found
        .into_iter()
        .map(|t| TransferLine {
            province: province_of(&t),
            within_province: within_province(&t),
            subject: t.subject,
            reason: t.reason,
            to: t.to.map(|d| d.to_string()),
            to_name: t.to.map(place_name),
            name: t.name,
            document: t.document,
            by: t.by,
            at_ms: t.at_ms,
        })
        .collect();
    let note = AuditNote::read(format!("follow-up transfers {day}"), transfers.len());
    Ok((
        Extension(note),
        Json(TransferDay {
            day: day.to_string(),
            groups,
            transfers,
        }),
    ))
}

/// The day's transfers to province `to` as a list, opened.
async fn transfer_list(
    app: &AppState,
    grant: &TeamManage,
    read: &ListRead,
    q: &ListParams,
) -> ApiResult<(ListRequest, AuditNote)> {
    let day = day_of(q.day.as_deref())?;
    let to = match q.to.trim() {
        "unknown" => None,
        code => Some(
            DivisionCode::parse(code)
                .map_err(|e| e.under("to"))?
                .province(),
        ),
    };
    let Scope::Division(held) = grant.scope() else {
        return Err(ApiError::Forbidden);
    };
    let to_key = to.map_or_else(|| "unknown".to_owned(), |d| d.to_string());
    let (from, until) = bounds(day);
    let found = app.store.followup_transfers(read, from, until).await?;
    let keyring = app.store.keyring();
    let mut rows = Vec::new();
    let out = found
        .iter()
        .filter(|t| !within_province(t) && t.to.map(|d| d.province()) == to);
    for t in out {
        let row: Option<SealedRow> = t.row.as_ref().and_then(|(list, row, sealed)| {
            let plain = keyring
                .open(&row_context(*list, *row), sealed.as_ref()?)
                .ok()?;
            serde_json::from_slice(&plain).ok()
        });
        let Some(row) = row else { continue };
        let told = t.address.as_ref().and_then(|a| {
            let plain = keyring
                .open(&transfer_context(t.subject, t.at_ms), a)
                .ok()?;
            String::from_utf8(plain).ok()
        });
        let why = match t.reason.as_str() {
            "address_outside" => "现住址在外省",
            _ => "本人告知已在外地居住",
        };
        rows.push(ListRowRequest {
            row: u32::try_from(t.id).unwrap_or(u32::MAX),
            name: row.name,
            document: row
                .document_type
                .zip(row.document_number)
                .map(|(kind, number)| DocumentRequest { kind, number }),
            phone: row.phone,
            from: row.from,
            arrived_on: row.arrived_on,
            address: told.or(row.address),
            note: Some(format!("{}转出：{why}", place_name(*held))),
        });
    }
    if rows.is_empty() {
        return Err(ApiError::NotFound(format!(
            "no transfers to {to_key} on {day}"
        )));
    }
    let key = keyring.subject(&format!("followup-transfers:{held}:{to_key}:{day}"));
    let mut bytes = [0u8; 16];
    for (i, b) in bytes.iter_mut().enumerate() {
        *b = u8::from_str_radix(&key[2 * i..2 * i + 2], 16).unwrap_or(0);
    }
    let id = uuid::Builder::from_random_bytes(bytes).into_uuid();
    let to_name = to.map_or_else(|| "去向不明".to_owned(), place_name);
    let mut note = AuditNote::read(format!("follow-up transfers {day}"), rows.len());
    note.action = Some("followup.transfer");
    note.purpose = format!("transfer to {to_key}");
    Ok((
        ListRequest {
            id,
            label: format!("{}转{} {day}", place_name(*held), to_name),
            deadline_hours: None,
            rows,
        },
        note,
    ))
}

#[utoipa::path(get, path = "/api/v1/followup/transfers/list", tag = "followup", params(ListParams),
    responses((status = 200, body = ListRequest, description = "the day's transfers to the province, as the other side pushes them (POST /api/v1/followup/lists)"),
        (status = 404, body = ErrorBody, description = "nobody went there that day"),
        (status = 422, body = ErrorBody)))]
pub async fn transfer_list_json(
    State(app): State<AppState>,
    manage: Grant<TeamManage>,
    ApiQuery(q): ApiQuery<ListParams>,
) -> ApiResult<(Extension<AuditNote>, Json<ListRequest>)> {
    let read = manage.caller.principal.may_read_lists()?;
    let (list, note) = transfer_list(&app, &manage.grant, &read, &q).await?;
    Ok((Extension(note), Json(list)))
}

#[utoipa::path(get, path = "/api/v1/followup/transfers/list.csv", tag = "followup", params(ListParams),
    responses((status = 200, description = "the same as a CSV file with the upload's column names", content_type = "text/csv"),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn transfer_list_csv(
    State(app): State<AppState>,
    manage: Grant<TeamManage>,
    ApiQuery(q): ApiQuery<ListParams>,
) -> ApiResult<(Extension<AuditNote>, Response)> {
    let read = manage.caller.principal.may_read_lists()?;
    let (list, note) = transfer_list(&app, &manage.grant, &read, &q).await?;
    let rows = list
        .rows
        .into_iter()
        .map(|r| {
            let (kind, number) = r.document.map(|d| (d.kind, d.number)).unwrap_or_default();
            vec![
                r.name,
                kind,
                number,
                r.phone.unwrap_or_default(),
                r.from.unwrap_or_default(),
                r.arrived_on.unwrap_or_default(),
                r.address.unwrap_or_default(),
                r.note.unwrap_or_default(),
            ]
        })
        .collect();
    let file = download(Kind::Csv, "transfers", names(&COLUMNS), rows, None).await?;
    Ok((Extension(note), file))
}
