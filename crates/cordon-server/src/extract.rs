//! Extractors that turn every kind of bad input into an [`ApiError`] with a field path:
//! [`ApiJson`] for bodies (400 for malformed JSON, 413 for oversize, 415 for another media type,
//! 422 with the path for a wrong type or unknown field) and [`ApiQuery`] for query strings.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// Fields whose values are personal data: a type error there must not echo the value.
const PERSONAL_FIELDS: [&str; 3] = ["number", "name", "phone"];

/// A JSON body, parsed with the path of the first field that does not fit.
pub struct ApiJson<T>(pub T);

/// Turns `occupants[0].document.number` style paths from serde_path_to_error's `a.b[0].c`.
fn path_text(path: &serde_path_to_error::Path) -> String {
    let text = path.to_string();
    if text == "." {
        String::new()
    } else {
        text
    }
}

fn data_error(path: String, e: &serde_json::Error) -> ApiError {
    let raw = e.to_string();
    // A missing field is reported at the object that lacks it: name the field itself.
    let path = match raw
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next())
    {
        Some(field) if path.is_empty() => field.to_owned(),
        Some(field) => format!("{path}.{field}"),
        None => path,
    };
    let last = path.rsplit('.').next().unwrap_or("");
    let sentence = raw.split(" at line ").next().unwrap_or(&raw).to_owned();
    let message = if PERSONAL_FIELDS.contains(&last) && sentence.contains('`') {
        "expected a string".to_owned()
    } else {
        sentence
    };
    let code = if message.starts_with("missing field") {
        "required"
    } else if message == cordon_domain::registration::ID_EXPECTED {
        "invalid_id"
    } else if message.starts_with("unknown field") {
        "unknown_field"
    } else {
        "invalid_type"
    };
    ApiError::invalid(code, path, message)
}

/// Parses JSON bytes into `T`, reporting where it failed. The fast parser runs first (on text
/// checked as UTF-8 once, rather than string by string); only a body it refuses is parsed again
/// with path tracking, to say where.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if let Ok(Ok(value)) = std::str::from_utf8(bytes).map(serde_json::from_str::<T>) {
        return Ok(value);
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = path_text(e.path());
        let inner = e.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => data_error(path, &inner),
            _ => ApiError::Malformed(format!("the body is not valid JSON: {inner}")),
        }
    })?;
    de.end()
        .map_err(|e| ApiError::Malformed(format!("the body is not valid JSON: {e}")))?;
    Ok(value)
}

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let json = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        if !json {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|r| {
            if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::TooLarge("the body is larger than this route accepts".into())
            } else {
                ApiError::Malformed(r.body_text())
            }
        })?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// A query string, parsed with the name of the parameter that does not fit.
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or("");
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de)
            .map(ApiQuery)
            .map_err(|e| {
                let path = path_text(e.path());
                ApiError::invalid("invalid_query", path, e.into_inner().to_string())
            })
    }
}

/// Largest single-registration body: a full coach with every field filled is about 60 KiB.
pub const PASSAGE_BODY_LIMIT: usize = 256 * 1024;
/// Largest batch body: 5,000 passages.
pub const BATCH_BODY_LIMIT: usize = 32 * 1024 * 1024;
/// Largest body on the other routes.
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;
