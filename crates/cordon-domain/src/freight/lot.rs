//! A holding lot: its name, jurisdiction and address, its zones (work, living, parking,
//! isolation, point-to-point hand-over) with their capacities, and the checkpoints whose lanes
//! send trucks to it. Parking is by numbered bays: the parking zones' capacities, numbered
//! through in the zones' order (the first zone's bays 1 to its capacity, and so on).

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::checkpoint::{string_enum, CheckpointCode};
use crate::command::directive::text;
use crate::division::{DivisionCode, DivisionLevel};
use crate::FieldError;

/// Most bays in one lot.
pub const MAX_BAYS: u32 = 5_000;
/// Most zones in one lot.
pub const MAX_ZONES: usize = 20;
/// Most checkpoints sending to one lot.
pub const MAX_LOT_CHECKPOINTS: usize = 20;

string_enum! {
    /// What a zone of a lot is for.
    ZoneKind {
        Work = "work",
        Living = "living",
        Parking = "parking",
        Isolation = "isolation",
        Handover = "handover",
    }
}

/// A zone as asked for.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ZoneRequest {
    pub kind: ZoneKind,
    /// 1 to 40 characters, such as `停车A区`.
    pub name: String,
    /// Bays of a parking zone, persons of an isolation zone, places elsewhere.
    pub capacity: u32,
}

/// A lot as set up by a commander.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LotRequest {
    /// 1 to 60 characters, such as `鹿泉货车滞留场`.
    pub name: String,
    /// The city or county it belongs to (within the commander's jurisdiction).
    pub division: String,
    /// 1 to 200 characters: where drivers are sent.
    pub address: String,
    pub zones: Vec<ZoneRequest>,
    /// The checkpoints whose lanes send trucks here.
    #[serde(default)]
    pub checkpoints: Vec<String>,
}

/// A zone of a lot; a parking zone's bays are `first_bay ..= first_bay + capacity - 1`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Zone {
    pub kind: ZoneKind,
    pub name: String,
    pub capacity: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_bay: Option<u32>,
}

/// A checked lot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LotDraft {
    pub name: String,
    pub division: DivisionCode,
    pub address: String,
    pub zones: Vec<Zone>,
    pub checkpoints: Vec<CheckpointCode>,
}

impl LotDraft {
    /// Bays to park in: the parking zones' capacities.
    pub fn bays(&self) -> u32 {
        bays(&self.zones)
    }
}

fn bays(zones: &[Zone]) -> u32 {
    zones
        .iter()
        .filter(|z| z.kind == ZoneKind::Parking)
        .map(|z| z.capacity)
        .sum()
}

impl LotRequest {
    /// Checks every field, reporting each mistake with its path.
    pub fn parse(&self) -> Result<LotDraft, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = text(&self.name, "name", 60, false).map_err(|e| errors.push(e));
        let address = text(&self.address, "address", 200, false).map_err(|e| errors.push(e));
        let division = match DivisionCode::parse(&self.division) {
            Ok(d) if d.level() == DivisionLevel::Province => {
                errors.push(FieldError::new(
                    "invalid_division",
                    "division",
                    "a lot belongs to a city or a county",
                ));
                None
            }
            Ok(d) => Some(d),
            Err(e) => {
                errors.push(e.under("division"));
                None
            }
        };
        if self.zones.is_empty() || self.zones.len() > MAX_ZONES {
            errors.push(FieldError::new(
                "out_of_range",
                "zones",
                format!("a lot has 1 to {MAX_ZONES} zones"),
            ));
        }
        let mut zones = Vec::with_capacity(self.zones.len());
        let mut next_bay = 1u32;
        for (i, z) in self.zones.iter().enumerate() {
            let at = format!("zones[{i}]");
            let zname = text(&z.name, &format!("{at}.name"), 40, false);
            if z.capacity == 0 || z.capacity > MAX_BAYS {
                errors.push(FieldError::new(
                    "out_of_range",
                    format!("{at}.capacity"),
                    format!("a zone holds 1 to {MAX_BAYS}"),
                ));
            }
            match zname {
                Ok(n) => {
                    let first_bay = (z.kind == ZoneKind::Parking).then_some(next_bay);
                    if z.kind == ZoneKind::Parking {
                        next_bay = next_bay.saturating_add(z.capacity);
                    }
                    zones.push(Zone {
                        kind: z.kind,
                        name: n,
                        capacity: z.capacity,
                        first_bay,
                    })
                }
                Err(e) => errors.push(e),
            }
        }
        if !self.zones.iter().any(|z| z.kind == ZoneKind::Parking) && !self.zones.is_empty() {
            errors.push(FieldError::new(
                "no_parking",
                "zones",
                "a lot has at least one parking zone: trucks are parked by bay",
            ));
        } else if bays(&zones) > MAX_BAYS {
            errors.push(FieldError::new(
                "out_of_range",
                "zones",
                format!("a lot has at most {MAX_BAYS} bays"),
            ));
        }
        let mut checkpoints: Vec<CheckpointCode> = Vec::new();
        for (i, c) in self.checkpoints.iter().enumerate() {
            match CheckpointCode::parse(c) {
                Ok(c) if !checkpoints.contains(&c) => checkpoints.push(c),
                Ok(_) => {}
                Err(e) => errors.push(e.under(&format!("checkpoints[{i}]"))),
            }
        }
        if checkpoints.len() > MAX_LOT_CHECKPOINTS {
            errors.push(FieldError::new(
                "too_many",
                "checkpoints",
                format!("at most {MAX_LOT_CHECKPOINTS} checkpoints send to one lot"),
            ));
        }
        match (name, address, division) {
            (Ok(name), Ok(address), Some(division)) if errors.is_empty() => Ok(LotDraft {
                name,
                division,
                address,
                zones,
                checkpoints,
            }),
            _ => Err(errors),
        }
    }
}

