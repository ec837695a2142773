//! One log line per request, with a request id: the client's `X-Request-Id` when it sends a
//! sane one, else a new one; the id is sent back in `X-Request-Id`. A GraphQL request's line
//! also has its operation name, its first error code and whether the response cache answered,
//! and feeds the request metrics. No header values are logged (tokens stay out of logs).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

use crate::AppState;

/// The request id header.
pub const REQUEST_ID: &str = "x-request-id";

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// When this process started (seconds since the epoch), so ids differ across restarts.
fn process_start() -> u64 {
    static START: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *START.get_or_init(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default()
    })
}

/// The client's id when it is short and plain, else a new one (process start time and a
/// counter, unique per process).
fn request_id(request: &Request) -> String {
    let given = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|id| {
            !id.is_empty()
                && id.len() <= 64
                && id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        });
    match given {
        Some(id) => id.to_owned(),
        None => format!(
            "req-{:x}-{:x}",
            process_start(),
            NEXT_ID.fetch_add(1, Ordering::Relaxed)
        ),
    }
}

/// What a GraphQL answer tells the request log and the metrics (a response extension).
#[derive(Debug, Clone, Default)]
pub struct GraphQLOutcome {
    /// The operation name the client gave, if any.
    pub operation: Option<String>,
    /// The first error's `extensions.code`; `None` for success.
    pub error_code: Option<String>,
}

/// Logs the request when it is answered, counts it in the metrics, and tags the answer with
/// its id.
pub async fn log_requests(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let id = request_id(&request);
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let started = Instant::now();
    let mut response = next.run(request).await;
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    let outcome = response.extensions().get::<GraphQLOutcome>();
    if let Some(outcome) = outcome {
        let cache = response
            .headers()
            .get("x-cache")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("-");
        tracing::info!(
            request_id = %id,
            %method,
            path = %path,
            status,
            operation = outcome.operation.as_deref().unwrap_or("-"),
            error_code = outcome.error_code.as_deref().unwrap_or("-"),
            cache,
            duration_ms = elapsed.as_secs_f64() * 1000.0,
            "request"
        );
        state.http_metrics.observe(
            outcome.operation.as_deref(),
            outcome.error_code.as_deref().unwrap_or("OK"),
            elapsed,
        );
    } else {
        tracing::info!(
            request_id = %id,
            %method,
            path = %path,
            status,
            duration_ms = elapsed.as_secs_f64() * 1000.0,
            "request"
        );
        if path == "/graphql" {
            // Refused before a GraphQL answer was made (load shedding).
            let outcome = if status == 503 {
                "OVERLOADED"
            } else {
                "HTTP_ERROR"
            };
            state.http_metrics.observe(None, outcome, elapsed);
        }
    }
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    response
}
