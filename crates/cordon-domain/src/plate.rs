//! Licence plates of the People's Republic (GA 36-2018): the province character, the issuing
//! authority's letter and the serial, in these forms:
//!
//! - ordinary, 7 characters: `冀A12345`; I and O never appear in the serial;
//! - with a suffix, 挂 学 警 港 澳: `冀A1234挂`;
//! - new-energy, 8 characters: small `冀AD12345` (D or F first, then a letter or digit and four
//!   digits), large `冀A12345D` (five digits, then D or F);
//! - embassy `使123456` (or `123456使`) and consulate `沪A1234领`.
//!
//! Plates are stored in normal form: no spaces or separator dots, letters upper case.

use serde::{Deserialize, Serialize};

use crate::FieldError;

/// The 31 province characters.
pub const PROVINCES: &str = "京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川贵云藏陕甘青宁新";

/// Which form a plate takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlateKind {
    Ordinary,
    Trailer,
    Learner,
    Police,
    HongKong,
    Macau,
    NewEnergySmall,
    NewEnergyLarge,
    Embassy,
    Consulate,
}

/// Plate background colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlateColor {
    Blue,
    Yellow,
    /// Gradient green: small new-energy vehicles.
    Green,
    /// Yellow-green: large new-energy vehicles.
    YellowGreen,
    White,
    Black,
}

impl PlateColor {
    pub const ALL: [PlateColor; 6] = [
        PlateColor::Blue,
        PlateColor::Yellow,
        PlateColor::Green,
        PlateColor::YellowGreen,
        PlateColor::White,
        PlateColor::Black,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PlateColor::Blue => "blue",
            PlateColor::Yellow => "yellow",
            PlateColor::Green => "green",
            PlateColor::YellowGreen => "yellow_green",
            PlateColor::White => "white",
            PlateColor::Black => "black",
        }
    }

    pub fn parse(s: &str) -> Result<Self, FieldError> {
        Self::ALL.into_iter().find(|c| c.as_str() == s).ok_or_else(|| {
            FieldError::new(
                "unknown_plate_color",
                "",
                format!("'{s}' is not a plate colour; expected blue, yellow, green, yellow_green, white or black"),
            )
        })
    }
}

/// A licence plate in normal form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(into = "String")]
pub struct Plate(String);

fn serial_char(c: char) -> bool {
    (c.is_ascii_uppercase() && c != 'I' && c != 'O') || c.is_ascii_digit()
}

fn bad(message: impl Into<String>) -> FieldError {
    FieldError::new("invalid_plate", "", message)
}

