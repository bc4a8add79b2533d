//! A campaign's roster taken from a follow-up list
//! (`POST /api/v1/testing/campaigns/{id}/roster/from-list`): every person of the list known by an
//! identity document is expected at the campaign's sites, where the list says they live; persons
//! known only by phone and name cannot be matched at a tube and are counted, not taken. The
//! list's rows are opened here and sealed again to the campaign; audited as the roster's upload.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use cordon_domain::access::testing::CampaignManage;
use cordon_domain::contact::MobileNumber;
use cordon_domain::identity::{DocumentType, IdentityDocument};
use cordon_domain::person::PersonName;
use cordon_domain::testing::roster::{RosterRow, MAX_PLACE};
use cordon_store::followup::{row_context, SealedRow};
use cordon_store::testing::RosterAdded;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::paths::id;
use crate::audit::AuditNote;
use crate::auth::Grant;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiJson;
use crate::state::AppState;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FromList {
    /// The follow-up list's id.
    #[schema(example = "0190f5c2-7d4e-7b2a-9c1e-3f6a2b8d9e01")]
    pub list: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FromListReport {
    #[serde(flatten)]
    pub added: RosterAdded,
    /// Rows of the list.
    pub rows: usize,
    /// Rows whose person is known only by phone and name (or whose data was purged): not
    /// taken, since a tube matches persons by their document.
    pub not_taken: usize,
}

/// Where the list says the person lives, as a roster's compound (the building left empty).
fn home(address: Option<&str>) -> String {
    let a = address.map(str::trim).filter(|a| !a.is_empty());
    a.unwrap_or("—").chars().take(MAX_PLACE).collect()
}

/// The person of a list's row as a roster row, if the row names them by a document.
fn roster_row(row: &SealedRow) -> Option<RosterRow> {
    let today = cordon_domain::time::today_china();
    let kind = DocumentType::parse(row.document_type.as_deref()?).ok()?;
    Some(RosterRow {
        name: PersonName::parse(&row.name).ok()?,
        document: IdentityDocument::parse_at(kind, row.document_number.as_deref()?, today).ok()?,
        phone: row
            .phone
            .as_deref()
            .and_then(|p| MobileNumber::parse(p).ok()),
        compound: home(row.address.as_deref()),
        building: String::new(),
    })
}

#[utoipa::path(post, path = "/api/v1/testing/campaigns/{id}/roster/from-list", tag = "testing",
    params(("id" = i64, Path, description = "the campaign")), request_body = FromList,
    responses((status = 200, body = FromListReport, description = "taken; persons the roster held already are left as they were"),
        (status = 404, body = ErrorBody, description = "no such campaign or list in the commander's jurisdiction"),
        (status = 422, body = ErrorBody, description = "the list names nobody by a document")))]
pub async fn from_list(
    State(app): State<AppState>,
    manage: Grant<CampaignManage>,
    Path(campaign): Path<String>,
    ApiJson(req): ApiJson<FromList>,
) -> ApiResult<(StatusCode, Extension<AuditNote>, Json<FromListReport>)> {
    let read = manage.caller.principal.may_read_lists()?;
    let campaign = id(&campaign, "campaign")?;
    let list = Uuid::parse_str(req.list.trim())
        .map_err(|_| ApiError::NotFound(format!("follow-up list {} not found", req.list)))?;
    let sealed = app.store.followup_rows_sealed(&read, list).await?;
    let keyring = app.store.keyring().clone();
    let rows = sealed.len();
    let taken: Vec<RosterRow> = tokio::task::spawn_blocking(move || {
        sealed
            .into_iter()
            .filter(|(_, verified, _)| *verified)
            .filter_map(|(row, _, s)| {
                let plain = keyring.open(&row_context(list, row), s.as_deref()?).ok()?;
                roster_row(&serde_json::from_slice(&plain).ok()?)
            })
            .collect()
    })
    .await
    .map_err(|_| ApiError::Internal)?;
    if taken.is_empty() {
        return Err(ApiError::invalid(
            "no_documents",
            "list",
            "the list names nobody by an identity document: a tube cannot match them",
        ));
    }
    let persons = taken.len();
    let new_rows = super::roster_api::seal_rows(&app, campaign, taken).await?;
    let added = app
        .store
        .add_roster(&manage.grant, campaign, new_rows)
        .await?;
    let mut note = AuditNote::read(format!("roster of campaign {campaign}"), persons);
    note.action = Some("testing.roster");
    note.purpose = format!("from follow-up list {list}");
    Ok((
        StatusCode::OK,
        Extension(note),
        Json(FromListReport {
            added,
            rows,
            not_taken: rows - persons,
        }),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_with_a_document_is_taken_where_it_lives() {
        let mut row = SealedRow {
            name: "张三".into(),
            document_type: Some("resident_id".into()),
            document_number: Some("11010519491231002X".into()),
            phone: Some("13800138000".into()),
            from: None,
            arrived_on: None,
            address: Some("  裕华小区 3号楼 2单元 ".into()),
            note: None,
        };
        let r = roster_row(&row).unwrap();
        assert_eq!(
            (r.compound.as_str(), r.building.as_str()),
            ("裕华小区 3号楼 2单元", "")
        );
        assert!(r.phone.is_some());
        row.address = None;
        assert_eq!(roster_row(&row).unwrap().compound, "—");
        row.document_number = None;
        assert!(roster_row(&row).is_none(), "phone and name only");
    }
}
