//! Directives: a commander's instruction (title, text, priority) to the checkpoints of a target
//! (a jurisdiction, narrowed by defence line or kind, or listed checkpoints), in effect from a
//! time, to be acknowledged by a deadline. The target is resolved when the directive is issued:
//! its recipients are the open checkpoints it named then. An update makes a new revision, which
//! every recipient reads and acknowledges again; a cancel ends it. Each recipient's progress is
//! kept: delivered (a lane or its station received it), read (opened on a lane), acknowledged
//! (by a named officer, with an optional reply), overdue (the deadline passed first).

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::checkpoint::{string_enum, CheckpointCode, CheckpointKind, DefenceLine};
use crate::division::DivisionCode;
use crate::FieldError;

/// Longest title, in characters.
pub const MAX_TITLE: usize = 100;
/// Longest text, in characters.
pub const MAX_TEXT: usize = 4_000;
/// Longest reply to a directive or reason to cancel one.
pub const MAX_REPLY: usize = 500;
/// Furthest ahead a directive may take effect or fall due.
pub const MAX_AHEAD_MS: i64 = 30 * 86_400_000;
/// Most checkpoints a target may list.
pub const MAX_LISTED: usize = 2_000;

string_enum! {
    /// How soon a directive must be acted on, as official messages are marked: routine (平件),
    /// urgent (加急), flash (特急). Each has a default time to acknowledge.
    Priority {
        Routine = "routine",
        Urgent = "urgent",
        Flash = "flash",
    }
}

impl Priority {
    /// The time to acknowledge when the commander sets no deadline.
    pub fn default_window_ms(self) -> i64 {
        match self {
            Priority::Routine => 12 * 3_600_000,
            Priority::Urgent => 2 * 3_600_000,
            Priority::Flash => 30 * 60_000,
        }
    }
}

/// Which checkpoints a directive goes to, as a commander writes it: listed checkpoints, or the
/// open checkpoints of a jurisdiction (the commander's own when none is given), narrowed by
/// defence line and kind when given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetRequest {
    /// A province, city or county code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub division: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub defence_line: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Checkpoint codes; when given, nothing else is.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checkpoints: Vec<String>,
}

/// A checked target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Listed(Vec<CheckpointCode>),
    Within {
        division: Option<DivisionCode>,
        line: Option<DefenceLine>,
        kind: Option<CheckpointKind>,
    },
}

impl TargetRequest {
    pub fn parse(&self) -> Result<Target, FieldError> {
        if !self.checkpoints.is_empty() {
            if self.division.is_some() || self.defence_line.is_some() || self.kind.is_some() {
                return Err(FieldError::new(
                    "one_target",
                    "target",
                    "a target lists checkpoints or names a jurisdiction (with a defence line or kind), not both",
                ));
            }
            if self.checkpoints.len() > MAX_LISTED {
                return Err(FieldError::new(
                    "too_many",
                    "target.checkpoints",
                    format!("a target lists at most {MAX_LISTED} checkpoints"),
                ));
            }
            let mut codes = Vec::with_capacity(self.checkpoints.len());
            for (i, c) in self.checkpoints.iter().enumerate() {
                codes.push(
                    CheckpointCode::parse(c.trim())
                        .map_err(|e| e.under(&format!("target.checkpoints[{i}]")))?,
                );
            }
            codes.sort();
            codes.dedup();
            return Ok(Target::Listed(codes));
        }
        let division = match self.division.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(d) => Some(DivisionCode::parse(d).map_err(|e| e.under("target.division"))?),
        };
        let line = match self.defence_line.as_deref() {
            None | Some("") => None,
            Some(l) => Some(DefenceLine::parse(l).map_err(|e| e.under("target.defence_line"))?),
        };
        let kind = match self.kind.as_deref() {
            None | Some("") => None,
            Some(k) => Some(CheckpointKind::parse(k).map_err(|e| e.under("target.kind"))?),
        };
        Ok(Target::Within {
            division,
            line,
            kind,
        })
    }
}

