//! The checkpoint network: jurisdictions (province > city > county), checkpoints with their kind,
//! defence line, location and lanes, and the history of their opening and closing.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::division::{DivisionCode, DivisionLevel};
use crate::FieldError;

/// `CP-130100-0001`: the division the checkpoint sits in and a four-digit number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CheckpointCode(String);

/// What a checkpoint code looks like, as the API's document says it (ECMA-262): `CP-`, the
/// division it sits in and four digits, in either case; surrounding spaces are trimmed, as
/// [`CheckpointCode::parse`] does.
pub const CODE_PATTERN: &str =
    r"^\s*[Cc][Pp]-(1[1-5]|2[1-3]|3[1-7]|4[1-6]|5[0-4]|6[1-5]|71|8[12])[0-9]{4}-[0-9]{4}\s*$";

impl utoipa::PartialSchema for CheckpointCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        crate::schema::text(
            "A checkpoint's code: the division it sits in and a number.",
            CODE_PATTERN,
            "CP-130100-0001",
        )
    }
}

impl utoipa::ToSchema for CheckpointCode {}

impl CheckpointCode {
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        let t = s.trim().to_ascii_uppercase();
        let b = t.as_bytes();
        let ok = b.len() == 14
            && t.starts_with("CP-")
            && b[9] == b'-'
            && b[3..9].iter().all(u8::is_ascii_digit)
            && b[10..].iter().all(u8::is_ascii_digit)
            && DivisionCode::parse(&t[3..9]).is_ok();
        if !ok {
            return Err(FieldError::new(
                "invalid_checkpoint_code",
                "",
                format!("'{s}' is not a checkpoint code such as CP-130100-0001"),
            ));
        }
        Ok(Self(t))
    }

    /// The division code inside the checkpoint code.
    pub fn division(&self) -> DivisionCode {
        DivisionCode::parse(&self.0[3..9]).expect("validated at construction")
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for CheckpointCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for CheckpointCode {
    type Error = FieldError;
    fn try_from(s: String) -> Result<Self, FieldError> {
        Self::parse(&s)
    }
}

impl From<CheckpointCode> for String {
    fn from(c: CheckpointCode) -> String {
        c.0
    }
}

macro_rules! string_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $text:tt),+ $(,)? }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
        $(#[$m])*
        pub enum $name { $(#[serde(rename = $text)] $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(s: &str) -> Result<Self, FieldError> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(FieldError::new(
                        "invalid_value",
                        "",
                        format!("'{}' is not one of: {}", s, [$($text),+].join(", ")),
                    )),
                }
            }
        }
    };
}
pub(crate) use string_enum;

string_enum! {
    /// What kind of place a checkpoint is.
    CheckpointKind {
        TollStation = "toll_station",
        HighwayExit = "highway_exit",
        NationalRoad = "national_road",
        ProvincialRoad = "provincial_road",
        VillageRoad = "village_road",
        RailwayStation = "railway_station",
    }
}

string_enum! {
    /// The three lines of defence: the province border, the inland depth, the ring around the capital.
    DefenceLine {
        ProvinceBorder = "province_border",
        Inland = "inland",
        CapitalRing = "capital_ring",
    }
}

string_enum! {
    /// Whether a checkpoint is registering traffic.
    CheckpointStatus {
        Open = "open",
        Closed = "closed",
    }
}

/// A point on the map, WGS-84 degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Location {
    pub lat: f64,
    pub lon: f64,
}

impl Location {
    /// Within China's bounding box.
    pub fn parse(lat: f64, lon: f64) -> Result<Self, FieldError> {
        if !(3.0..=54.0).contains(&lat) {
            return Err(FieldError::new(
                "out_of_range",
                "lat",
                "latitude must lie within China, between 3 and 54 degrees north",
            ));
        }
        if !(73.0..=136.0).contains(&lon) {
            return Err(FieldError::new(
                "out_of_range",
                "lon",
                "longitude must lie within China, between 73 and 136 degrees east",
            ));
        }
        Ok(Self { lat, lon })
    }
}

