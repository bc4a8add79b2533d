//! Policy versions and publications as the registry keeps them, and which version is in force
//! at an instant: the latest publication (by effective time, then order of publication) whose
//! effective time has come. A roll-back is a publication of an earlier version, so the history
//! of what was in force when is never rewritten.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::checkpoint::string_enum;
use crate::FieldError;

/// One stored version of a policy document. Versions are immutable: a change is a new version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PolicyVersion {
    pub version: i64,
    pub name: String,
    /// SHA-256 of the document, hex.
    pub digest: String,
    pub note: String,
    pub created_by: String,
    pub created_at: DateTime<FixedOffset>,
    /// The TOML document.
    pub source: String,
}

string_enum! {
    /// What a publication did.
    PublicationAction { Publish = "publish", Rollback = "rollback" }
}

/// One entry of the publication log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Publication {
    pub seq: i64,
    pub version: i64,
    /// From when the version applies at the lanes.
    pub effective_at: DateTime<FixedOffset>,
    pub action: PublicationAction,
    pub reason: String,
    pub actor: String,
    /// When it was published.
    pub at: DateTime<FixedOffset>,
}

/// SHA-256 of a policy document, hex: what a version's `digest` holds.
pub fn digest(source: &str) -> String {
    use sha2::{Digest, Sha256};
    crate::audit::hex(&Sha256::digest(source.as_bytes()))
}

/// The publication in force at `at_ms`, if any: the latest by effective time, then by sequence.
pub fn in_force(log: &[Publication], at_ms: i64) -> Option<&Publication> {
    log.iter()
        .filter(|p| p.effective_at.timestamp_millis() <= at_ms)
        .max_by_key(|p| (p.effective_at.timestamp_millis(), p.seq))
}

/// Checks a publication's reason (the same rule as a status change's).
pub fn parse_reason(s: &str) -> Result<String, FieldError> {
    crate::checkpoint::parse_reason(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::from_ms;

    fn p(seq: i64, version: i64, effective: i64) -> Publication {
        Publication {
            seq,
            version,
            effective_at: from_ms(effective),
            action: PublicationAction::Publish,
            reason: "r".into(),
            actor: "a".into(),
            at: from_ms(0),
        }
    }

    #[test]
    fn the_latest_effective_publication_is_in_force() {
        let log = [p(1, 1, 100), p(2, 2, 300), p(3, 1, 200)];
        assert!(in_force(&log, 99).is_none());
        assert_eq!(in_force(&log, 150).unwrap().version, 1);
        assert_eq!(in_force(&log, 250).unwrap().seq, 3);
        assert_eq!(in_force(&log, 300).unwrap().version, 2);
        // A roll-back published later with the same effective time wins.
        let log = [p(1, 1, 100), p(2, 2, 100)];
        assert_eq!(in_force(&log, 100).unwrap().version, 2);
    }
}
