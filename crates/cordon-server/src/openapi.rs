//! The OpenAPI document of the JSON API, served at `/api/openapi.json`. Every route of
//! [`crate::api::router`] is listed here; a test holds the two together.

use utoipa::OpenApi;

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::Modify;

use crate::api::{
    accounts, audit_log, dashboard, declarations, link, network, passages, policies, risk_areas,
    sessions, stations, statuses, sync, trace, trace_export, trajectories,
};

/// Declares the bearer token every route but sign-in and health needs.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(c) = openapi.components.as_mut() {
            c.add_security_scheme(
                "bearer",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Cordon API", description = "Checkpoint network, passage registry, trajectories and checkpoint policies. Personal data in answers is masked. Sign in with POST /api/v1/sessions and send 'Authorization: Bearer TOKEN'."),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    paths(
        crate::health::healthz,
        sessions::sign_in,
        sessions::current,
        sessions::sign_out,
        sessions::change_password,
        accounts::list,
        accounts::create,
        accounts::disable,
        accounts::enable,
        accounts::reset_password,
        audit_log::list,
        audit_log::subject,
        audit_log::verify,
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
        passages::reveal,
        passages::at_checkpoint,
        passages::hourly,
        dashboard::dashboard,
        declarations::declare,
        declarations::verify,
        declarations::revoke,
        declarations::revoked,
        declarations::public_key,
        link::link,
        stations::issue,
        stations::list,
        stations::revoke,
        sync::push,
        sync::state,
        trajectories::person,
        trajectories::vehicle,
        trace::case_trace,
        trace_export::contacts_csv,
        trace_export::contacts_xlsx,
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
        statuses::request,
        statuses::list,
        statuses::of_person,
        statuses::approve,
        statuses::reject,
    ),
    tags(
        (name = "network", description = "jurisdictions and checkpoints"),
        (name = "passages", description = "registration and reads by checkpoint"),
        (name = "dashboard", description = "the command dashboard's figures: counts per checkpoint, hour and outcome"),
        (name = "stations", description = "edge stations: credentials, their series, and the push of their registrations"),
        (name = "declarations", description = "drivers' pre-declarations: signed QR codes checked at the lane, revocation"),
        (name = "trajectories", description = "where a person or vehicle was seen"),
        (name = "trace", description = "case traces: who crossed a case's path, with the evidence"),
        (name = "policies", description = "checkpoint policies, their publication and dry-runs; the risk-area register"),
        (name = "statuses", description = "person statuses (case, close contact): requested with evidence, approved by a second account"),
        (name = "accounts", description = "signing in and out; accounts (admin)"),
        (name = "audit", description = "the audit trail (auditor)"),
        (name = "operations", description = "health"),
    )
)]
pub struct ApiDoc;

pub async fn document() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(ApiDoc::openapi())
}
