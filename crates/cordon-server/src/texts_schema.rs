//! The schemas of the API's free-text fields, as the handlers check them (trimmed, then counted):
//! a reason or purpose of 1 to 500 characters, a display name of 1 to 100 without control
//! characters. Named here once so that the document says what the handlers refuse.

use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;

/// At least one character that is not a space, at most `n` once the ends are trimmed.
fn trimmed(description: &str, pattern: &str, example: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .pattern(Some(pattern))
        .examples([example])
        .into()
}

/// Why something was done: 1 to 500 characters once trimmed (kept in the record or the audit
/// trail).
pub struct ReasonText;

/// ECMA-262: optional spaces, a non-space, up to 498 more, a non-space, optional spaces.
pub const REASON_PATTERN: &str = r"^\s*\S([\s\S]{0,498}\S)?\s*$";

impl utoipa::PartialSchema for ReasonText {
    fn schema() -> RefOr<Schema> {
        trimmed(
            "1 to 500 characters once trimmed",
            REASON_PATTERN,
            "冀石疾控-2022-0513-017",
        )
    }
}

impl utoipa::ToSchema for ReasonText {}

/// A display name: 1 to 100 characters once trimmed, no control characters.
pub struct NameText;

/// ECMA-262: no control character (C0, DEL, C1), a non-space at each trimmed end.
pub const NAME_PATTERN: &str =
    r"^\s*[^\s\x00-\x1f\x7f-\x9f]([^\x00-\x1f\x7f-\x9f]{0,98}[^\s\x00-\x1f\x7f-\x9f])?\s*$";

impl utoipa::PartialSchema for NameText {
    fn schema() -> RefOr<Schema> {
        trimmed(
            "1 to 100 characters once trimmed, no control characters",
            NAME_PATTERN,
            "石家庄1号收费站",
        )
    }
}

impl utoipa::ToSchema for NameText {}

/// A note: at most 500 characters once trimmed, no control characters; may be empty.
pub struct NoteText;

/// ECMA-262: empty, or a trimmed text of up to 500 characters with no control character.
pub const NOTE_PATTERN: &str =
    r"^\s*([^\s\x00-\x1f\x7f-\x9f]([^\x00-\x1f\x7f-\x9f]{0,498}[^\s\x00-\x1f\x7f-\x9f])?)?\s*$";

impl utoipa::PartialSchema for NoteText {
    fn schema() -> RefOr<Schema> {
        trimmed(
            "at most 500 characters once trimmed, no control characters",
            NOTE_PATTERN,
            "核实无误 / verified",
        )
    }
}

impl utoipa::ToSchema for NoteText {}

/// A note that must say something: 1 to 500 characters once trimmed, no control characters.
pub struct RequiredNoteText;

/// ECMA-262: [`NOTE_PATTERN`] without the empty case.
pub const REQUIRED_NOTE_PATTERN: &str =
    r"^\s*[^\s\x00-\x1f\x7f-\x9f]([^\x00-\x1f\x7f-\x9f]{0,498}[^\s\x00-\x1f\x7f-\x9f])?\s*$";

impl utoipa::PartialSchema for RequiredNoteText {
    fn schema() -> RefOr<Schema> {
        trimmed(
            "1 to 500 characters once trimmed, no control characters",
            REQUIRED_NOTE_PATTERN,
            "证据不足 / not enough evidence",
        )
    }
}

impl utoipa::ToSchema for RequiredNoteText {}

/// The schema of a subject given as a person's identity document or a vehicle's plate, exactly
/// one of them (a trace's subject, an auditor's search).
pub fn person_or_plate() -> RefOr<Schema> {
    use utoipa::openapi::schema::{AdditionalProperties, OneOfBuilder};
    use utoipa::openapi::Ref;
    let only = |name: &str, schema: RefOr<Schema>| {
        ObjectBuilder::new()
            .property(name, schema)
            .required(name)
            .additional_properties(Some(AdditionalProperties::FreeForm(false)))
    };
    OneOfBuilder::new()
        .description(Some(
            "a person's identity document or a vehicle's plate: exactly one",
        ))
        .item(only(
            "document",
            Ref::from_schema_name("DocumentRequest").into(),
        ))
        .item(only(
            "plate",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .examples(["冀A12345"])
                .into(),
        ))
        .into()
}

/// Registers the schemas [`person_or_plate`] names.
pub fn person_or_plate_schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
    use cordon_domain::registration::DocumentRequest;
    use utoipa::{PartialSchema, ToSchema};
    schemas.push((DocumentRequest::name().into(), DocumentRequest::schema()));
    DocumentRequest::schemas(schemas);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_patterns_say_what_the_checks_refuse() {
        let reason = regex::Regex::new(REASON_PATTERN).unwrap();
        let name = regex::Regex::new(NAME_PATTERN).unwrap();
        for s in ["x", " 撤站 ", &"x".repeat(500), "a\nb"] {
            assert!(reason.is_match(s), "{s:?}");
            assert_eq!(
                cordon_domain::checkpoint::parse_reason(s).is_ok(),
                reason.is_match(s),
                "{s:?}"
            );
        }
        for s in [
            "",
            "  ",
            &"x".repeat(501),
            &format!(" {} ", "y".repeat(501)),
        ] {
            assert!(!reason.is_match(s), "{s:?}");
            assert!(cordon_domain::checkpoint::parse_reason(s).is_err(), "{s:?}");
        }
        let note = regex::Regex::new(NOTE_PATTERN).unwrap();
        let required = regex::Regex::new(REQUIRED_NOTE_PATTERN).unwrap();
        for s in [
            "",
            "  ",
            "证据不足",
            " a b ",
            "a\nb",
            "a\u{85}b",
            &"x".repeat(500),
            &"x".repeat(501),
        ] {
            let optional = cordon_domain::status::parse_note(Some(s), false).is_ok();
            let needed = cordon_domain::status::parse_note(Some(s), true).is_ok();
            assert_eq!(
                (note.is_match(s), required.is_match(s)),
                (optional, needed),
                "{s:?}"
            );
        }
        for s in [
            "石家庄",
            " a b ",
            &"n".repeat(100),
            "",
            "  ",
            "a\u{7}b",
            &"n".repeat(101),
        ] {
            assert_eq!(
                cordon_domain::checkpoint::parse_name(s).is_ok(),
                name.is_match(s),
                "{s:?}"
            );
        }
    }
}