/// A directive as a commander issues it.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DirectiveRequest {
    /// 1 to 100 characters: what the lane shows first.
    pub title: String,
    /// 1 to 4,000 characters; lines kept.
    pub text: String,
    pub priority: Priority,
    pub target: TargetRequest,
    /// When it takes effect (default: now); not more than an hour back.
    #[serde(default)]
    pub effective_at: Option<DateTime<FixedOffset>>,
    /// When every station must have acknowledged it (default by priority from the effective
    /// time: routine 12 hours, urgent 2 hours, flash 30 minutes).
    #[serde(default)]
    pub ack_deadline: Option<DateTime<FixedOffset>>,
}

/// A checked directive, not yet resolved to its recipients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectiveDraft {
    pub title: String,
    pub text: String,
    pub priority: Priority,
    pub target: Target,
    /// The target as written, kept with the directive.
    pub target_request: TargetRequest,
    pub effective_ms: i64,
    pub deadline_ms: i64,
}

/// A checked text: trimmed, not empty, at most `max` characters, no control characters but
/// line breaks and tabs where `lines` allows them.
pub fn text(s: &str, field: &str, max: usize, lines: bool) -> Result<String, FieldError> {
    let t = s.trim();
    if t.is_empty() {
        return Err(FieldError::new("required", field, "this is required"));
    }
    if t.chars().count() > max {
        return Err(FieldError::new(
            "too_long",
            field,
            format!("at most {max} characters"),
        ));
    }
    if t.chars()
        .any(|c| c.is_control() && !(lines && (c == '\n' || c == '\t')))
    {
        return Err(FieldError::new(
            "invalid_characters",
            field,
            "control characters are not allowed",
        ));
    }
    Ok(t.replace("\r\n", "\n"))
}

/// An effective time and deadline, checked against now: the effective time not more than an
/// hour back nor more than 30 days ahead; the deadline after both now and the effective time.
fn times(
    priority: Priority,
    effective: Option<DateTime<FixedOffset>>,
    deadline: Option<DateTime<FixedOffset>>,
    now_ms: i64,
) -> Result<(i64, i64), FieldError> {
    let effective_ms = effective.map_or(now_ms, |t| t.timestamp_millis());
    if effective_ms < now_ms - 3_600_000 || effective_ms > now_ms + MAX_AHEAD_MS {
        return Err(FieldError::new(
            "out_of_range",
            "effective_at",
            "a directive takes effect from an hour ago to 30 days ahead",
        ));
    }
    let deadline_ms = deadline.map_or(
        effective_ms.max(now_ms) + priority.default_window_ms(),
        |t| t.timestamp_millis(),
    );
    if deadline_ms <= now_ms || deadline_ms <= effective_ms {
        return Err(FieldError::new(
            "deadline_passed",
            "ack_deadline",
            "the deadline to acknowledge comes after now and after the effective time",
        ));
    }
    if deadline_ms > effective_ms + MAX_AHEAD_MS {
        return Err(FieldError::new(
            "out_of_range",
            "ack_deadline",
            "the deadline to acknowledge is at most 30 days after the effective time",
        ));
    }
    // Whole seconds, as CAP and the pages write times.
    Ok((effective_ms / 1000 * 1000, deadline_ms / 1000 * 1000))
}

impl DirectiveRequest {
    pub fn parse(&self, now_ms: i64) -> Result<DirectiveDraft, FieldError> {
        let title = text(&self.title, "title", MAX_TITLE, false)?;
        let body = text(&self.text, "text", MAX_TEXT, true)?;
        let target = self.target.parse()?;
        let (effective_ms, deadline_ms) =
            times(self.priority, self.effective_at, self.ack_deadline, now_ms)?;
        Ok(DirectiveDraft {
            title,
            text: body,
            priority: self.priority,
            target,
            target_request: self.target.clone(),
            effective_ms,
            deadline_ms,
        })
    }
}

