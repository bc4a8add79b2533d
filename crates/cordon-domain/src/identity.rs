//! Identity documents: the resident identity card number (GB 11643-1999, with the 1989 15-digit
//! form upgraded to 18), residence permits for Hong Kong, Macau and Taiwan residents, passports and
//! the travel permits in use at checkpoints. Each type has its own pattern; a number is stored in
//! its normal form (upper case, no spaces), so two spellings of one document compare equal.
//!
//! An [`IdentityDocument`] never prints its number: `Debug` and `Serialize` show the masked form.
//! The clear number is reached only through [`IdentityDocument::expose_number`].

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::division::PROVINCE_PREFIXES;
use crate::mask;
use crate::FieldError;

/// The kinds of identity document accepted at a checkpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DocumentType {
    /// 居民身份证, GB 11643-1999.
    ResidentId,
    /// 港澳台居民居住证: the same layout with prefix 810000, 820000 or 830000.
    ResidencePermit,
    /// 护照: Chinese or foreign passport.
    Passport,
    /// 港澳居民来往内地通行证 (home return permit): H or M and 8 or 10 digits.
    HomeReturnPermit,
    /// 台湾居民来往大陆通行证: 8 or 10 digits.
    TaiwanPermit,
    /// 往来港澳通行证 (mainland residents to Hong Kong and Macau): C and 8 letters or digits.
    ExitEntryPermit,
    /// 外国人永久居留身份证: 3 letters and 12 digits (2017) or 18 characters starting with 9 (2023).
    ForeignPermanentResident,
}

impl DocumentType {
    pub const ALL: [DocumentType; 7] = [
        DocumentType::ResidentId,
        DocumentType::ResidencePermit,
        DocumentType::Passport,
        DocumentType::HomeReturnPermit,
        DocumentType::TaiwanPermit,
        DocumentType::ExitEntryPermit,
        DocumentType::ForeignPermanentResident,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DocumentType::ResidentId => "resident_id",
            DocumentType::ResidencePermit => "residence_permit",
            DocumentType::Passport => "passport",
            DocumentType::HomeReturnPermit => "home_return_permit",
            DocumentType::TaiwanPermit => "taiwan_permit",
            DocumentType::ExitEntryPermit => "exit_entry_permit",
            DocumentType::ForeignPermanentResident => "foreign_permanent_resident",
        }
    }

    pub fn parse(s: &str) -> Result<Self, FieldError> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Self::ALL.iter().map(|t| t.as_str()).collect();
                FieldError::new(
                    "unknown_document_type",
                    "",
                    format!(
                        "'{s}' is not a document type; expected one of {}",
                        names.join(", ")
                    ),
                )
            })
    }
}

/// A parsed identity document: its type and its number in normal form.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdentityDocument {
    kind: DocumentType,
    number: String,
}

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS: [u8; 11] = *b"10X98765432";

/// The ISO 7064 MOD 11-2 check character of the first 17 digits.
pub fn check_char(first17: &[u8]) -> u8 {
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    CHECK_CHARS[(sum % 11) as usize]
}

fn err(code: &str, message: impl Into<String>) -> FieldError {
    FieldError::new(code, "number", message)
}

fn normalise(s: &str) -> String {
    // Most numbers arrive as plain ASCII letters and digits: upper-cased without a walk through
    // Unicode's case tables.
    if s.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return s.to_ascii_uppercase();
    }
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_uppercase)
        .collect()
}

/// `YYYYMMDD` as eight ASCII digits, if it names a real day (read directly: a format string
/// would be parsed again for every number).
fn ymd(digits: &[u8]) -> Option<NaiveDate> {
    if digits.len() != 8 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n = |r: std::ops::Range<usize>| {
        digits[r]
            .iter()
            .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'))
    };
    NaiveDate::from_ymd_opt(n(0..4) as i32, n(4..6), n(6..8))
}

