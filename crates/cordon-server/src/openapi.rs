//! The OpenAPI document of the JSON API, served at `/api/openapi.json`. Every route of
//! [`crate::api::router`] is listed here; a test holds the two together.

use utoipa::OpenApi;

use crate::api::{network, passages, policies, risk_areas, trajectories};

#[derive(OpenApi)]
#[openapi(
    info(title = "Cordon API", description = "Checkpoint network, passage registry, trajectories and checkpoint policies. Personal data in answers is masked."),
    paths(
        crate::health::healthz,
        network::list_jurisdictions,
        network::create_jurisdiction,
        network::get_jurisdiction,
        network::rename_jurisdiction,
        network::list_checkpoints,
        network::create_checkpoint,
        network::get_checkpoint,
        network::update_checkpoint,
        network::set_status,
        network::history,
        passages::register,
        passages::register_batch,
        passages::get_passage,
        passages::at_checkpoint,
        passages::hourly,
        trajectories::person,
        trajectories::vehicle,
        policies::list,
        policies::create,
        policies::validate,
        policies::get,
        policies::publications,
        policies::publish,
        policies::rollback,
        policies::diff_versions,
        policies::dry_run_version,
        risk_areas::list,
        risk_areas::declare,
        risk_areas::end,
        risk_areas::import,
    ),
    tags(
        (name = "network", description = "jurisdictions and checkpoints"),
        (name = "passages", description = "registration and reads by checkpoint"),
        (name = "trajectories", description = "where a person or vehicle was seen"),
        (name = "policies", description = "checkpoint policies, their publication and dry-runs; the risk-area register"),
        (name = "operations", description = "health"),
    )
)]
pub struct ApiDoc;

pub async fn document() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(ApiDoc::openapi())
}
