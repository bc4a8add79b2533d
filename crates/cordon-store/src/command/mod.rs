//! Command's storage: directives with every recipient's progress ([`DirectiveStore`], SQL in
//! [`directives_sql`], written once for both backends), their way through stations
//! ([`DirectiveRelayStore`]), reports up the line ([`ReportStore`]) and duty rosters
//! ([`RosterStore`]), the daily report ([`DailyStore`]) and video patrols ([`PatrolStore`]). A directive's recipients are fixed when
//! it is issued; a revision counts as delivered, read or acknowledged at a checkpoint when that
//! recipient's step names the current revision. Every change moves one clock
//! ([`DirectiveStore::directive_clock`]), which the lanes' polls compare against.

use async_trait::async_trait;
use chrono::NaiveDate;
use cordon_domain::access::command::{
    DailyRead, DirectiveAck, DirectiveIssue, DirectiveRead, PatrolRun, RosterKeep, RosterRead,
};
use cordon_domain::access::station::StationSync;
use cordon_domain::access::{Scope, Username};
use cordon_domain::checkpoint::CheckpointCode;
use cordon_domain::command::daily::{DayFigures, Positives};
use cordon_domain::command::directive::{
    Directive, DirectiveDraft, LaneDirective, Priority, Recipient, Revision,
};
use cordon_domain::command::patrol::{Channel, ChannelDraft, Plan, Round, RoundStop, Sight};
use cordon_domain::command::relay::{DirectiveReceipt, ReceiptAnswer, StationDirective};
use cordon_domain::command::report::{Report, ReportDraft};
use cordon_domain::command::roster::{
    DutyNow, Roster, Shift, ShiftDraft, ShiftRef, StationOfficer, VolunteerShown,
};
use cordon_domain::division::DivisionCode;

use crate::StoreError;

mod daily_sql;
mod directives_sql;
mod lane_sql;
mod patrol_sql;
mod relay_sql;
mod reports_sql;
mod roster_sql;
mod rows;
mod targets;

/// Which directives to list: newest first, before `before_id` when given.
#[derive(Debug, Clone, Default)]
pub struct DirectiveQuery {
    /// Cancelled ones too.
    pub cancelled: bool,
    pub before_id: Option<i64>,
    pub limit: i64,
}

/// A recipient past its deadline, with the directive it owes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Overdue {
    pub directive: i64,
    pub title: String,
    pub priority: Priority,
    pub ack_deadline: chrono::DateTime<chrono::FixedOffset>,
    pub recipient: Recipient,
}

#[async_trait]
pub trait DirectiveStore: Send + Sync + 'static {
    /// Resolves the target within the grant's scope and records the directive with its
    /// recipients. Errors (`Invalid`): `scope_mismatch` (a division or listed checkpoint beyond
    /// the account's), `unknown_checkpoint` (listed), `empty_scope` (no checkpoint to send to).
    async fn issue_directive(
        &self,
        grant: &DirectiveIssue,
        draft: DirectiveDraft,
        now_ms: i64,
    ) -> Result<Directive, StoreError>;

    /// A new revision, which every recipient reads and acknowledges again. Errors: `NotFound`,
    /// `Forbidden` (issued for a jurisdiction beyond the account's), `Invalid`
    /// `directive_cancelled`.
    async fn update_directive(
        &self,
        grant: &DirectiveIssue,
        id: i64,
        revision: Revision,
        now_ms: i64,
    ) -> Result<Directive, StoreError>;

    /// Ends a directive: the lanes stop showing it and refuse to acknowledge it.
    async fn cancel_directive(
        &self,
        grant: &DirectiveIssue,
        id: i64,
        reason: &str,
        now_ms: i64,
    ) -> Result<Directive, StoreError>;

    /// Reminds the recipients that have not acknowledged the current revision; answers how many.
    async fn remind_directive(
        &self,
        grant: &DirectiveIssue,
        id: i64,
        now_ms: i64,
    ) -> Result<i64, StoreError>;

    /// Directives with a recipient in the grant's scope, counted over those recipients.
    async fn list_directives(
        &self,
        grant: &DirectiveRead,
        q: &DirectiveQuery,
        now_ms: i64,
    ) -> Result<Vec<Directive>, StoreError>;

    /// One directive and its recipients in the grant's scope (`NotFound` if it has none there).
    async fn directive_board(
        &self,
        grant: &DirectiveRead,
        id: i64,
        now_ms: i64,
    ) -> Result<(Directive, Vec<Recipient>), StoreError>;

    /// Recipients in the grant's scope past their deadline, soonest deadline first.
    async fn overdue_recipients(
        &self,
        grant: &DirectiveRead,
        limit: i64,
        now_ms: i64,
    ) -> Result<Vec<Overdue>, StoreError>;

    /// Notes every recipient newly past its deadline as escalated (reported to the commanders
    /// above it); answers how many.
    async fn escalate_overdue(&self, now_ms: i64) -> Result<i64, StoreError>;

    /// Grows with every change of any directive or recipient's reminder.
    async fn directive_clock(&self) -> Result<i64, StoreError>;

    /// What a checkpoint's lane shows: its directives in effect and not cancelled (those
    /// acknowledged within the last day too), most urgent first; each revision shown is noted
    /// as delivered. Errors: `Forbidden` (not the account's checkpoint), `NotFound`.
    async fn lane_directives(
        &self,
        grant: &DirectiveAck,
        checkpoint: &CheckpointCode,
        now_ms: i64,
    ) -> Result<Vec<LaneDirective>, StoreError>;

    /// Notes a revision opened at a checkpoint's lane (the first opening counts).
    async fn read_directive(
        &self,
        grant: &DirectiveAck,
        id: i64,
        checkpoint: &CheckpointCode,
        revision: i32,
        now_ms: i64,
    ) -> Result<(), StoreError>;

    /// Records a named officer's acknowledgement of a revision, once: the same acknowledgement
    /// again answers the first. Errors: `Forbidden`, `NotFound` (not a recipient), `Invalid`
    /// `directive_cancelled`, `directive_updated` (a newer revision to read first).
    async fn acknowledge_directive(
        &self,
        grant: &DirectiveAck,
        id: i64,
        checkpoint: &CheckpointCode,
        revision: i32,
        reply: Option<String>,
        now_ms: i64,
    ) -> Result<LaneDirective, StoreError>;
}

