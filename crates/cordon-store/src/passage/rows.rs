//! Rows as the database returns them (plain columns) and their conversion into domain types.
//! Stored values were valid when written; they are parsed again on the way out, so corruption
//! is reported instead of passed on.

use chrono::NaiveDate;
use cordon_domain::checkpoint::CheckpointCode;
use cordon_domain::contact::MobileNumber;
use cordon_domain::identity::{DocumentType, IdentityDocument};
use cordon_domain::passage::{
    Decision, Direction, GoodsCategory, HealthCode, LatestTest, Occupant, Outcome, Passage, Role,
    Temperature, TestKind, TestResult, TrajectoryPoint, Vehicle, VehicleClass,
};
use cordon_domain::person::{PersonName, PersonalData};
use cordon_domain::plate::{Plate, PlateColor};
use cordon_domain::FieldError;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::StoreError;

/// Columns of a passage row joined with its checkpoint, in [`PassageRow`] order.
pub(crate) const PASSAGE_SELECT: &str = "SELECT p.id, c.code, p.lane, p.direction, \
     p.observed_at, p.observed_offset, p.recorded_at, p.plate, p.plate_color, p.vehicle_class, \
     p.origin, p.destination, p.decision, p.occupants, \
     CASE WHEN p.freight_pass THEN COALESCE(p.goods, '') END, p.sealed, p.facts \
     FROM passages p JOIN checkpoints c ON c.id = p.checkpoint_id";

/// Columns of a passage row as inserted.
pub(crate) const PASSAGE_INSERT: &str = "INSERT INTO passages (id, checkpoint_id, lane, \
     direction, observed_at, observed_offset, recorded_at, plate, plate_color, vehicle_class, \
     origin, destination, persons, outcome, decision, fingerprint, occupants, freight_pass, facts, \
     sealed, occupant_keys, goods) ";

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

fn ok<T>(r: Result<T, FieldError>, what: &str) -> Result<T, StoreError> {
    r.map_err(|e| corrupt(what, e.code))
}

pub(crate) use super::columns::{china_time, division, division_int, time};

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
    /// The decision's stored form ([`super::words`]: compact, or JSON before migration 38).
    pub decision: Vec<u8>,
    /// The occupants as written before they were sealed (legacy rows); empty once sealed.
    pub occupants: String,
    /// `None` without a freight pass; the goods it names (`""`: none named) with one.
    pub freight_pass: Option<String>,
    pub sealed: Option<Vec<u8>>,
    /// The facts the engine looked at ([`cordon_domain::policy::facts`]), which also hold what
    /// the sealed form 2 leaves out.
    pub facts: Option<Vec<u8>>,
}

/// A row of [`PASSAGE_SELECT`] as sqlx decodes it (more columns than it decodes into a tuple).
impl<'r, R> sqlx::FromRow<'r, R> for PassageRow
where
    R: sqlx::Row,
    usize: sqlx::ColumnIndex<R>,
    Uuid: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Vec<u8>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    fn from_row(r: &'r R) -> Result<Self, sqlx::Error> {
        Ok(PassageRow {
            id: r.try_get(0)?,
            checkpoint: r.try_get(1)?,
            lane: r.try_get(2)?,
            direction: r.try_get(3)?,
            observed_at: r.try_get(4)?,
            observed_offset: r.try_get(5)?,
            recorded_at: r.try_get(6)?,
            plate: r.try_get(7)?,
            plate_color: r.try_get(8)?,
            vehicle_class: r.try_get(9)?,
            origin: r.try_get(10)?,
            destination: r.try_get(11)?,
            decision: r.try_get(12)?,
            occupants: r.try_get(13)?,
            freight_pass: r.try_get(14)?,
            sealed: r.try_get(15)?,
            facts: r.try_get(16)?,
        })
    }
}

/// An occupant as stored inside its passage row (short keys: this is written for every person).
#[derive(Serialize, Deserialize)]
struct StoredOccupant<'a> {
    /// Document type and number.
    t: &'a str,
    n: &'a str,
    /// Name (which may hold characters JSON escapes, so it is not always borrowed), phone.
    #[serde(borrow)]
    nm: std::borrow::Cow<'a, str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ph: Option<&'a str>,
    /// Role, temperature in tenths, health code.
    r: &'a str,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tc: Option<i16>,
    hc: &'a str,
    /// Latest test: kind, taken at (ms), offset (s), result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    lt: Option<(&'a str, i64, i32, &'a str)>,
    /// Places visited, division codes.
    v: Vec<u32>,
}

