//! A passage: one vehicle (or a pedestrian) at a checkpoint lane, with its occupants, and the
//! decision taken there. [`PassageDraft`] is what an officer registers (parsed and valid);
//! [`Passage`] is what the registry holds once it is recorded.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::checkpoint::{string_enum, CheckpointCode};
use crate::division::DivisionCode;
use crate::person::PersonalData;
use crate::plate::{Plate, PlateColor};
use crate::FieldError;

string_enum! {
    /// Into the jurisdiction or out of it.
    Direction { In = "in", Out = "out" }
}

string_enum! {
    /// The class of vehicle.
    VehicleClass {
        Car = "car",
        Bus = "bus",
        Truck = "truck",
        Van = "van",
        Motorcycle = "motorcycle",
        Tractor = "tractor",
        Special = "special",
    }
}

string_enum! {
    /// What a vehicle carries, as the national pass's categories: epidemic-control supplies,
    /// daily necessities, government reserves, post and parcels, farming inputs, production
    /// materials, other key goods.
    GoodsCategory {
        Medical = "medical",
        Necessities = "necessities",
        Reserves = "reserves",
        Postal = "postal",
        Farming = "farming",
        Production = "production",
        Other = "other",
    }
}

string_enum! {
    /// An occupant's place in the passage.
    #[schema(as = OccupantRole)]
    Role { Driver = "driver", Passenger = "passenger", Pedestrian = "pedestrian" }
}

string_enum! {
    /// Health-code colour shown by the person.
    HealthCode { Green = "green", Yellow = "yellow", Red = "red" }
}

string_enum! {
    /// Kind of the latest test.
    TestKind { Pcr = "pcr", Antigen = "antigen" }
}

string_enum! {
    /// Result of the latest test.
    TestResult { Negative = "negative", Positive = "positive", Pending = "pending" }
}

string_enum! {
    /// What the lane decided.
    Outcome {
        Pass = "pass",
        TestOnSite = "test_on_site",
        Hold = "hold",
        Refer = "refer",
        PersuadeReturn = "persuade_return",
    }
}

impl Outcome {
    /// How severe an outcome is, for combining: pass < test on site < persuade to return < hold
    /// in a lot < refer to quarantine or a fever clinic. A vehicle is turned back before it is
    /// held, and held before a person in it is handed over to the health authorities.
    pub fn severity(self) -> u8 {
        match self {
            Outcome::Pass => 0,
            Outcome::TestOnSite => 1,
            Outcome::PersuadeReturn => 2,
            Outcome::Hold => 3,
            Outcome::Refer => 4,
        }
    }
}

string_enum! {
    /// Something the lane must do besides the outcome.
    Action {
        AntigenSample = "antigen_sample",
        PcrSample = "pcr_sample",
        Escort = "escort",
        ClosedLoop = "closed_loop",
        PriorityLane = "priority_lane",
        HomeMonitoringNotice = "home_monitoring_notice",
        QuarantineTransfer = "quarantine_transfer",
        FeverClinic = "fever_clinic",
        ReportToCommand = "report_to_command",
        HoldingLot = "holding_lot",
    }
}

/// One fact a rule looked at, as the lane saw it (never an identity number, name or phone).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Fact {
    /// The condition's name in the policy, such as `health_code`.
    pub name: String,
    pub value: String,
}

/// A temperature in degrees Celsius, between 30.0 and 45.0, kept to a tenth of a degree.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize)]
#[serde(into = "f64")]
pub struct Temperature(i16);

impl Temperature {
    pub fn parse(c: f64) -> Result<Self, FieldError> {
        if !c.is_finite() || !(30.0..=45.0).contains(&c) {
            return Err(FieldError::new(
                "out_of_range",
                "",
                format!("{c} °C is not a body temperature; expected 30.0 to 45.0"),
            ));
        }
        Ok(Self((c * 10.0).round() as i16))
    }

    pub fn from_tenths(t: i16) -> Self {
        Self(t)
    }

    pub fn tenths(self) -> i16 {
        self.0
    }

    pub fn celsius(self) -> f64 {
        f64::from(self.0) / 10.0
    }
}

