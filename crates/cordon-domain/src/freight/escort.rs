//! Escorts: a police escort from a checkpoint to a destination, assigned by the command: a
//! lost supplies driver guided to the logistics base, a medical team, a patient's emergency
//! lane, returning workers' buses. Each has its vehicles, officers, planned route and arrival,
//! and goes assigned → under way → handed over (confirmed at the destination: who received it)
//! → done, or is cancelled with a reason before it is handed over; each step with who, when and
//! what was said, none skipped.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::checkpoint::{string_enum, CheckpointCode};
use crate::command::directive::text;
use crate::plate::Plate;
use crate::FieldError;

/// Most vehicles one escort leads (a convoy of buses).
pub const MAX_VEHICLES: usize = 60;
/// Most officers on one escort.
pub const MAX_OFFICERS: usize = 12;
/// The furthest ahead an arrival may be planned.
const MAX_AHEAD_MS: i64 = 7 * 86_400_000;

string_enum! {
    /// What is escorted: a supplies vehicle guided to its base, a medical team, a patient's
    /// emergency lane, returning workers' buses.
    EscortKind {
        SuppliesGuide = "supplies_guide",
        MedicalTeam = "medical_team",
        EmergencyLane = "emergency_lane",
        ReturningWorkers = "returning_workers",
    }
}

string_enum! {
    /// Where an escort is.
    EscortState {
        Assigned = "assigned",
        UnderWay = "under_way",
        HandedOver = "handed_over",
        Done = "done",
        Cancelled = "cancelled",
    }
}

impl EscortState {
    pub fn is_final(self) -> bool {
        matches!(self, EscortState::Done | EscortState::Cancelled)
    }
}

/// An escort as the command assigns it.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EscortRequest {
    pub kind: EscortKind,
    /// The checkpoint it leaves from (its officers work there).
    #[schema(example = "CP-130100-0001")]
    pub checkpoint: String,
    /// The holding lot it leaves from, when a lot's trucks are escorted out.
    #[serde(default)]
    pub lot: Option<i64>,
    /// Where it goes (a logistics base, a hospital, a quarantine hotel), 1 to 200 characters.
    pub destination: String,
    /// The planned route, 1 to 500 characters.
    pub route: String,
    /// The escorted vehicles' plates (1 to 60).
    pub vehicles: Vec<String>,
    /// The escorting officers (names or call signs, 1 to 12).
    pub officers: Vec<String>,
    /// Persons carried, if counted (419 returning workers).
    #[serde(default)]
    pub persons: Option<u32>,
    pub planned_arrival: DateTime<FixedOffset>,
    #[serde(default)]
    pub note: Option<String>,
}

/// A checked escort, not yet stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EscortDraft {
    pub kind: EscortKind,
    pub checkpoint: CheckpointCode,
    pub lot: Option<i64>,
    pub destination: String,
    pub route: String,
    pub vehicles: Vec<Plate>,
    pub officers: Vec<String>,
    pub persons: Option<u32>,
    pub planned_arrival_ms: i64,
    pub note: Option<String>,
}

