//! A released run's recall: the persons of each tube that read positive (or unclear) become a
//! follow-up list with a two-hour deadline, one list per campaign area, made by the lab account
//! that released the run for that area's callers. Each person's document and name are opened
//! from the tube, their phone and home from the campaign's roster when they are on it. The
//! list's id is derived from the run and the area, so making it again finds it.

use std::collections::BTreeMap;

use cordon_domain::access::followup::ListWrite;
use cordon_domain::access::testing::LabWork;
use cordon_domain::contact::MobileNumber;
use cordon_domain::division::DivisionCode;
use cordon_domain::followup::{ListRow, ListSource};
use cordon_domain::identity::{DocumentType, IdentityDocument};
use cordon_domain::person::PersonName;
use cordon_domain::testing::lab::MemberResult;
use cordon_store::testing::lab::RecallPerson;
use cordon_store::testing::{member_context, roster_context};
use serde::Deserialize;
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::followup::api::{add, Incoming};
use crate::state::AppState;

/// Hours the recall team has to reach each person.
pub const RECALL_HOURS: i64 = 2;

/// A person as sealed in a tube or on a roster.
#[derive(Deserialize)]
struct Sealed {
    #[serde(rename = "type")]
    kind: String,
    number: String,
    name: String,
    #[serde(default)]
    phone: Option<String>,
}

fn open(app: &AppState, context: &[u8], sealed: &[u8]) -> ApiResult<Sealed> {
    let plain = app.store.keyring().open(context, sealed)?;
    serde_json::from_slice(&plain).map_err(|_| ApiError::Internal)
}

/// The list row of one recalled person, numbered `row`; `None` for a person whose sealed data
/// retention has purged.
fn row(app: &AppState, p: &RecallPerson, run: i64, row: u32) -> ApiResult<Option<ListRow>> {
    let Some(sealed) = p.sealed.as_deref() else {
        return Ok(None);
    };
    let person = open(app, &member_context(&p.barcode, &p.person_key), sealed)?;
    let phone = match &p.roster_sealed {
        Some(r) => open(app, &roster_context(p.campaign, &p.person_key), r)?.phone,
        None => None,
    };
    let kind = DocumentType::parse(&person.kind).map_err(|_| ApiError::Internal)?;
    let why = match p.result {
        MemberResult::Recall => format!("混管 {} 阳性（第 {run} 板），须单管复采", p.barcode),
        MemberResult::Positive => format!("单管 {} 阳性（第 {run} 板）", p.barcode),
        _ => format!("单管 {} 结果不确定（第 {run} 板），须复采", p.barcode),
    };
    Ok(Some(ListRow {
        row,
        name: PersonName::parse(&person.name).map_err(|_| ApiError::Internal)?,
        document: Some(
            IdentityDocument::parse(kind, &person.number).map_err(|_| ApiError::Internal)?,
        ),
        phone: phone.and_then(|p| MobileNumber::parse(&p).ok()),
        from: None,
        arrived_on: None,
        address: p.home.clone(),
        note: Some(why),
    }))
}

/// The id of the recall list of `run` for `area`: derived, the same however often asked.
pub fn list_id(app: &AppState, run: i64, area: DivisionCode) -> Uuid {
    app.store
        .keyring()
        .derived_id(&format!("testing-recall:{run}:{area}"))
}

/// Makes (or finds) the recall lists of a released run; answers the first list's id and the
/// persons recalled.
pub async fn make(app: &AppState, grant: &LabWork, run: i64) -> ApiResult<(Uuid, usize)> {
    let persons = app.store.recall_persons(&grant.read(), run).await?;
    let mut by_area: BTreeMap<DivisionCode, Vec<&RecallPerson>> = BTreeMap::new();
    for p in &persons {
        by_area.entry(p.area).or_default().push(p);
    }
    let now = cordon_domain::time::now_ms();
    let mut first = None;
    for (area, people) in by_area {
        let write = ListWrite::recall(grant, area).ok_or(ApiError::Forbidden)?;
        let mut rows = Vec::with_capacity(people.len());
        for p in people {
            if let Some(r) = row(app, p, run, rows.len() as u32 + 1)? {
                rows.push(r);
            }
        }
        if rows.is_empty() {
            continue;
        }
        let id = list_id(app, run, area);
        let (_added, _note) = add(
            app,
            &write,
            Incoming {
                id,
                source: ListSource::Query,
                label: format!("核酸阳性召回 · 第 {run} 板 · {} 人", rows.len()),
                deadline_ms: now + RECALL_HOURS * 3_600_000,
                skipped: 0,
                rows,
            },
        )
        .await?;
        first.get_or_insert(id);
    }
    first
        .map(|id| (id, persons.len()))
        .ok_or_else(|| ApiError::NotFound("recalled persons' data: purged by retention".into()))
}
