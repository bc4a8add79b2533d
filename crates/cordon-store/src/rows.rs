//! Rows as the database returns them (plain columns) and their conversion into domain types.
//! Stored values were valid when written; they are parsed again on the way out, so corruption
//! is reported instead of passed on.

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone};
use cordon_domain::checkpoint::{
    Checkpoint, CheckpointCode, CheckpointKind, CheckpointStatus, DefenceLine, Jurisdiction,
    Location, StatusEvent,
};
use cordon_domain::contact::MobileNumber;
use cordon_domain::division::DivisionCode;
use cordon_domain::identity::{DocumentType, IdentityDocument};
use cordon_domain::passage::{
    Decision, Direction, HealthCode, LatestTest, Occupant, Outcome, Passage, Role, Temperature,
    TestKind, TestResult, TrajectoryPoint, Vehicle, VehicleClass,
};
use cordon_domain::person::{PersonName, PersonalData};
use cordon_domain::plate::{Plate, PlateColor};
use cordon_domain::FieldError;
use uuid::Uuid;

use crate::StoreError;

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

fn ok<T>(r: Result<T, FieldError>, what: &str) -> Result<T, StoreError> {
    r.map_err(|e| corrupt(what, e.code))
}

pub(crate) fn time(ms: i64, offset_s: i64) -> Result<DateTime<FixedOffset>, StoreError> {
    let offset =
        FixedOffset::east_opt(offset_s as i32).ok_or_else(|| corrupt("offset", offset_s))?;
    offset
        .timestamp_millis_opt(ms)
        .single()
        .ok_or_else(|| corrupt("time", ms))
}

pub(crate) fn china_time(ms: i64) -> Result<DateTime<FixedOffset>, StoreError> {
    time(ms, 8 * 3600)
}

fn division(code: i64) -> Result<DivisionCode, StoreError> {
    ok(DivisionCode::parse(&format!("{code:06}")), "division code")
}

pub(crate) fn division_int(code: DivisionCode) -> i64 {
    i64::from(code.value())
}

pub(crate) struct JurisdictionRow {
    pub code: i64,
    pub name: String,
    pub level: String,
}

impl JurisdictionRow {
    pub fn into_domain(self) -> Result<Jurisdiction, StoreError> {
        let code = division(self.code)?;
        let level = serde_json::from_value(serde_json::Value::String(self.level))
            .map_err(|e| corrupt("level", e))?;
        Ok(Jurisdiction {
            code,
            name: self.name,
            level,
            parent: code.parent(),
        })
    }
}

pub(crate) struct CheckpointRow {
    pub code: String,
    pub name: String,
    pub jurisdiction: i64,
    pub kind: String,
    pub defence_line: String,
    pub lat: f64,
    pub lon: f64,
    pub lanes: i64,
    pub cameras: i64,
    pub status: String,
    pub status_changed_at: i64,
}

impl CheckpointRow {
    pub fn into_domain(self) -> Result<Checkpoint, StoreError> {
        Ok(Checkpoint {
            code: ok(CheckpointCode::parse(&self.code), "checkpoint code")?,
            name: self.name,
            jurisdiction: division(self.jurisdiction)?,
            kind: ok(CheckpointKind::parse(&self.kind), "kind")?,
            defence_line: ok(DefenceLine::parse(&self.defence_line), "defence line")?,
            location: Location {
                lat: self.lat,
                lon: self.lon,
            },
            lanes: u16::try_from(self.lanes).map_err(|e| corrupt("lanes", e))?,
            cameras: u16::try_from(self.cameras).map_err(|e| corrupt("cameras", e))?,
            status: ok(CheckpointStatus::parse(&self.status), "status")?,
            status_changed_at: china_time(self.status_changed_at)?,
        })
    }
}

pub(crate) struct StatusEventRow {
    pub code: String,
    pub status: String,
    pub reason: String,
    pub actor: String,
    pub at: i64,
}

impl StatusEventRow {
    pub fn into_domain(self) -> Result<StatusEvent, StoreError> {
        Ok(StatusEvent {
            checkpoint: ok(CheckpointCode::parse(&self.code), "checkpoint code")?,
            status: ok(CheckpointStatus::parse(&self.status), "status")?,
            reason: self.reason,
            actor: self.actor,
            at: china_time(self.at)?,
        })
    }
}

pub(crate) struct PassageRow {
    pub id: Uuid,
    pub checkpoint: String,
    pub lane: i64,
    pub direction: String,
    pub observed_at: i64,
    pub observed_offset: i64,
    pub recorded_at: i64,
    pub plate: Option<String>,
    pub plate_color: Option<String>,
    pub vehicle_class: Option<String>,
    pub origin: Option<i64>,
    pub destination: Option<i64>,
    pub decision: String,
}

pub(crate) struct OccupantRow {
    pub passage_id: Uuid,
    pub doc_type: String,
    pub doc_number: String,
    pub name: String,
    pub phone: Option<String>,
    pub role: String,
    pub temperature: Option<i64>,
    pub health_code: String,
    pub test_kind: Option<String>,
    pub test_taken_at: Option<i64>,
    pub test_offset: Option<i64>,
    pub test_result: Option<String>,
    pub visited: String,
}

