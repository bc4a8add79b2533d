//! Duty rosters (SQL in `roster_sql.rs`).

use async_trait::async_trait;
use cordon_domain::access::command::{RosterKeep, RosterRead};
use cordon_domain::access::station::StationSync;
use cordon_domain::access::Username;
use cordon_domain::checkpoint::CheckpointCode;
use cordon_domain::command::roster::{
    DutyNow, Roster, Shift, ShiftDraft, ShiftRef, StationOfficer, VolunteerShown,
};

use crate::StoreError;

/// Duty rosters (`roster_sql`): a checkpoint's shifts (one at a time), who is on duty now
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

    /// Hub: a station's checkpoint's shifts overlapping `[from_ms, to_ms)`, volunteers masked.
    async fn station_shifts(
        &self,
        grant: &StationSync,
        from_ms: i64,
        to_ms: i64,
        now_ms: i64,
    ) -> Result<Vec<Shift>, StoreError>;

    /// Station: takes the hub's shifts of its checkpoint overlapping `[from_ms, to_ms)` (those
    /// the hub no longer lists there are removed); answers how many it holds now.
    async fn mirror_shifts(
        &self,
        checkpoint: &CheckpointCode,
        from_ms: i64,
        to_ms: i64,
        list: &[Shift],
    ) -> Result<usize, StoreError>;

    /// Empties the volunteers of shifts ended before `before_ms` (their count stays); answers
    /// how many shifts.
    async fn purge_volunteers(&self, before_ms: i64) -> Result<u64, StoreError>;
}
