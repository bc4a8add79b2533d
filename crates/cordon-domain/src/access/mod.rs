//! Who may do what, and where. An account has one [`Role`] and one [`Scope`]; a signed-in
//! account is a [`Principal`]. The store's methods that return personal data or change state take
//! a grant ([`passage::PassageRead`], [`trace::TrajectoryRead`], ...) whose fields are private and
//! whose only constructor is a `Principal::may_*` method beside it, so code that has not asked
//! the principal cannot call them, and the grant carries the scope the store filters by. Each
//! capability's grants are a file here named after it (`access/status.rs`), implementing
//! [`Capability`] so that the server can ask for them by type.
//!
//! | role | may |
//! |---|---|
//! | `commander` | read passages, counts and trajectories in scope; reveal; manage checkpoints in scope; publish policy and declare risk areas (province scope); request, approve and reject person-status changes (never its own); bring in and read follow-up lists; issue, revise, remind and cancel directives in its jurisdiction and read their boards; keep duty rosters and name station leads in its jurisdiction; read the daily reports; keep camera channels and patrol them; set up holding lots and work them |
//! | `officer` | register passages at its checkpoints; read their last 24 hours; open and acknowledge the directives to them; read their rosters, leave hand-over notes on its shifts, and keep the roster where named the station's lead |
//! | `tracer` | read passages, counts and trajectories in scope; reveal; request person-status changes; bring in and read follow-up lists |
//! | `lot` | work the holding lots of its jurisdiction: check trucks in at the gate, move them through their steps, close the drivers' requests; read the freight alerts of its lots |
//! | `caller` | work through its own follow-up worklist (call, answer the questionnaire, record the outcome); a team's lead also visits its team's escalated persons and hands them out again |
//! | `auditor` | read the audit trail; no personal data |
//! | `admin` | manage accounts; no personal data |
//!
//! Every signed-in role may read the network (jurisdictions, checkpoints), the policies and the
//! risk areas: none of them is personal data, and a lane needs them.

use serde::{Deserialize, Serialize};

pub mod accounts;
pub mod audit;
pub mod command;
pub mod declaration;
pub mod followup;
pub mod freight;
pub mod network;
pub mod passage;
pub mod policy;
pub mod station;
pub mod status;
pub mod testing;
pub mod trace;

use crate::checkpoint::{string_enum, CheckpointCode};
use crate::division::{DivisionCode, DivisionLevel};
use crate::FieldError;

string_enum! {
    /// What an account is for. A `station` is an edge station's credential: it pushes its one
    /// checkpoint's registrations to the hub.
    Role {
        Commander = "commander",
        Officer = "officer",
        Tracer = "tracer",
        Auditor = "auditor",
        Admin = "admin",
        Station = "station",
        Caller = "caller",
        Sampler = "sampler",
        Lab = "lab",
        Lot = "lot",
    }
}

/// How long an officer can look back at its checkpoints' passages.
pub const OFFICER_LOOKBACK_MS: i64 = 24 * 3_600_000;

/// Most checkpoints a scope may name.
pub const MAX_SCOPE_CHECKPOINTS: usize = 2_000;

/// Where an account acts: a jurisdiction (province, city or county code, and everything in it)
/// or a set of checkpoints.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Scope {
    Division(DivisionCode),
    /// Sorted and without duplicates; shared, since a principal's scope is cloned into every
    /// grant of every request and a station's officer may name many checkpoints.
    Checkpoints(std::sync::Arc<[CheckpointCode]>),
}

impl Scope {
    /// `130000` (a province), `130100` (a city), or `CP-130100-0001,CP-130100-0002`.
    pub fn parse(s: &str) -> Result<Scope, FieldError> {
        let s = s.trim();
        if s.starts_with("CP-") {
            let mut codes = s
                .split(',')
                .map(|c| CheckpointCode::parse(c.trim()))
                .collect::<Result<Vec<_>, _>>()?;
            codes.sort_by(|a, b| a.as_str().cmp(b.as_str()));
            codes.dedup();
            if codes.len() > MAX_SCOPE_CHECKPOINTS {
                return Err(FieldError::new(
                    "too_many",
                    "",
                    format!(
                        "a scope names at most {MAX_SCOPE_CHECKPOINTS} checkpoints; use a jurisdiction instead"
                    ),
                ));
            }
            Ok(Scope::Checkpoints(codes.into()))
        } else {
            DivisionCode::parse(s).map(Scope::Division)
        }
    }

