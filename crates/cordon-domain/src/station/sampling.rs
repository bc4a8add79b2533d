//! What a sampling site running as an edge station pushes to the hub: its tubes, the persons
//! scanned into them, their seals and its antigen tests, as a numbered series of events in the
//! order the station committed them (the same series rules as registrations: one writer per
//! series, numbers 1, 2, 3, … without gaps, the hub keeps its high-water mark). Persons travel
//! in clear inside the push (over the station's link) and are sealed again by the hub with its
//! own keys. The hub applies each event as the station's sampler would have done it there; an
//! event the hub cannot apply (a barcode the hub has used for another tube, a person who stands
//! in another open tube at the hub) is answered as refused, with its reason, and the station
//! shows it: it does not go away by being sent again.

use serde::{Deserialize, Serialize};

use crate::testing::MemberRequest;

/// Most events in one push.
pub const MAX_EVENTS: usize = 1_000;

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SamplingBatch {
    /// In series order, without gaps.
    pub records: Vec<SamplingRecord>,
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SamplingRecord {
    /// The event's number in the station's series, from 1.
    pub seq: i64,
    pub event: SamplingEvent,
}

/// One thing done at the site, by whom (the station's sampler) and when (the station's clock).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum SamplingEvent {
    /// A tube opened at the station's site.
    Tube {
        barcode: String,
        pool_size: u32,
        by: String,
        at_ms: i64,
    },
    /// A person scanned into a tube.
    Member {
        barcode: String,
        person: MemberRequest,
        by: String,
        at_ms: i64,
    },
    /// A tube sealed, full or short with a reason.
    Seal {
        barcode: String,
        #[serde(default)]
        short_reason: Option<String>,
        by: String,
        at_ms: i64,
    },
    /// A person swabbed for an antigen test.
    Swab {
        person: MemberRequest,
        by: String,
        at_ms: i64,
    },
    /// The cassette of the test of `person` swabbed at `swabbed_at_ms`, read.
    Read {
        person: MemberRequest,
        swabbed_at_ms: i64,
        /// `negative`, `positive` or `invalid`.
        result: String,
        by: String,
        at_ms: i64,
    },
    /// An event the station could not read back to send (its person's data purged before the
    /// link came back): it keeps its number in the series and the hub records it as refused.
    Lost { what: String, reason: String },
}

impl SamplingEvent {
    /// The person the event names, if any.
    pub fn person(&self) -> Option<&MemberRequest> {
        match self {
            SamplingEvent::Member { person, .. }
            | SamplingEvent::Swab { person, .. }
            | SamplingEvent::Read { person, .. } => Some(person),
            SamplingEvent::Tube { .. }
            | SamplingEvent::Seal { .. }
            | SamplingEvent::Lost { .. } => None,
        }
    }

    /// The station's sampler who did it.
    pub fn by(&self) -> &str {
        match self {
            SamplingEvent::Tube { by, .. }
            | SamplingEvent::Member { by, .. }
            | SamplingEvent::Seal { by, .. }
            | SamplingEvent::Swab { by, .. }
            | SamplingEvent::Read { by, .. } => by,
            SamplingEvent::Lost { .. } => "",
        }
    }

    /// What the station's page calls the event: its kind and its tube or time.
    pub fn label(&self) -> String {
        match self {
            SamplingEvent::Tube { barcode, .. } => format!("tube {barcode}"),
            SamplingEvent::Member { barcode, .. } => format!("scan into {barcode}"),
            SamplingEvent::Seal { barcode, .. } => format!("seal {barcode}"),
            SamplingEvent::Swab { .. } => "antigen swab".to_owned(),
            SamplingEvent::Read { .. } => "antigen read".to_owned(),
            SamplingEvent::Lost { what, .. } => what.clone(),
        }
    }
}

/// An event the hub did not apply, and why.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
pub struct RefusedEvent {
    pub seq: i64,
    /// What the event was (`tube HB…`, `scan into HB…`, `seal HB…`, `antigen swab`, `antigen read`).
    pub what: String,
    /// The hub's machine code (`barcode_used`, `in_open_tube`, `tube_full`, …).
    pub code: String,
    pub message: String,
}

/// The hub's answer to a push.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
pub struct SamplingAnswer {
    /// The highest number of the station's series the hub has taken (applied or refused).
    pub high_water: i64,
    /// Events applied now.
    pub applied: usize,
    /// Events the hub held already (sent again).
    pub replayed: usize,
    /// Events the hub will not apply.
    pub refused: Vec<RefusedEvent>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_reads_back_as_written() {
        let e = SamplingEvent::Seal {
            barcode: "HB2022050300017".into(),
            short_reason: Some("the last of the queue".into()),
            by: "sampler".into(),
            at_ms: 1,
        };
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["kind"], "seal");
        assert_eq!(serde_json::from_value::<SamplingEvent>(json).unwrap(), e);
        assert!(serde_json::from_value::<SamplingEvent>(
            serde_json::json!({"kind": "pool_of_pools", "by": "x", "at_ms": 1})
        )
        .is_err());
    }
}
