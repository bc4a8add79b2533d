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

/// Every rejected field of one request, gathered so that a person who filled in a form hears of
/// all its mistakes at once rather than one per attempt.
#[derive(Debug, Default)]
pub struct Gathered {
    found: Vec<FieldError>,
}

impl Gathered {
    /// The value, or `None` with its error kept.
    pub fn take<T>(&mut self, r: Result<T, FieldError>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.found.push(e);
                None
            }
        }
    }

    /// The value, or `None` with its errors kept under `path`.
    pub fn take_all<T>(&mut self, r: Result<T, Vec<FieldError>>, path: &str) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(list) => {
                self.found.extend(list.into_iter().map(|e| e.under(path)));
                None
            }
        }
    }

    pub fn push(&mut self, e: FieldError) {
        self.found.push(e);
    }

    pub fn is_clean(&self) -> bool {
        self.found.is_empty()
    }

    /// Every error found, or what `build` makes of the values when there was none (`build`
    /// answers `None` only when a value is missing, which an error would have said).
    pub fn finish<T>(self, build: impl FnOnce() -> Option<T>) -> Result<T, Vec<FieldError>> {
        if !self.found.is_empty() {
            return Err(self.found);
        }
        build().ok_or_else(|| {
            vec![FieldError::new(
                "invalid_value",
                "",
                "the request could not be read whole",
            )]
        })
    }
}

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

    #[test]
    fn gathered_errors_are_all_kept_in_order() {
        let mut g = Gathered::default();
        let a: Option<u8> = g.take(Err(FieldError::new("required", "name", "a")));
        let b = g.take(Ok(2u8));
        let c: Option<u8> = g.take_all(
            Err(vec![FieldError::new("invalid_phone", "phone", "c")]),
            "occupants[1]",
        );
        assert_eq!((a, b, c), (None, Some(2), None));
        let found = g.finish(|| Some(())).unwrap_err();
        let fields: Vec<_> = found.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "occupants[1].phone"]);
        assert_eq!(Gathered::default().finish(|| Some(7)), Ok(7));
    }
}