    /// Whether a checkpoint (with its jurisdiction) lies in this scope.
    pub fn covers(&self, code: &CheckpointCode, jurisdiction: DivisionCode) -> bool {
        match self {
            Scope::Division(d) => d.contains(jurisdiction),
            Scope::Checkpoints(list) => list
                .binary_search_by(|c| c.as_str().cmp(code.as_str()))
                .is_ok(),
        }
    }

    /// Whether a whole jurisdiction lies in this scope.
    pub fn covers_division(&self, division: DivisionCode) -> bool {
        match self {
            Scope::Division(d) => d.contains(division),
            Scope::Checkpoints(_) => false,
        }
    }

    /// A short form for the audit trail: the code, or up to three checkpoints and how many more
    /// (the account's full scope is in its record).
    pub fn label(&self) -> String {
        match self {
            Scope::Checkpoints(list) if list.len() > 3 => {
                let first: Vec<&str> = list[..3].iter().map(|c| c.as_str()).collect();
                format!("{} (+{} more)", first.join(","), list.len() - 3)
            }
            other => other.to_string(),
        }
    }

    fn is_province(&self) -> bool {
        matches!(self, Scope::Division(d) if d.level() == DivisionLevel::Province)
    }
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Scope::Division(d) => write!(f, "{d}"),
            Scope::Checkpoints(list) => {
                let codes: Vec<&str> = list.iter().map(|c| c.as_str()).collect();
                f.write_str(&codes.join(","))
            }
        }
    }
}

impl Serialize for Scope {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Scope {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Scope::parse(&s).map_err(|e| serde::de::Error::custom(e.message))
    }
}

/// An account name: 3 to 32 characters of `a-z 0-9 . _ -`, starting with a letter.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Username(String);

impl Username {
    pub fn parse(s: &str) -> Result<Username, FieldError> {
        let ok_len = (3..=32).contains(&s.len());
        let ok_first = s.starts_with(|c: char| c.is_ascii_lowercase());
        let ok_chars = s
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
        if ok_len && ok_first && ok_chars {
            Ok(Username(s.to_owned()))
        } else {
            Err(FieldError::new(
                "invalid_username",
                "",
                "a user name is 3 to 32 characters of a-z, 0-9, '.', '_' or '-', starting with a letter",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Username {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// An account as listed: never its password hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Account {
    pub id: i64,
    #[schema(value_type = String)]
    pub username: Username,
    pub role: Role,
    #[schema(value_type = String)]
    pub scope: Scope,
    pub disabled: bool,
    pub created_by: String,
    pub created_at_ms: i64,
    pub password_changed_at_ms: i64,
    /// Locked against sign-in until this instant after repeated failures (0: not locked).
    pub locked_until_ms: i64,
}

/// Checks that a role and a scope fit together: an officer is bound to checkpoints; auditors
/// and admins act province-wide or not at all on operational data, so their scope is a province.
pub fn check_role_scope(role: Role, scope: &Scope) -> Result<(), FieldError> {
    match (role, scope) {
        (Role::Officer, Scope::Division(_)) => Err(FieldError::new(
            "scope_mismatch",
            "scope",
            "an officer is bound to checkpoints: give their codes, separated by commas",
        )),
        // A checkpoint's station, or a sampling site's (its campaign's area).
        (Role::Station, Scope::Checkpoints(list)) if list.len() == 1 => Ok(()),
        (Role::Station, Scope::Division(_)) => Ok(()),
        (Role::Station, _) => Err(FieldError::new(
            "scope_mismatch",
            "scope",
            "a station's credential is bound to exactly one checkpoint",
        )),
        (Role::Lot, Scope::Checkpoints(_)) => Err(FieldError::new(
            "scope_mismatch",
            "scope",
            "a holding lot's staff work the lots of a jurisdiction: give its division code",
        )),
        (Role::Auditor | Role::Admin, s) if !s.is_province() => Err(FieldError::new(
            "scope_mismatch",
            "scope",
            "auditors and admins have a province scope",
        )),
        _ => Ok(()),
    }
}

/// A signed-in account acting now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub account: i64,
    pub username: Username,
    pub role: Role,
    pub scope: Scope,
}

/// The role lacks the capability: answered 403, never with whether the thing exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Denied {
    pub capability: &'static str,
}

impl std::fmt::Display for Denied {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "this account may not {}", self.capability)
    }
}

impl std::error::Error for Denied {}

impl Principal {
    fn deny(capability: &'static str) -> Denied {
        Denied { capability }
    }
}

/// A grant a request needs: made from the signed-in principal by its `may_*` method, or refused.
/// The server asks for grants by type (`Grant<PassageRead>`); each grant's file implements this
/// beside the method that makes it.
pub trait Capability: Sized {
    fn grant(p: &Principal, now_ms: i64) -> Result<Self, Denied>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(role: Role, scope: &str) -> Principal {
        Principal {
            account: 1,
            username: Username::parse("someone").unwrap(),
            role,
            scope: Scope::parse(scope).unwrap(),
        }
    }