impl Plate {
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        let plate: String = s
            .chars()
            .filter(|c| !c.is_whitespace() && !matches!(c, '·' | '•' | '.' | '-'))
            .flat_map(char::to_uppercase)
            .collect();
        Self::kind_of(&plate)?;
        Ok(Self(plate))
    }

    fn kind_of(p: &str) -> Result<PlateKind, FieldError> {
        let c: Vec<char> = p.chars().collect();
        if c.is_empty() {
            return Err(FieldError::new("required", "", "the plate is missing"));
        }
        // Embassy plates: 使 and six digits, at either end.
        let digits = |s: &[char]| s.iter().all(char::is_ascii_digit);
        if c.len() == 7 && ((c[0] == '使' && digits(&c[1..])) || (c[6] == '使' && digits(&c[..6])))
        {
            return Ok(PlateKind::Embassy);
        }
        if !PROVINCES.contains(c[0]) {
            return Err(bad(format!(
                "'{p}' does not start with a province character such as 冀 or 京"
            )));
        }
        if c.len() < 2 || !c[1].is_ascii_uppercase() || c[1] == 'I' {
            return Err(bad(format!(
                "'{p}': the second character is the issuing authority's letter, such as A"
            )));
        }
        let serial = &c[2..];
        let suffix = |ch: char| match ch {
            '挂' => Some(PlateKind::Trailer),
            '学' => Some(PlateKind::Learner),
            '警' => Some(PlateKind::Police),
            '港' => Some(PlateKind::HongKong),
            '澳' => Some(PlateKind::Macau),
            '领' => Some(PlateKind::Consulate),
            _ => None,
        };
        match serial.len() {
            5 if serial.iter().all(|&ch| serial_char(ch)) => Ok(PlateKind::Ordinary),
            5 => match suffix(serial[4]) {
                Some(PlateKind::Consulate) if digits(&serial[..4]) => Ok(PlateKind::Consulate),
                Some(PlateKind::Consulate) => {
                    Err(bad("a consulate plate has four digits before 领"))
                }
                Some(kind) if serial[..4].iter().all(|&ch| serial_char(ch)) => Ok(kind),
                _ => Err(bad(format!(
                    "'{p}': the serial has letters (not I or O) and digits only"
                ))),
            },
            6 => {
                let small = matches!(serial[0], 'D' | 'F')
                    && serial_char(serial[1])
                    && digits(&serial[2..]);
                let large = digits(&serial[..5]) && matches!(serial[5], 'D' | 'F');
                if small {
                    Ok(PlateKind::NewEnergySmall)
                } else if large {
                    Ok(PlateKind::NewEnergyLarge)
                } else {
                    Err(bad(format!(
                        "'{p}': a new-energy plate has D or F first (small) or last (large) in a six-character serial"
                    )))
                }
            }
            _ => Err(bad(format!(
                "'{p}' has {} characters; a plate has 7, or 8 for a new-energy vehicle",
                c.len()
            ))),
        }
    }

    pub fn kind(&self) -> PlateKind {
        Self::kind_of(&self.0).expect("validated at construction")
    }

    /// The province character, or `None` for an embassy plate.
    pub fn province(&self) -> Option<char> {
        self.0.chars().next().filter(|c| PROVINCES.contains(*c))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Plate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<Plate> for String {
    fn from(p: Plate) -> String {
        p.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_every_form() {
        let cases = [
            ("冀A12345", PlateKind::Ordinary),
            ("冀a·12345", PlateKind::Ordinary),
            ("京B1234挂", PlateKind::Trailer),
            ("晋A1234学", PlateKind::Learner),
            ("冀A1234警", PlateKind::Police),
            ("粤Z1234港", PlateKind::HongKong),
            ("粤Z1234澳", PlateKind::Macau),
            ("冀AD12345", PlateKind::NewEnergySmall),
            ("冀AFA1234", PlateKind::NewEnergySmall),
            ("冀A12345D", PlateKind::NewEnergyLarge),
            ("使123456", PlateKind::Embassy),
            ("123456使", PlateKind::Embassy),
            ("沪A1234领", PlateKind::Consulate),
        ];
        for (s, kind) in cases {
            assert_eq!(Plate::parse(s).unwrap().kind(), kind, "{s}");
        }
        assert_eq!(Plate::parse("冀a·12345").unwrap().as_str(), "冀A12345");
        assert_eq!(Plate::parse("冀A12345").unwrap().province(), Some('冀'));
        assert_eq!(Plate::parse("使123456").unwrap().province(), None);
    }

    #[test]
    fn rejects_malformed_plates() {
        for s in [
            "",
            "A12345",
            "冀112345",
            "冀AI2345",
            "冀A1O345",
            "冀A1234",
            "冀A123456",
            "冀A1234X领",
            "冀AX12345",
            "冀A1234DD",
            "港A12345",
            "冀IA2345",
            "冀A1234挂挂",
        ] {
            assert!(Plate::parse(s).is_err(), "{s}");
        }
    }

    fn serial() -> impl Strategy<Value = String> {
        "[A-HJ-NP-Z0-9]{5}"
    }

    proptest! {
        #[test]
        fn ordinary_plates_round_trip(p in prop::sample::select(PROVINCES.chars().collect::<Vec<_>>()), s in serial()) {
            let text = format!("{p}A{s}");
            let plate = Plate::parse(&text).unwrap();
            prop_assert_eq!(plate.as_str(), text.as_str());
            prop_assert_eq!(Plate::parse(&text.to_lowercase()).unwrap(), plate);
        }

        #[test]
        fn i_or_o_in_the_serial_is_refused(s in serial(), pos in 0usize..5, io in prop::sample::select(vec!['I', 'O'])) {
            let mut chars: Vec<char> = s.chars().collect();
            chars[pos] = io;
            let text = format!("冀A{}", chars.into_iter().collect::<String>());
            prop_assert!(Plate::parse(&text).is_err());
        }

        #[test]
        fn never_panics(s in "\\PC{0,12}") {
            let _ = Plate::parse(&s);
        }
    }
}
