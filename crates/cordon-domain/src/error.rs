//! The error every rejected input is reported in: a machine code, the path of the field in the
//! request body (`occupants[1].document.number`) and a sentence a person can act on.

use serde::Serialize;

/// One rejected field. `code` is stable and machine-readable; `field` is a path into the request
/// body; `message` says what is wrong and what is expected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub code: String,
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(code: &str, field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: code.to_owned(),
            field: field.into(),
            message: message.into(),
        }
    }

    /// The same error reported under a parent path: `number` inside `occupants[1].document`
    /// becomes `occupants[1].document.number`.
    pub fn under(mut self, parent: &str) -> Self {
        self.field = join_path(parent, &self.field);
        self
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.field, self.code, self.message)
    }
}

impl std::error::Error for FieldError {}

/// `join_path("occupants[1]", "name")` is `occupants[1].name`; an empty side is left out.
pub fn join_path(parent: &str, child: &str) -> String {
    match (parent.is_empty(), child.is_empty()) {
        (true, _) => child.to_owned(),
        (_, true) => parent.to_owned(),
        _ if child.starts_with('[') => format!("{parent}{child}"),
        _ => format!("{parent}.{child}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_join_with_dots_and_brackets() {
        assert_eq!(join_path("occupants[1]", "name"), "occupants[1].name");
        assert_eq!(join_path("occupants", "[1]"), "occupants[1]");
        assert_eq!(join_path("", "lane"), "lane");
        let e = FieldError::new("invalid", "number", "bad").under("occupants[0].document");
        assert_eq!(e.field, "occupants[0].document.number");
    }
}