impl EscortRequest {
    /// Checks every field against now, each mistake with its path.
    pub fn parse(&self, now_ms: i64) -> Result<EscortDraft, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut keep = |r: Result<String, FieldError>| r.map_err(|e| errors.push(e)).ok();
        let destination = keep(text(&self.destination, "destination", 200, false));
        let route = keep(text(&self.route, "route", 500, true));
        let note = match self.note.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(n) => keep(text(n, "note", 500, true)).map(Some),
        };
        let mut officers = Vec::new();
        for (i, o) in self.officers.iter().enumerate() {
            if let Some(o) = keep(text(o, &format!("officers[{i}]"), 40, false)) {
                officers.push(o);
            }
        }
        let checkpoint = CheckpointCode::parse(&self.checkpoint)
            .map_err(|e| errors.push(e.under("checkpoint")))
            .ok();
        let mut vehicles: Vec<Plate> = Vec::new();
        for (i, v) in self.vehicles.iter().enumerate() {
            match Plate::parse(v) {
                Ok(p) if !vehicles.contains(&p) => vehicles.push(p),
                Ok(_) => {}
                Err(e) => errors.push(e.under(&format!("vehicles[{i}]"))),
            }
        }
        if self.vehicles.is_empty() || self.vehicles.len() > MAX_VEHICLES {
            errors.push(FieldError::new(
                "out_of_range",
                "vehicles",
                format!("an escort leads 1 to {MAX_VEHICLES} vehicles"),
            ));
        }
        if self.officers.is_empty() || self.officers.len() > MAX_OFFICERS {
            errors.push(FieldError::new(
                "out_of_range",
                "officers",
                format!("an escort has 1 to {MAX_OFFICERS} officers"),
            ));
        }
        if self.persons.is_some_and(|p| p == 0 || p > 10_000) {
            errors.push(FieldError::new(
                "out_of_range",
                "persons",
                "persons carried: 1 to 10,000, or leave it out",
            ));
        }
        if self.lot.is_some_and(|l| l <= 0) {
            errors.push(FieldError::new(
                "unknown_lot",
                "lot",
                "no such lot in your jurisdiction",
            ));
        }
        let arrival = self.planned_arrival.timestamp_millis();
        if arrival < now_ms - 3_600_000 || arrival > now_ms + MAX_AHEAD_MS {
            errors.push(FieldError::new(
                "out_of_range",
                "planned_arrival",
                "the arrival is planned from an hour ago to a week ahead",
            ));
        }
        match (checkpoint, destination, route, note) {
            (Some(checkpoint), Some(destination), Some(route), Some(note)) if errors.is_empty() => {
                Ok(EscortDraft {
                    kind: self.kind,
                    checkpoint,
                    lot: self.lot,
                    destination,
                    route,
                    vehicles,
                    officers,
                    persons: self.persons,
                    planned_arrival_ms: arrival,
                    note,
                })
            }
            _ => Err(errors),
        }
    }
}

string_enum! {
    /// A step of an escort.
    EscortStepKind {
        Start = "start",
        HandOver = "hand_over",
        Finish = "finish",
        Cancel = "cancel",
    }
}

/// A step as asked: handing over names who received it at the destination; cancelling says
/// why; any step may carry a note.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EscortStepRequest {
    pub step: EscortStepKind,
    /// Handing over: who received it (unit and person), 1 to 100 characters.
    #[serde(default)]
    pub received_by: Option<String>,
    /// Cancelling: why, 1 to 500 characters; otherwise an optional note.
    #[serde(default)]
    pub note: Option<String>,
}

/// A checked step: what it records beside who and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EscortStep {
    pub step: EscortStepKind,
    pub said: Option<String>,
}

impl EscortStepRequest {
    pub fn parse(&self) -> Result<EscortStep, FieldError> {
        let said = match self.step {
            EscortStepKind::HandOver => Some(text(
                self.received_by.as_deref().unwrap_or(""),
                "received_by",
                100,
                false,
            )?),
            EscortStepKind::Cancel => {
                Some(text(self.note.as_deref().unwrap_or(""), "note", 500, true)?)
            }
            _ => match self.note.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(n) => Some(text(n, "note", 500, true)?),
            },
        };
        Ok(EscortStep {
            step: self.step,
            said,
        })
    }
}

/// Where a step takes an escort in `from`: `escort_out_of_order` for a step out of turn,
/// `escort_closed` once it is done or cancelled.
pub fn advance(from: EscortState, step: EscortStepKind) -> Result<EscortState, FieldError> {
    use EscortState as S;
    use EscortStepKind as K;
    if from.is_final() {
        return Err(FieldError::new(
            "escort_closed",
            "step",
            "this escort is over: nothing more is recorded",
        ));
    }
    match (from, step) {
        (S::Assigned, K::Start) => Ok(S::UnderWay),
        (S::UnderWay, K::HandOver) => Ok(S::HandedOver),
        (S::HandedOver, K::Finish) => Ok(S::Done),
        (S::Assigned | S::UnderWay, K::Cancel) => Ok(S::Cancelled),
        _ => Err(FieldError::new(
            "escort_out_of_order",
            "step",
            format!(
                "an escort {} cannot take the step {}",
                from.as_str(),
                step.as_str()
            ),
        )),
    }
}

