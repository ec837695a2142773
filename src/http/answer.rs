//! The answers the HTTP layer builds itself: a serialized GraphQL response with the spec's
//! status code, and every refusal (one GraphQL error with `extensions.code` from
//! [`ErrorCode`], and the status that code stands for).

use async_graphql::Response as GraphQLResponse;
use axum::body::Bytes;
use axum::http::header::{CACHE_CONTROL, CONNECTION, CONTENT_TYPE, RETRY_AFTER, VARY};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::media::ResponseMedia;
use super::request_log::GraphQLOutcome;
use crate::error::ErrorCode;
use crate::graphql::extensions::with_code;

/// A serialized GraphQL response: the spec's status code and the body.
pub struct Serialized {
    /// The status the GraphQL-over-HTTP spec gives it.
    pub status: StatusCode,
    /// The JSON body.
    pub body: Bytes,
    /// The first error's `extensions.code`, if any.
    pub error_code: Option<String>,
}

/// Serializes an executed (or refused) GraphQL response with the spec's status code; `Err`
/// is the answer to send when it cannot be serialized.
pub fn serialize(
    media: ResponseMedia,
    mut response: GraphQLResponse,
    executed: bool,
) -> Result<Serialized, Box<Response>> {
    if !executed {
        response.errors = std::mem::take(&mut response.errors)
            .into_iter()
            .map(|error| with_code(error, ErrorCode::BadRequest.as_str()))
            .collect();
    }
    let body = if executed {
        super::json::response_to_vec(&response)
    } else {
        // A request error has no `data` entry at all.
        serde_json::to_value(&response).and_then(|mut value| {
            if let Some(object) = value.as_object_mut() {
                object.remove("data");
            }
            serde_json::to_vec(&value)
        })
    };
    let Ok(body) = body else {
        tracing::error!("could not serialize a GraphQL response");
        return Err(Box::new(refusal(
            media,
            ErrorCode::InternalServerError,
            "internal server error",
        )));
    };
    let error_code = response
        .errors
        .first()
        .map(|error| code_of(error).unwrap_or("NO_CODE").to_owned());
    let status = match (executed, media) {
        (false, ResponseMedia::GraphQLResponseJson) => StatusCode::BAD_REQUEST,
        _ => StatusCode::OK,
    };
    Ok(Serialized {
        status,
        body: Bytes::from(body),
        error_code,
    })
}

/// A strong validator for a body: its 128-bit XXH3 hash, quoted. A validator only has to
/// change when the bytes do (it is not a signature), and XXH3 reads an 80 KB page an order
/// of magnitude faster than SHA-256.
pub fn etag_of(body: &[u8]) -> String {
    format!("\"{:032x}\"", xxhash_rust::xxh3::xxh3_128(body))
}

/// An answer that did not execute (refused before it ran), with the spec's status code.
pub fn graphql_response(
    media: ResponseMedia,
    response: GraphQLResponse,
    executed: bool,
) -> Response {
    match serialize(media, response, executed) {
        Ok(serialized) => with_media(
            serialized.status,
            media,
            serialized.body,
            serialized.error_code.as_deref(),
        ),
        Err(failed) => *failed,
    }
}

/// A response of `media` type; `error_code` (the first error's `extensions.code`) is kept on
/// the response for the request log and metrics.
pub fn with_media(
    status: StatusCode,
    media: ResponseMedia,
    body: impl Into<Bytes>,
    error_code: Option<&str>,
) -> Response {
    let body: Bytes = body.into();
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(media.content_type()));
    // The answer depends on these request headers: caches must key on them.
    headers.insert(VARY, HeaderValue::from_static("Accept, Authorization"));
    // Refusals and errors are for this request alone; answers that may be shared say so
    // themselves (`public_answer`).
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response.extensions_mut().insert(GraphQLOutcome {
        operation: None,
        error_code: error_code.map(str::to_owned),
    });
    response
}

/// An answer that is one error with this code, at the code's HTTP status.
pub fn refusal(media: ResponseMedia, code: ErrorCode, message: &str) -> Response {
    refusal_with_status(media, code.http_status(), code, message)
}

/// An answer that is one error with this code, at `status`.
pub fn refusal_with_status(
    media: ResponseMedia,
    status: StatusCode,
    code: ErrorCode,
    message: &str,
) -> Response {
    let body =
        json!({ "errors": [{ "message": message, "extensions": { "code": code.as_str() } }] });
    with_media(
        status,
        media,
        body.to_string().into_bytes(),
        Some(code.as_str()),
    )
}

/// A refusal that asks the client to come back after `wait` (`Retry-After`, whole seconds,
/// at least 1); the error also carries `extensions.retryAfterSeconds`.
pub fn retry_later(
    media: ResponseMedia,
    code: ErrorCode,
    message: &str,
    wait: std::time::Duration,
) -> Response {
    let seconds = retry_after_seconds(wait);
    let body = json!({ "errors": [{
        "message": message,
        "extensions": { "code": code.as_str(), "retryAfterSeconds": seconds }
    }] });
    let mut response = with_media(
        code.http_status(),
        media,
        body.to_string().into_bytes(),
        Some(code.as_str()),
    );
    if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
        response.headers_mut().insert(RETRY_AFTER, value);
    }
    response
}

/// `Retry-After` in whole seconds, rounded up, at least 1.
pub fn retry_after_seconds(wait: std::time::Duration) -> u64 {
    wait.as_secs_f64().ceil().max(1.0) as u64
}

/// 429: this client has used its allowance of mutations for now.
pub fn rate_limited(media: ResponseMedia, wait: std::time::Duration) -> Response {
    let seconds = retry_after_seconds(wait);
    retry_later(
        media,
        ErrorCode::RateLimited,
        &format!("too many mutations: retry in {seconds} s"),
        wait,
    )
}

/// An error's `extensions.code`, when it has one.
pub fn code_of(error: &async_graphql::ServerError) -> Option<&str> {
    match error.extensions.as_ref()?.get("code")? {
        async_graphql::Value::String(code) => Some(code),
        _ => None,
    }
}

/// The answer while the database is known to be away: at once, without waiting on the pool.
pub fn unavailable(media: ResponseMedia) -> Response {
    retry_later(
        media,
        ErrorCode::ServiceUnavailable,
        "the database is unavailable right now; try again in a few seconds",
        std::time::Duration::from_secs(1),
    )
}

/// 503 `TIMEOUT`: the operation ran past `limit` and was cancelled.
pub fn timed_out(media: ResponseMedia, limit: std::time::Duration) -> Response {
    refusal(
        media,
        ErrorCode::Timeout,
        &format!(
            "the operation took longer than {} ms and was cancelled",
            limit.as_millis()
        ),
    )
}

/// 413: the body is over `limit` bytes.
pub fn body_too_large(media: ResponseMedia, limit: usize) -> Response {
    closing(refusal(
        media,
        ErrorCode::PayloadTooLarge,
        &format!("the body is larger than {limit} bytes"),
    ))
}

/// 406: the client accepts neither GraphQL response type.
pub fn not_acceptable() -> Response {
    refusal_with_status(
        ResponseMedia::Json,
        StatusCode::NOT_ACCEPTABLE,
        ErrorCode::BadRequest,
        "accept `application/graphql-response+json` or `application/json`",
    )
}

/// The response with `Connection: close`: the connection is not reused after it (its request
/// body was not read to the end).
pub fn closing(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(CONNECTION, HeaderValue::from_static("close"));
    response
}
