//! Follow-up lists' storage: lists, their rows (each sealed whole, with a keyed fingerprint so a
//! list pushed again is recognised), and the subjects the rows are matched to by keyed hash.
//! [`FollowupStore`] is a supertrait of [`crate::Store`]; its SQL ([`sql`]) is written once for
//! both backends. A list is added in one transaction: all its rows, or none.

use async_trait::async_trait;
use cordon_domain::access::followup::{ListRead, ListWrite};
use cordon_domain::followup::{Identity, ListRow, ListSource, ListSummary, SubjectLine};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::keyring::Keyring;
use crate::StoreError;

mod sql;

/// A row in its stored form: the subject's key and masked fields, the row sealed.
#[derive(Debug, Clone)]
pub struct NewListRow {
    pub(crate) row: i64,
    pub(crate) match_key: String,
    pub(crate) verified: bool,
    pub(crate) document_type: Option<&'static str>,
    pub(crate) masked_number: Option<String>,
    pub(crate) masked_name: String,
    pub(crate) home_area: Option<i64>,
    pub(crate) fingerprint: String,
    pub(crate) sealed: Vec<u8>,
}

/// A row's personal data as it is sealed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SealedRow {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arrived_on: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// What a row is sealed against: its list and number.
pub(crate) fn row_context(list: Uuid, row: i64) -> Vec<u8> {
    format!("followup:{list}:{row}").into_bytes()
}

impl NewListRow {
    pub fn new(list: Uuid, r: &ListRow, keyring: &Keyring) -> Self {
        let plain = SealedRow {
            name: r.name.expose().to_owned(),
            document_type: r.document.as_ref().map(|d| d.kind().as_str().to_owned()),
            document_number: r.document.as_ref().map(|d| d.expose_number().to_owned()),
            phone: r.phone.as_ref().map(|p| p.expose().to_owned()),
            from: r.from.clone(),
            arrived_on: r.arrived_on.map(|d| d.to_string()),
            address: r.address.clone(),
            note: r.note.clone(),
        };
        let json = serde_json::to_vec(&plain).expect("a row serialises");
        let (match_key, verified) = match r.identity() {
            Identity::Document(d) => (keyring.person(d), true),
            Identity::PhoneAndName(id) => (keyring.subject(&id), false),
        };
        let row = i64::from(r.row);
        Self {
            row,
            fingerprint: keyring
                .subject(&format!("followup-row:{}", String::from_utf8_lossy(&json))),
            sealed: keyring.seal(&row_context(list, row), &json),
            match_key,
            verified,
            document_type: r.document.as_ref().map(|d| d.kind().as_str()),
            masked_number: r.document.as_ref().map(|d| d.masked_number()),
            masked_name: r.name.masked(),
            home_area: r.home_area().map(|d| i64::from(d.value())),
        }
    }
}

/// A list to add (or to add more rows to: the same id again).
#[derive(Debug, Clone)]
pub struct NewList {
    pub id: Uuid,
    pub source: ListSource,
    pub label: String,
    pub deadline_ms: i64,
    /// Rows of an upload left out as bad.
    pub skipped: i64,
    pub rows: Vec<NewListRow>,
}

/// What adding a list did.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ListAdded {
    pub list: ListSummary,
    /// Rows written now.
    pub rows_added: i64,
    /// Rows sent again, the same as before: nothing written.
    pub rows_already: i64,
    /// Persons no list had named before.
    pub subjects_added: i64,
}

#[async_trait]
pub trait FollowupStore: Send + Sync + 'static {
    /// Adds a list and its rows in one transaction, each row matched to its subject (made when
    /// no list has named the person). The same list id again adds only rows not yet there;
    /// a row number sent again with other facts is refused (`Invalid`, code `row_conflict`)
    /// and nothing is written.
    async fn add_followup_list(
        &self,
        grant: &ListWrite,
        list: NewList,
    ) -> Result<ListAdded, StoreError>;

    /// The lists the grant's scope holds, newest first.
    async fn list_followup_lists(
        &self,
        grant: &ListRead,
        limit: i64,
    ) -> Result<Vec<ListSummary>, StoreError>;

    /// A list's rows with their subjects (masked), by row number after `after_row`.
    async fn followup_subjects(
        &self,
        grant: &ListRead,
        list: Uuid,
        after_row: i64,
        limit: i64,
    ) -> Result<Vec<SubjectLine>, StoreError>;
}
