//! Every refusal of the API in the one shape, `{"error": {"code", "field", "message"}}`, even
//! where the refusal comes from the framework rather than a handler: a path that does not decode
//! (400), a method the route does not take (405), an unknown media type (415). And the limits on
//! a request's head, answered the same way before routing: a path and query over
//! [`MAX_URI_BYTES`] is 414, headers over [`MAX_HEADER_BYTES`] or [`MAX_HEADERS`] are 431. (A head
//! larger than the HTTP library itself reads, about 400 KB, is refused by it with an empty 431.)
//! The refusals' sentences are fixed: none echoes what the client sent.

use axum::extract::Request;
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use cordon_domain::FieldError;

use crate::error::ErrorBody;

/// Longest path and query accepted.
pub const MAX_URI_BYTES: usize = 8 * 1024;
/// Most bytes of headers accepted, names and values counted.
pub const MAX_HEADER_BYTES: usize = 32 * 1024;
/// Most header lines accepted.
pub const MAX_HEADERS: usize = 64;

/// The code and sentence of a refusal the framework made, by its status.
fn describe(status: StatusCode) -> (&'static str, &'static str) {
    match status.as_u16() {
        400 => (
            "bad_request",
            "the request could not be read: check the path and its encoding",
        ),
        401 => ("unauthenticated", "sign in first"),
        403 => ("forbidden", "this account may not do this here"),
        404 => ("not_found", "no such route"),
        405 => ("method_not_allowed", "this route does not take this method"),
        406 => ("not_acceptable", "this route answers application/json"),
        408 => ("timeout", "the request took too long to arrive"),
        413 => ("too_large", "the body is larger than this route accepts"),
        414 => ("uri_too_long", "the path and query are too long"),
        415 => (
            "unsupported_media_type",
            "send the body as application/json",
        ),
        422 => ("invalid", "the request was refused"),
        429 => ("rate_limited", "too many requests; retry later"),
        431 => ("headers_too_large", "the request's headers are too large"),
        503 => ("unavailable", "the server cannot answer now; retry shortly"),
        s if s >= 500 => ("internal", "an internal error occurred; it has been logged"),
        _ => ("refused", "the request was refused"),
    }
}

/// The JSON body of a refusal with `status`.
pub fn body(status: StatusCode) -> Response {
    let (code, message) = describe(status);
    let error = ErrorBody {
        error: FieldError::new(code, "", message),
        problems: Vec::new(),
    };
    (status, Json(error)).into_response()
}

fn is_json(response: &Response) -> bool {
    response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}

/// Every answer on its way out, in one layer (each layer of its own cost every request a boxed
/// future and a clone of the router: about 6 % of the reads a second, `cordon bench audit`,
/// thirteenth part): a head over the limits refused before anything reads it ([`bounded`]),
/// the framework's refusals of API routes as JSON ([`as_json`]), and a refusal's sentence in
/// Chinese for a caller who prefers it ([`crate::localized::localize`]).
pub async fn edge(request: Request, next: Next) -> Response {
    let chinese = crate::localized::wants_chinese(&request);
    let response = match bounded(&request) {
        Some(refused) => refused,
        None => {
            let api = request.uri().path().starts_with("/api/");
            as_json(api, next.run(request).await)
        }
    };
    crate::localized::localize(chinese, response).await
}

/// Gives a refusal of an API route (`api`) that is not JSON the JSON shape, keeping its status
/// and headers (`Allow`, `Retry-After`). Pages keep their own refusals (HTML).
fn as_json(api: bool, response: Response) -> Response {
    let status = response.status();
    let refused = status.is_client_error() || status.is_server_error();
    if !api || !refused || is_json(&response) {
        return response;
    }
    let (mut parts, _) = response.into_parts();
    let (json_parts, json_body) = body(status).into_parts();
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    for (name, value) in json_parts.headers.iter() {
        parts.headers.insert(name, value.clone());
    }
    Response::from_parts(parts, json_body)
}

/// The refusal of a request whose head is over the limits, if it is.
fn bounded(request: &Request) -> Option<Response> {
    let uri = request
        .uri()
        .path_and_query()
        .map_or(0, |p| p.as_str().len());
    if uri > MAX_URI_BYTES {
        return Some(body(StatusCode::URI_TOO_LONG));
    }
    let headers = request.headers();
    let bytes: usize = headers
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum();
    if headers.len() > MAX_HEADERS || bytes > MAX_HEADER_BYTES {
        return Some(body(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_has_a_code_and_a_sentence() {
        for s in [400, 404, 405, 413, 414, 415, 431, 500, 503, 418] {
            let (code, message) = describe(StatusCode::from_u16(s).unwrap());
            assert!(!code.is_empty() && !message.is_empty(), "{s}");
        }
        assert_eq!(
            describe(StatusCode::METHOD_NOT_ALLOWED).0,
            "method_not_allowed"
        );
    }
}
