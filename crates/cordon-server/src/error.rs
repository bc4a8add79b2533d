//! The one error type of the HTTP API. Every variant's doc names its status. The body is always
//! `{"error": {"code", "field", "message"}}`; database failures are logged and answered with a
//! generic message, never with the database's words.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use cordon_domain::FieldError;
use cordon_store::{RecordRejection, StoreError};
use serde::Serialize;

#[derive(Debug)]
pub enum ApiError {
    /// 400: the body is not JSON, or not the JSON it should be at the top level.
    Malformed(String),
    /// 401: no valid session: no token, or one that is malformed, expired, ended or forged.
    Unauthenticated,
    /// 401: sign-in refused; the same answer whether or not the account exists.
    BadCredentials,
    /// 403: the account may not do this here. Says nothing of whether the thing exists.
    Forbidden,
    /// 429: too many failed sign-ins from this address; retry after the given seconds.
    TooManyAttempts(u64),
    /// 429: too many requests from this address to a route open to anyone; retry after the
    /// given seconds.
    RateLimited(u64),
    /// 404: what the path names does not exist (or is not yours to see).
    NotFound(String),
    /// 409: the request contradicts what is recorded.
    Conflict(FieldError),
    /// 413: the body is larger than the route accepts.
    TooLarge(String),
    /// 415: the body is not `application/json`.
    UnsupportedMediaType,
    /// 422: a field was rejected.
    Invalid(FieldError),
    /// 422: fields of a form (a registration, a declaration) were rejected; the first is the
    /// `error`, and every one is listed in `problems` so that a form can mark them all at once.
    Refused(Vec<FieldError>),
    /// 422: a document (a policy: code `invalid_policy`; an import: `invalid_import`) is
    /// refused whole; every problem is listed with its line.
    Problems(&'static str, Vec<cordon_domain::policy::PolicyProblem>),
    /// 503: the store could not answer.
    Unavailable,
    /// 503: the trace index (which answers traces and trajectories) is still loading after a
    /// start.
    IndexLoading,
    /// 500: something is wrong that the client cannot fix.
    Internal,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: FieldError,
    /// Every problem found, when a form (a registration, a declaration) or a document (a
    /// policy, an import) is refused whole. `line` is given for documents only.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<cordon_domain::policy::PolicyProblem>,
}

impl ApiError {
    pub fn invalid(code: &str, field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::Invalid(FieldError::new(code, field, message))
    }

    /// The error a registration rejection becomes; `prefix` is the batch path (`passages`) or
    /// empty for a single registration.
    pub fn from_rejection(r: RecordRejection, prefix: &str) -> Self {
        let at = |index: usize, field: &str| {
            if prefix.is_empty() {
                field.to_owned()
            } else {
                format!("{prefix}[{index}].{field}")
            }
        };
        match r {
            RecordRejection::UnknownCheckpoint { index } => ApiError::invalid(
                "unknown_checkpoint",
                at(index, "checkpoint"),
                "no checkpoint has this code",
            ),
            RecordRejection::CheckpointClosed { index } => ApiError::Conflict(FieldError::new(
                "checkpoint_closed",
                at(index, "checkpoint"),
                "this checkpoint is closed and does not register passages",
            )),
            RecordRejection::LaneOutOfRange { index, lanes } => ApiError::invalid(
                "unknown_lane",
                at(index, "lane"),
                format!("this checkpoint has lanes 1 to {lanes}"),
            ),
            RecordRejection::IdConflict { index } => ApiError::Conflict(FieldError::new(
                "id_conflict",
                at(index, "id"),
                "a different passage was registered with this id; a retry must send the same body",
            )),
            RecordRejection::DuplicateInBatch { index } => ApiError::invalid(
                "duplicate_id",
                at(index, "id"),
                "this id appears earlier in the batch with a different body",
            ),
        }
    }

