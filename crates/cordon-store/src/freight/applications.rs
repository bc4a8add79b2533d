//! The trait of carriers' pass applications (SQL in `application_sql.rs`).

use async_trait::async_trait;
use cordon_domain::access::freight::PassIssue;
use cordon_domain::freight::application::{
    ApplicationShown, PassApplication, PassApplicationRequest,
};
use cordon_domain::freight::pass::{FreightPass, PassDraft};

use crate::StoreError;

/// Carriers' applications, decided by the commands whose jurisdiction holds the origin or the
/// destination county.
#[async_trait]
pub trait PassApplicationStore: Send + Sync + 'static {
    /// Keeps an application (the request as sent sealed, what the command sees masked); answers
    /// the carrier's reference and the application.
    async fn apply_for_pass(
        &self,
        request: &PassApplicationRequest,
        checked: &PassApplication,
        now_ms: i64,
    ) -> Result<(String, ApplicationShown), StoreError>;

    /// An application by the carrier's reference, or `NotFound`.
    async fn application_by_token(&self, token: &str) -> Result<ApplicationShown, StoreError>;

    /// The jurisdiction's applications: the pending ones, oldest first, then those decided in
    /// the last week (at most 200).
    async fn pass_applications(
        &self,
        grant: &PassIssue,
        now_ms: i64,
    ) -> Result<Vec<ApplicationShown>, StoreError>;

    /// The pass issued on the application of this reference, once approved.
    async fn application_pass(&self, token: &str) -> Result<Option<FreightPass>, StoreError>;

    /// A pending application's request as sent (for its approval): `NotFound` beyond the
    /// jurisdiction, `Invalid` `application_decided` once decided.
    async fn application_request(
        &self,
        grant: &PassIssue,
        id: i64,
    ) -> Result<PassApplicationRequest, StoreError>;

    /// Issues `draft` as the commander's pass and marks the application approved with its
    /// number, in one write (`Invalid` `application_decided` when it was decided meanwhile).
    async fn approve_application(
        &self,
        grant: &PassIssue,
        id: i64,
        draft: &PassDraft,
        now_ms: i64,
    ) -> Result<FreightPass, StoreError>;

    /// Refuses a pending application with the reason.
    async fn refuse_application(
        &self,
        grant: &PassIssue,
        id: i64,
        reason: &str,
        now_ms: i64,
    ) -> Result<ApplicationShown, StoreError>;
}
