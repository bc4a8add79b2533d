//! A person as a worklist and a board line list them: the columns read and their decoding.

use cordon_domain::followup::work::{self, SubjectState};
use cordon_domain::identity::{DocumentType, MaskedDocument};

use super::WorkItem;
use crate::StoreError;

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(what.to_owned())
}

pub(super) const ITEM_COLUMNS: &str =
    "s.id, s.masked_name, s.document_type, s.masked_number, s.verified, \
    s.state, s.attempts, s.last_attempt_at, s.deadline_at, s.lists, s.assignee, s.county";

pub(super) type ItemCols = (
    i64,
    String,
    Option<String>,
    Option<String>,
    i64,
    String,
    i64,
    Option<i64>,
    i64,
    i64,
    Option<String>,
    Option<i64>,
);

/// A person's masked document as stored: its type and masked number, when it has one.
pub(super) fn masked_document(
    kind: Option<String>,
    number: Option<String>,
) -> Result<Option<MaskedDocument>, StoreError> {
    Ok(match (kind, number) {
        (Some(kind), Some(number)) => Some(MaskedDocument {
            kind: DocumentType::parse(&kind).map_err(|_| corrupt("follow-up document type"))?,
            number,
        }),
        _ => None,
    })
}

pub(super) fn item(c: ItemCols) -> Result<WorkItem, StoreError> {
    let state = SubjectState::parse(&c.5).map_err(|_| corrupt("follow-up state"))?;
    let document = masked_document(c.2, c.3)?;
    Ok(WorkItem {
        subject: c.0,
        name: c.1,
        document,
        verified: c.4 == 1,
        state,
        calls: c.6,
        last_attempt_ms: c.7,
        next_call_ms: c.7.map(|t| t + work::MIN_GAP_MS),
        deadline_ms: c.8,
        lists: c.9,
        assignee: c.10,
        county: c.11.map(|c| format!("{c:06}")),
    })
}
