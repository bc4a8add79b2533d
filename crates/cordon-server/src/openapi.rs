//! The OpenAPI document of the JSON API, served at `/api/openapi.json`: the frame here (title,
//! the bearer scheme, health) and every capability's part merged in, one line each. A test holds
//! the document and [`crate::api::router`] together.

use std::sync::OnceLock;

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// Declares the bearer token every route but sign-in and health needs.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Cordon API", description = "Checkpoint network, passage registry, trajectories and checkpoint policies. Personal data in answers is masked. Sign in with POST /api/v1/sessions and send 'Authorization: Bearer TOKEN'."),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    paths(crate::health::healthz),
    tags((name = "operations", description = "health")),
)]
struct Frame;

/// The whole document.
pub fn spec() -> utoipa::openapi::OpenApi {
    let mut doc = Frame::openapi();
    doc.merge(crate::access::Api::openapi());
    doc.merge(crate::audit::Api::openapi());
    doc.merge(crate::network::Api::openapi());
    doc.merge(crate::passage::Api::openapi());
    doc.merge(crate::dashboard::Api::openapi());
    doc.merge(crate::station::Api::openapi());
    doc.merge(crate::declaration::Api::openapi());
    doc.merge(crate::trace::Api::openapi());
    doc.merge(crate::policy::Api::openapi());
    doc.merge(crate::risk::Api::openapi());
    doc.merge(crate::status::Api::openapi());
    doc
}

pub async fn document() -> axum::Json<&'static utoipa::openapi::OpenApi> {
    static DOC: OnceLock<utoipa::openapi::OpenApi> = OnceLock::new();
    axum::Json(DOC.get_or_init(spec))
}
