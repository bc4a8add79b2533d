//! Reports up the line: a station tells the command of a problem (a queue too long, supplies or
//! staff short, an incident, a question) with its urgency; the command sees them in an inbox by
//! urgency and age, one commander takes each (or hands it to another) and answers, and the
//! answer reaches the station's lane. A report's id is the lane's, so a retry (or a station's
//! resend after its link returns) never files it twice.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::directive::{text, Priority};
use crate::checkpoint::{string_enum, CheckpointCode};
use crate::FieldError;

/// Longest report or answer, in characters.
pub const MAX_REPORT: usize = 1_000;

string_enum! {
    /// What a report is about.
    ReportCategory {
        Queue = "queue",
        Supplies = "supplies",
        Staff = "staff",
        Incident = "incident",
        Question = "question",
        Other = "other",
    }
}

/// A report as a lane files it.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportRequest {
    /// Made by the lane once, kept across retries.
    pub id: Uuid,
    pub checkpoint: String,
    pub category: String,
    pub urgency: Priority,
    /// 1 to 1,000 characters.
    pub text: String,
}

/// A checked report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportDraft {
    pub id: Uuid,
    pub checkpoint: CheckpointCode,
    pub category: ReportCategory,
    pub urgency: Priority,
    pub text: String,
}

impl ReportRequest {
    pub fn parse(&self) -> Result<ReportDraft, FieldError> {
        Ok(ReportDraft {
            id: self.id,
            checkpoint: CheckpointCode::parse(&self.checkpoint)
                .map_err(|e| e.under("checkpoint"))?,
            category: ReportCategory::parse(&self.category).map_err(|e| e.under("category"))?,
            urgency: self.urgency,
            text: text(&self.text, "text", MAX_REPORT, true)?,
        })
    }
}

/// Where a report stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReportState {
    Open,
    /// A commander took it.
    Assigned,
    Answered,
}

/// A report as it is answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Report {
    pub id: Uuid,
    pub checkpoint: CheckpointCode,
    pub checkpoint_name: String,
    pub category: ReportCategory,
    pub urgency: Priority,
    pub text: String,
    pub reported_by: String,
    pub reported_at: DateTime<FixedOffset>,
    pub state: ReportState,
    pub assigned_to: Option<String>,
    pub assigned_at: Option<DateTime<FixedOffset>>,
    pub answer: Option<String>,
    pub answered_by: Option<String>,
    pub answered_at: Option<DateTime<FixedOffset>>,
}

/// A commander taking a report, or handing it to another commander.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignRequest {
    /// The commander's account name; absent: the one asking.
    #[serde(default)]
    pub to: Option<String>,
}

/// A commander's answer, which reaches the station's lane.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerRequest {
    /// 1 to 1,000 characters.
    pub answer: String,
}

impl AnswerRequest {
    pub fn parse(&self) -> Result<String, FieldError> {
        text(&self.answer, "answer", MAX_REPORT, true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_names_a_known_category() {
        let r = |category: &str, text: &str| ReportRequest {
            id: Uuid::nil(),
            checkpoint: "CP-130100-0001".into(),
            category: category.into(),
            urgency: Priority::Urgent,
            text: text.into(),
        };
        assert_eq!(
            r("queue", " 排队超过2公里 ").parse().unwrap().text,
            "排队超过2公里"
        );
        assert_eq!(r("weather", "x").parse().unwrap_err().field, "category");
        assert_eq!(r("queue", "  ").parse().unwrap_err().code, "required");
    }
}