/// Stored birth dates were checked against the day they were written; reading them back must
/// not depend on today's date.
fn far_future() -> NaiveDate {
    NaiveDate::from_ymd_opt(9999, 12, 31).expect("valid date")
}

impl OccupantRow {
    fn into_domain(self) -> Result<Occupant, StoreError> {
        let kind = ok(DocumentType::parse(&self.doc_type), "document type")?;
        let latest_test = match (self.test_kind, self.test_taken_at, self.test_result) {
            (Some(k), Some(t), Some(r)) => Some(LatestTest {
                kind: ok(TestKind::parse(&k), "test kind")?,
                taken_at: time(t, self.test_offset.unwrap_or(8 * 3600))?,
                result: ok(TestResult::parse(&r), "test result")?,
            }),
            _ => None,
        };
        let visited = if self.visited.is_empty() {
            Vec::new()
        } else {
            self.visited
                .split(',')
                .map(|v| ok(DivisionCode::parse(v), "visited"))
                .collect::<Result<_, _>>()?
        };
        Ok(Occupant {
            person: PersonalData {
                document: ok(
                    IdentityDocument::parse_at(kind, &self.doc_number, far_future()),
                    "document",
                )?,
                name: ok(PersonName::parse(&self.name), "name")?,
                phone: self
                    .phone
                    .map(|p| ok(MobileNumber::parse(&p), "phone"))
                    .transpose()?,
            },
            role: ok(Role::parse(&self.role), "role")?,
            temperature_c: self.temperature.map(|t| Temperature::from_tenths(t as i16)),
            health_code: ok(HealthCode::parse(&self.health_code), "health code")?,
            latest_test,
            visited,
        })
    }
}

fn vehicle(
    plate: Option<String>,
    color: Option<String>,
    class: Option<String>,
) -> Result<Option<Vehicle>, StoreError> {
    match (plate, color, class) {
        (Some(p), Some(c), Some(k)) => Ok(Some(Vehicle {
            plate: ok(Plate::parse(&p), "plate")?,
            plate_color: ok(PlateColor::parse(&c), "plate colour")?,
            class: ok(VehicleClass::parse(&k), "vehicle class")?,
        })),
        _ => Ok(None),
    }
}

/// Joins passage rows with their occupant rows (ordered by passage, then seq).
pub(crate) fn assemble(
    passages: Vec<PassageRow>,
    occupants: Vec<OccupantRow>,
) -> Result<Vec<Passage>, StoreError> {
    let mut by_passage: std::collections::HashMap<Uuid, Vec<Occupant>> =
        std::collections::HashMap::with_capacity(passages.len());
    for o in occupants {
        let id = o.passage_id;
        by_passage.entry(id).or_default().push(o.into_domain()?);
    }
    passages
        .into_iter()
        .map(|p| {
            let decision: Decision =
                serde_json::from_str(&p.decision).map_err(|e| corrupt("decision", e))?;
            Ok(Passage {
                id: p.id,
                checkpoint: ok(CheckpointCode::parse(&p.checkpoint), "checkpoint code")?,
                lane: u16::try_from(p.lane).map_err(|e| corrupt("lane", e))?,
                direction: ok(Direction::parse(&p.direction), "direction")?,
                observed_at: time(p.observed_at, p.observed_offset)?,
                recorded_at: china_time(p.recorded_at)?,
                vehicle: vehicle(p.plate, p.plate_color, p.vehicle_class)?,
                origin: p.origin.map(division).transpose()?,
                destination: p.destination.map(division).transpose()?,
                occupants: by_passage.remove(&p.id).unwrap_or_default(),
                decision,
            })
        })
        .collect()
}

pub(crate) struct TrajectoryRow {
    pub passage: Uuid,
    pub checkpoint: String,
    pub lane: i64,
    pub direction: String,
    pub observed_at: i64,
    pub observed_offset: i64,
    pub plate: Option<String>,
    pub role: Option<String>,
    pub outcome: String,
}

impl TrajectoryRow {
    pub fn into_domain(self) -> Result<TrajectoryPoint, StoreError> {
        Ok(TrajectoryPoint {
            passage: self.passage,
            checkpoint: ok(CheckpointCode::parse(&self.checkpoint), "checkpoint code")?,
            lane: u16::try_from(self.lane).map_err(|e| corrupt("lane", e))?,
            direction: ok(Direction::parse(&self.direction), "direction")?,
            observed_at: time(self.observed_at, self.observed_offset)?,
            plate: self
                .plate
                .map(|p| ok(Plate::parse(&p), "plate"))
                .transpose()?,
            role: self.role.map(|r| ok(Role::parse(&r), "role")).transpose()?,
            outcome: ok(Outcome::parse(&self.outcome), "outcome")?,
        })
    }
}

/// The visited list as stored: comma-separated codes.
pub(crate) fn visited_text(o: &Occupant) -> String {
    o.visited
        .iter()
        .map(|c| c.to_string())
        .collect::<Vec<_>>()
        .join(",")
}
