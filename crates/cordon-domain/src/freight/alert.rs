//! Freight alerts for the command: a truck released from a lot with its PCR pending whose PCR
//! came back positive (naming where it was sent from, where it has been seen since and, when it
//! runs on a pass, the checkpoints ahead on its route); a pass's vehicle off its route, or
//! overdue ([`super::route`]). Each alert is raised once and closed once, with a note of what
//! was done.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::checkpoint::{string_enum, CheckpointCode};
use crate::FieldError;

string_enum! {
    /// Why an alert was raised: a positive PCR after a release; a pass's vehicle seen at a
    /// checkpoint its route does not name; or seen nowhere within six hours of its planned
    /// arrival.
    AlertKind {
        PcrPositiveAfterRelease = "pcr_positive_after_release",
        OffRoute = "off_route",
        Overdue = "overdue",
    }
}

/// A passage of the alert's vehicle: where and when it was seen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SeenAt {
    pub checkpoint: CheckpointCode,
    pub checkpoint_name: String,
    pub at: DateTime<FixedOffset>,
}

/// An alert as the command lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FreightAlert {
    pub id: i64,
    pub kind: AlertKind,
    pub plate: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lot: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lot_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub truck: Option<i64>,
    /// The checkpoint whose lane sent the truck to the lot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_from: Option<SeenAt>,
    /// Its passages since it left the lot (or, for a pass's alert, since a day before the
    /// passage off its route, or two days before its planned arrival), latest first.
    #[serde(default)]
    pub seen_since: Vec<SeenAt>,
    /// The freight pass the vehicle runs on, if it has one in force.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass: Option<String>,
    /// The passage off the pass's route.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub off_route_at: Option<SeenAt>,
    /// The planned arrival it missed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_arrival: Option<DateTime<FixedOffset>>,
    /// The route's checkpoints after the last of them the vehicle was seen at (all of them when
    /// it was seen at none): where to look.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<String>)]
    pub ahead: Vec<CheckpointCode>,
    pub raised_at: DateTime<FixedOffset>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub left_at: Option<DateTime<FixedOffset>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<DateTime<FixedOffset>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_note: Option<String>,
}

/// Closing an alert: what was done.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseAlertRequest {
    /// 1 to 500 characters.
    pub note: String,
}

impl CloseAlertRequest {
    pub fn parse(&self) -> Result<String, FieldError> {
        crate::command::directive::text(&self.note, "note", 500, true)
    }
}
