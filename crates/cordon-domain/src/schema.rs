//! Pieces of the API's document that the domain's types describe themselves with: a value is
//! described where it is parsed, so the document and the parser agree (tests beside each type
//! hold its pattern to its parser).

use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;

/// A string schema with a description, a pattern and an example.
pub fn text(description: &str, pattern: &str, example: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .pattern(Some(pattern))
        .examples([example])
        .into()
}
