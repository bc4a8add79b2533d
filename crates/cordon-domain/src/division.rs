//! Administrative division codes (GB/T 2260): six digits, two for the province, two for the city,
//! two for the county. `130000` is Hebei, `130100` Shijiazhuang, `130102` Chang'an district.

use serde::{Deserialize, Serialize};

use crate::FieldError;

/// The province-level prefixes in use: 31 mainland provinces, regions and municipalities, plus
/// Taiwan (71), Hong Kong (81) and Macau (82).
pub const PROVINCE_PREFIXES: [u32; 34] = [
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
    53, 54, 61, 62, 63, 64, 65, 71, 81, 82,
];

/// What a division code looks like, as the API's document says it (ECMA-262): six digits that
/// start with a province's two; surrounding spaces are trimmed, as [`DivisionCode::parse`] does.
pub const PATTERN: &str = r"^\s*(1[1-5]|2[1-3]|3[1-7]|4[1-6]|5[0-4]|6[1-5]|71|8[12])[0-9]{4}\s*$";

/// A valid six-digit administrative division code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DivisionCode(u32);

/// Where a division sits in the tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DivisionLevel {
    Province,
    City,
    County,
}

impl utoipa::PartialSchema for DivisionCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        crate::schema::text(
            "An administrative division code (GB/T 2260): province, city or county.",
            PATTERN,
            "130100",
        )
    }
}

impl utoipa::ToSchema for DivisionCode {}

impl DivisionCode {
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        let s = s.trim();
        if s.len() != 6 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(FieldError::new(
                "invalid_division_code",
                "",
                format!("'{s}' is not an administrative division code: six digits such as 130100"),
            ));
        }
        let n: u32 = s.parse().expect("six ascii digits");
        if !PROVINCE_PREFIXES.contains(&(n / 10_000)) {
            return Err(FieldError::new(
                "unknown_province",
                "",
                format!("'{s}' does not start with a province code (11-65, 71, 81, 82)"),
            ));
        }
        Ok(Self(n))
    }

    pub fn value(self) -> u32 {
        self.0
    }

    /// The code for a stored integer, if it is one (no allocation: for decoding stored facts).
    pub const fn from_value(n: u32) -> Option<Self> {
        if n >= 1_000_000 {
            return None;
        }
        let mut i = 0;
        while i < PROVINCE_PREFIXES.len() {
            if PROVINCE_PREFIXES[i] == n / 10_000 {
                return Some(Self(n));
            }
            i += 1;
        }
        None
    }

    pub fn level(self) -> DivisionLevel {
        if self.0.is_multiple_of(10_000) {
            DivisionLevel::Province
        } else if self.0.is_multiple_of(100) {
            DivisionLevel::City
        } else {
            DivisionLevel::County
        }
    }

    pub fn province(self) -> DivisionCode {
        DivisionCode(self.0 / 10_000 * 10_000)
    }

    /// The city a county belongs to (a city or province is its own).
    pub fn city(self) -> DivisionCode {
        match self.level() {
            DivisionLevel::Province => self,
            _ => DivisionCode(self.0 / 100 * 100),
        }
    }

    /// The division directly above, if any.
    pub fn parent(self) -> Option<DivisionCode> {
        match self.level() {
            DivisionLevel::Province => None,
            DivisionLevel::City => Some(self.province()),
            DivisionLevel::County => Some(self.city()),
        }
    }

    /// Whether `other` lies in this division (a division contains itself).
    pub fn contains(self, other: DivisionCode) -> bool {
        match self.level() {
            DivisionLevel::Province => other.0 / 10_000 == self.0 / 10_000,
            DivisionLevel::City => other.0 / 100 == self.0 / 100,
            DivisionLevel::County => other == self,
        }
    }
}

impl std::fmt::Display for DivisionCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:06}", self.0)
    }
}

impl TryFrom<String> for DivisionCode {
    type Error = FieldError;
    fn try_from(s: String) -> Result<Self, FieldError> {
        Self::parse(&s)
    }
}

impl From<DivisionCode> for String {
    fn from(c: DivisionCode) -> String {
        c.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn levels_and_parents() {
        let c = DivisionCode::parse("130102").unwrap();
        assert_eq!(c.level(), DivisionLevel::County);
        assert_eq!(c.city().to_string(), "130100");
        assert_eq!(c.province().to_string(), "130000");
        assert_eq!(c.parent().unwrap().to_string(), "130100");
        assert!(DivisionCode::parse("130000").unwrap().contains(c));
        assert!(!DivisionCode::parse("110000").unwrap().contains(c));
        assert_eq!(DivisionCode::parse("110000").unwrap().parent(), None);
    }

    #[test]
    fn rejects_bad_codes() {
        for bad in ["13010", "1301000", "99 0000", "990000", "abcdef", ""] {
            assert!(DivisionCode::parse(bad).is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn round_trips(p in prop::sample::select(PROVINCE_PREFIXES.to_vec()), rest in 0u32..10_000) {
            let s = format!("{:02}{:04}", p, rest);
            let c = DivisionCode::parse(&s).unwrap();
            prop_assert_eq!(c.to_string(), s);
        }

        #[test]
        fn never_panics(s in "\\PC{0,10}") {
            let _ = DivisionCode::parse(&s);
        }

        /// The document's pattern accepts exactly what the parser accepts.
        #[test]
        fn the_pattern_says_what_parse_accepts(s in "[ 0-9a]{0,3}[0-9]{0,5}[ 0]{0,2}") {
            let pattern = regex::Regex::new(PATTERN).unwrap();
            prop_assert_eq!(pattern.is_match(&s), DivisionCode::parse(&s).is_ok(), "{:?}", s);
        }
    }
}
