//! Time periods in requests: `from` and `to` as RFC 3339 instants (`2022-05-03T08:00:00+08:00`),
//! checked once here.

use chrono::{DateTime, Duration, FixedOffset};
use cordon_store::Period;
use serde::Deserialize;

use crate::error::ApiError;

/// The longest period one query may span: the registry keeps 30 days, plus slack for late syncs.
pub const MAX_PERIOD_DAYS: i64 = 62;

#[derive(Debug, Clone, Copy, Default, Deserialize, utoipa::IntoParams, utoipa::ToSchema)]
#[into_params(parameter_in = Query)]
pub struct PeriodParams {
    /// Start, inclusive (RFC 3339). Default: 24 hours before `to`.
    pub from: Option<DateTime<FixedOffset>>,
    /// End, exclusive (RFC 3339). Default: now.
    pub to: Option<DateTime<FixedOffset>>,
}

impl PeriodParams {
    /// The period, defaulting to the `default` span ending now.
    pub fn resolve(&self, default: Duration) -> Result<Period, ApiError> {
        let to = self
            .to
            .unwrap_or_else(|| chrono::Utc::now().with_timezone(&cordon_domain::time::china()));
        let from = self.from.unwrap_or(to - default);
        if from >= to {
            return Err(ApiError::invalid(
                "invalid_period",
                "from",
                "from must be earlier than to",
            ));
        }
        if to - from > Duration::days(MAX_PERIOD_DAYS) {
            return Err(ApiError::invalid(
                "period_too_long",
                "to",
                format!("a period spans at most {MAX_PERIOD_DAYS} days"),
            ));
        }
        Ok(Period {
            from_ms: from.timestamp_millis(),
            to_ms: to.timestamp_millis(),
        })
    }
}