/// The occupants of a passage as stored before migration 38: a JSON array (tests make old
/// rows with it, [`crate::scratch::previous_release_forms`]).
pub(crate) fn occupants_json(occupants: &[Occupant]) -> String {
    let stored: Vec<StoredOccupant> = occupants
        .iter()
        .map(|o| StoredOccupant {
            t: o.person.document.kind().as_str(),
            n: o.person.document.expose_number(),
            nm: o.person.name.expose().into(),
            ph: o.person.phone.as_ref().map(|p| p.expose()),
            r: o.role.as_str(),
            tc: o.temperature_c.map(|t| t.tenths()),
            hc: o.health_code.as_str(),
            lt: o.latest_test.as_ref().map(|t| {
                (
                    t.kind.as_str(),
                    t.taken_at.timestamp_millis(),
                    t.taken_at.offset().local_minus_utc(),
                    t.result.as_str(),
                )
            }),
            v: o.visited.iter().map(|c| c.value()).collect(),
        })
        .collect();
    serde_json::to_string(&stored).expect("occupants serialise")
}

/// Stored birth dates were checked against the day they were written; reading them back must
/// not depend on today's date.
fn far_future() -> NaiveDate {
    NaiveDate::from_ymd_opt(9999, 12, 31).expect("valid date")
}

pub(crate) fn occupants_from_json(text: &str) -> Result<Vec<Occupant>, StoreError> {
    let stored: Vec<StoredOccupant> =
        serde_json::from_str(text).map_err(|e| corrupt("occupants", e))?;
    stored
        .into_iter()
        .map(|o| {
            let kind = ok(DocumentType::parse(o.t), "document type")?;
            let latest_test = match o.lt {
                Some((k, at, offset, r)) => Some(LatestTest {
                    kind: ok(TestKind::parse(k), "test kind")?,
                    taken_at: time(at, i64::from(offset))?,
                    result: ok(TestResult::parse(r), "test result")?,
                }),
                None => None,
            };
            Ok(Occupant {
                person: PersonalData {
                    document: ok(
                        IdentityDocument::parse_at(kind, o.n, far_future()),
                        "document",
                    )?,
                    name: ok(PersonName::parse(&o.nm), "name")?,
                    phone: o
                        .ph
                        .map(|p| ok(MobileNumber::parse(p), "phone"))
                        .transpose()?,
                },
                role: ok(Role::parse(o.r), "role")?,
                temperature_c: o.tc.map(Temperature::from_tenths),
                health_code: ok(HealthCode::parse(o.hc), "health code")?,
                latest_test,
                visited: o
                    .v
                    .into_iter()
                    .map(|c| division(i64::from(c)))
                    .collect::<Result<_, _>>()?,
            })
        })
        .collect()
}

/// The occupants' keyed hashes and roles as one column, for the trace index, as written before
/// migration 38 ([`super::compact`] since): `d<hex>,p<hex>` (`d` driver, `p` passenger, `w`
/// pedestrian), in the occupants' order.
pub(crate) fn occupant_keys(occupants: &[Occupant], keys: &[String]) -> String {
    let mut out = String::with_capacity(keys.len() * 66);
    for (o, key) in occupants.iter().zip(keys) {
        if !out.is_empty() {
            out.push(',');
        }
        out.push(role_letter(o.role));
        out.push_str(key);
    }
    out
}

/// A role's letter in `occupant_keys`.
pub(crate) fn role_letter(r: Role) -> char {
    match r {
        Role::Driver => 'd',
        Role::Passenger => 'p',
        Role::Pedestrian => 'w',
    }
}

fn vehicle(
    plate: Option<String>,
    color: Option<String>,
    class: Option<String>,
    freight_pass: Option<String>,
) -> Result<Option<Vehicle>, StoreError> {
    match (plate, color, class) {
        (Some(p), Some(c), Some(k)) => Ok(Some(Vehicle {
            plate: ok(Plate::parse(&p), "plate")?,
            plate_color: ok(PlateColor::parse(&c), "plate colour")?,
            class: ok(VehicleClass::parse(&k), "vehicle class")?,
            goods: match freight_pass.as_deref() {
                None | Some("") => None,
                Some(g) => Some(ok(GoodsCategory::parse(g), "goods")?),
            },
            freight_pass: freight_pass.is_some(),
        })),
        _ => Ok(None),
    }
}