/// Directives through edge stations: at the hub, what a station's checkpoint is sent and the
/// receipts it sends back; at a station, the hub's directives mirrored and the outbox of its
/// officers' openings and acknowledgements (filled by triggers installed at the station's
/// start, in the same transaction as the step they note).
#[async_trait]
pub trait DirectiveRelayStore: Send + Sync + 'static {
    /// Hub: the directives to the station's checkpoint issued within `since_ms`, as they stand;
    /// those in effect are noted delivered.
    async fn station_directives(
        &self,
        grant: &StationSync,
        since_ms: i64,
        now_ms: i64,
    ) -> Result<Vec<StationDirective>, StoreError>;

    /// Hub: records a station's receipts, each once; a receipt for a replaced revision or a
    /// cancelled directive changes nothing.
    async fn apply_directive_receipts(
        &self,
        grant: &StationSync,
        receipts: &[DirectiveReceipt],
        now_ms: i64,
    ) -> Result<ReceiptAnswer, StoreError>;

    /// Station: copies the hub's directives to its checkpoint (new ones, new revisions,
    /// cancellations, acknowledgements the hub holds); answers how many changed.
    async fn mirror_directives(
        &self,
        checkpoint: &CheckpointCode,
        list: &[StationDirective],
    ) -> Result<usize, StoreError>;

    /// Station: notes its officers' openings and acknowledgements in the outbox from now on.
    async fn install_directive_outbox(&self) -> Result<(), StoreError>;

    /// Station: the receipts not yet taken by the hub, oldest first.
    async fn directive_outbox(&self, limit: i64) -> Result<Vec<DirectiveReceipt>, StoreError>;

    /// Station: the hub took the receipts up to `seq`.
    async fn directive_outbox_sent(&self, seq: i64) -> Result<(), StoreError>;
}

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

/// Reports up the line ([`reports_sql`]): filed at a checkpoint's lane (once per id), the
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

