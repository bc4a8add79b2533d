//! What an edge station pushes to the hub: its registrations as a numbered series. Each station
//! is the only writer of its series and numbers its records 1, 2, 3, … in the order it recorded
//! them; the hub keeps the highest number it holds (the high-water mark), so a batch sent again
//! is recognised, a gap is reported and a series that goes backwards is refused. A record
//! carries the decision the station made (under the policy it held then): the hub keeps it and
//! never decides again. A sampling site's events travel the same way ([`sampling`]).

pub mod sampling;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::passage::{Decision, Occupant, Passage};
use crate::registration::{
    DocumentRequest, OccupantRequest, PassageRequest, TestRequest, VehicleRequest,
};

/// Most records in one batch.
pub const MAX_BATCH: usize = 2_000;

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SyncBatch {
    /// In series order, without gaps.
    pub records: Vec<SyncRecord>,
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SyncRecord {
    /// The record's number in the station's series, from 1.
    pub seq: i64,
    /// The registration as the lane sent it to the station.
    pub passage: PassageRequest,
    /// What the station decided.
    pub decision: Decision,
    /// When the station recorded it.
    pub recorded_at: DateTime<FixedOffset>,
}

/// The hub's answer to a batch.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
pub struct SyncAnswer {
    /// The highest number of the station's series the hub now holds.
    pub high_water: i64,
    /// Records written now.
    pub created: usize,
    /// Records the hub held already (a batch sent again).
    pub replayed: usize,
}

fn occupant_request(o: &Occupant) -> OccupantRequest {
    OccupantRequest {
        document: DocumentRequest {
            kind: o.person.document.kind().as_str().to_owned(),
            number: o.person.document.expose_number().to_owned(),
        },
        name: o.person.name.expose().to_owned(),
        phone: o.person.phone.as_ref().map(|p| p.expose().to_owned()),
        role: o.role.as_str().to_owned(),
        temperature_c: o.temperature_c.map(|t| t.celsius()),
        health_code: o.health_code.as_str().to_owned(),
        latest_test: o.latest_test.as_ref().map(|t| TestRequest {
            kind: t.kind.as_str().to_owned(),
            taken_at: t.taken_at,
            result: t.result.as_str().to_owned(),
        }),
        visited: o.visited.iter().map(|d| d.to_string()).collect(),
    }
}

impl Passage {
    /// The registration that records this passage again, in clear: what a station sends the
    /// hub. Parsing it gives back this passage's draft.
    pub fn to_request(&self) -> PassageRequest {
        PassageRequest {
            id: self.id,
            checkpoint: self.checkpoint.to_string(),
            lane: self.lane,
            direction: self.direction.as_str().to_owned(),
            observed_at: self.observed_at,
            vehicle: self.vehicle.as_ref().map(|v| VehicleRequest {
                plate: v.plate.as_str().to_owned(),
                plate_color: v.plate_color.as_str().to_owned(),
                class: v.class.as_str().to_owned(),
                freight_pass: v.freight_pass,
                freight_pass_code: None,
                goods: v.goods.map(|g| g.as_str().to_owned()),
            }),
            origin: self.origin.map(|d| d.to_string()),
            destination: self.destination.map(|d| d.to_string()),
            occupants: self.occupants.iter().map(occupant_request).collect(),
            supersedes: self.supersedes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_passage_round_trips_through_its_request() {
        let req: PassageRequest = serde_json::from_value(serde_json::json!({
            "id": "0190f5c2-7d4e-7b2a-9c1e-3f6a2b8d9e01", "checkpoint": "CP-130100-0001", "lane": 2,
            "direction": "in", "observed_at": "2022-05-03T08:15:00+08:00",
            "vehicle": {"plate": "冀A12345", "plate_color": "blue", "class": "truck", "freight_pass": true},
            "origin": "130100", "destination": "110105",
            "occupants": [{"document": {"type": "resident_id", "number": "11010519491231002X"},
                "name": "张三", "phone": "13812345678", "role": "driver", "temperature_c": 36.6,
                "health_code": "green",
                "latest_test": {"kind": "pcr", "taken_at": "2022-05-02T10:00:00+08:00", "result": "negative"},
                "visited": ["130100"]},
                {"document": {"type": "passport", "number": "E12345678"}, "name": "John Smith",
                "role": "passenger", "health_code": "yellow"}]
        }))
        .unwrap();
        let now = DateTime::parse_from_rfc3339("2022-05-03T09:00:00+08:00").unwrap();
        let draft = req.parse(now).unwrap();
        let passage = Passage::new(draft.clone(), now, Decision::no_policy());
        let again = passage.to_request().parse(now).unwrap();
        assert_eq!(again, draft);
        assert_eq!(again.fingerprint(), draft.fingerprint());
    }
}
