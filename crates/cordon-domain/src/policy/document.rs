//! The policy document as people write it: TOML, read with its positions so that every problem
//! can name its line. These types only carry the text; [`super::compile`] checks the values and
//! builds the [`super::Policy`] the lanes evaluate.
//!
//! ```toml
//! name = "河北省检查站通行规则 2022-05"
//! combine = "first_match"          # or "most_severe"
//!
//! [default]
//! outcome = "pass"
//! title = "无异常，放行 / Nothing found: pass"
//!
//! [[rules]]
//! id = "red_code"
//! title = "红码：转运隔离 / Red code: referred to quarantine"
//! outcome = "refer"
//! actions = ["quarantine_transfer"]
//! when = { health_code = ["red"] }
//! ```

use serde::Deserialize;
use toml::Spanned;

/// A whole policy document.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyDocument {
    pub name: Spanned<String>,
    #[serde(default)]
    pub description: String,
    pub combine: Spanned<String>,
    pub default: Option<Spanned<DefaultDocument>>,
    #[serde(default)]
    pub rules: Vec<Spanned<RuleDocument>>,
}

/// The outcome when no rule matches an occupant.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DefaultDocument {
    pub outcome: Spanned<String>,
    pub title: Spanned<String>,
    #[serde(default)]
    pub actions: Option<Spanned<Vec<String>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDocument {
    pub id: Spanned<String>,
    pub title: Spanned<String>,
    pub outcome: Spanned<String>,
    #[serde(default)]
    pub actions: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    pub when: Option<Spanned<WhenDocument>>,
}

/// A negative test of some kinds within some hours before the passage.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestWindowDocument {
    #[serde(default)]
    pub kinds: Option<Vec<String>>,
    pub within_hours: u32,
}

/// A place visited within some days that had one of some risk levels then.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VisitedRiskDocument {
    pub levels: Vec<String>,
    pub within_days: u32,
}

/// The conditions of a rule: all that are given must hold. Lists match any of their values.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WhenDocument {
    // The occupant.
    pub health_code: Option<Spanned<Vec<String>>>,
    /// The person's status in the network (`case`, `close_contact`, ..., `none`).
    pub status: Option<Spanned<Vec<String>>>,
    pub temperature_at_least: Option<Spanned<f64>>,
    pub temperature_below: Option<Spanned<f64>>,
    pub document_type: Option<Spanned<Vec<String>>>,
    pub role: Option<Spanned<Vec<String>>>,
    pub test_result: Option<Spanned<Vec<String>>>,
    pub test_kind: Option<Spanned<Vec<String>>>,
    pub with_negative_test: Option<Spanned<TestWindowDocument>>,
    pub without_negative_test: Option<Spanned<TestWindowDocument>>,
    pub visited_risk: Option<Spanned<VisitedRiskDocument>>,
    // The vehicle.
    pub on_foot: Option<Spanned<bool>>,
    pub vehicle_class: Option<Spanned<Vec<String>>>,
    pub plate_province: Option<Spanned<Vec<String>>>,
    pub plate_province_not: Option<Spanned<Vec<String>>>,
    pub freight_pass: Option<Spanned<bool>>,
    pub goods_category: Option<Spanned<Vec<String>>>,
    // The passage.
    pub direction: Option<Spanned<Vec<String>>>,
    pub checkpoint: Option<Spanned<Vec<String>>>,
    pub defence_line: Option<Spanned<Vec<String>>>,
    pub time_of_day: Option<Spanned<String>>,
}
