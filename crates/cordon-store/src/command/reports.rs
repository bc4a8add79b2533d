//! Reports up the line (SQL in `reports_sql.rs`).

use async_trait::async_trait;
use cordon_domain::access::command::{DirectiveAck, DirectiveIssue, DirectiveRead};
use cordon_domain::access::station::StationSync;
use cordon_domain::checkpoint::CheckpointCode;
use cordon_domain::command::directive::Priority;
use cordon_domain::command::report::{Report, ReportDraft};

use crate::StoreError;

/// Which reports an inbox lists.
#[derive(Debug, Clone, Default)]
pub struct ReportQuery {
    /// Only those not yet answered.
    pub open_only: bool,
    pub limit: i64,
}

/// A report a station sends up: the report as its lane filed it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StationReport {
    pub seq: i64,
    pub id: uuid::Uuid,
    pub category: String,
    pub urgency: Priority,
    pub text: String,
    pub reported_by: String,
    pub reported_at_ms: i64,
}

/// Reports up the line (`reports_sql`): filed at a checkpoint's lane (once per id), the
/// command's inbox in scope, taken and answered by a commander; and their way through a station.
#[async_trait]
pub trait ReportStore: Send + Sync + 'static {
    /// Files a report as the grant's officer; the same id again answers the first (`false`:
    /// not created now). Errors: `Forbidden` (not the officer's checkpoint), `Invalid`
    /// `unknown_checkpoint`, `report_conflict` (the id names another report).
    async fn file_report(
        &self,
        grant: &DirectiveAck,
        draft: &ReportDraft,
        now_ms: i64,
    ) -> Result<(Report, bool), StoreError>;

    /// The reports at checkpoints in scope: those not answered first, most urgent and oldest
    /// first; then the answered, latest first.
    async fn report_inbox(
        &self,
        grant: &DirectiveRead,
        q: &ReportQuery,
    ) -> Result<Vec<Report>, StoreError>;

    /// A commander takes a report or hands it to `to`. Errors: `NotFound` (none in scope),
    /// `Invalid` `report_answered`.
    async fn assign_report(
        &self,
        grant: &DirectiveIssue,
        id: uuid::Uuid,
        to: &str,
        now_ms: i64,
    ) -> Result<Report, StoreError>;

    /// A commander answers a report, once; the answer reaches the lane.
    async fn answer_report(
        &self,
        grant: &DirectiveIssue,
        id: uuid::Uuid,
        answer: &str,
        now_ms: i64,
    ) -> Result<Report, StoreError>;

    /// A checkpoint's reports since `since_ms`, newest first (at most 50).
    async fn lane_reports(
        &self,
        grant: &DirectiveAck,
        checkpoint: &CheckpointCode,
        since_ms: i64,
    ) -> Result<Vec<Report>, StoreError>;

    /// Hub: a station checkpoint's reports since `since_ms`, as they stand.
    async fn station_reports(
        &self,
        grant: &StationSync,
        since_ms: i64,
    ) -> Result<Vec<Report>, StoreError>;

    /// Hub: files a station's reports, each once (at the station's time, never later than
    /// now); answers how many were new.
    async fn apply_station_reports(
        &self,
        grant: &StationSync,
        reports: &[StationReport],
        now_ms: i64,
    ) -> Result<i64, StoreError>;

    /// Station: takes the hub's assignments and answers of its reports; answers how many changed.
    async fn mirror_reports(&self, list: &[Report]) -> Result<usize, StoreError>;

    /// Station: notes each report filed here in its outbox from now on.
    async fn install_report_outbox(&self) -> Result<(), StoreError>;

    /// Station: the reports not yet taken by the hub, oldest first.
    async fn report_outbox(&self, limit: i64) -> Result<Vec<StationReport>, StoreError>;

    /// Station: the hub took the reports up to `seq`.
    async fn report_outbox_sent(&self, seq: i64) -> Result<(), StoreError>;
}
