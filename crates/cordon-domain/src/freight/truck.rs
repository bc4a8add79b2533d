//! A truck in a holding lot and the steps it goes through, each with who, when and why, none
//! skipped: checked in at the gate (linked to the lane's passage that sent it, when one did),
//! parked in a bay, sampled (an antigen cassette, and a PCR swab when its tube is given), the
//! antigen read no sooner than 15 minutes after, then released (on which result), its goods
//! handed over point to point to a local vehicle, escorted out, its driver taken to isolation,
//! or turned back before it was tested. A PCR result may come later, in the lot or after the
//! truck left: a positive one bars release and raises an alert when the truck has gone.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::checkpoint::{string_enum, CheckpointCode};
use crate::command::directive::text;
use crate::contact::MobileNumber;
use crate::person::PersonName;
use crate::plate::Plate;
use crate::testing::Barcode;
use crate::FieldError;

/// How long an antigen cassette develops before it is read.
pub const ANTIGEN_WAIT_MS: i64 = 15 * 60_000;
/// How far back a lane's passage sends a truck to a lot.
pub const SENT_WITHIN_MS: i64 = 24 * 3_600_000;

string_enum! {
    /// Where a truck stands in the lot.
    TruckState {
        Arrived = "arrived",
        InBay = "in_bay",
        Sampled = "sampled",
        AntigenNegative = "antigen_negative",
        AntigenPositive = "antigen_positive",
        Released = "released",
        HandedOver = "handed_over",
        EscortedOut = "escorted_out",
        DriverIsolated = "driver_isolated",
        TurnedBack = "turned_back",
    }
}

impl TruckState {
    /// The truck has left the lot's flow (its bay is free again).
    pub fn is_final(self) -> bool {
        matches!(
            self,
            TruckState::Released
                | TruckState::HandedOver
                | TruckState::EscortedOut
                | TruckState::DriverIsolated
                | TruckState::TurnedBack
        )
    }
}

string_enum! {
    /// A step a truck takes.
    LotStep {
        CheckIn = "check_in",
        Park = "park",
        Sample = "sample",
        Antigen = "antigen",
        Pcr = "pcr",
        Release = "release",
        HandOver = "hand_over",
        EscortOut = "escort_out",
        Isolate = "isolate",
        TurnBack = "turn_back",
    }
}

string_enum! {
    /// A test's reading.
    LotReading { Negative = "negative", Positive = "positive" }
}

string_enum! {
    /// What a release rested on: a negative antigen test with the PCR still at the lab
    /// (即采即走即追), a negative antigen test with no PCR taken, or a negative PCR.
    ReleasedOn {
        AntigenNegativePcrPending = "antigen_negative_pcr_pending",
        AntigenNegative = "antigen_negative",
        PcrNegative = "pcr_negative",
    }
}

/// A driver as the gate or a hand-over records them.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DriverRequest {
    pub name: String,
    /// A mainland mobile number.
    pub phone: String,
}

/// A checked driver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Driver {
    pub name: PersonName,
    pub phone: MobileNumber,
}

/// A driver as shown: masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DriverShown {
    pub name: String,
    pub phone: String,
}

impl Driver {
    pub fn masked(&self) -> DriverShown {
        DriverShown {
            name: self.name.masked(),
            phone: self.phone.masked(),
        }
    }
    pub fn clear(&self) -> DriverShown {
        DriverShown {
            name: self.name.expose().to_owned(),
            phone: self.phone.expose().to_owned(),
        }
    }
}

impl DriverRequest {
    pub fn parse(&self, at: &str) -> Result<Driver, Vec<FieldError>> {
        let name = PersonName::parse(&self.name).map_err(|e| e.under(&format!("{at}.name")));
        let phone = MobileNumber::parse(&self.phone).map_err(|e| e.under(&format!("{at}.phone")));
        match (name, phone) {
            (Ok(name), Ok(phone)) => Ok(Driver { name, phone }),
            (n, p) => Err([n.err(), p.err()].into_iter().flatten().collect()),
        }
    }
}

/// A truck at the gate.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckInRequest {
    /// As scanned or typed, such as `鄂A12345`.
    pub plate: String,
    /// The driver, when the gate takes their name and phone (a truck sent by a lane has its
    /// occupants in the passage already).
    #[serde(default)]
    pub driver: Option<DriverRequest>,
}

/// A checked check-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckIn {
    pub plate: Plate,
    pub driver: Option<Driver>,
}

