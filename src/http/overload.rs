//! Load shedding: past the concurrency limit a request is refused at once with 503 and
//! `Retry-After`, instead of waiting in a queue that grows.

use axum::BoxError;
use axum::http::StatusCode;
use axum::http::header::{CONTENT_TYPE, RETRY_AFTER};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// The answer to a request the server is too busy for (or that failed in the middleware).
pub async fn refuse(error: BoxError) -> Response {
    let (status, code, message) = if error.is::<tower::load_shed::error::Overloaded>() {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "SERVICE_UNAVAILABLE",
            "the server is at capacity: retry shortly",
        )
    } else {
        tracing::error!(error = %error, "request middleware failed");
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL_SERVER_ERROR",
            "internal server error",
        )
    };
    let body = json!({ "errors": [{ "message": message, "extensions": { "code": code } }] });
    (
        status,
        [
            (CONTENT_TYPE, "application/json; charset=utf-8"),
            (RETRY_AFTER, "1"),
        ],
        body.to_string(),
    )
        .into_response()
}