/// A checkpoint sending trucks to a lot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LotCheckpoint {
    pub code: CheckpointCode,
    pub name: String,
}

/// A lot as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Lot {
    pub id: i64,
    pub name: String,
    #[schema(value_type = String)]
    pub division: DivisionCode,
    pub address: String,
    pub zones: Vec<Zone>,
    /// Bays to park in.
    pub bays: u32,
    /// Places in its isolation zones.
    pub isolation_places: u32,
    pub checkpoints: Vec<LotCheckpoint>,
    pub created_by: String,
    pub created_at: DateTime<FixedOffset>,
    /// Trucks in the lot now.
    pub present: i64,
}

impl Lot {
    /// The parking zone a bay lies in.
    pub fn zone_of(&self, bay: u32) -> Option<&Zone> {
        self.zones.iter().find(|z| {
            z.first_bay
                .is_some_and(|f| (f..f.saturating_add(z.capacity)).contains(&bay))
        })
    }
}

/// Sums the capacities of the zones of a kind.
pub fn capacity(zones: &[Zone], kind: ZoneKind) -> u32 {
    zones
        .iter()
        .filter(|z| z.kind == kind)
        .map(|z| z.capacity)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone(kind: ZoneKind, name: &str, capacity: u32) -> ZoneRequest {
        ZoneRequest {
            kind,
            name: name.into(),
            capacity,
        }
    }

    fn request() -> LotRequest {
        LotRequest {
            name: "鹿泉货车滞留场".into(),
            division: "130110".into(),
            address: "石家庄市鹿泉区上庄镇京昆高速出口东 500 米".into(),
            zones: vec![
                zone(ZoneKind::Work, "工作区", 60),
                zone(ZoneKind::Parking, "停车A区", 400),
                zone(ZoneKind::Parking, "停车B区", 800),
                zone(ZoneKind::Isolation, "隔离区", 40),
            ],
            checkpoints: vec!["CP-130100-0001".into(), "CP-130100-0001".into()],
        }
    }

    #[test]
    fn bays_are_numbered_through_the_parking_zones() {
        let d = request().parse().unwrap();
        assert_eq!(d.bays(), 1_200);
        assert_eq!(d.zones[1].first_bay, Some(1));
        assert_eq!(d.zones[2].first_bay, Some(401));
        assert_eq!(d.zones[0].first_bay, None);
        assert_eq!(d.checkpoints.len(), 1);
        assert_eq!(capacity(&d.zones, ZoneKind::Isolation), 40);
    }

    #[test]
    fn every_mistake_is_named_with_its_path() {
        let mut r = request();
        r.name = " ".into();
        r.division = "130000".into();
        r.zones[1].capacity = 0;
        r.checkpoints = vec!["nope".into()];
        let e = r.parse().unwrap_err();
        let fields: Vec<&str> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["name", "division", "zones[1].capacity", "checkpoints[0]"]
        );
        let mut r = request();
        r.zones.retain(|z| z.kind != ZoneKind::Parking);
        assert_eq!(r.parse().unwrap_err()[0].code, "no_parking");
    }
}
