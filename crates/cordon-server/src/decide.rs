//! The decision at the lane. Until the policy engine is loaded, every passage passes and the
//! decision says that no policy was in force; the policy engine replaces this function's body.

use cordon_domain::passage::{Decision, PassageDraft};

pub fn decide(_draft: &PassageDraft) -> Decision {
    Decision::no_policy()
}