impl CheckInRequest {
    pub fn parse(&self) -> Result<CheckIn, Vec<FieldError>> {
        let plate = Plate::parse(&self.plate).map_err(|e| vec![e.under("plate")]);
        let driver = self.driver.as_ref().map(|d| d.parse("driver")).transpose();
        match (plate, driver) {
            (Ok(plate), Ok(driver)) => Ok(CheckIn { plate, driver }),
            (p, d) => Err([p.err(), d.err()].into_iter().flatten().flatten().collect()),
        }
    }
}

/// A step as asked for: `step` and the fields it takes.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TruckStepRequest {
    pub step: LotStep,
    /// `park`: the bay.
    #[serde(default)]
    pub bay: Option<u32>,
    /// `sample`: the PCR tube's code when a PCR swab is taken as well.
    #[serde(default)]
    pub pcr_tube: Option<String>,
    /// `antigen`, `pcr`: the reading.
    #[serde(default)]
    pub result: Option<LotReading>,
    /// `hand_over`: the local vehicle taking the goods.
    #[serde(default)]
    pub local_plate: Option<String>,
    /// `hand_over`: its driver.
    #[serde(default)]
    pub local_driver: Option<DriverRequest>,
    /// `escort_out`: where to.
    #[serde(default)]
    pub destination: Option<String>,
    /// Why: required to isolate a driver or turn a truck back; up to 200 characters.
    #[serde(default)]
    pub why: Option<String>,
}

/// A checked step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Park { bay: u32 },
    Sample { pcr_tube: Option<String> },
    Antigen(LotReading),
    Pcr(LotReading),
    Release,
    HandOver { plate: Plate, driver: Driver },
    EscortOut { destination: String },
    Isolate,
    TurnBack,
}

impl Step {
    pub fn kind(&self) -> LotStep {
        match self {
            Step::Park { .. } => LotStep::Park,
            Step::Sample { .. } => LotStep::Sample,
            Step::Antigen(_) => LotStep::Antigen,
            Step::Pcr(_) => LotStep::Pcr,
            Step::Release => LotStep::Release,
            Step::HandOver { .. } => LotStep::HandOver,
            Step::EscortOut { .. } => LotStep::EscortOut,
            Step::Isolate => LotStep::Isolate,
            Step::TurnBack => LotStep::TurnBack,
        }
    }
}

fn required(field: &str) -> FieldError {
    FieldError::new("required", field, "this is required for this step")
}

/// A tube code, read as the testing records read a barcode (6 to 32 letters, digits or '-',
/// kept in upper case), so that the lab's release finds the truck by it.
fn tube(s: &str) -> Result<String, FieldError> {
    Barcode::parse(s)
        .map(|b| b.as_str().to_owned())
        .map_err(|_| {
            FieldError::new(
                "invalid_tube",
                "pcr_tube",
                "a tube code is 6 to 32 letters, digits or '-'",
            )
        })
}

/// Why a PCR result is not entered by hand for a tube the testing records hold: the lab's
/// release records it on the truck.
pub fn pcr_at_lab() -> FieldError {
    FieldError::new(
        "pcr_at_lab",
        "result",
        "this truck's tube is in the testing records: its PCR result comes with the lab's release",
    )
}

impl TruckStepRequest {
    /// The step and its reason (`why`, trimmed; required to isolate or turn back).
    pub fn parse(&self) -> Result<(Step, Option<String>), Vec<FieldError>> {
        let why = match self.why.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(w) => Some(text(w, "why", 200, false).map_err(|e| vec![e])?),
        };
        let one = |e: FieldError| vec![e];
        let step = match self.step {
            LotStep::CheckIn => {
                return Err(one(FieldError::new(
                    "invalid_value",
                    "step",
                    "a truck is checked in at the gate (POST …/trucks), not as a step",
                )))
            }
            LotStep::Park => Step::Park {
                bay: self.bay.ok_or_else(|| one(required("bay")))?,
            },
            LotStep::Sample => Step::Sample {
                pcr_tube: self
                    .pcr_tube
                    .as_deref()
                    .map(tube)
                    .transpose()
                    .map_err(one)?,
            },
            LotStep::Antigen => Step::Antigen(self.result.ok_or_else(|| one(required("result")))?),
            LotStep::Pcr => Step::Pcr(self.result.ok_or_else(|| one(required("result")))?),
            LotStep::Release => Step::Release,
            LotStep::HandOver => {
                let plate = match self.local_plate.as_deref() {
                    Some(p) => Plate::parse(p).map_err(|e| vec![e.under("local_plate")]),
                    None => Err(vec![required("local_plate")]),
                };
                let driver = match &self.local_driver {
                    Some(d) => d.parse("local_driver"),
                    None => Err(vec![required("local_driver")]),
                };
                match (plate, driver) {
                    (Ok(plate), Ok(driver)) => Step::HandOver { plate, driver },
                    (p, d) => {
                        return Err([p.err(), d.err()].into_iter().flatten().flatten().collect())
                    }
                }
            }
            LotStep::EscortOut => Step::EscortOut {
                destination: text(
                    self.destination.as_deref().unwrap_or(""),
                    "destination",
                    100,
                    false,
                )
                .map_err(one)?,
            },
            LotStep::Isolate | LotStep::TurnBack if why.is_none() => {
                return Err(one(FieldError::new(
                    "required",
                    "why",
                    "say why: it is kept with the step",
                )))
            }
            LotStep::Isolate => Step::Isolate,
            LotStep::TurnBack => Step::TurnBack,
        };
        Ok((step, why))
    }
}