fn birth_date(digits: &[u8], today: NaiveDate) -> Result<NaiveDate, FieldError> {
    let text = std::str::from_utf8(digits).unwrap_or("");
    let date = ymd(digits).ok_or_else(|| {
        err(
            "invalid_birth_date",
            format!("'{text}' in the number is not a date"),
        )
    })?;
    if date > today || date.year() < 1890 {
        return Err(err(
            "invalid_birth_date",
            format!("the birth date {date} in the number is not plausible"),
        ));
    }
    Ok(date)
}

/// Parses an 18-character number of the resident-ID layout; `permit` selects the residence-permit
/// prefixes instead of the mainland ones.
fn parse_gb11643(n: &str, today: NaiveDate, permit: bool) -> Result<String, FieldError> {
    let b = n.as_bytes();
    if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) {
        return Err(err(
            "invalid_length",
            "an identity number has 18 characters: 17 digits and a check digit or X",
        ));
    }
    let prefix: u32 = n[..2].parse().unwrap_or(0);
    if permit {
        if !matches!(&n[..6], "810000" | "820000" | "830000") {
            return Err(err(
                "invalid_prefix",
                "a residence permit number starts with 810000, 820000 or 830000",
            ));
        }
    } else if !PROVINCE_PREFIXES.contains(&prefix) || prefix >= 71 {
        return Err(err(
            "invalid_prefix",
            format!("{prefix:02} is not the code of a mainland province"),
        ));
    }
    birth_date(&b[6..14], today)?;
    let expected = check_char(&b[..17]);
    if b[17] != expected {
        return Err(err(
            "invalid_check_digit",
            "the check digit does not match: the number has a typing error",
        ));
    }
    Ok(n.to_owned())
}

/// Upgrades a 15-digit 1989 number (area, YYMMDD, sequence) to its 18-character form.
fn upgrade_15(n: &str) -> Option<String> {
    if n.len() != 15 || !n.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut s = format!("{}19{}", &n[..6], &n[6..]);
    let c = check_char(s.as_bytes());
    s.push(c as char);
    Some(s)
}

fn alnum(b: u8) -> bool {
    b.is_ascii_uppercase() || b.is_ascii_digit()
}

impl IdentityDocument {
    /// Parses a document, judging birth dates against today's date in China.
    pub fn parse(kind: DocumentType, number: &str) -> Result<Self, FieldError> {
        Self::parse_at(kind, number, crate::time::today_china())
    }

    /// Parses a document, judging birth dates against `today`.
    pub fn parse_at(
        kind: DocumentType,
        number: &str,
        today: NaiveDate,
    ) -> Result<Self, FieldError> {
        let n = normalise(number);
        if n.is_empty() {
            return Err(err("required", "the document number is missing"));
        }
        if !n.is_ascii() {
            return Err(err(
                "invalid_characters",
                "a document number has only letters and digits",
            ));
        }
        let number = match kind {
            DocumentType::ResidentId => {
                let n = upgrade_15(&n).unwrap_or(n);
                parse_gb11643(&n, today, false)?
            }
            DocumentType::ResidencePermit => parse_gb11643(&n, today, true)?,
            DocumentType::Passport => {
                let ok = (5..=17).contains(&n.len())
                    && n.bytes().all(alnum)
                    && n.bytes().any(|b| b.is_ascii_digit());
                if !ok {
                    return Err(err(
                        "invalid_passport",
                        "a passport number has 5 to 17 letters and digits, such as E12345678",
                    ));
                }
                n
            }
            DocumentType::HomeReturnPermit => {
                let b = n.as_bytes();
                let ok = matches!(b.first(), Some(b'H' | b'M'))
                    && (n.len() == 9 || n.len() == 11)
                    && b[1..].iter().all(u8::is_ascii_digit);
                if !ok {
                    return Err(err(
                        "invalid_home_return_permit",
                        "a home return permit number is H or M followed by 8 or 10 digits",
                    ));
                }
                n
            }
            DocumentType::TaiwanPermit => {
                if !((n.len() == 8 || n.len() == 10) && n.bytes().all(|b| b.is_ascii_digit())) {
                    return Err(err(
                        "invalid_taiwan_permit",
                        "a Taiwan resident permit number has 8 or 10 digits",
                    ));
                }
                n
            }
            DocumentType::ExitEntryPermit => {
                let b = n.as_bytes();
                if !(n.len() == 9 && b[0] == b'C' && b[1..].iter().all(|&c| alnum(c))) {
                    return Err(err(
                        "invalid_exit_entry_permit",
                        "an exit-entry permit number is C followed by 8 letters or digits",
                    ));
                }
                n
            }
            DocumentType::ForeignPermanentResident => {
                let b = n.as_bytes();
                let old = b.len() == 15
                    && b[..3].iter().all(u8::is_ascii_uppercase)
                    && b[3..].iter().all(u8::is_ascii_digit);
                let new = b.len() == 18
                    && b[0] == b'9'
                    && b[..17].iter().all(u8::is_ascii_digit)
                    && check_char(&b[..17]) == b[17];
                if old || new {
                    n
                } else {
                    return Err(err(
                        "invalid_permanent_resident_id",
                        "a permanent residence card number is 3 letters and 12 digits, or 18 characters starting with 9 with a valid check digit",
                    ));
                }
            }
        };
        Ok(Self { kind, number })
    }

