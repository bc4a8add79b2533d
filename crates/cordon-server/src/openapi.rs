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

/// The refusals every operation of a kind can answer, documented once here rather than on each
/// handler: a signed-in route's 401 and 403, a body's 400, 413, 415 and 422, a parameter's 422,
/// and every route's 503 (the database stayed busy, or the trace index is still loading). Each
/// answers the `ErrorBody` shape ([`crate::refusals`] makes sure the framework's do too).
struct Refusals;

impl Refusals {
    fn add(op: &mut utoipa::openapi::path::Operation) {
        use utoipa::openapi::path::ParameterIn;
        let public = op
            .security
            .as_ref()
            .is_some_and(|s| serde_json::to_value(s).is_ok_and(|v| v == serde_json::json!([{}])));
        let params = op.parameters.as_deref().unwrap_or_default();
        let has = |place: ParameterIn| params.iter().any(|p| p.parameter_in == place);
        let mut statuses: Vec<(&str, &str)> = vec![(
            "503",
            "the database stayed busy or the trace index is still loading; retry after the seconds in Retry-After",
        )];
        if !public {
            statuses.push((
                "401",
                "no valid session: sign in with POST /api/v1/sessions",
            ));
            statuses.push(("403", "this account may not do this here"));
        }
        if op.request_body.is_some() {
            statuses.push(("400", "the body is not well-formed JSON (malformed_json)"));
            statuses.push(("413", "the body is larger than this route accepts"));
            statuses.push(("415", "the body is not of the media type this route takes"));
            statuses.push(("422", "a field was refused: its code, path and a sentence"));
        }
        if has(ParameterIn::Query) || has(ParameterIn::Path) {
            statuses.push((
                "422",
                "a parameter was refused: its code, name and a sentence",
            ));
        }
        if has(ParameterIn::Path) {
            statuses.push((
                "404",
                "what the path names does not exist, or is not in scope",
            ));
        }
        for (status, description) in statuses {
            op.responses
                .responses
                .entry(status.to_owned())
                .or_insert_with(|| error_response(description));
        }
    }
}

fn error_response(description: &str) -> utoipa::openapi::RefOr<utoipa::openapi::Response> {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build(),
        )
        .build()
        .into()
}

impl Modify for Refusals {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            let ops = [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ];
            for op in ops.into_iter().flatten() {
                Refusals::add(op);
            }
        }
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
    doc.merge(crate::command::Api::openapi());
    doc.merge(crate::freight::Api::openapi());
    doc.merge(crate::network::Api::openapi());
    doc.merge(crate::passage::Api::openapi());
    doc.merge(crate::dashboard::Api::openapi());
    doc.merge(crate::station::Api::openapi());
    doc.merge(crate::declaration::Api::openapi());
    doc.merge(crate::trace::Api::openapi());
    doc.merge(crate::policy::Api::openapi());
    doc.merge(crate::risk::Api::openapi());
    doc.merge(crate::status::Api::openapi());
    doc.merge(crate::followup::Api::openapi());
    doc.merge(crate::testing::Api::openapi());
    Refusals.modify(&mut doc);
    doc
}

pub async fn document() -> axum::Json<&'static utoipa::openapi::OpenApi> {
    static DOC: OnceLock<utoipa::openapi::OpenApi> = OnceLock::new();
    axum::Json(DOC.get_or_init(spec))
}

#[cfg(test)]
mod tests {
    /// The names of the types that derive `ToSchema` under `dir`, with their files.
    fn schema_types(dir: &std::path::Path, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                schema_types(&path, out);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let mut deriving = false;
            for line in text.lines().map(str::trim) {
                if line.starts_with("#[derive(") && line.contains("ToSchema") {
                    deriving = true;
                } else if deriving {
                    if let Some(rest) = line
                        .strip_prefix("pub struct ")
                        .or_else(|| line.strip_prefix("pub enum "))
                    {
                        let name: String = rest
                            .chars()
                            .take_while(|c| c.is_alphanumeric() || *c == '_')
                            .collect();
                        out.push((name, path.display().to_string()));
                        deriving = false;
                    } else if !line.starts_with("#[") && !line.starts_with("///") {
                        deriving = false;
                    }
                }
            }
        }
    }

    /// Two schemas of one name would be one component in the document, and every answer of the
    /// other type would be checked against the wrong schema.
    #[test]
    fn every_schema_has_its_own_name() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut found = Vec::new();
        for krate in ["cordon-server", "cordon-domain", "cordon-store"] {
            schema_types(&root.join(krate).join("src"), &mut found);
        }
        assert!(found.len() > 50, "{} schemas found", found.len());
        found.sort();
        let twice: Vec<_> = found
            .windows(2)
            .filter(|w| w[0].0 == w[1].0)
            .map(|w| format!("{} ({} and {})", w[0].0, w[0].1, w[1].1))
            .collect();
        assert!(twice.is_empty(), "schemas named twice: {twice:?}");
    }
}
