//! Person statuses: a case, a close contact and the like, set on a person (known by identity
//! document) for the whole network and read by every lane as a fact of the occupant. A status
//! changes only through a [`StatusChange`]: one account requests it with a reason and an
//! evidence reference (a case, a lab result or a trace), and a second account approves it.
//! There is no other path, in the API or in the store.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::checkpoint::string_enum;
use crate::identity::{DocumentType, IdentityDocument, MaskedDocument};
use crate::registration::DocumentRequest;
use crate::FieldError;

string_enum! {
    /// What the epidemic-control network holds about a person. `none` is everyone else, and
    /// is what an approved change to `none` leaves.
    PersonStatus {
        Unmarked = "none",
        Case = "case",
        Asymptomatic = "asymptomatic",
        CloseContact = "close_contact",
        SecondaryContact = "secondary_contact",
        Companion = "spatiotemporal_companion",
    }
}

string_enum! {
    /// What a status change rests on.
    EvidenceKind { Case = "case", LabResult = "lab_result", Trace = "trace", Followup = "followup" }
}

string_enum! {
    /// Where a status change stands. Only a pending change may be decided, once.
    ChangeState { Pending = "pending", Approved = "approved", Rejected = "rejected" }
}

/// Most characters of an evidence reference.
pub const MAX_REFERENCE: usize = 200;
/// How far ahead a status may be set to end.
pub const MAX_STATUS_DAYS: i64 = 90;

/// The case number, lab sample or trace the change rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Evidence {
    pub kind: EvidenceKind,
    #[schema(example = "冀石疾控-2022-0513-017")]
    pub reference: String,
}

/// The body of `POST /api/v1/status-changes`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusChangeRequest {
    pub document: DocumentRequest,
    /// The new status: `case`, `asymptomatic`, `close_contact`, `secondary_contact`,
    /// `spatiotemporal_companion`, or `none` to clear it.
    #[schema(example = "close_contact")]
    pub status: String,
    /// Why, in words (1 to 500 characters).
    pub reason: String,
    pub evidence: EvidenceRequest,
    /// When the status ends by itself (at most 90 days ahead); absent: until changed again.
    #[serde(default)]
    pub until: Option<DateTime<FixedOffset>>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvidenceRequest {
    /// `case`, `lab_result` or `trace`.
    #[schema(example = "case")]
    pub kind: String,
    /// The case number, sample number or trace reference (1 to 200 characters).
    pub reference: String,
}

/// A checked request for a status change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChangeDraft {
    pub document: IdentityDocument,
    pub status: PersonStatus,
    pub reason: String,
    pub evidence: Evidence,
    pub until_ms: Option<i64>,
}

fn text(s: &str, field: &str, max: usize, what: &str) -> Result<String, FieldError> {
    let t = s.trim();
    if t.is_empty() {
        return Err(FieldError::new(
            "required",
            field,
            format!("{what} is required"),
        ));
    }
    if t.chars().count() > max {
        return Err(FieldError::new(
            "too_long",
            field,
            format!("{what} has at most {max} characters"),
        ));
    }
    if t.chars().any(char::is_control) {
        return Err(FieldError::new(
            "invalid_characters",
            field,
            format!("{what} may not hold control characters"),
        ));
    }
    Ok(t.to_owned())
}

impl StatusChangeRequest {
    /// Checks every field; `now_ms` bounds `until`.
    pub fn parse(&self, now_ms: i64) -> Result<StatusChangeDraft, FieldError> {
        let kind =
            DocumentType::parse(&self.document.kind).map_err(|e| e.under("document.type"))?;
        let document = IdentityDocument::parse(kind, &self.document.number)
            .map_err(|e| e.under("document"))?;
        let status = PersonStatus::parse(&self.status).map_err(|e| e.under("status"))?;
        let reason = crate::checkpoint::parse_reason(&self.reason)?;
        let evidence = Evidence {
            kind: EvidenceKind::parse(&self.evidence.kind).map_err(|e| e.under("evidence.kind"))?,
            reference: text(
                &self.evidence.reference,
                "evidence.reference",
                MAX_REFERENCE,
                "an evidence reference",
            )?,
        };
        let until_ms = match self.until {
            None => None,
            Some(_) if status == PersonStatus::Unmarked => {
                return Err(FieldError::new(
                    "not_applicable",
                    "until",
                    "clearing a status takes no end time",
                ))
            }
            Some(t) => {
                let ms = t.timestamp_millis();
                if ms <= now_ms || ms > now_ms + MAX_STATUS_DAYS * 86_400_000 {
                    return Err(FieldError::new(
                        "out_of_range",
                        "until",
                        format!("a status ends after now and within {MAX_STATUS_DAYS} days"),
                    ));
                }
                Some(ms)
            }
        };
        Ok(StatusChangeDraft {
            document,
            status,
            reason,
            evidence,
            until_ms,
        })
    }
}