/// A province, city or county.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Jurisdiction {
    #[schema(value_type = String, example = "130100")]
    pub code: DivisionCode,
    pub name: String,
    pub level: DivisionLevel,
    #[schema(value_type = Option<String>)]
    pub parent: Option<DivisionCode>,
}

/// The most lanes a checkpoint may have.
pub const MAX_LANES: u16 = 64;

/// A checkpoint as the registry holds it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Checkpoint {
    #[schema(value_type = String, example = "CP-130100-0001")]
    pub code: CheckpointCode,
    pub name: String,
    /// The county (or city) the checkpoint belongs to.
    #[schema(value_type = String, example = "130102")]
    pub jurisdiction: DivisionCode,
    pub kind: CheckpointKind,
    pub defence_line: DefenceLine,
    pub location: Location,
    pub lanes: u16,
    pub cameras: u16,
    pub status: CheckpointStatus,
    pub status_changed_at: DateTime<FixedOffset>,
}

/// One opening or closing, kept for ever: who, when, why.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct StatusEvent {
    #[schema(value_type = String)]
    pub checkpoint: CheckpointCode,
    pub status: CheckpointStatus,
    pub reason: String,
    pub actor: String,
    pub at: DateTime<FixedOffset>,
}

/// A checked reason for a status change: 1 to 500 characters.
pub fn parse_reason(s: &str) -> Result<String, FieldError> {
    let t = s.trim();
    if t.is_empty() {
        return Err(FieldError::new(
            "required",
            "reason",
            "a status change needs a reason",
        ));
    }
    if t.chars().count() > 500 {
        return Err(FieldError::new(
            "too_long",
            "reason",
            "a reason has at most 500 characters",
        ));
    }
    Ok(t.to_owned())
}

/// A checked display name: 1 to 100 characters, no control characters.
pub fn parse_name(s: &str) -> Result<String, FieldError> {
    let t = s.trim();
    if t.is_empty() || t.chars().count() > 100 || t.chars().any(char::is_control) {
        return Err(FieldError::new(
            "invalid_name",
            "name",
            "a name has 1 to 100 characters and no control characters",
        ));
    }
    Ok(t.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn codes() {
        let c = CheckpointCode::parse("cp-130100-0001").unwrap();
        assert_eq!(c.as_str(), "CP-130100-0001");
        assert_eq!(c.division().to_string(), "130100");
        for bad in [
            "CP-130100-001",
            "XP-130100-0001",
            "CP-990100-0001",
            "CP-130100_0001",
            "",
        ] {
            assert!(CheckpointCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn enums_round_trip() {
        for k in CheckpointKind::ALL {
            assert_eq!(CheckpointKind::parse(k.as_str()).unwrap(), *k);
        }
        assert_eq!(
            serde_json::to_string(&DefenceLine::CapitalRing).unwrap(),
            "\"capital_ring\""
        );
        assert!(CheckpointStatus::parse("ajar").is_err());
    }

    #[test]
    fn locations_lie_in_china() {
        assert!(Location::parse(38.04, 114.51).is_ok());
        assert_eq!(Location::parse(0.0, 114.5).unwrap_err().field, "lat");
        assert_eq!(Location::parse(38.0, 10.0).unwrap_err().field, "lon");
    }

    proptest! {
        #[test]
        fn code_never_panics(s in "\\PC{0,16}") {
            let _ = CheckpointCode::parse(&s);
        }

        /// The document's pattern accepts exactly what the parser accepts.
        #[test]
        fn the_code_pattern_says_what_parse_accepts(
            s in " ?[CcPpX]{0,2}-?(13|99|82)[0-9]{4}-?[0-9]{3,5} ?",
        ) {
            let pattern = regex::Regex::new(CODE_PATTERN).unwrap();
            prop_assert_eq!(pattern.is_match(&s), CheckpointCode::parse(&s).is_ok(), "{:?}", s);
        }
    }
}