/// The occupants of a stored row: opened from the sealed form, or read from a legacy row.
pub(crate) fn stored_occupants(
    p: &PassageRow,
    keyring: &crate::keyring::Keyring,
) -> Result<Vec<Occupant>, StoreError> {
    match &p.sealed {
        Some(sealed) => sealed_occupants(p.id, sealed, p.facts.as_deref(), keyring),
        // Purged by retention: nothing personal is left.
        None if p.occupants.is_empty() => Ok(Vec::new()),
        None => occupants_from_json(&p.occupants),
    }
}

/// The occupants sealed in a passage's `sealed` (with its `facts`, which the compact form 2
/// needs): the compact form, or the JSON written before migration 38.
pub(crate) fn sealed_occupants(
    id: Uuid,
    sealed: &[u8],
    facts: Option<&[u8]>,
    keyring: &crate::keyring::Keyring,
) -> Result<Vec<Occupant>, StoreError> {
    let plain = keyring.open(id.as_bytes(), sealed)?;
    if plain.first() == Some(&b'[') {
        let text = std::str::from_utf8(&plain).map_err(|e| corrupt("occupants", e))?;
        occupants_from_json(text)
    } else {
        super::compact::occupants_from_bytes(&plain, facts)
    }
}

/// Passages from their rows; the words their decisions name must be known
/// ([`super::words_sql::know_all`]).
pub(crate) fn assemble(
    passages: Vec<PassageRow>,
    keyring: &crate::keyring::Keyring,
    words: &super::words::Words,
) -> Result<Vec<Passage>, StoreError> {
    passages
        .into_iter()
        .map(|p| {
            let decision: Decision = words.decision(&p.decision)?;
            let occupants = stored_occupants(&p, keyring)?;
            Ok(Passage {
                id: p.id,
                checkpoint: ok(CheckpointCode::parse(&p.checkpoint), "checkpoint code")?,
                lane: u16::try_from(p.lane).map_err(|e| corrupt("lane", e))?,
                direction: ok(Direction::parse(&p.direction), "direction")?,
                observed_at: time(p.observed_at, p.observed_offset)?,
                recorded_at: china_time(p.recorded_at)?,
                vehicle: vehicle(p.plate, p.plate_color, p.vehicle_class, p.freight_pass)?,
                origin: p.origin.map(division).transpose()?,
                destination: p.destination.map(division).transpose()?,
                occupants,
                decision,
                // Corrections are kept apart (`corrections`): the reads that show them fill these.
                supersedes: None,
                superseded_by: None,
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

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use cordon_domain::registration::PassageRequest;

    /// A passage with one person, as read back.
    pub(crate) fn passage() -> Passage {
        let body = serde_json::json!({"id": "0190f5c2-7d4e-7b2a-9c1e-3f6a2b8d9e01",
            "checkpoint": "CP-130100-0001", "lane": 1, "direction": "in",
            "observed_at": "2022-05-03T08:15:00+08:00",
            "occupants": [{"document": {"type": "passport", "number": "E12345678"},
                "name": "测试", "role": "pedestrian", "health_code": "green"}]});
        let req: PassageRequest = serde_json::from_value(body).unwrap();
        let at = time(1_700_000_000_000, 8 * 3600).unwrap();
        let draft = req.parse(at).unwrap();
        Passage::new(draft, at, Decision::no_policy())
    }

    #[test]
    fn occupants_round_trip_through_their_stored_form() {
        let body = serde_json::json!({"id": "0190f5c2-7d4e-7b2a-9c1e-3f6a2b8d9e01", "checkpoint": "CP-130100-0001",
            "lane": 1, "direction": "out", "observed_at": "2022-05-03T08:15:00+08:00",
            "occupants": [{"document": {"type": "passport", "number": "E12345678"}, "name": "O\"Brien \\ 奥布莱恩",
                "role": "pedestrian", "health_code": "yellow", "temperature_c": 37.4,
                "latest_test": {"kind": "antigen", "taken_at": "2022-05-03T07:00:00+09:00", "result": "pending"},
                "visited": ["130100", "810000"]}]});
        let req: PassageRequest = serde_json::from_value(body).unwrap();
        let draft = req
            .parse(time(1_700_000_000_000, 8 * 3600).unwrap())
            .unwrap();
        let text = occupants_json(&draft.occupants);
        assert_eq!(occupants_from_json(&text).unwrap(), draft.occupants);
        assert_eq!(
            crate::keyring::doc_key(&draft.occupants[0].person.document),
            "passport:E12345678"
        );
    }
}