    pub fn kind(&self) -> DocumentType {
        self.kind
    }

    /// The clear number. Every call site is a place personal data leaves the domain: keep them few.
    pub fn expose_number(&self) -> &str {
        &self.number
    }

    /// The number masked for display: `110105********002X`.
    pub fn masked_number(&self) -> String {
        mask::document_number(&self.number)
    }

    /// The birth date carried in a resident ID or residence permit number.
    pub fn birth_date(&self) -> Option<NaiveDate> {
        match self.kind {
            DocumentType::ResidentId | DocumentType::ResidencePermit => {
                ymd(self.number.as_bytes().get(6..14)?)
            }
            _ => None,
        }
    }
}

impl std::fmt::Debug for IdentityDocument {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.kind.as_str(), self.masked_number())
    }
}

/// The masked form, the only one a response carries by default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct MaskedDocument {
    #[serde(rename = "type")]
    pub kind: DocumentType,
    /// Masked: the first six and the last four characters of a resident ID.
    pub number: String,
}

impl Serialize for IdentityDocument {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        MaskedDocument {
            kind: self.kind,
            number: self.masked_number(),
        }
        .serialize(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    fn resident(n: &str) -> Result<IdentityDocument, FieldError> {
        IdentityDocument::parse_at(DocumentType::ResidentId, n, today())
    }

    #[test]
    fn accepts_the_standard_example_and_lowercase_x() {
        let d = resident("11010519491231002X").unwrap();
        assert_eq!(d.expose_number(), "11010519491231002X");
        assert_eq!(resident("11010519491231002x").unwrap(), d);
        assert_eq!(d.masked_number(), "110105********002X");
        assert_eq!(format!("{d:?}"), "resident_id:110105********002X");
        assert_eq!(d.birth_date(), NaiveDate::from_ymd_opt(1949, 12, 31));
    }

    #[test]
    fn birth_dates_are_real_days() {
        assert_eq!(ymd(b"20000229"), NaiveDate::from_ymd_opt(2000, 2, 29));
        assert_eq!(ymd(b"19491231"), NaiveDate::from_ymd_opt(1949, 12, 31));
        for bad in [
            &b"19000229"[..],
            b"19490230",
            b"19491300",
            b"19490100",
            b"2000 229",
            b"+2000229",
            b"2000022",
            b"200002290",
        ] {
            assert_eq!(ymd(bad), None, "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn upgrades_the_1989_form() {
        // 15-digit 130102 850312 123 becomes 130102 19850312 123 + check.
        let d = resident("130102850312123").unwrap();
        assert_eq!(&d.expose_number()[..17], "13010219850312123");
        assert_eq!(d.expose_number().len(), 18);
    }

    #[test]
    fn rejects_bad_resident_ids_with_a_reason() {
        let cases = [
            ("11010519491231002Y", "invalid_check_digit"),
            ("110105194912310021", "invalid_check_digit"),
            ("99010519491231002X", "invalid_prefix"),
            ("810000199001010012", "invalid_prefix"),
            ("1101051949123100", "invalid_length"),
            ("", "required"),
            ("11010519491331002X", "invalid_birth_date"),
        ];
        for (n, code) in cases {
            assert_eq!(resident(n).unwrap_err().code, code, "{n}");
        }
        // a birth date in the future
        let mut s = b"11010520301231001".to_vec();
        s.push(check_char(&s));
        let s = String::from_utf8(s).unwrap();
        assert_eq!(resident(&s).unwrap_err().code, "invalid_birth_date");
    }

    #[test]
    fn residence_permits_use_their_prefixes() {
        let mut s = b"81000019900101001".to_vec();
        s.push(check_char(&s));
        let s = String::from_utf8(s).unwrap();
        IdentityDocument::parse_at(DocumentType::ResidencePermit, &s, today()).unwrap();
        assert!(resident(&s).is_err());
    }

    #[test]
    fn travel_documents() {
        use DocumentType::*;
        let ok = [
            (Passport, "E12345678"),
            (Passport, "ea1234567"),
            (HomeReturnPermit, "H12345678"),
            (HomeReturnPermit, "M1234567890"),
            (TaiwanPermit, "12345678"),
            (ExitEntryPermit, "C12345678"),
            (ForeignPermanentResident, "USA110012345678"),
        ];
        for (k, n) in ok {
            IdentityDocument::parse_at(k, n, today()).unwrap();
        }
        let bad = [
            (Passport, "E1"),
            (Passport, "ABCDEFGH"),
            (HomeReturnPermit, "X12345678"),
            (TaiwanPermit, "1234567"),
            (ExitEntryPermit, "D12345678"),
            (ForeignPermanentResident, "US110012345678"),
            (Passport, "护照12345"),
        ];
        for (k, n) in bad {
            assert!(IdentityDocument::parse_at(k, n, today()).is_err(), "{n}");
        }
    }

    #[test]
    fn serialises_masked_only() {
        let d = resident("11010519491231002X").unwrap();
        let json = serde_json::to_string(&d).unwrap();
        assert_eq!(
            json,
            r#"{"type":"resident_id","number":"110105********002X"}"#
        );
    }

    fn valid_id() -> impl Strategy<Value = String> {
        (
            prop::sample::select(vec![11u32, 13, 14, 31, 44, 65]),
            0u32..10_000,
            1950i32..2020,
            1u32..=12,
            1u32..=28,
            0u32..1000,
        )
            .prop_map(|(p, area, y, m, d, seq)| {
                let mut s = format!("{p:02}{area:04}{y:04}{m:02}{d:02}{seq:03}").into_bytes();
                s.push(check_char(&s));
                String::from_utf8(s).unwrap()
            })
    }

    proptest! {
        #[test]
        fn valid_numbers_round_trip(n in valid_id()) {
            let d = resident(&n).unwrap();
            prop_assert_eq!(d.expose_number(), n.as_str());
            let again = resident(&d.expose_number().to_lowercase()).unwrap();
            prop_assert_eq!(again, d);
        }

        #[test]
        fn any_single_digit_change_is_caught(n in valid_id(), pos in 0usize..17, delta in 1u8..10) {
            let mut b = n.into_bytes();
            b[pos] = b'0' + (b[pos] - b'0' + delta) % 10;
            let s = String::from_utf8(b).unwrap();
            prop_assert!(resident(&s).is_err());
        }

        #[test]
        fn never_panics(s in "\\PC{0,24}", k in 0usize..7) {
            let _ = IdentityDocument::parse_at(DocumentType::ALL[k], &s, today());
        }
    }
}
