//! Mainland mobile numbers: eleven digits starting 13-19, written with or without `+86`, spaces
//! or hyphens; stored as the eleven digits. `Debug` and `Serialize` show the masked form.

use serde::Serialize;

use crate::mask;
use crate::FieldError;

#[derive(Clone, PartialEq, Eq, Hash)]
pub struct MobileNumber(String);

impl MobileNumber {
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        let digits: String = if s.bytes().all(|b| b.is_ascii_digit()) {
            s.to_owned()
        } else {
            s.chars()
                .filter(|c| !matches!(c, ' ' | '-' | '(' | ')'))
                .collect()
        };
        let digits = digits
            .strip_prefix("+86")
            .or_else(|| digits.strip_prefix("0086"))
            .unwrap_or(&digits);
        let b = digits.as_bytes();
        let ok = b.len() == 11
            && b.iter().all(u8::is_ascii_digit)
            && b[0] == b'1'
            && (b'3'..=b'9').contains(&b[1]);
        if !ok {
            return Err(FieldError::new(
                "invalid_phone",
                "",
                "a mainland mobile number has 11 digits starting 13 to 19, such as 13812345678",
            ));
        }
        Ok(Self(digits.to_owned()))
    }

    /// The clear number; see [`crate::identity::IdentityDocument::expose_number`].
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn masked(&self) -> String {
        mask::phone(&self.0)
    }
}

impl std::fmt::Debug for MobileNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.masked())
    }
}

impl Serialize for MobileNumber {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_common_spellings() {
        for s in [
            "13812345678",
            "+86 138 1234 5678",
            "138-1234-5678",
            "008613812345678",
        ] {
            assert_eq!(
                MobileNumber::parse(s).unwrap().expose(),
                "13812345678",
                "{s}"
            );
        }
        assert_eq!(
            format!("{:?}", MobileNumber::parse("13812345678").unwrap()),
            "138****5678"
        );
    }

    #[test]
    fn rejects_others() {
        for s in [
            "12812345678",
            "1381234567",
            "138123456789",
            "0311-8765432",
            "",
            "1381234567a",
        ] {
            assert!(MobileNumber::parse(s).is_err(), "{s}");
        }
    }

    proptest! {
        #[test]
        fn round_trips(second in 3u8..=9, rest in 0u64..1_000_000_000) {
            let s = format!("1{second}{rest:09}");
            let m = MobileNumber::parse(&s).unwrap();
            prop_assert_eq!(m.expose(), s.as_str());
        }

        #[test]
        fn never_panics(s in "\\PC{0,20}") {
            let _ = MobileNumber::parse(&s);
        }
    }
}