/// A status change as it is recorded and answered; the person masked.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StatusChange {
    pub id: i64,
    pub document: MaskedDocument,
    pub status: PersonStatus,
    pub reason: String,
    pub evidence: Evidence,
    pub until: Option<DateTime<FixedOffset>>,
    pub state: ChangeState,
    pub requested_by: String,
    pub requested_at: DateTime<FixedOffset>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<FixedOffset>>,
    /// The deciding account's note (required when rejecting).
    pub decision_note: Option<String>,
}

/// A checked decision note: optional on approval, required on rejection.
pub fn parse_note(note: Option<&str>, required: bool) -> Result<String, FieldError> {
    match note.map(str::trim).filter(|n| !n.is_empty()) {
        None if required => Err(FieldError::new(
            "required",
            "note",
            "a rejection needs a note saying why",
        )),
        None => Ok(String::new()),
        Some(n) => text(n, "note", 500, "a note"),
    }
}

/// A status in force, as the lanes hold it: by the person's keyed hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusInForce {
    pub status: PersonStatus,
    pub since_ms: i64,
    pub until_ms: Option<i64>,
}

impl StatusInForce {
    /// The status at `at_ms`: `none` before it was set or after it ended.
    pub fn at(&self, at_ms: i64) -> PersonStatus {
        if at_ms < self.since_ms || self.until_ms.is_some_and(|u| at_ms >= u) {
            PersonStatus::Unmarked
        } else {
            self.status
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(v: serde_json::Value) -> Result<StatusChangeDraft, FieldError> {
        serde_json::from_value::<StatusChangeRequest>(v)
            .unwrap()
            .parse(1_650_000_000_000)
    }

    #[test]
    fn requests_are_checked_field_by_field() {
        let ok = serde_json::json!({"document": {"type": "resident_id", "number": "11010519491231002X"},
            "status": "close_contact", "reason": "同车密接", "evidence": {"kind": "case", "reference": "C-17"}});
        let d = request(ok.clone()).unwrap();
        assert_eq!(d.status, PersonStatus::CloseContact);
        assert_eq!(d.evidence.kind, EvidenceKind::Case);
        assert_eq!(d.until_ms, None);
        let cases = [
            (
                "/status",
                serde_json::json!("infected"),
                "status",
                "invalid_value",
            ),
            ("/reason", serde_json::json!("  "), "reason", "required"),
            (
                "/evidence/kind",
                serde_json::json!("rumour"),
                "evidence.kind",
                "invalid_value",
            ),
            (
                "/evidence/reference",
                serde_json::json!(""),
                "evidence.reference",
                "required",
            ),
            (
                "/document/number",
                serde_json::json!("110105194912310021"),
                "document.number",
                "invalid_check_digit",
            ),
            (
                "/until",
                serde_json::json!("2020-01-01T00:00:00+08:00"),
                "until",
                "out_of_range",
            ),
        ];
        for (pointer, value, field, code) in cases {
            let mut v = ok.clone();
            if pointer == "/until" {
                v["until"] = value;
            } else {
                *v.pointer_mut(pointer).unwrap() = value;
            }
            let e = request(v).unwrap_err();
            assert_eq!(
                (e.field.as_str(), e.code.as_str()),
                (field, code),
                "{pointer}: {e}"
            );
        }
        let mut clear = ok.clone();
        clear["status"] = "none".into();
        clear["until"] = "2022-05-01T00:00:00+08:00".into();
        assert_eq!(request(clear).unwrap_err().code, "not_applicable");
    }

    #[test]
    fn a_status_holds_between_its_start_and_end() {
        let s = StatusInForce {
            status: PersonStatus::Case,
            since_ms: 100,
            until_ms: Some(200),
        };
        assert_eq!(s.at(99), PersonStatus::Unmarked);
        assert_eq!(s.at(100), PersonStatus::Case);
        assert_eq!(s.at(199), PersonStatus::Case);
        assert_eq!(s.at(200), PersonStatus::Unmarked);
        assert_eq!(parse_note(None, true).unwrap_err().field, "note");
        assert_eq!(parse_note(Some(" ok "), true).unwrap(), "ok");
    }
}