    fn parts(&self) -> (StatusCode, FieldError) {
        let plain = |code: &str, message: &str| FieldError::new(code, "", message);
        match self {
            ApiError::Malformed(m) => (StatusCode::BAD_REQUEST, plain("malformed_json", m)),
            ApiError::Unauthenticated => (
                StatusCode::UNAUTHORIZED,
                plain(
                    "unauthenticated",
                    "sign in first: send 'Authorization: Bearer TOKEN' from POST /api/v1/sessions",
                ),
            ),
            ApiError::BadCredentials => (
                StatusCode::UNAUTHORIZED,
                plain(
                    "bad_credentials",
                    "the user name or the password is wrong, or the account is locked or disabled",
                ),
            ),
            ApiError::Forbidden => (
                StatusCode::FORBIDDEN,
                plain("forbidden", "this account may not do this here"),
            ),
            ApiError::TooManyAttempts(secs) => (
                StatusCode::TOO_MANY_REQUESTS,
                plain(
                    "too_many_attempts",
                    &format!("too many failed sign-ins from this address; retry in {secs} seconds"),
                ),
            ),
            ApiError::RateLimited(secs) => (
                StatusCode::TOO_MANY_REQUESTS,
                plain(
                    "rate_limited",
                    &format!("too many requests from this address; retry in {secs} seconds"),
                ),
            ),
            ApiError::NotFound(m) => (StatusCode::NOT_FOUND, plain("not_found", m)),
            ApiError::Conflict(e) => (StatusCode::CONFLICT, e.clone()),
            ApiError::TooLarge(m) => (StatusCode::PAYLOAD_TOO_LARGE, plain("too_large", m)),
            ApiError::UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                plain(
                    "unsupported_media_type",
                    "send the body as application/json",
                ),
            ),
            ApiError::Invalid(e) => (StatusCode::UNPROCESSABLE_ENTITY, e.clone()),
            ApiError::Refused(found) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                found.first().cloned().unwrap_or_else(|| {
                    FieldError::new("invalid_value", "", "the request was refused")
                }),
            ),
            ApiError::Problems(code, problems) => {
                let first = problems.first();
                (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    FieldError::new(
                        code,
                        first.map(|p| p.field.clone()).unwrap_or_default(),
                        format!(
                            "the document has {} problem(s); nothing was stored. First: {}",
                            problems.len(),
                            first
                                .map(|p| match p.line {
                                    Some(l) => format!("line {l}: {}", p.message),
                                    None => p.message.clone(),
                                })
                                .unwrap_or_default()
                        ),
                    ),
                )
            }
            ApiError::Unavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                plain(
                    "unavailable",
                    "the store is not answering; retry with the same id",
                ),
            ),
            ApiError::IndexLoading => (
                StatusCode::SERVICE_UNAVAILABLE,
                plain(
                    "trace_index_loading",
                    "the trace index is still loading after a restart; retry in a few seconds",
                ),
            ),
            ApiError::Internal => (
                StatusCode::INTERNAL_SERVER_ERROR,
                plain("internal", "an internal error occurred; it has been logged"),
            ),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { what } => ApiError::NotFound(format!("{what} not found")),
            StoreError::Forbidden => ApiError::Forbidden,
            StoreError::Invalid(f)
                if matches!(
                    f.code.as_str(),
                    "duplicate"
                        | "already_decided"
                        | "second_account_required"
                        | "row_conflict"
                        | "directive_cancelled"
                        | "directive_updated"
                        | "report_answered"
                        | "report_conflict"
                        | "shift_overlap"
                        | "officer_on_duty"
                        | "shift_ended"
                        | "shift_started"
                        | "round_finished"
                        | "already_observed"
                        | "already_turned"
                        | "already_in_lot"
                        | "truck_out_of_order"
                        | "truck_gone"
                        | "bay_taken"
                        | "pcr_at_lab"
                        | "application_decided"
                        | "alert_closed"
                        | "pass_revoked"
                        | "escort_out_of_order"
                        | "escort_closed"
                ) =>
            {
                ApiError::Conflict(f)
            }
            StoreError::Invalid(f) => ApiError::Invalid(f),
            StoreError::Rejected(r) => ApiError::from_rejection(r, ""),
            StoreError::Unavailable(m) => {
                tracing::error!(error = %m, "store unavailable");
                ApiError::Unavailable
            }
            StoreError::Closed => ApiError::Unavailable,
            other if other.is_busy() => {
                tracing::warn!(error = %other, "the database stayed busy");
                ApiError::Unavailable
            }
            other => {
                tracing::error!(error = %other, "store error");
                ApiError::Internal
            }
        }
    }
}

impl From<crate::dashboard::figures::NotNow> for ApiError {
    fn from(e: crate::dashboard::figures::NotNow) -> Self {
        match e {
            crate::dashboard::figures::NotNow::Busy => {
                ApiError::RateLimited(crate::dashboard::figures::WAIT.as_secs())
            }
            crate::dashboard::figures::NotNow::Failed(e) => e.into(),
        }
    }
}

impl From<cordon_domain::access::Denied> for ApiError {
    fn from(_: cordon_domain::access::Denied) -> Self {
        ApiError::Forbidden
    }
}

impl From<Vec<FieldError>> for ApiError {
    fn from(found: Vec<FieldError>) -> Self {
        ApiError::Refused(found)
    }
}

impl From<FieldError> for ApiError {
    fn from(e: FieldError) -> Self {
        ApiError::Invalid(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, error) = self.parts();
        let retry_after = match self {
            ApiError::TooManyAttempts(secs) | ApiError::RateLimited(secs) => Some(secs),
            ApiError::Unavailable | ApiError::IndexLoading => Some(1),
            _ => None,
        };
        let problems = match self {
            ApiError::Problems(_, p) => p,
            ApiError::Refused(found) => found
                .into_iter()
                .map(|e| cordon_domain::policy::PolicyProblem {
                    code: e.code,
                    field: e.field,
                    line: None,
                    message: e.message,
                })
                .collect(),
            _ => Vec::new(),
        };
        let mut response = (status, Json(ErrorBody { error, problems })).into_response();
        if let Some(secs) = retry_after {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        response
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
