//! What the testing handlers share: a path's id (404 when it is not one), and the refusals
//! that are conflicts with what the lab or the site holds (409): a tube's place, a run's step, a
//! box handed, a person's antigen test waiting elsewhere or read before.

use cordon_store::StoreError;

use crate::error::{ApiError, ApiResult};

/// A path's id, or 404 naming what was looked for.
pub fn id(s: &str, what: &str) -> ApiResult<i64> {
    s.parse()
        .map_err(|_| ApiError::NotFound(format!("{what} {s} not found")))
}

/// A refusal by what the lab holds (a tube's place, a run's step) is a conflict with it.
pub fn conflict(e: StoreError) -> ApiError {
    match e {
        StoreError::Invalid(f)
            if matches!(
                f.code.as_str(),
                "not_sealed"
                    | "received_elsewhere"
                    | "not_received"
                    | "on_another_plate"
                    | "well_taken"
                    | "plate_full"
                    | "plate_closed"
                    | "step_out_of_order"
                    | "plate_empty"
                    | "not_amplified"
                    | "not_resulted"
                    | "controls_failed"
                    | "own_run"
                    | "barcode_used"
                    | "in_another_box"
                    | "box_handed"
                    | "other_site"
                    | "box_empty"
                    | "antigen_waiting"
                    | "already_read"
            ) =>
        {
            ApiError::Conflict(f)
        }
        other => other.into(),
    }
}