    #[test]
    fn scopes_cover_their_checkpoints_only() {
        let city = Scope::parse("130100").unwrap();
        let cp = CheckpointCode::parse("CP-130100-0001").unwrap();
        let other = CheckpointCode::parse("CP-130200-0001").unwrap();
        let county = DivisionCode::parse("130102").unwrap();
        let elsewhere = DivisionCode::parse("130203").unwrap();
        assert!(city.covers(&cp, county));
        assert!(!city.covers(&other, elsewhere));
        let set = Scope::parse("CP-130100-0001, CP-130100-0001").unwrap();
        assert_eq!(set.to_string(), "CP-130100-0001");
        assert!(set.covers(&cp, county));
        assert!(!set.covers(&other, county));
        assert!(!set.covers_division(county));
        assert!(Scope::parse("CP-1").is_err());
        let many =
            Scope::parse("CP-130100-0004,CP-130100-0001,CP-130100-0003,CP-130100-0002").unwrap();
        assert_eq!(
            many.label(),
            "CP-130100-0001,CP-130100-0002,CP-130100-0003 (+1 more)"
        );
        assert_eq!(city.label(), "130100");
        assert!(Scope::parse("xyz").is_err());
    }

    #[test]
    fn roles_get_their_grants_and_no_others() {
        let now = 1_000_000_000_000;
        let officer = principal(Role::Officer, "CP-130100-0001");
        assert_eq!(
            officer.may_read_passages(now).unwrap().since_ms(),
            now - OFFICER_LOOKBACK_MS
        );
        assert!(officer.may_read_trajectories().is_err());
        assert!(officer.may_register().is_ok());
        let commander = principal(Role::Commander, "130100");
        assert_eq!(
            commander.may_read_passages(now).unwrap().since_ms(),
            i64::MIN
        );
        assert!(commander.may_register().is_err());
        assert!(commander.may_change_policy().is_err());
        assert!(principal(Role::Commander, "130000")
            .may_change_policy()
            .is_ok());
        for role in [Role::Auditor, Role::Admin] {
            let p = principal(role, "130000");
            assert!(p.may_read_passages(now).is_err());
            assert!(p.may_read_trajectories().is_err());
        }
        assert!(principal(Role::Auditor, "130000").may_read_audit().is_ok());
        assert!(principal(Role::Admin, "130000").may_read_audit().is_err());
        assert!(principal(Role::Admin, "130000")
            .may_administer_accounts()
            .is_ok());
    }

    #[test]
    fn roles_and_scopes_must_fit() {
        let cps = Scope::parse("CP-130100-0001").unwrap();
        let city = Scope::parse("130100").unwrap();
        let province = Scope::parse("130000").unwrap();
        assert!(check_role_scope(Role::Officer, &cps).is_ok());
        assert!(check_role_scope(Role::Officer, &city).is_err());
        assert!(check_role_scope(Role::Admin, &city).is_err());
        assert!(check_role_scope(Role::Admin, &province).is_ok());
        assert!(check_role_scope(Role::Tracer, &cps).is_ok());
    }

    #[test]
    fn user_names_are_plain() {
        assert!(Username::parse("officer.130100-1").is_ok());
        for bad in ["ab", "Admin", "1abc", "a b c", "ünï", &"a".repeat(33)] {
            assert!(Username::parse(bad).is_err(), "{bad}");
        }
    }
}