/// A new revision: what changes (the rest stays) and why.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DirectiveUpdate {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub priority: Option<Priority>,
    #[serde(default)]
    pub ack_deadline: Option<DateTime<FixedOffset>>,
    /// What changed, for the stations (1 to 500 characters).
    pub note: String,
}

/// A checked update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    pub title: Option<String>,
    pub text: Option<String>,
    pub priority: Option<Priority>,
    pub deadline_ms: Option<i64>,
    pub note: String,
}

impl DirectiveUpdate {
    pub fn parse(&self, now_ms: i64) -> Result<Revision, FieldError> {
        let deadline_ms = match self.ack_deadline {
            None => None,
            Some(t) if t.timestamp_millis() <= now_ms => {
                return Err(FieldError::new(
                    "deadline_passed",
                    "ack_deadline",
                    "the deadline to acknowledge comes after now",
                ))
            }
            Some(t) if t.timestamp_millis() > now_ms + MAX_AHEAD_MS => {
                return Err(FieldError::new(
                    "out_of_range",
                    "ack_deadline",
                    "the deadline to acknowledge is at most 30 days ahead",
                ))
            }
            Some(t) => Some(t.timestamp_millis() / 1000 * 1000),
        };
        let title = self
            .title
            .as_deref()
            .map(|t| text(t, "title", MAX_TITLE, false))
            .transpose()?;
        let body = self
            .text
            .as_deref()
            .map(|t| text(t, "text", MAX_TEXT, true))
            .transpose()?;
        Ok(Revision {
            title,
            text: body,
            priority: self.priority,
            deadline_ms,
            note: text(&self.note, "note", MAX_REPLY, false)?,
        })
    }
}

/// Where a directive stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DirectiveState {
    /// Issued and not yet in effect.
    Scheduled,
    Active,
    Cancelled,
}

/// How a directive's recipients stand (each counted at its furthest step of the current
/// revision).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AckCounts {
    pub recipients: i64,
    pub delivered: i64,
    pub read: i64,
    pub acknowledged: i64,
    /// Not acknowledged and past the deadline.
    pub overdue: i64,
}

/// Who cancelled a directive, when and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Cancellation {
    pub at: DateTime<FixedOffset>,
    pub by: String,
    pub reason: String,
}

/// A directive as it is answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Directive {
    pub id: i64,
    /// 1, then one more for each update.
    pub revision: i32,
    pub title: String,
    pub text: String,
    pub priority: Priority,
    pub target: TargetRequest,
    /// The jurisdiction it was issued for: who may update, remind and cancel it.
    #[schema(value_type = String)]
    pub division: DivisionCode,
    pub state: DirectiveState,
    pub issued_by: String,
    pub issued_at: DateTime<FixedOffset>,
    pub effective_at: DateTime<FixedOffset>,
    pub ack_deadline: DateTime<FixedOffset>,
    /// The latest update's note.
    pub update_note: Option<String>,
    pub updated_at: Option<DateTime<FixedOffset>>,
    pub cancelled: Option<Cancellation>,
    /// Counts over the recipients the reader's jurisdiction holds.
    pub counts: AckCounts,
}

/// One recipient's progress on the current revision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Recipient {
    pub checkpoint: CheckpointCode,
    pub name: String,
    #[schema(value_type = String)]
    pub jurisdiction: DivisionCode,
    pub delivered_at: Option<DateTime<FixedOffset>>,
    pub read_at: Option<DateTime<FixedOffset>>,
    pub acknowledged_at: Option<DateTime<FixedOffset>>,
    pub acknowledged_by: Option<String>,
    pub reply: Option<String>,
    pub reminded_at: Option<DateTime<FixedOffset>>,
    /// When it was reported overdue to the commanders above the station.
    pub escalated_at: Option<DateTime<FixedOffset>>,
    pub overdue: bool,
}

