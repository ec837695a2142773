//! Load shedding: past the concurrency limit a request is refused at once with 503 and
//! `Retry-After`, instead of waiting in a queue that grows.

use axum::BoxError;
use axum::http::HeaderMap;
use axum::response::Response;

use super::answer::{refusal, retry_later};
use super::media::{ResponseMedia, negotiate};
use crate::error::ErrorCode;

/// The answer to a request the server is too busy for (or that failed in the middleware), in
/// the media type the client accepts.
pub async fn refuse(headers: HeaderMap, error: BoxError) -> Response {
    let media = negotiate(&headers).unwrap_or(ResponseMedia::Json);
    if error.is::<tower::load_shed::error::Overloaded>() {
        return retry_later(
            media,
            ErrorCode::ServiceUnavailable,
            "the server is at capacity: retry shortly",
            std::time::Duration::from_secs(1),
        );
    }
    tracing::error!(error = %error, "request middleware failed");
    refusal(
        media,
        ErrorCode::InternalServerError,
        "internal server error",
    )
}
