//! Directives' rows as the queries return them, and their domain types.

use cordon_domain::checkpoint::CheckpointCode;
use cordon_domain::command::directive::{
    AckCounts, Cancellation, Directive, DirectiveState, LaneDirective, Priority, Recipient,
    TargetRequest,
};
use cordon_domain::division::DivisionCode;
use cordon_domain::time::from_ms;

use crate::StoreError;

/// Moves the directives' clock, which the lanes' polls compare against: in the transaction of
/// every change a lane or station should see.
pub(super) const BUMP: &str = "UPDATE directive_clock SET version = version + 1 WHERE id = 1";

/// The directive's columns, in [`DirectiveRow`]'s order.
pub(super) const DIRECTIVE_COLS: &str = "d.id, d.revision, d.title, d.body, d.priority, d.target, \
     d.division, d.issued_by, d.issued_at, d.effective_at, d.deadline_at, d.update_note, \
     d.updated_at, d.cancelled_at, d.cancelled_by, d.cancel_reason";

pub(super) type DirectiveRow = (
    i64,
    i32,
    String,
    String,
    String,
    String,
    i64,
    String,
    i64,
    i64,
    i64,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<String>,
);

/// The refusal of any change to a cancelled directive.
pub(super) fn cancelled() -> StoreError {
    StoreError::invalid("directive_cancelled", "id", "this directive was cancelled")
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(format!("a directive's {what}"))
}

fn division(v: i64) -> Result<DivisionCode, StoreError> {
    DivisionCode::parse(&v.to_string()).map_err(|_| corrupt("division"))
}

pub(super) fn directive(
    r: DirectiveRow,
    counts: AckCounts,
    now_ms: i64,
) -> Result<Directive, StoreError> {
    let state = if r.13.is_some() {
        DirectiveState::Cancelled
    } else if r.9 > now_ms {
        DirectiveState::Scheduled
    } else {
        DirectiveState::Active
    };
    Ok(Directive {
        id: r.0,
        revision: r.1,
        title: r.2,
        text: r.3,
        priority: Priority::parse(&r.4).map_err(|_| corrupt("priority"))?,
        target: serde_json::from_str::<TargetRequest>(&r.5).map_err(|_| corrupt("target"))?,
        division: division(r.6)?,
        state,
        issued_by: r.7,
        issued_at: from_ms(r.8),
        effective_at: from_ms(r.9),
        ack_deadline: from_ms(r.10),
        update_note: r.11,
        updated_at: r.12.map(from_ms),
        cancelled: match (r.13, r.14, r.15) {
            (Some(at), Some(by), Some(reason)) => Some(Cancellation {
                at: from_ms(at),
                by,
                reason,
            }),
            _ => None,
        },
        counts,
    })
}

/// A directive's counts: its id, recipients, delivered, read, acknowledged, overdue.
pub(super) type CountRow = (i64, i64, i64, i64, i64, i64);

pub(super) fn counts(r: &CountRow) -> AckCounts {
    AckCounts {
        recipients: r.1,
        delivered: r.2,
        read: r.3,
        acknowledged: r.4,
        overdue: r.5,
    }
}

/// A recipient's columns, in [`RecipientRow`]'s order (joined with `checkpoints c` and
/// `directives d`).
pub(super) const RECIPIENT_COLS: &str = "c.code, c.name, c.jurisdiction, r.delivered_rev, \
     r.delivered_at, r.read_rev, r.read_at, r.acked_rev, r.acked_at, r.acked_by, r.reply, \
     r.reminded_at, r.escalated_at, d.revision, d.deadline_at, d.cancelled_at";

pub(super) type RecipientRow = (
    String,
    String,
    i64,
    i32,
    Option<i64>,
    i32,
    Option<i64>,
    i32,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<i64>,
    i32,
    i64,
    Option<i64>,
);

pub(super) fn recipient(r: RecipientRow, now_ms: i64) -> Result<Recipient, StoreError> {
    let rev = r.13;
    let current = |step: i32, at: Option<i64>| at.filter(|_| step == rev).map(from_ms);
    let acked = r.7 == rev;
    Ok(Recipient {
        checkpoint: CheckpointCode::parse(&r.0).map_err(|_| corrupt("checkpoint"))?,
        name: r.1,
        jurisdiction: division(r.2)?,
        delivered_at: current(r.3, r.4),
        read_at: current(r.5, r.6),
        acknowledged_at: current(r.7, r.8),
        acknowledged_by: r.9.filter(|_| acked),
        reply: r.10.filter(|_| acked),
        reminded_at: r.11.map(from_ms),
        escalated_at: r.12.map(from_ms),
        overdue: !acked && r.14 < now_ms && r.15.is_none(),
    })
}

/// The lane's columns, in [`LaneRow`]'s order.
pub(super) const LANE_COLS: &str = "d.id, d.revision, d.title, d.body, d.priority, d.issued_by, \
     d.issued_at, d.effective_at, d.deadline_at, d.update_note, r.read_rev, r.acked_rev, \
     r.acked_at, r.acked_by, r.reply, r.reminded_at";

pub(super) type LaneRow = (
    i64,
    i32,
    String,
    String,
    String,
    String,
    i64,
    i64,
    i64,
    Option<String>,
    i32,
    i32,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<i64>,
);

pub(super) fn lane(r: LaneRow) -> Result<LaneDirective, StoreError> {
    let acked = r.11 == r.1;
    Ok(LaneDirective {
        id: r.0,
        revision: r.1,
        title: r.2,
        text: r.3,
        priority: Priority::parse(&r.4).map_err(|_| corrupt("priority"))?,
        issued_by: r.5,
        issued_at: from_ms(r.6),
        effective_at: from_ms(r.7),
        ack_deadline: from_ms(r.8),
        update_note: r.9,
        read: r.10 == r.1,
        acknowledged_at: r.12.filter(|_| acked).map(from_ms),
        acknowledged_by: r.13.filter(|_| acked),
        reply: r.14.filter(|_| acked),
        reminded_at: r.15.map(from_ms),
    })
}

/// A recipient past its deadline: its directive's id, then [`RECIPIENT_COLS`] but the last.
pub(super) type OverdueRow = (
    i64,
    String,
    String,
    i64,
    i32,
    Option<i64>,
    i32,
    Option<i64>,
    i32,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<i64>,
    i32,
    i64,
);

pub(super) fn overdue(r: OverdueRow, now_ms: i64) -> Result<(i64, i64, Recipient), StoreError> {
    let (id, deadline) = (r.0, r.15);
    let row: RecipientRow = (
        r.1, r.2, r.3, r.4, r.5, r.6, r.7, r.8, r.9, r.10, r.11, r.12, r.13, r.14, r.15, None,
    );
    Ok((id, deadline, recipient(row, now_ms)?))
}