/// A directive as a lane shows it to a checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LaneDirective {
    pub id: i64,
    pub revision: i32,
    pub title: String,
    pub text: String,
    pub priority: Priority,
    pub issued_by: String,
    pub issued_at: DateTime<FixedOffset>,
    pub effective_at: DateTime<FixedOffset>,
    pub ack_deadline: DateTime<FixedOffset>,
    pub update_note: Option<String>,
    pub read: bool,
    pub acknowledged_at: Option<DateTime<FixedOffset>>,
    pub acknowledged_by: Option<String>,
    pub reply: Option<String>,
    pub reminded_at: Option<DateTime<FixedOffset>>,
}

/// An officer's acknowledgement of a revision at a checkpoint.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AckRequest {
    pub checkpoint: String,
    /// The revision the officer read: an update since is refused (`directive_updated`).
    pub revision: i32,
    /// Optional, at most 500 characters.
    #[serde(default)]
    pub reply: Option<String>,
}

/// An opening of a directive on a lane.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReadRequest {
    pub checkpoint: String,
    pub revision: i32,
}

/// A checked reply: empty when none was given.
pub fn reply(r: Option<&str>) -> Result<Option<String>, FieldError> {
    match r.map(str::trim).filter(|r| !r.is_empty()) {
        None => Ok(None),
        Some(r) => text(r, "reply", MAX_REPLY, true).map(Some),
    }
}

/// Why a directive is cancelled.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelRequest {
    /// 1 to 500 characters.
    pub reason: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_700_000_000_000;

    fn request(v: serde_json::Value) -> DirectiveRequest {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn a_directive_takes_its_deadline_from_its_priority() {
        let d = request(
            serde_json::json!({"title": " 20时起执行新规则 ", "text": "第一条\n第二条",
            "priority": "flash", "target": {"division": "130100"}}),
        )
        .parse(NOW)
        .unwrap();
        assert_eq!(d.title, "20时起执行新规则");
        assert_eq!(d.text, "第一条\n第二条");
        assert_eq!((d.effective_ms, d.deadline_ms), (NOW, NOW + 30 * 60_000));
        let whole = request(
            serde_json::json!({"title": "t", "text": "x", "priority": "routine",
            "target": {}}),
        )
        .parse(NOW + 999)
        .unwrap();
        assert_eq!(whole.deadline_ms % 1000, 0, "whole seconds");
        assert!(
            matches!(d.target, Target::Within { division: Some(c), line: None, kind: None } if c.value() == 130100)
        );
    }

    #[test]
    fn bad_directives_say_which_field() {
        let field = |v: serde_json::Value| request(v).parse(NOW).unwrap_err();
        let base =
            serde_json::json!({"title": "t", "text": "x", "priority": "routine", "target": {}});
        let mut v = base.clone();
        v["title"] = serde_json::json!(" ");
        assert_eq!(field(v).code, "required");
        let mut v = base.clone();
        v["title"] = serde_json::json!("a\nb");
        assert_eq!(field(v).field, "title");
        let mut v = base.clone();
        v["target"] = serde_json::json!({"division": "130100", "checkpoints": ["CP-130100-0001"]});
        assert_eq!(field(v).code, "one_target");
        let mut v = base.clone();
        v["target"] = serde_json::json!({"checkpoints": ["CP-130100-0001", "CP-1"]});
        assert_eq!(field(v).field, "target.checkpoints[1]");
        let mut v = base.clone();
        v["target"] = serde_json::json!({"defence_line": "moat"});
        assert_eq!(field(v).field, "target.defence_line");
        let mut v = base.clone();
        v["ack_deadline"] = serde_json::json!(crate::time::from_ms(NOW - 1).to_rfc3339());
        assert_eq!(field(v).code, "deadline_passed");
        let mut v = base;
        v["effective_at"] =
            serde_json::json!(crate::time::from_ms(NOW - 2 * 3_600_000).to_rfc3339());
        assert_eq!(field(v).field, "effective_at");
    }

    #[test]
    fn an_update_needs_a_note() {
        let u: DirectiveUpdate =
            serde_json::from_value(serde_json::json!({"text": "新文本", "note": ""})).unwrap();
        assert_eq!(u.parse(NOW).unwrap_err().field, "note");
        assert_eq!(reply(Some("  ")).unwrap(), None);
    }
}