/// The steps an escort in `state` may take next.
pub fn next_steps(state: EscortState) -> Vec<EscortStepKind> {
    EscortStepKind::ALL
        .iter()
        .copied()
        .filter(|k| advance(state, *k).is_ok())
        .collect()
}

/// A step as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EscortStepShown {
    pub step: EscortStepKind,
    pub by: String,
    pub at: DateTime<FixedOffset>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub said: Option<String>,
}

/// An escort as its users see it (no personal data: plates, officers' names, places).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Escort {
    pub id: i64,
    pub kind: EscortKind,
    #[schema(value_type = String)]
    pub checkpoint: CheckpointCode,
    pub checkpoint_name: String,
    /// The holding lot it leaves from, when it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lot: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lot_name: Option<String>,
    pub destination: String,
    pub route: String,
    pub vehicles: Vec<String>,
    pub officers: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub persons: Option<u32>,
    pub planned_arrival: DateTime<FixedOffset>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub state: EscortState,
    /// Not yet handed over, and past its planned arrival.
    pub late: bool,
    pub next: Vec<EscortStepKind>,
    pub steps: Vec<EscortStepShown>,
    pub assigned_by: String,
    pub assigned_at: DateTime<FixedOffset>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::from_ms;

    const NOW: i64 = 1_651_536_900_000;

    fn request() -> EscortRequest {
        EscortRequest {
            kind: EscortKind::ReturningWorkers,
            checkpoint: "CP-130100-0001".into(),
            lot: None,
            destination: "石家庄市隔离酒店".into(),
            route: "京港澳高速 → 二环".into(),
            vehicles: vec!["冀A12345".into(), "冀A12346".into()],
            officers: vec!["王警官".into()],
            persons: Some(419),
            planned_arrival: from_ms(NOW + 2 * 3_600_000),
            note: None,
        }
    }

    #[test]
    fn an_escort_goes_step_by_step_and_no_step_is_skipped() {
        use EscortState as S;
        use EscortStepKind as K;
        assert_eq!(advance(S::Assigned, K::Start), Ok(S::UnderWay));
        assert_eq!(advance(S::UnderWay, K::HandOver), Ok(S::HandedOver));
        assert_eq!(advance(S::HandedOver, K::Finish), Ok(S::Done));
        assert_eq!(advance(S::UnderWay, K::Cancel), Ok(S::Cancelled));
        assert_eq!(
            advance(S::Assigned, K::HandOver).unwrap_err().code,
            "escort_out_of_order"
        );
        assert_eq!(
            advance(S::HandedOver, K::Cancel).unwrap_err().code,
            "escort_out_of_order"
        );
        assert_eq!(
            advance(S::Done, K::Finish).unwrap_err().code,
            "escort_closed"
        );
        assert_eq!(next_steps(S::Assigned), [K::Start, K::Cancel]);
        assert!(next_steps(S::Cancelled).is_empty());
        let hand = EscortStepRequest {
            step: K::HandOver,
            received_by: None,
            note: None,
        };
        assert_eq!(hand.parse().unwrap_err().field, "received_by");
    }

    #[test]
    fn a_request_is_checked_field_by_field() {
        assert_eq!(request().parse(NOW).unwrap().vehicles.len(), 2);
        let mut r = request();
        r.checkpoint = "CP-1".into();
        r.vehicles = vec!["冀".into()];
        r.officers = vec![];
        r.persons = Some(0);
        r.planned_arrival = from_ms(NOW + 30 * 86_400_000);
        r.destination = " ".into();
        let fields: Vec<String> = r
            .parse(NOW)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "destination",
                "checkpoint",
                "vehicles[0]",
                "officers",
                "persons",
                "planned_arrival"
            ]
        );
    }
}
