//! Request intake: what happens before a request may take one of the server's request slots.
//!
//! - **One address, a fair share.** A client address may have at most
//!   `MAX_REQUESTS_PER_ADDRESS` requests in flight (reading its body or running); one more is
//!   answered 429 `RATE_LIMITED` with `Retry-After` at once.
//! - **Whole bodies only.** A request body is read to its end *before* the request takes a
//!   request slot (`MAX_CONCURRENT_REQUESTS`), so a client that sends headers and then
//!   dribbles or withholds its body holds no slot. Bodies being read have their own budget
//!   (`MAX_PENDING_BODIES`; past it, 503 at once) and their own clock: the body must arrive
//!   within `BODY_READ_TIMEOUT_SECS`, and at no less than `MIN_BODY_BYTES_PER_SEC` after a
//!   first second of grace; otherwise 408 `REQUEST_TIMEOUT` and the connection is closed. A
//!   body over `MAX_BODY_BYTES` (declared or sent) is 413 and the connection is closed.
//!
//! The request goes on with its body in memory, so the handlers read it without waiting.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::{CONTENT_LENGTH, TRANSFER_ENCODING};
use axum::middleware::Next;
use axum::response::Response;
use http_body_util::BodyExt;
use tokio::sync::Semaphore;
use tokio::time::Instant;

use super::answer::{body_too_large, closing, refusal, retry_later};
use super::graphql::client::address_of;
use super::media::{ResponseMedia, negotiate};
use super::per_address::PerAddressCap;
use crate::AppState;
use crate::error::ErrorCode;

/// How long a body may take before the minimum transfer rate applies.
const BODY_GRACE: Duration = Duration::from_secs(1);

/// The intake's settings and shared counters.
#[derive(Debug, Clone)]
pub struct Intake {
    /// Requests in flight per client address.
    pub in_flight: PerAddressCap,
    /// Bodies being read at once, server-wide.
    pub pending_bodies: Arc<Semaphore>,
    /// Most time a whole body may take.
    pub body_read_timeout: Duration,
    /// Slowest transfer accepted after the grace second, in bytes a second (0: no minimum).
    pub min_body_bytes_per_sec: u64,
    /// The size of `pending_bodies`.
    max_pending_bodies: usize,
}

impl Intake {
    /// The intake with these limits (`max_pending_bodies` at least 1).
    pub fn new(
        max_requests_per_address: usize,
        max_pending_bodies: usize,
        body_read_timeout: Duration,
        min_body_bytes_per_sec: u64,
    ) -> Self {
        Self {
            in_flight: PerAddressCap::new(max_requests_per_address),
            pending_bodies: Arc::new(Semaphore::new(max_pending_bodies.max(1))),
            max_pending_bodies: max_pending_bodies.max(1),
            body_read_timeout,
            min_body_bytes_per_sec,
        }
    }

    /// Bodies being read now.
    pub fn pending_bodies_now(&self) -> usize {
        self.max_pending_bodies - self.pending_bodies.available_permits()
    }

    /// When a body that has delivered `received` bytes since `started` must deliver more.
    fn next_deadline(&self, started: Instant, received: usize) -> Instant {
        let by_rate = match self.min_body_bytes_per_sec {
            0 => self.body_read_timeout,
            rate => BODY_GRACE + Duration::from_secs_f64(received as f64 / rate as f64),
        };
        started + by_rate.min(self.body_read_timeout)
    }
}

/// Why a body could not be read.
enum BodyRefusal {
    TooSlow,
    TooLarge,
    Broken,
}

/// The intake middleware (see the module docs).
pub async fn admit_whole(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let intake = &state.intake;
    let media = negotiate(request.headers()).unwrap_or(ResponseMedia::Json);
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0);
    let address = address_of(request.headers(), peer, state.trust_forwarded_for);
    let _held = match address {
        Some(address) => match intake.in_flight.try_take(address) {
            Some(held) => Some(held),
            None => {
                return retry_later(
                    media,
                    ErrorCode::RateLimited,
                    "too many requests in flight from your address: wait for some to finish",
                    Duration::from_secs(1),
                );
            }
        },
        None => None,
    };
    if !has_body(&request) {
        return next.run(request).await;
    }
    let declared = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<usize>().ok());
    if declared.is_some_and(|length| length > state.max_body_bytes) {
        return body_too_large(media, state.max_body_bytes);
    }
    let Ok(reading) = intake.pending_bodies.clone().try_acquire_owned() else {
        return retry_later(
            media,
            ErrorCode::ServiceUnavailable,
            "the server is at capacity: retry shortly",
            Duration::from_secs(1),
        );
    };
    let (parts, body) = request.into_parts();
    let bytes = match read_whole(body, intake, state.max_body_bytes, declared).await {
        Ok(bytes) => bytes,
        Err(BodyRefusal::TooLarge) => return body_too_large(media, state.max_body_bytes),
        Err(BodyRefusal::TooSlow) => {
            return closing(refusal(
                media,
                ErrorCode::RequestTimeout,
                &format!(
                    "the body did not arrive in time: send it within {} s, at {} bytes a second or faster",
                    intake.body_read_timeout.as_secs(),
                    intake.min_body_bytes_per_sec
                ),
            ));
        }
        Err(BodyRefusal::Broken) => {
            return closing(refusal(
                media,
                ErrorCode::BadRequest,
                "the body could not be read",
            ));
        }
    };
    drop(reading);
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// Whether the request says it has a body.
fn has_body(request: &Request) -> bool {
    let headers = request.headers();
    headers.contains_key(TRANSFER_ENCODING)
        || headers
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim() != "0")
}

/// Reads `body` to its end, or refuses it: over `limit` bytes, or slower than the intake's
/// clock allows.
async fn read_whole(
    mut body: Body,
    intake: &Intake,
    limit: usize,
    declared: Option<usize>,
) -> Result<Bytes, BodyRefusal> {
    let started = Instant::now();
    let mut collected: Vec<u8> = Vec::with_capacity(declared.unwrap_or(0).min(limit));
    let mut first: Option<Bytes> = None;
    loop {
        let received = first.as_ref().map_or(0, Bytes::len) + collected.len();
        let deadline = intake.next_deadline(started, received);
        let frame = match tokio::time::timeout_at(deadline, body.frame()).await {
            Err(_) => return Err(BodyRefusal::TooSlow),
            Ok(None) => break,
            Ok(Some(Err(_))) => return Err(BodyRefusal::Broken),
            Ok(Some(Ok(frame))) => frame,
        };
        let Ok(data) = frame.into_data() else {
            continue; // trailers
        };
        if received + data.len() > limit {
            return Err(BodyRefusal::TooLarge);
        }
        // The usual body is one chunk: keep it without copying.
        match first.take() {
            None if collected.is_empty() => first = Some(data),
            Some(earlier) => {
                collected.extend_from_slice(&earlier);
                collected.extend_from_slice(&data);
            }
            None => collected.extend_from_slice(&data),
        }
    }
    Ok(first.unwrap_or_else(|| Bytes::from(collected)))
}
