//! Person statuses' storage: the two-account status changes and the statuses in force.
//! [`StatusStore`] is a supertrait of [`crate::Store`]; its SQL ([`sql`]) is written once for
//! both backends. Its only method that sets a status is
//! [`StatusStore::decide_status_change`], which takes a commander's [`StatusDecision`] and
//! refuses the account that made the request; triggers refuse any other write to the statuses.

use async_trait::async_trait;
use cordon_domain::access::status::{StatusDecision, StatusRead, StatusRequest};
use cordon_domain::identity::DocumentType;
use cordon_domain::status::{
    ChangeState, Evidence, PersonStatus, StatusChange, StatusChangeDraft, StatusInForce,
};

use crate::keyring::Keyring;
use crate::StoreError;

mod sql;

/// A checked request in its stored form: the person by keyed hash, with the document sealed (so
/// that the person can be named to a follow-up team) and its masked number for display.
#[derive(Debug, Clone)]
pub struct NewStatusChange {
    pub(crate) doc_key: String,
    pub(crate) document_type: DocumentType,
    pub(crate) masked_number: String,
    pub(crate) sealed: Vec<u8>,
    pub(crate) status: PersonStatus,
    pub(crate) reason: String,
    pub(crate) evidence: Evidence,
    pub(crate) until_ms: Option<i64>,
}

impl NewStatusChange {
    pub fn new(draft: StatusChangeDraft, keyring: &Keyring) -> Self {
        let doc_key = keyring.person(&draft.document);
        let sealed = keyring.seal(
            doc_key.as_bytes(),
            crate::keyring::doc_key(&draft.document).as_bytes(),
        );
        Self {
            doc_key,
            document_type: draft.document.kind(),
            masked_number: draft.document.masked_number(),
            sealed,
            status: draft.status,
            reason: draft.reason,
            evidence: draft.evidence,
            until_ms: draft.until_ms,
        }
    }

    /// The person's keyed hash, as the audit trail names it.
    pub fn subject(&self) -> &str {
        &self.doc_key
    }
}

/// A recorded change with the keyed hash of its person (for the audit trail).
#[derive(Debug, Clone)]
pub struct StatusChangeRecord {
    pub change: StatusChange,
    pub subject: String,
}

/// Which changes to list: newest first, before `before_id` when given.
#[derive(Debug, Clone, Default)]
pub struct StatusQuery {
    pub state: Option<ChangeState>,
    /// A person's keyed hash.
    pub subject: Option<String>,
    pub before_id: Option<i64>,
    pub limit: i64,
}

#[async_trait]
pub trait StatusStore: Send + Sync + 'static {
    /// Records a pending request by the grant's account.
    async fn request_status_change(
        &self,
        grant: &StatusRequest,
        change: NewStatusChange,
    ) -> Result<StatusChangeRecord, StoreError>;

    /// Approves or rejects a pending change, once, as the grant's account, which must not be the
    /// one that requested it. An approval sets the person's status in the same transaction.
    /// Errors: `NotFound`; `Invalid` with code `already_decided` or `second_account_required`.
    async fn decide_status_change(
        &self,
        grant: &StatusDecision,
        id: i64,
        approve: bool,
        note: &str,
    ) -> Result<StatusChangeRecord, StoreError>;

    async fn list_status_changes(
        &self,
        grant: &StatusRead,
        q: &StatusQuery,
    ) -> Result<Vec<StatusChangeRecord>, StoreError>;

    /// Grows with every decision; the lanes reload the statuses when it moves.
    async fn status_version(&self) -> Result<i64, StoreError>;

    /// Every person's status in force (or ended at a future time), by keyed hash.
    async fn statuses_in_force(&self) -> Result<Vec<(String, StatusInForce)>, StoreError>;
}
