//! `GET /api/v1/places`: the country's divisions found by name, pinyin initials or code, for
//! the declaration form (public, like the form) and every other form that asks for a place.
//! The list is public data (the statistics bureau's division codes); nothing is recorded.

use axum::Json;
use cordon_domain::places::{search, Place, MAX_ANSWERS};
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiQuery;

/// Most characters of a query.
const MAX_QUERY: usize = 32;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PlaceQuery {
    /// A name or part of one (石家庄), pinyin initials (sjz) or the start of a code: 1 to 32
    /// characters.
    #[param(min_length = 1, max_length = 32)]
    pub q: String,
    /// At most this many places (1 to 50, default 10).
    #[param(minimum = 1, maximum = 50)]
    pub limit: Option<usize>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PlaceList {
    pub places: Vec<Place>,
}

#[utoipa::path(get, path = "/api/v1/places", security(()), tag = "declarations", params(PlaceQuery),
    responses((status = 200, body = PlaceList), (status = 422, body = ErrorBody)))]
pub async fn places(ApiQuery(p): ApiQuery<PlaceQuery>) -> ApiResult<Json<PlaceList>> {
    let chars = p.q.chars().count();
    if chars == 0 || chars > MAX_QUERY {
        return Err(ApiError::invalid(
            "out_of_range",
            "q",
            format!("a place is looked for by 1 to {MAX_QUERY} characters"),
        ));
    }
    let limit = p.limit.unwrap_or(10);
    if !(1..=MAX_ANSWERS).contains(&limit) {
        return Err(ApiError::invalid(
            "out_of_range",
            "limit",
            format!("limit is 1 to {MAX_ANSWERS}"),
        ));
    }
    Ok(Json(PlaceList {
        places: search(&p.q, limit),
    }))
}
