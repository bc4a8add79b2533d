//! Who may do what, and where. An account has one [`Role`] and one [`Scope`]; a signed-in
//! account is a [`Principal`]. The store's methods that return personal data take a grant
//! ([`PassageRead`], [`TrajectoryRead`]) whose fields are private and whose only constructors
//! are the `Principal::may_*` methods here, so code that has not asked the principal cannot call
//! them, and the grant carries the scope the store filters by.
//!
//! | role | may |
//! |---|---|
//! | `commander` | read passages, counts and trajectories in scope; reveal; manage checkpoints in scope; publish policy and declare risk areas (province scope); request, approve and reject person-status changes (never its own) |
//! | `officer` | register passages at its checkpoints; read their last 24 hours |
//! | `tracer` | read passages, counts and trajectories in scope; reveal; request person-status changes |
//! | `auditor` | read the audit trail; no personal data |
//! | `admin` | manage accounts; no personal data |
//!
//! Every signed-in role may read the network (jurisdictions, checkpoints), the policies and the
//! risk areas: none of them is personal data, and a lane needs them.

use serde::{Deserialize, Serialize};

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
        (Role::Station, Scope::Checkpoints(list)) if list.len() == 1 => Ok(()),
        (Role::Station, _) => Err(FieldError::new(
            "scope_mismatch",
            "scope",
            "a station's credential is bound to exactly one checkpoint",
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

/// Leave to read passages (and counts) at checkpoints in a scope, from an instant on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PassageRead {
    scope: Scope,
    since_ms: i64,
}

/// Leave to see the clear identity numbers, names and phones of passages in a scope, for a
/// stated purpose (every reveal is audited).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reveal {
    read: PassageRead,
}

impl Reveal {
    /// The passages a reveal may name.
    pub fn passages(&self) -> &PassageRead {
        &self.read
    }
}

/// Leave to read trajectories of persons and vehicles through checkpoints in a scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrajectoryRead {
    scope: Scope,
}

/// Leave to change the checkpoint network within a scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkChange {
    scope: Scope,
}

/// Leave to register passages at checkpoints in a scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    scope: Scope,
}

/// Leave for an edge station to push its checkpoint's registrations to the hub, as its own
/// account (the hub keeps one series per station account).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StationSync {
    account: i64,
    checkpoint: CheckpointCode,
}

impl StationSync {
    pub fn account(&self) -> i64 {
        self.account
    }
    /// The one checkpoint the station writes for.
    pub fn checkpoint(&self) -> &CheckpointCode {
        &self.checkpoint
    }
}

/// Leave to issue and revoke stations' credentials for checkpoints in a scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StationAdmin {
    scope: Scope,
}

impl StationAdmin {
    pub fn scope(&self) -> &Scope {
        &self.scope
    }
}

/// Leave to revoke a driver's pre-declaration (a commander of any scope: a declaration is good at
/// every checkpoint).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeclarationRevoke(());

/// Leave to create, check, dry-run and publish policies and to change the risk-area register.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PolicyChange(());

/// Leave to request a change of a person's status, as this account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusRequest {
    account: i64,
    username: Username,
}

/// Leave to approve or reject a status change that another account requested, as this account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusDecision {
    account: i64,
    username: Username,
}

/// Leave to read the status changes (persons masked).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusRead(());

/// Leave to read the audit trail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditRead(());

/// Leave to manage accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountAdmin(());

impl PassageRead {
    pub fn scope(&self) -> &Scope {
        &self.scope
    }
    /// Nothing observed before this instant may be read (an officer's 24 hours).
    pub fn since_ms(&self) -> i64 {
        self.since_ms
    }
}

impl TrajectoryRead {
    pub fn scope(&self) -> &Scope {
        &self.scope
    }
}

impl StatusRequest {
    pub fn account(&self) -> i64 {
        self.account
    }
    pub fn username(&self) -> &Username {
        &self.username
    }
}

impl StatusDecision {
    /// The deciding account: the store refuses a decision on this account's own request.
    pub fn account(&self) -> i64 {
        self.account
    }
    pub fn username(&self) -> &Username {
        &self.username
    }
}

impl NetworkChange {
    pub fn scope(&self) -> &Scope {
        &self.scope
    }
}

impl Registration {
    pub fn scope(&self) -> &Scope {
        &self.scope
    }
}

impl Principal {
    fn deny(capability: &'static str) -> Denied {
        Denied { capability }
    }