/// What a truck's record holds that decides which steps it may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TruckFacts {
    pub state: TruckState,
    pub sampled_ms: Option<i64>,
    pub pcr_taken: bool,
    pub pcr: Option<LotReading>,
}

/// The steps a truck in `state` may take next (for the board's buttons and the refusal).
pub fn next_steps(f: &TruckFacts) -> Vec<LotStep> {
    use TruckState as S;
    let mut out = match f.state {
        S::Arrived => vec![LotStep::Park, LotStep::TurnBack],
        S::InBay => vec![LotStep::Sample, LotStep::Park, LotStep::TurnBack],
        S::Sampled => vec![LotStep::Antigen, LotStep::Sample],
        S::AntigenNegative if f.pcr == Some(LotReading::Positive) => vec![LotStep::Isolate],
        S::AntigenNegative => vec![LotStep::Release, LotStep::HandOver, LotStep::EscortOut],
        S::AntigenPositive => vec![LotStep::Isolate],
        _ => Vec::new(),
    };
    if f.pcr_taken && f.pcr.is_none() && f.state != S::DriverIsolated {
        out.push(LotStep::Pcr);
    }
    out
}

/// The state a step leads to, or why it may not be taken now.
pub fn advance(f: &TruckFacts, step: &Step, now_ms: i64) -> Result<TruckState, FieldError> {
    use TruckState as S;
    let kind = step.kind();
    if !next_steps(f).contains(&kind) {
        if f.state.is_final() && kind != LotStep::Pcr {
            return Err(FieldError::new(
                "truck_gone",
                "step",
                format!("this truck has left the lot ({})", f.state.as_str()),
            ));
        }
        let next: Vec<&str> = next_steps(f).iter().map(|s| s.as_str()).collect();
        return Err(FieldError::new(
            "truck_out_of_order",
            "step",
            format!(
                "a truck {} cannot take the step {} now; next: {}",
                f.state.as_str(),
                kind.as_str(),
                if next.is_empty() {
                    "none".to_owned()
                } else {
                    next.join(", ")
                }
            ),
        ));
    }
    Ok(match step {
        Step::Park { .. } => S::InBay,
        Step::Sample { .. } => S::Sampled,
        Step::Antigen(r) => {
            let ready = f.sampled_ms.unwrap_or(now_ms) + ANTIGEN_WAIT_MS;
            if now_ms < ready {
                let minutes = (ready - now_ms + 59_999) / 60_000;
                return Err(FieldError::new(
                    "too_early",
                    "result",
                    format!("the cassette is read 15 minutes after sampling: {minutes} more"),
                ));
            }
            match r {
                LotReading::Negative => S::AntigenNegative,
                LotReading::Positive => S::AntigenPositive,
            }
        }
        Step::Pcr(_) => f.state,
        Step::Release => S::Released,
        Step::HandOver { .. } => S::HandedOver,
        Step::EscortOut { .. } => S::EscortedOut,
        Step::Isolate => S::DriverIsolated,
        Step::TurnBack => S::TurnedBack,
    })
}

/// What a release rests on, given the PCR's state.
pub fn released_on(f: &TruckFacts) -> ReleasedOn {
    match (f.pcr_taken, f.pcr) {
        (_, Some(LotReading::Negative)) => ReleasedOn::PcrNegative,
        (true, None) => ReleasedOn::AntigenNegativePcrPending,
        _ => ReleasedOn::AntigenNegative,
    }
}

/// The local vehicle and driver the goods went to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct HandOverShown {
    pub plate: String,
    pub driver: DriverShown,
}

