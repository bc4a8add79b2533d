//! Which jurisdiction holds a follow-up list or person.

use cordon_domain::access::Scope;
use cordon_domain::division::DivisionCode;

/// A division code as stored.
pub(super) fn division(v: i64) -> Option<DivisionCode> {
    u32::try_from(v).ok().and_then(DivisionCode::from_value)
}

/// Whether a scope holds a person's county (a person of no known county is held by nobody).
pub(super) fn within(scope: &Scope, county: Option<i64>) -> bool {
    match (scope, county.and_then(division)) {
        (Scope::Division(d), Some(c)) => d.contains(c),
        _ => false,
    }
}

/// Whether a reader's scope holds a list's (a jurisdiction holds the lists brought in it).
pub(super) fn holds(scope: &Scope, list_scope: &str) -> bool {
    match (scope, DivisionCode::parse(list_scope)) {
        (Scope::Division(d), Ok(l)) => d.contains(l),
        _ => false,
    }
}
