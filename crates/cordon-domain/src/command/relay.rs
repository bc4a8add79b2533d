//! Directives through an edge station: what the hub sends down with its state (each directive
//! to the station's checkpoint, as it stands, with the hub's record of the station's
//! acknowledgement), and what the station sends up from its outbox (its officers' openings and
//! acknowledgements). Both are idempotent: a receipt the hub holds already changes nothing, so
//! a station resends freely after a lost answer, and the hub records each acknowledgement once.

use serde::{Deserialize, Serialize};

use super::directive::{Priority, TargetRequest, MAX_REPLY};
use crate::checkpoint::string_enum;
use crate::FieldError;

/// Most receipts per push.
pub const MAX_RECEIPTS: usize = 500;

/// A directive to a station's checkpoint as the hub holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StationDirective {
    pub id: i64,
    pub revision: i32,
    pub title: String,
    pub text: String,
    pub priority: Priority,
    pub target: TargetRequest,
    pub division: i64,
    pub issued_by: String,
    pub issued_at_ms: i64,
    pub effective_at_ms: i64,
    pub deadline_ms: i64,
    pub update_note: Option<String>,
    pub updated_at_ms: Option<i64>,
    pub cancelled_at_ms: Option<i64>,
    pub cancelled_by: Option<String>,
    pub cancel_reason: Option<String>,
    /// The revision the hub holds acknowledged by this station (0: none).
    pub acked_rev: i32,
    pub acked_at_ms: Option<i64>,
    pub acked_by: Option<String>,
    pub reply: Option<String>,
}

string_enum! {
    /// What an officer at a station did with a directive.
    ReceiptKind {
        Read = "read",
        Ack = "ack",
    }
}

/// One opening or acknowledgement at a station, numbered in its outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DirectiveReceipt {
    pub seq: i64,
    pub directive: i64,
    pub revision: i32,
    pub kind: ReceiptKind,
    /// The officer's account at the station.
    pub by: String,
    #[serde(default)]
    pub reply: Option<String>,
    /// When, by the station's clock (the hub keeps no time later than its own now).
    pub at_ms: i64,
}

impl DirectiveReceipt {
    /// Checks the fields a station could get wrong.
    pub fn check(&self) -> Result<(), FieldError> {
        if self.revision < 1 {
            return Err(FieldError::new(
                "out_of_range",
                "revision",
                "a revision is 1 or more",
            ));
        }
        officer_name(&self.by, "by")?;
        if let Some(r) = &self.reply {
            if r.chars().count() > MAX_REPLY {
                return Err(FieldError::new(
                    "too_long",
                    "reply",
                    format!("at most {MAX_REPLY} characters"),
                ));
            }
        }
        Ok(())
    }
}

/// Checks the name of a station's officer, as a station sends it up: 1 to 64 characters, no
/// control characters (the station's own accounts, which the hub does not know).
pub fn officer_name(by: &str, field: &str) -> Result<(), FieldError> {
    let by = by.trim();
    if by.is_empty() || by.chars().count() > 64 || by.chars().any(char::is_control) {
        return Err(FieldError::new(
            "invalid_by",
            field,
            "the officer's account name is 1 to 64 characters",
        ));
    }
    Ok(())
}

/// A station's push of receipts.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceiptBatch {
    pub records: Vec<DirectiveReceipt>,
}

/// What the hub made of a push.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReceiptAnswer {
    /// Receipts that recorded something new.
    pub applied: i64,
    /// Receipts the hub held already, or for a revision since replaced or a directive since
    /// cancelled (the station learns of those from the hub's state).
    pub unchanged: i64,
}