/// One step as kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TruckStep {
    pub step: LotStep,
    /// The state it led to.
    pub state: TruckState,
    pub at: DateTime<FixedOffset>,
    pub by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
    /// What the step recorded (never personal data): `check_in` the checkpoint whose lane sent
    /// the truck (none: it came directly), `park` the bay, `sample` the PCR tube (none: antigen
    /// only), `antigen` and `pcr` the reading, `release` what it rested on, `hand_over` the local
    /// vehicle's plate, `escort_out` where to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// A truck as the board shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Truck {
    pub id: i64,
    pub lot: i64,
    pub plate: String,
    pub state: TruckState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bay: Option<u32>,
    pub arrived_at: DateTime<FixedOffset>,
    pub changed_at: DateTime<FixedOffset>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sampled_at: Option<DateTime<FixedOffset>>,
    /// When the antigen cassette may be read (15 minutes after sampling), until it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub antigen_due: Option<DateTime<FixedOffset>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub antigen: Option<LotReading>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pcr_tube: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pcr: Option<LotReading>,
    /// The PCR tube is in the testing records: its result comes with the lab's release, not by
    /// hand.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pcr_at_lab: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub released_on: Option<ReleasedOn>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub left_at: Option<DateTime<FixedOffset>>,
    /// The lane's passage that sent it here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passage: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_checkpoint: Option<CheckpointCode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub driver: Option<DriverShown>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handed_to: Option<HandOverShown>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination: Option<String>,
    /// What it may do next.
    pub next: Vec<LotStep>,
    /// Its steps, oldest first (on a truck's own page).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<TruckStep>,
}

impl Truck {
    /// Marks the truck's PCR tube as one the testing records hold: its result is not entered by
    /// hand.
    pub fn at_lab(&mut self) {
        self.pcr_at_lab = true;
        self.next.retain(|s| *s != LotStep::Pcr);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(state: TruckState) -> TruckFacts {
        TruckFacts {
            state,
            sampled_ms: Some(0),
            pcr_taken: true,
            pcr: None,
        }
    }

    #[test]
    fn no_step_is_skipped() {
        let f = facts(TruckState::Arrived);
        let e = advance(&f, &Step::Release, 0).unwrap_err();
        assert_eq!(e.code, "truck_out_of_order");
        assert!(e.message.contains("next: park, turn_back"), "{}", e.message);
        assert_eq!(
            advance(&f, &Step::Park { bay: 3 }, 0).unwrap(),
            TruckState::InBay
        );
        let gone = advance(&facts(TruckState::Released), &Step::Park { bay: 1 }, 0).unwrap_err();
        assert_eq!(gone.code, "truck_gone");
    }

    #[test]
    fn the_cassette_is_read_after_fifteen_minutes() {
        let f = facts(TruckState::Sampled);
        let early = advance(&f, &Step::Antigen(LotReading::Negative), 14 * 60_000).unwrap_err();
        assert_eq!(
            (early.code.as_str(), early.field.as_str()),
            ("too_early", "result")
        );
        assert_eq!(
            advance(&f, &Step::Antigen(LotReading::Negative), ANTIGEN_WAIT_MS).unwrap(),
            TruckState::AntigenNegative
        );
    }

    #[test]
    fn a_positive_pcr_bars_release_and_sends_the_driver_to_isolation() {
        let mut f = facts(TruckState::AntigenNegative);
        assert_eq!(released_on(&f), ReleasedOn::AntigenNegativePcrPending);
        assert!(next_steps(&f).contains(&LotStep::Pcr));
        f.pcr = Some(LotReading::Positive);
        assert_eq!(next_steps(&f), [LotStep::Isolate]);
        assert!(advance(&f, &Step::Release, 0).is_err());
        // A PCR comes back after the truck left: recorded, the state unchanged.
        let gone = facts(TruckState::Released);
        assert_eq!(
            advance(&gone, &Step::Pcr(LotReading::Positive), 0).unwrap(),
            TruckState::Released
        );
    }

    #[test]
    fn isolating_or_turning_back_says_why() {
        let r = TruckStepRequest {
            step: LotStep::TurnBack,
            bay: None,
            pcr_tube: None,
            result: None,
            local_plate: None,
            local_driver: None,
            destination: None,
            why: Some("  ".into()),
        };
        assert_eq!(r.parse().unwrap_err()[0].field, "why");
        let h = TruckStepRequest {
            step: LotStep::HandOver,
            local_plate: Some("冀A1".into()),
            ..r
        };
        let fields: Vec<String> = h
            .parse()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["local_plate", "local_driver"]);
    }
}

/// What a truck's record shows of its driver, the hand-over and where it was escorted: masked
/// (kept as one JSON value beside the sealed clear ones).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TruckShown {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub driver: Option<DriverShown>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handed_to: Option<HandOverShown>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination: Option<String>,
}

/// A truck a lane sent to the lot in the last 24 hours that has not checked in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SentTruck {
    pub passage: Uuid,
    pub plate: String,
    pub checkpoint: CheckpointCode,
    pub checkpoint_name: String,
    pub observed_at: DateTime<FixedOffset>,
    pub persons: i64,
}