impl From<Temperature> for f64 {
    fn from(t: Temperature) -> f64 {
        t.celsius()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct LatestTest {
    pub kind: TestKind,
    pub taken_at: DateTime<FixedOffset>,
    pub result: TestResult,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Vehicle {
    #[schema(value_type = String, example = "冀A12345")]
    pub plate: Plate,
    pub plate_color: PlateColor,
    pub class: VehicleClass,
    /// Carries a freight pass (重点物资运输车辆通行证).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub freight_pass: bool,
    /// What that pass says the vehicle carries (only with `freight_pass`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub goods: Option<GoodsCategory>,
}

/// One person in a passage. The personal data serialises masked.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Occupant {
    #[serde(flatten)]
    #[schema(inline, value_type = crate::person::MaskedPerson)]
    pub person: PersonalData,
    pub role: Role,
    #[schema(value_type = Option<f64>)]
    pub temperature_c: Option<Temperature>,
    pub health_code: HealthCode,
    pub latest_test: Option<LatestTest>,
    /// Places visited in the last 14 days, as division codes.
    #[schema(value_type = Vec<String>)]
    pub visited: Vec<DivisionCode>,
}

/// Why the lane decided as it did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Reason {
    /// Machine code of the reason, such as `no_policy_loaded`.
    pub code: String,
    /// The rule that produced it, if a policy is loaded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// Index of the occupant it concerns, if one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occupant: Option<usize>,
    /// The outcome this reason leads to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    pub message: String,
    /// The facts the rule used.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub facts: Vec<Fact>,
}

/// The decision at the lane, with the policy version and reasons that produced it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Decision {
    pub outcome: Outcome,
    /// The policy version in force (`null` when none was).
    pub policy_version: Option<String>,
    pub reasons: Vec<Reason>,
    /// What the lane must do besides the outcome, such as `escort` or `pcr_sample`.
    #[serde(default)]
    pub actions: Vec<Action>,
}

impl Decision {
    /// The decision while no policy is loaded: pass, and say so.
    pub fn no_policy() -> Self {
        Decision {
            outcome: Outcome::Pass,
            policy_version: None,
            reasons: vec![Reason {
                code: "no_policy_loaded".into(),
                rule: None,
                occupant: None,
                outcome: Some(Outcome::Pass),
                message:
                    "未加载检查策略，默认放行 / No checkpoint policy is loaded; passed by default"
                        .into(),
                facts: Vec::new(),
            }],
            actions: Vec::new(),
        }
    }
}

/// A registration, parsed and valid, not yet recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct PassageDraft {
    pub id: Uuid,
    pub checkpoint: CheckpointCode,
    pub lane: u16,
    pub direction: Direction,
    pub observed_at: DateTime<FixedOffset>,
    pub vehicle: Option<Vehicle>,
    pub origin: Option<DivisionCode>,
    pub destination: Option<DivisionCode>,
    pub occupants: Vec<Occupant>,
    /// The earlier passage this one corrects, if it is a correction.
    pub supersedes: Option<Uuid>,
}

/// A recorded passage as the registry holds it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Passage {
    pub id: Uuid,
    #[schema(value_type = String, example = "CP-130100-0001")]
    pub checkpoint: CheckpointCode,
    pub lane: u16,
    pub direction: Direction,
    pub observed_at: DateTime<FixedOffset>,
    /// When the registry first recorded it.
    pub recorded_at: DateTime<FixedOffset>,
    pub vehicle: Option<Vehicle>,
    #[schema(value_type = Option<String>)]
    pub origin: Option<DivisionCode>,
    #[schema(value_type = Option<String>)]
    pub destination: Option<DivisionCode>,
    pub occupants: Vec<Occupant>,
    pub decision: Decision,
    /// The earlier passage this one corrects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supersedes: Option<Uuid>,
    /// The later passage that corrects this one: this one no longer holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub superseded_by: Option<Uuid>,
}

impl Passage {
    pub fn new(
        draft: PassageDraft,
        recorded_at: DateTime<FixedOffset>,
        decision: Decision,
    ) -> Self {
        Passage {
            id: draft.id,
            checkpoint: draft.checkpoint,
            lane: draft.lane,
            direction: draft.direction,
            observed_at: draft.observed_at,
            recorded_at,
            vehicle: draft.vehicle,
            origin: draft.origin,
            destination: draft.destination,
            occupants: draft.occupants,
            decision,
            supersedes: draft.supersedes,
            superseded_by: None,
        }
    }

    /// Number of persons in the passage.
    pub fn persons(&self) -> usize {
        self.occupants.len()
    }
}

/// One point of a trajectory: where and when a person or vehicle was seen.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct TrajectoryPoint {
    pub passage: Uuid,
    #[schema(value_type = String)]
    pub checkpoint: CheckpointCode,
    pub lane: u16,
    pub direction: Direction,
    pub observed_at: DateTime<FixedOffset>,
    #[schema(value_type = Option<String>)]
    pub plate: Option<Plate>,
    /// The person's role in that passage (person trajectories only).
    pub role: Option<Role>,
    pub outcome: Outcome,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temperatures_keep_a_tenth() {
        assert_eq!(Temperature::parse(36.54).unwrap().celsius(), 36.5);
        assert!(Temperature::parse(29.9).is_err());
        assert!(Temperature::parse(45.1).is_err());
        assert!(Temperature::parse(f64::NAN).is_err());
        assert_eq!(Temperature::parse(37.3).unwrap().tenths(), 373);
    }

    #[test]
    fn the_default_decision_says_why() {
        let d = Decision::no_policy();
        assert_eq!(d.outcome, Outcome::Pass);
        assert_eq!(d.reasons[0].code, "no_policy_loaded");
    }
}
