//! A freight pass sent with a registration: its code is checked where the registration is
//! recorded (the hub, or a station with the hub's key and its copy of the revocations), so the
//! policy's `freight_pass` condition means a genuine pass in force, not revoked, of this vehicle,
//! with this checkpoint on its route; never the driver's word. A pass claimed without its code
//! is refused; a pass off this checkpoint's route is recorded without it. A pass that holds
//! also names its goods (the policy's `goods_category`).

use cordon_domain::freight::pass::PassClaims;
use cordon_domain::passage::PassageDraft;
use cordon_domain::registration::PassageRequest;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Checks the pass `req` carries and sets the draft's `freight_pass` by it; `path` prefixes
/// the fields a refusal names (`passages[2].` in a batch).
pub async fn apply(
    app: &AppState,
    req: &PassageRequest,
    draft: &mut PassageDraft,
    path: &str,
) -> ApiResult<()> {
    let (Some(v), Some(vehicle)) = (&req.vehicle, draft.vehicle.as_mut()) else {
        return Ok(());
    };
    let Some(code) = v.freight_pass_code.as_deref() else {
        if v.freight_pass || v.goods.is_some() {
            return Err(ApiError::invalid(
                "pass_code_required",
                format!("{path}vehicle.freight_pass"),
                "a freight pass is checked, not declared: scan its code (vehicle.freight_pass_code)",
            ));
        }
        return Ok(());
    };
    let field = format!("{path}vehicle.freight_pass_code");
    let at = draft.observed_at.timestamp_millis();
    let claims = PassClaims::verify(code, &app.verifying_key(), at)
        .map_err(|e| ApiError::invalid(e.code(), field.clone(), e.message()))?;
    if let Some(r) = app.store.pass_revocation(&claims.number).await? {
        return Err(ApiError::invalid(
            "pass_revoked",
            field,
            format!("this pass was revoked: {}", r.reason),
        ));
    }
    if !claims.covers_plate(vehicle.plate.as_str()) {
        return Err(ApiError::invalid(
            "pass_other_vehicle",
            field,
            format!(
                "this pass is for {}, not {}",
                claims.plate,
                vehicle.plate.as_str()
            ),
        ));
    }
    vehicle.freight_pass = claims.on_route(&draft.checkpoint);
    vehicle.goods = vehicle.freight_pass.then_some(claims.goods);
    Ok(())
}