/// Duty rosters ([`roster_sql`]): a checkpoint's shifts (one at a time), who is on duty now
/// across a scope, hand-over notes, the station's leads; volunteers sealed at rest.
#[async_trait]
pub trait RosterStore: Send + Sync + 'static {
    /// A checkpoint's shifts overlapping `[from_ms, to_ms)`, its officers and whether the
    /// account may plan. Errors: `NotFound`, `Forbidden` (beyond the account's scope).
    async fn roster(
        &self,
        grant: &RosterRead,
        checkpoint: &CheckpointCode,
        from_ms: i64,
        to_ms: i64,
        now_ms: i64,
    ) -> Result<Roster, StoreError>;

    /// Plans a shift. Errors: `Forbidden` (not a commander of the checkpoint nor its lead),
    /// `Invalid` `not_an_officer` (`lead`, `officers`), `shift_overlap` (another shift holds the
    /// checkpoint then), `officer_on_duty` (someone is on another shift then).
    async fn plan_shift(
        &self,
        grant: &RosterKeep,
        checkpoint: &CheckpointCode,
        draft: &ShiftDraft,
        now_ms: i64,
    ) -> Result<Shift, StoreError>;

    /// Replans a shift that has not ended (one under way keeps its start: `shift_started`);
    /// `shift_ended` when it has.
    async fn replan_shift(
        &self,
        grant: &RosterKeep,
        id: i64,
        draft: &ShiftDraft,
        now_ms: i64,
    ) -> Result<Shift, StoreError>;

    /// Removes a shift that has not started (`shift_started` when it has).
    async fn drop_shift(&self, grant: &RosterKeep, id: i64, now_ms: i64) -> Result<(), StoreError>;

    /// Leaves (or rewrites) the note a shift hands to the next: by someone on it, the station's
    /// lead or a commander in scope, once the shift has started. Errors: `Forbidden`,
    /// `NotFound`, `Invalid` `shift_not_started`.
    async fn hand_over(
        &self,
        grant: &RosterRead,
        id: i64,
        note: &str,
        now_ms: i64,
    ) -> Result<Shift, StoreError>;

    /// A shift's volunteers in the clear, for whoever may plan it (the server audits the read).
    /// Empty once purged.
    async fn reveal_volunteers(
        &self,
        grant: &RosterKeep,
        id: i64,
    ) -> Result<(Shift, Vec<VolunteerShown>), StoreError>;

    /// Every checkpoint in scope now: the shift on duty, the next one's start, and whether it is
    /// open with nobody on duty. Uncovered first, then by code.
    async fn duty_now(&self, grant: &RosterRead, now_ms: i64) -> Result<Vec<DutyNow>, StoreError>;

    /// Names a station's leads (officer accounts of the checkpoint), replacing those before;
    /// commanders only. Errors: `Forbidden`, `Invalid` `not_an_officer` (`leads`).
    async fn name_leads(
        &self,
        grant: &RosterKeep,
        checkpoint: &CheckpointCode,
        leads: &[Username],
        now_ms: i64,
    ) -> Result<Vec<StationOfficer>, StoreError>;

    /// The shift that held the checkpoint at `at_ms` (the one a registration then was made in),
    /// if any. Its hours and lead only: no personal data.
    async fn shift_at(
        &self,
        checkpoint: &CheckpointCode,
        at_ms: i64,
    ) -> Result<Option<ShiftRef>, StoreError>;

    /// Empties the volunteers of shifts ended before `before_ms` (their count stays); answers
    /// how many shifts.
    async fn purge_volunteers(&self, before_ms: i64) -> Result<u64, StoreError>;
}

/// One checkpoint's day, as the daily report adds them up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckpointDay {
    pub code: String,
    pub name: String,
    /// Its county's code.
    pub jurisdiction: i64,
    pub figures: DayFigures,
}

pub use daily_sql::day_start_ms;

/// The daily report's figures ([`daily_sql`]): a day counted per checkpoint, or as kept.
#[async_trait]
pub trait DailyStore: Send + Sync + 'static {
    /// The day's figures of every checkpoint in the grant's scope and `within`, by code: as kept
    /// (with when, in ms) unless `live` or the day was not kept, else counted now.
    async fn daily_figures(
        &self,
        grant: &DailyRead,
        within: &Scope,
        day: NaiveDate,
        live: bool,
    ) -> Result<(Vec<CheckpointDay>, Option<i64>), StoreError>;

    /// What the testing of the jurisdiction's campaigns found that day. `Forbidden` beyond the
    /// grant's scope.
    async fn daily_positives(
        &self,
        grant: &DailyRead,
        within: DivisionCode,
        day: NaiveDate,
    ) -> Result<Positives, StoreError>;

    /// Counts the day at every checkpoint and keeps it, replacing an earlier keep; answers how
    /// many checkpoints.
    async fn keep_day(&self, day: NaiveDate, now_ms: i64) -> Result<usize, StoreError>;

    /// The latest day kept.
    async fn last_kept_day(&self) -> Result<Option<NaiveDate>, StoreError>;
}

/// Video patrols ([`patrol_sql`]): camera channels per checkpoint, plans, rounds and their
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
