//! Video patrols (SQL in `patrol_sql.rs`).

use async_trait::async_trait;
use cordon_domain::access::command::PatrolRun;
use cordon_domain::checkpoint::CheckpointCode;
use cordon_domain::command::patrol::{Channel, ChannelDraft, Plan, Round, RoundStop, Sight};
use cordon_domain::command::report::ReportDraft;

use crate::StoreError;

/// Video patrols (`patrol_sql`): camera channels per checkpoint, plans, rounds and their
/// observations, within the commander's jurisdiction.
#[async_trait]
pub trait PatrolStore: Send + Sync + 'static {
    /// Adds a channel to a checkpoint of the jurisdiction. Errors: `Invalid`
    /// `unknown_checkpoint`, `Forbidden` (beyond the jurisdiction).
    async fn add_channel(
        &self,
        grant: &PatrolRun,
        draft: &ChannelDraft,
        now_ms: i64,
    ) -> Result<Channel, StoreError>;

    /// Takes a channel out of use (plans made later cannot name it).
    async fn retire_channel(
        &self,
        grant: &PatrolRun,
        id: i64,
        now_ms: i64,
    ) -> Result<Channel, StoreError>;

    /// The jurisdiction's channels (of one checkpoint when given), those in use first.
    async fn list_channels(
        &self,
        grant: &PatrolRun,
        checkpoint: Option<&CheckpointCode>,
    ) -> Result<Vec<Channel>, StoreError>;

    /// A plan of channels in use in the jurisdiction. Errors: `Invalid` `unknown_channel`
    /// (`channels[i]`).
    async fn make_plan(
        &self,
        grant: &PatrolRun,
        name: &str,
        channels: &[i64],
        now_ms: i64,
    ) -> Result<Plan, StoreError>;

    async fn list_plans(&self, grant: &PatrolRun) -> Result<Vec<Plan>, StoreError>;

    /// Starts a round of a plan.
    async fn start_round(
        &self,
        grant: &PatrolRun,
        plan: i64,
        now_ms: i64,
    ) -> Result<Round, StoreError>;

    /// A round with its stops.
    async fn patrol_round(&self, grant: &PatrolRun, id: i64) -> Result<Round, StoreError>;

    /// The rounds started since `since_ms`, latest first, with their counts.
    async fn list_rounds(&self, grant: &PatrolRun, since_ms: i64)
        -> Result<Vec<Round>, StoreError>;

    /// Records what was seen on a channel of the round, once (the same again changes nothing).
    /// Errors: `Invalid` `round_finished`, `not_in_plan`, `already_observed`.
    async fn observe(
        &self,
        grant: &PatrolRun,
        round: i64,
        channel: i64,
        sight: Sight,
        note: Option<&str>,
        now_ms: i64,
    ) -> Result<Round, StoreError>;

    /// Ends a round (the channels not seen stay so).
    async fn finish_round(
        &self,
        grant: &PatrolRun,
        round: i64,
        now_ms: i64,
    ) -> Result<Round, StoreError>;

    /// A finding (a stop seen with a problem or no signal). `NotFound` otherwise.
    async fn finding(
        &self,
        grant: &PatrolRun,
        round: i64,
        channel: i64,
    ) -> Result<RoundStop, StoreError>;

    /// Files a finding as a report in the command's inbox (at its channel's checkpoint, by the
    /// patroller), once: `Invalid` `already_turned` when it has one.
    async fn finding_report(
        &self,
        grant: &PatrolRun,
        round: i64,
        channel: i64,
        draft: &ReportDraft,
        now_ms: i64,
    ) -> Result<(), StoreError>;

    /// Notes the directive a finding was turned into.
    async fn link_directive(
        &self,
        grant: &PatrolRun,
        round: i64,
        channel: i64,
        directive: i64,
    ) -> Result<(), StoreError>;
}
