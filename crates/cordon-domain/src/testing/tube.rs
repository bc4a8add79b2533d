//! The rules of one tube: persons are scanned in while it is open and holds fewer than its
//! pool; it is sealed full, or short with a reason, never empty; a sealed tube takes nobody; a
//! person recalled by a positive pool goes into a tube of one only.
//! (That a person is in one open tube at a time, and a barcode used once, the store holds.)

use serde::{Deserialize, Serialize};

use super::PoolSize;
use crate::checkpoint::string_enum;
use crate::FieldError;

string_enum! {
    /// Where a tube stands.
    TubeState { Open = "open", Sealed = "sealed" }
}

/// A tube as a scan finds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tube {
    pub state: TubeState,
    pub pool_size: PoolSize,
    /// Persons scanned in.
    pub members: u32,
}

/// Checks that one more person may be scanned into `t`.
pub fn may_add(t: &Tube) -> Result<(), FieldError> {
    if t.state == TubeState::Sealed {
        return Err(FieldError::new(
            "tube_sealed",
            "barcode",
            "this tube is sealed: open a new one",
        ));
    }
    if t.members >= t.pool_size.get() {
        return Err(FieldError::new(
            "tube_full",
            "barcode",
            format!("this tube holds its {} persons: seal it", t.pool_size.get()),
        ));
    }
    Ok(())
}

/// Checks that `t` may be sealed: open, holding someone, and full or with `short_reason`.
/// Answers whether it is sealed short.
pub fn may_seal(t: &Tube, short_reason: Option<&str>) -> Result<bool, FieldError> {
    if t.state == TubeState::Sealed {
        return Err(FieldError::new(
            "tube_sealed",
            "barcode",
            "this tube is sealed already",
        ));
    }
    if t.members == 0 {
        return Err(FieldError::new(
            "tube_empty",
            "barcode",
            "an empty tube is not sealed: scan the persons first",
        ));
    }
    let short = t.members < t.pool_size.get();
    if short && short_reason.is_none() {
        return Err(FieldError::new(
            "required",
            "short_reason",
            format!(
                "the tube holds {} of {}: say why it is sealed short",
                t.members,
                t.pool_size.get()
            ),
        ));
    }
    Ok(short)
}

/// Checks that a person whose pool read positive (recalled) is re-tested alone: only a tube of
/// one takes them.
pub fn may_take_recalled(t: &Tube) -> Result<(), FieldError> {
    if t.pool_size.get() > 1 {
        return Err(FieldError::new(
            "recalled_alone",
            "document",
            "this person's pool read positive: test them alone, in a tube of one",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recalled_person_is_tested_alone() {
        let pooled = tube(TubeState::Open, 0);
        assert_eq!(
            may_take_recalled(&pooled).unwrap_err().code,
            "recalled_alone"
        );
        let single = Tube {
            pool_size: PoolSize::parse(1).unwrap(),
            ..pooled
        };
        assert!(may_take_recalled(&single).is_ok());
    }

    fn tube(state: TubeState, members: u32) -> Tube {
        Tube {
            state,
            pool_size: PoolSize::DEFAULT,
            members,
        }
    }

    #[test]
    fn persons_go_in_until_the_pool_is_full() {
        assert!(may_add(&tube(TubeState::Open, 9)).is_ok());
        assert_eq!(
            may_add(&tube(TubeState::Open, 10)).unwrap_err().code,
            "tube_full"
        );
        assert_eq!(
            may_add(&tube(TubeState::Sealed, 3)).unwrap_err().code,
            "tube_sealed"
        );
    }

    #[test]
    fn a_tube_is_sealed_full_or_short_with_a_reason() {
        assert_eq!(may_seal(&tube(TubeState::Open, 10), None), Ok(false));
        assert_eq!(
            may_seal(&tube(TubeState::Open, 7), None).unwrap_err().field,
            "short_reason"
        );
        assert_eq!(may_seal(&tube(TubeState::Open, 7), Some("队尾")), Ok(true));
        assert_eq!(
            may_seal(&tube(TubeState::Open, 0), Some("x"))
                .unwrap_err()
                .code,
            "tube_empty"
        );
        assert_eq!(
            may_seal(&tube(TubeState::Sealed, 10), None)
                .unwrap_err()
                .code,
            "tube_sealed"
        );
    }
}
