//! The checkpoint policy engine. A policy is a versioned TOML document of rules
//! ([`document`]); [`compile`] checks it whole (every problem with its line and field path) and
//! builds a [`Policy`]; [`eval`] applies it to each occupant of a passage, in memory and without
//! allocating; [`explain`] turns the verdicts into the [`Decision`](crate::passage::Decision)
//! stored with the passage: the version, the rule that decided, the facts it used.
//!
//! How rules combine is written in the document:
//! - `first_match`: rules are tried in order; the first whose conditions all hold decides the
//!   occupant. A rule that an earlier rule always shadows is refused as unreachable.
//! - `most_severe`: every rule whose conditions hold counts; the occupant gets the most severe of
//!   their outcomes ([`Outcome::severity`](crate::passage::Outcome::severity)) and all their
//!   actions.
//!
//! In both, an occupant no rule matches gets the document's `default`. A vehicle gets the most
//! severe of its occupants' outcomes and the union of their actions; every occupant's reasons are
//! kept, each naming the occupant.

pub mod compile;
#[cfg(test)]
mod compile_tests;
pub mod diff;
pub mod document;
pub mod eval;
pub mod examples;
pub mod explain;
pub mod facts;
pub mod record;
mod shadow;

use serde::Serialize;

use crate::passage::{Action, Outcome};

pub use compile::{compile, PolicyProblem};
pub use eval::OccupantVerdict;
pub use facts::{OccupantFacts, PassageFacts};

/// The most rules one policy may hold (the matched set is a 128-bit mask).
pub const MAX_RULES: usize = 128;

/// How the rules that match an occupant combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Combine {
    FirstMatch,
    MostSevere,
}

/// A set of actions, a bit each.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ActionSet(pub u16);

impl ActionSet {
    pub fn with(self, a: Action) -> Self {
        Self(self.0 | 1 << (a as u16))
    }
    pub fn contains(self, a: Action) -> bool {
        self.0 & (1 << (a as u16)) != 0
    }
    pub fn union(self, o: Self) -> Self {
        Self(self.0 | o.0)
    }
    pub fn to_vec(self) -> Vec<Action> {
        Action::ALL
            .iter()
            .copied()
            .filter(|a| self.contains(*a))
            .collect()
    }
}

/// Hours of a negative test, of some kinds (bits of [`TestKind`](crate::passage::TestKind)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TestWindow {
    pub kinds: u8,
    pub within_hours: u32,
}

/// A visit within some days to a place at one of some risk levels (bits of
/// [`RiskLevel::bit`](crate::risk::RiskLevel::bit)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VisitedRisk {
    pub levels: u8,
    pub within_days: u32,
}

/// A rule's conditions, checked: `None` places no condition; a set is a bit mask of the enum's
/// variants. All the conditions given must hold.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Conditions {
    pub health_code: Option<u8>,
    /// Bits of [`PersonStatus`](crate::status::PersonStatus).
    pub status: Option<u8>,
    /// Tenths of a degree.
    pub temperature_at_least: Option<i16>,
    pub temperature_below: Option<i16>,
    pub document_type: Option<u8>,
    pub role: Option<u8>,
    pub test_result: Option<u8>,
    pub test_kind: Option<u8>,
    pub with_negative_test: Option<TestWindow>,
    pub without_negative_test: Option<TestWindow>,
    pub visited_risk: Option<VisitedRisk>,
    pub on_foot: Option<bool>,
    pub vehicle_class: Option<u8>,
    pub plate_province: Option<Vec<char>>,
    pub plate_province_not: Option<Vec<char>>,
    pub freight_pass: Option<bool>,
    /// Bits of [`GoodsCategory`](crate::passage::GoodsCategory): the goods a verified freight
    /// pass names (a vehicle with none never matches).
    pub goods_category: Option<u8>,
    pub direction: Option<u8>,
    pub checkpoint: Option<Vec<String>>,
    pub defence_line: Option<u8>,
    /// Minutes after local midnight, `[from, to)`; wraps past midnight when `from > to`.
    pub time_of_day: Option<(u16, u16)>,
}

/// One checked rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub id: String,
    pub title: String,
    pub outcome: Outcome,
    pub actions: ActionSet,
    pub when: Conditions,
    /// Line of the rule in the document.
    pub line: u32,
}

/// A checked policy, ready for the lanes.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub name: String,
    pub description: String,
    pub combine: Combine,
    pub default_outcome: Outcome,
    pub default_title: String,
    pub default_actions: ActionSet,
    pub rules: Vec<Rule>,
}
