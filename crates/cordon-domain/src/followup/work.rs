//! The work on a follow-up subject: its states, the outcome of a call or a home visit, and the
//! rules an attempt obeys: up to [`MAX_CALLS`] calls at least [`MIN_GAP_MS`] apart; after the
//! last unanswered call, or a wrong number or a refusal, the subject goes to the team's lead for
//! a home visit; a person who lives elsewhere now is transferred out; a person reached (by call
//! or visit) with the questionnaire answered is closed. A visit ends the work either way: every
//! subject ends closed or transferred with a recorded outcome ("not one missed").

use serde::{Deserialize, Serialize};

use crate::checkpoint::string_enum;
use crate::FieldError;

/// Calls before a subject goes to the lead for a home visit.
pub const MAX_CALLS: i64 = 3;
/// The least time between two calls to one person.
pub const MIN_GAP_MS: i64 = 3_600_000;
/// Longest note on an attempt.
pub const MAX_NOTE: usize = 500;

string_enum! {
    /// Where a subject stands.
    SubjectState {
        Pending = "pending",
        InProgress = "in_progress",
        Escalated = "escalated",
        Transferred = "transferred",
        Closed = "closed",
    }
}

string_enum! {
    /// A call, or the lead's home visit.
    AttemptKind { Call = "call", Visit = "visit" }
}

string_enum! {
    /// What an attempt came to.
    Outcome {
        Reached = "reached",
        NoAnswer = "no_answer",
        WrongNumber = "wrong_number",
        Refused = "refused",
        LivesElsewhere = "lives_elsewhere",
    }
}

impl SubjectState {
    /// Whether the work on the subject is over.
    pub fn is_done(self) -> bool {
        matches!(self, SubjectState::Closed | SubjectState::Transferred)
    }
}

/// A subject's work as an attempt finds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Work {
    pub state: SubjectState,
    /// Calls made so far.
    pub calls: i64,
    pub last_attempt_ms: Option<i64>,
}

/// What an attempt leaves: the subject's state, and the outcome it is closed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct After {
    pub state: SubjectState,
    pub calls: i64,
    pub closed_with: Option<Outcome>,
}

/// Checks an attempt against the subject's work at `now_ms` and answers what it leaves.
/// `answered` says whether a questionnaire was answered with it (a reached person is).
pub fn attempt(
    work: Work,
    kind: AttemptKind,
    outcome: Outcome,
    answered: bool,
    now_ms: i64,
) -> Result<After, FieldError> {
    if work.state.is_done() {
        return Err(FieldError::new(
            "subject_closed",
            "",
            "the work on this person is over: closed or transferred",
        ));
    }
    match kind {
        AttemptKind::Call if work.state == SubjectState::Escalated => {
            return Err(FieldError::new(
                "escalated",
                "kind",
                "this person is with the team's lead for a home visit",
            ))
        }
        AttemptKind::Visit if work.state != SubjectState::Escalated => {
            return Err(FieldError::new(
                "not_escalated",
                "kind",
                "a home visit is made after the calls have failed",
            ))
        }
        _ => {}
    }
    if outcome == Outcome::Reached && !answered {
        return Err(FieldError::new(
            "required",
            "answers",
            "a person reached answers the questionnaire",
        ));
    }
    if outcome != Outcome::Reached && answered {
        return Err(FieldError::new(
            "not_reached",
            "answers",
            "answers are recorded only for a person reached",
        ));
    }
    if kind == AttemptKind::Call && outcome == Outcome::NoAnswer {
        if let Some(last) = work.last_attempt_ms {
            if now_ms - last < MIN_GAP_MS {
                let minutes = (MIN_GAP_MS - (now_ms - last) + 59_999) / 60_000;
                return Err(FieldError::new(
                    "too_soon",
                    "outcome",
                    format!("calls are at least an hour apart: call again in {minutes} minutes"),
                ));
            }
        }
    }
    let calls = work.calls + i64::from(kind == AttemptKind::Call);
    let (state, closed_with) = match (kind, outcome) {
        (_, Outcome::Reached) => (SubjectState::Closed, Some(Outcome::Reached)),
        (_, Outcome::LivesElsewhere) => (SubjectState::Transferred, Some(Outcome::LivesElsewhere)),
        (AttemptKind::Visit, other) => (SubjectState::Closed, Some(other)),
        (AttemptKind::Call, Outcome::WrongNumber | Outcome::Refused) => {
            (SubjectState::Escalated, None)
        }
        (AttemptKind::Call, _) if calls >= MAX_CALLS => (SubjectState::Escalated, None),
        (AttemptKind::Call, _) => (SubjectState::InProgress, None),
    };
    Ok(After {
        state,
        calls,
        closed_with,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3_600_000;

    fn work(state: SubjectState, calls: i64, last: Option<i64>) -> Work {
        Work {
            state,
            calls,
            last_attempt_ms: last,
        }
    }

    #[test]
    fn three_unanswered_calls_an_hour_apart_go_to_the_lead() {
        let mut w = work(SubjectState::Pending, 0, None);
        for i in 0..3 {
            let now = i * H;
            let a = attempt(w, AttemptKind::Call, Outcome::NoAnswer, false, now).unwrap();
            w = work(a.state, a.calls, Some(now));
        }
        assert_eq!((w.state, w.calls), (SubjectState::Escalated, 3));
        let e = attempt(w, AttemptKind::Call, Outcome::NoAnswer, false, 9 * H).unwrap_err();
        assert_eq!(e.code, "escalated");
        let visit = attempt(w, AttemptKind::Visit, Outcome::Reached, true, 9 * H).unwrap();
        assert_eq!(
            (visit.state, visit.closed_with),
            (SubjectState::Closed, Some(Outcome::Reached))
        );
    }

    #[test]
    fn calls_too_close_are_refused() {
        let w = work(SubjectState::InProgress, 1, Some(0));
        let e = attempt(w, AttemptKind::Call, Outcome::NoAnswer, false, H / 2).unwrap_err();
        assert_eq!(e.code, "too_soon");
        assert!(e.message.contains("30 minutes"), "{}", e.message);
        // Reached a minute later is fine: the person called back.
        assert!(attempt(w, AttemptKind::Call, Outcome::Reached, true, 60_000).is_ok());
    }

    #[test]
    fn outcomes_and_their_answers() {
        let w = work(SubjectState::Pending, 0, None);
        assert_eq!(
            attempt(w, AttemptKind::Call, Outcome::Reached, false, 0)
                .unwrap_err()
                .field,
            "answers"
        );
        assert_eq!(
            attempt(w, AttemptKind::Call, Outcome::NoAnswer, true, 0)
                .unwrap_err()
                .code,
            "not_reached"
        );
        let moved = attempt(w, AttemptKind::Call, Outcome::LivesElsewhere, false, 0).unwrap();
        assert_eq!(moved.state, SubjectState::Transferred);
        let refused = attempt(w, AttemptKind::Call, Outcome::Refused, false, 0).unwrap();
        assert_eq!(refused.state, SubjectState::Escalated);
        assert_eq!(
            attempt(
                work(SubjectState::Closed, 1, None),
                AttemptKind::Call,
                Outcome::Reached,
                true,
                0
            )
            .unwrap_err()
            .code,
            "subject_closed"
        );
        assert_eq!(
            attempt(w, AttemptKind::Visit, Outcome::Reached, true, 0)
                .unwrap_err()
                .code,
            "not_escalated"
        );
    }
}
