//! Antigen tests at a sampling site: a person's swab is scanned in when it is taken (their ID
//! card, as for a tube) and its cassette read no sooner than [`READ_AFTER_MS`] (15 minutes)
//! later, once: negative, positive, or invalid (the control line did not show: the person is
//! swabbed again, as a new test). A person has one unread test at a time. A read result is the
//! person's latest Cordon result at the lane, beside the lab's ([`as_test`], [`CordonTest`]).

use serde::{Deserialize, Serialize};

use super::lab::MemberResult;
use crate::checkpoint::string_enum;
use crate::passage::TestResult;
use crate::FieldError;

/// How long after the swab a cassette is read.
pub const READ_AFTER_MS: i64 = 15 * 60_000;

string_enum! {
    /// What a cassette shows.
    AntigenResult { Negative = "negative", Positive = "positive", Invalid = "invalid" }
}

/// An antigen test's cassette read.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AntigenReadRequest {
    /// `negative`, `positive` or `invalid` (no control line: swab again).
    #[schema(example = "negative")]
    pub result: String,
}

impl AntigenReadRequest {
    pub fn parse(&self) -> Result<AntigenResult, FieldError> {
        AntigenResult::parse(self.result.trim()).map_err(|_| {
            FieldError::new("invalid_result", "result", "negative, positive or invalid")
        })
    }
}

/// Checks that a test swabbed at `started_ms` may be read at `now_ms` as `result`, given what
/// was read before (`read`): answers `true` when that same result was read already (nothing to
/// write).
pub fn may_read(
    started_ms: i64,
    read: Option<AntigenResult>,
    result: AntigenResult,
    now_ms: i64,
) -> Result<bool, FieldError> {
    match read {
        Some(r) if r == result => return Ok(true),
        Some(_) => {
            return Err(FieldError::new(
                "already_read",
                "result",
                "this test was read already: a result is not changed; swab again for a new test",
            ))
        }
        None => {}
    }
    let left = started_ms + READ_AFTER_MS - now_ms;
    if left > 0 {
        let minutes = (left + 59_999) / 60_000;
        return Err(FieldError::new(
            "too_early",
            "result",
            format!("the cassette is read 15 minutes after the swab: {minutes} min to go"),
        ));
    }
    Ok(false)
}

/// A read result as the lane's engine looks at it: `None` for an invalid cassette (no result).
pub fn as_test(result: AntigenResult) -> Option<TestResult> {
    match result {
        AntigenResult::Negative => Some(TestResult::Negative),
        AntigenResult::Positive => Some(TestResult::Positive),
        AntigenResult::Invalid => None,
    }
}

/// A result Cordon holds for a person: a lab's for their tube, or an antigen cassette read at a
/// site (an invalid cassette is no result and is never one of these).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(tag = "kind", content = "result", rename_all = "snake_case")]
pub enum CordonTest {
    Lab(MemberResult),
    Antigen(AntigenResult),
}

impl CordonTest {
    /// Whether this result, sampled at `at_ms`, replaces `earlier` (sampled at `earlier_ms`) as
    /// the person's latest: when sampled later, except that an antigen test never lifts a lab's
    /// positive, recall or unclear result (only a PCR of the person's own does).
    pub fn replaces(self, at_ms: i64, earlier: CordonTest, earlier_ms: i64) -> bool {
        if at_ms <= earlier_ms {
            return false;
        }
        !matches!(
            (self, earlier),
            (CordonTest::Antigen(_), CordonTest::Lab(m)) if m != MemberResult::Negative
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cassette_is_read_after_fifteen_minutes_once() {
        let t0 = 1_000_000;
        let e = may_read(t0, None, AntigenResult::Negative, t0 + 60_000).unwrap_err();
        assert_eq!((e.code.as_str(), e.field.as_str()), ("too_early", "result"));
        assert!(e.message.contains("14 min"), "{}", e.message);
        let e = may_read(t0, None, AntigenResult::Negative, t0 + READ_AFTER_MS - 1).unwrap_err();
        assert!(e.message.contains("1 min"), "{}", e.message);
        assert_eq!(
            may_read(t0, None, AntigenResult::Negative, t0 + READ_AFTER_MS),
            Ok(false)
        );
        let read = Some(AntigenResult::Negative);
        assert_eq!(
            may_read(t0, read, AntigenResult::Negative, t0 + READ_AFTER_MS),
            Ok(true)
        );
        let e = may_read(t0, read, AntigenResult::Positive, t0 + READ_AFTER_MS).unwrap_err();
        assert_eq!(e.code, "already_read");
    }

    #[test]
    fn an_invalid_cassette_is_no_result() {
        assert_eq!(as_test(AntigenResult::Positive), Some(TestResult::Positive));
        assert_eq!(as_test(AntigenResult::Negative), Some(TestResult::Negative));
        assert_eq!(as_test(AntigenResult::Invalid), None);
        let bad = AntigenReadRequest {
            result: "maybe".into(),
        };
        assert_eq!(bad.parse().unwrap_err().field, "result");
    }

    #[test]
    fn an_antigen_test_never_lifts_a_labs_positive() {
        let neg = CordonTest::Antigen(AntigenResult::Negative);
        let pos = CordonTest::Antigen(AntigenResult::Positive);
        let recall = CordonTest::Lab(MemberResult::Recall);
        let lab_neg = CordonTest::Lab(MemberResult::Negative);
        assert!(!neg.replaces(20, recall, 10));
        assert!(
            !pos.replaces(20, recall, 10),
            "the recall stands: positive already"
        );
        assert!(pos.replaces(20, lab_neg, 10));
        assert!(neg.replaces(20, lab_neg, 10));
        assert!(lab_neg.replaces(20, recall, 10));
        assert!(!lab_neg.replaces(10, neg, 20), "sampled earlier");
    }
}
