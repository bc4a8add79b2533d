//! The personal data of an occupant: identity document, name and phone, held together behind one
//! type so that every place that may show or store it is easy to find. `Debug` and `Serialize`
//! give the masked form (`110105********002X`, `张*`, `138****5678`); the clear values are reached
//! only through the `expose_*` methods.

use serde::Serialize;

use crate::contact::MobileNumber;
use crate::identity::{DocumentType, IdentityDocument, MaskedDocument};
use crate::mask;
use crate::FieldError;

/// A person's name as written on the document: 1 to 64 characters with at least one letter, no
/// control characters and no invisible formatting characters (zero-width spaces and joiners,
/// direction overrides and isolates, the byte-order mark), which would let a name look like
/// another or like none.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PersonName(String);

/// Invisible formatting characters (Unicode's format category as names meet it).
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}')
}

impl PersonName {
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        let t = s.trim();
        if t.is_empty() {
            return Err(FieldError::new("required", "", "the name is missing"));
        }
        if t.chars().count() > 64 || t.chars().any(|c| c.is_control() || is_invisible(c)) {
            return Err(FieldError::new(
                "invalid_name",
                "",
                "a name has at most 64 characters and no control or invisible formatting \
                 characters",
            ));
        }
        if !t.chars().any(char::is_alphabetic) {
            return Err(FieldError::new(
                "invalid_name",
                "",
                "a name has at least one letter",
            ));
        }
        Ok(Self(t.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn masked(&self) -> String {
        mask::name(&self.0)
    }
}

impl std::fmt::Debug for PersonName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.masked())
    }
}

/// Who a person is: the fields that identify them and reach them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PersonalData {
    pub document: IdentityDocument,
    pub name: PersonName,
    pub phone: Option<MobileNumber>,
}

/// The masked view of [`PersonalData`], the only one responses carry by default.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MaskedPerson {
    pub document: MaskedDocument,
    /// Masked: the first character kept.
    pub name: String,
    /// Masked: `138****5678`.
    pub phone: Option<String>,
}

impl PersonalData {
    pub fn masked(&self) -> MaskedPerson {
        MaskedPerson {
            document: MaskedDocument {
                kind: self.document.kind(),
                number: self.document.masked_number(),
            },
            name: self.name.masked(),
            phone: self.phone.as_ref().map(MobileNumber::masked),
        }
    }

    pub fn document_type(&self) -> DocumentType {
        self.document.kind()
    }
}

impl Serialize for PersonalData {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.masked().serialize(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_only_masked_values() {
        let p = PersonalData {
            document: IdentityDocument::parse(DocumentType::ResidentId, "11010519491231002X")
                .unwrap(),
            name: PersonName::parse(" 张三 ").unwrap(),
            phone: Some(MobileNumber::parse("13812345678").unwrap()),
        };
        let json = serde_json::to_string(&p).unwrap();
        assert!(!json.contains("张三") && !json.contains("13812345678"));
        assert!(json.contains("110105********002X") && json.contains("张*"));
        let debug = format!("{p:?}");
        assert!(
            !debug.contains("张三") && !debug.contains("1949"),
            "{debug}"
        );
        assert_eq!(p.name.expose(), "张三");
    }

    #[test]
    fn names_are_bounded() {
        assert!(PersonName::parse("").is_err());
        assert!(PersonName::parse(&"名".repeat(65)).is_err());
        assert!(PersonName::parse("a\u{7}b").is_err());
    }

    #[test]
    fn names_are_visible_letters() {
        for bad in [
            "\u{200f}",
            "\u{200b}\u{200d}\u{feff}",
            "\u{202e}abc\u{202c}",
            "张\u{200b}三",
            "\u{2066}张三\u{2069}",
            "123",
            "·-·",
        ] {
            let e = PersonName::parse(bad).unwrap_err();
            assert_eq!(e.code, "invalid_name", "{bad:?}");
        }
        for good in [
            "张三",
            "阿卜杜拉·买买提",
            "O'Brien",
            "José María",
            "Nguyễn Văn A",
        ] {
            assert!(PersonName::parse(good).is_ok(), "{good}");
        }
    }
}
