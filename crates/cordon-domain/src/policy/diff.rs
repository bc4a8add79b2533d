//! What changed between two policy versions, rule by rule: rules added, removed, changed (which
//! of title, outcome, actions, conditions, position), and changes of the header (name, how rules
//! combine, the default).

use serde::Serialize;

use super::Policy;

/// One rule's change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RuleChange {
    pub rule: String,
    /// `added`, `removed` or `changed`.
    pub change: String,
    /// For a changed rule: which parts (`title`, `outcome`, `actions`, `conditions`, `position`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PolicyDiff {
    /// Header fields that changed: `name`, `description`, `combine`, `default`.
    pub header: Vec<String>,
    pub rules: Vec<RuleChange>,
}

/// The changes that turn `old` into `new`.
pub fn diff(old: &Policy, new: &Policy) -> PolicyDiff {
    let mut header = Vec::new();
    if old.name != new.name {
        header.push("name".to_owned());
    }
    if old.description != new.description {
        header.push("description".to_owned());
    }
    if old.combine != new.combine {
        header.push("combine".to_owned());
    }
    if (old.default_outcome, &old.default_title, old.default_actions)
        != (new.default_outcome, &new.default_title, new.default_actions)
    {
        header.push("default".to_owned());
    }
    let mut rules = Vec::new();
    for (i, o) in old.rules.iter().enumerate() {
        match new.rules.iter().position(|n| n.id == o.id) {
            None => rules.push(RuleChange {
                rule: o.id.clone(),
                change: "removed".into(),
                parts: Vec::new(),
            }),
            Some(j) => {
                let n = &new.rules[j];
                let mut parts = Vec::new();
                if o.title != n.title {
                    parts.push("title".to_owned());
                }
                if o.outcome != n.outcome {
                    parts.push("outcome".to_owned());
                }
                if o.actions != n.actions {
                    parts.push("actions".to_owned());
                }
                if o.when != n.when {
                    parts.push("conditions".to_owned());
                }
                let before = old.rules[..i]
                    .iter()
                    .filter(|r| new.rules.iter().any(|x| x.id == r.id))
                    .count();
                let after = new.rules[..j]
                    .iter()
                    .filter(|r| old.rules.iter().any(|x| x.id == r.id))
                    .count();
                if before != after {
                    parts.push("position".to_owned());
                }
                if !parts.is_empty() {
                    rules.push(RuleChange {
                        rule: o.id.clone(),
                        change: "changed".into(),
                        parts,
                    });
                }
            }
        }
    }
    for n in &new.rules {
        if !old.rules.iter().any(|o| o.id == n.id) {
            rules.push(RuleChange {
                rule: n.id.clone(),
                change: "added".into(),
                parts: Vec::new(),
            });
        }
    }
    PolicyDiff { header, rules }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{compile, examples};

    #[test]
    fn december_removes_every_rule() {
        let may = compile(examples::STANDARD_2022_05).unwrap();
        let dec = compile(examples::OPEN_2022_12).unwrap();
        let d = diff(&may, &dec);
        assert!(d.header.contains(&"default".to_owned()));
        assert_eq!(d.rules.len(), may.rules.len());
        assert!(d.rules.iter().all(|r| r.change == "removed"));
        assert_eq!(
            diff(&may, &may),
            PolicyDiff {
                header: vec![],
                rules: vec![]
            }
        );
    }

    #[test]
    fn a_changed_threshold_is_a_changed_condition() {
        let may = compile(examples::STANDARD_2022_05).unwrap();
        let src = examples::STANDARD_2022_05
            .replace("temperature_at_least = 37.3", "temperature_at_least = 37.5");
        let d = diff(&may, &compile(&src).unwrap());
        assert_eq!(
            d.rules,
            vec![RuleChange {
                rule: "fever".into(),
                change: "changed".into(),
                parts: vec!["conditions".into()]
            }]
        );
    }
}