    /// Commanders and tracers read their scope; officers the last 24 hours of their checkpoints.
    pub fn may_read_passages(&self, now_ms: i64) -> Result<PassageRead, Denied> {
        let since_ms = match self.role {
            Role::Commander | Role::Tracer => i64::MIN,
            Role::Officer => now_ms - OFFICER_LOOKBACK_MS,
            Role::Auditor | Role::Admin | Role::Station => return Err(Self::deny("read passages")),
        };
        Ok(PassageRead {
            scope: self.scope.clone(),
            since_ms,
        })
    }

    /// Tracers (who call people) and commanders may reveal; officers see the people in front
    /// of them, auditors and admins see no personal data.
    pub fn may_reveal(&self) -> Result<Reveal, Denied> {
        match self.role {
            Role::Commander | Role::Tracer => Ok(Reveal {
                read: PassageRead {
                    scope: self.scope.clone(),
                    since_ms: i64::MIN,
                },
            }),
            _ => Err(Self::deny("reveal personal data")),
        }
    }

    pub fn may_read_trajectories(&self) -> Result<TrajectoryRead, Denied> {
        match self.role {
            Role::Commander | Role::Tracer => Ok(TrajectoryRead {
                scope: self.scope.clone(),
            }),
            _ => Err(Self::deny("read trajectories")),
        }
    }

    pub fn may_change_network(&self) -> Result<NetworkChange, Denied> {
        match self.role {
            Role::Commander => Ok(NetworkChange {
                scope: self.scope.clone(),
            }),
            _ => Err(Self::deny("change the checkpoint network")),
        }
    }

    pub fn may_sync(&self) -> Result<StationSync, Denied> {
        match (&self.role, &self.scope) {
            (Role::Station, Scope::Checkpoints(list)) if list.len() == 1 => Ok(StationSync {
                account: self.account,
                checkpoint: list[0].clone(),
            }),
            _ => Err(Self::deny("push a station's registrations")),
        }
    }

    pub fn may_administer_stations(&self) -> Result<StationAdmin, Denied> {
        match self.role {
            Role::Commander => Ok(StationAdmin {
                scope: self.scope.clone(),
            }),
            _ => Err(Self::deny("issue or revoke station credentials")),
        }
    }

    pub fn may_revoke_declarations(&self) -> Result<DeclarationRevoke, Denied> {
        match self.role {
            Role::Commander => Ok(DeclarationRevoke(())),
            _ => Err(Self::deny("revoke pre-declarations")),
        }
    }

    pub fn may_register(&self) -> Result<Registration, Denied> {
        match self.role {
            Role::Officer => Ok(Registration {
                scope: self.scope.clone(),
            }),
            _ => Err(Self::deny("register passages")),
        }
    }

    /// Policies and risk areas hold for the whole province: only a province commander changes them.
    pub fn may_change_policy(&self) -> Result<PolicyChange, Denied> {
        if self.role == Role::Commander && self.scope.is_province() {
            Ok(PolicyChange(()))
        } else {
            Err(Self::deny("change policies or risk areas"))
        }
    }

    /// Tracers (who find the contacts) and commanders request status changes.
    pub fn may_request_status_change(&self) -> Result<StatusRequest, Denied> {
        match self.role {
            Role::Commander | Role::Tracer => Ok(StatusRequest {
                account: self.account,
                username: self.username.clone(),
            }),
            _ => Err(Self::deny("request a person's status change")),
        }
    }

    /// Commanders approve or reject; never their own request (the store checks that).
    pub fn may_decide_status_change(&self) -> Result<StatusDecision, Denied> {
        match self.role {
            Role::Commander => Ok(StatusDecision {
                account: self.account,
                username: self.username.clone(),
            }),
            _ => Err(Self::deny("approve a person's status change")),
        }
    }

    pub fn may_read_status_changes(&self) -> Result<StatusRead, Denied> {
        match self.role {
            Role::Commander | Role::Tracer => Ok(StatusRead(())),
            _ => Err(Self::deny("read status changes")),
        }
    }

    pub fn may_read_audit(&self) -> Result<AuditRead, Denied> {
        match self.role {
            Role::Auditor => Ok(AuditRead(())),
            _ => Err(Self::deny("read the audit trail")),
        }
    }

    pub fn may_administer_accounts(&self) -> Result<AccountAdmin, Denied> {
        match self.role {
            Role::Admin => Ok(AccountAdmin(())),
            _ => Err(Self::deny("manage accounts")),
        }
    }
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
