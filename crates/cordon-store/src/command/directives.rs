//! What the command's directives are kept as: issued, listed, their boards, revised, reminded,
//! cancelled, escalated, and shown and acknowledged at the lanes (SQL in `directives_sql.rs` and
//! `lane_sql.rs`).

use async_trait::async_trait;
use cordon_domain::access::command::{DirectiveAck, DirectiveIssue, DirectiveRead};
use cordon_domain::checkpoint::CheckpointCode;
use cordon_domain::command::directive::{
    Directive, DirectiveDraft, LaneDirective, Priority, Recipient, Revision,
};

use crate::StoreError;

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
