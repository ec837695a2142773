//! Answers to anonymous reads: shareable headers (`Cache-Control`, `ETag`, `Surrogate-Key`,
//! `304`), the read budget's headers, and a keyed mutation's answer given again.

use std::net::IpAddr;

use axum::body::Bytes;
use axum::http::header::{CACHE_CONTROL, ETAG, VARY};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::error::ErrorCode;
use crate::http::answer::{retry_after_seconds, retry_later, with_media};
use crate::http::media::ResponseMedia;
use crate::http::rate_limit::{BudgetSpent, CACHE_HIT_COST};
use crate::response_cache::CachedResponse;

use super::run::Conditional;

/// An answer from the response cache, after its client pays [`CACHE_HIT_COST`] from its read
/// budget (429 when even that is not there).
pub fn cached_answer(
    state: &AppState,
    media: ResponseMedia,
    answer: &CachedResponse,
    conditional: Option<&Conditional>,
    client: Option<IpAddr>,
) -> Response {
    let spent = match client {
        Some(address) if state.read_budget.enabled() => {
            match state.read_budget.spend(address, CACHE_HIT_COST) {
                Ok(spent) => Some(spent),
                Err(wait) => return over_budget(state, media, address, wait),
            }
        }
        _ => None,
    };
    with_budget(
        public_answer(state, media, answer, conditional, "HIT"),
        spent,
    )
}

/// 429: the client's read budget does not have what this read costs.
pub fn over_budget(
    state: &AppState,
    media: ResponseMedia,
    address: IpAddr,
    wait: std::time::Duration,
) -> Response {
    let response = retry_later(
        media,
        ErrorCode::RateLimited,
        &format!(
            "your read budget is spent: it refills at {} points a minute; retry in {} s",
            state.read_budget.status(address).limit,
            retry_after_seconds(wait)
        ),
        wait,
    );
    with_budget(response, Some(state.read_budget.status(address)))
}

/// Adds what a read spent from its budget, and what remains, as headers (the same ones
/// GitHub's API sends): `X-RateLimit-Limit` (points a minute), `X-RateLimit-Remaining`,
/// `X-RateLimit-Used` (by this answer) and `X-RateLimit-Reset` (seconds until full).
pub fn with_budget(mut response: Response, spent: Option<BudgetSpent>) -> Response {
    let Some(spent) = spent else {
        return response;
    };
    let headers = response.headers_mut();
    for (name, value) in [
        (RATELIMIT_LIMIT, u64::from(spent.limit)),
        (RATELIMIT_REMAINING, spent.remaining),
        (RATELIMIT_USED, spent.spent),
        (RATELIMIT_RESET, spent.full_in_secs),
    ] {
        headers.insert(name, HeaderValue::from(value));
    }
    response
}

const RATELIMIT_LIMIT: HeaderName = HeaderName::from_static("x-ratelimit-limit");
const RATELIMIT_REMAINING: HeaderName = HeaderName::from_static("x-ratelimit-remaining");
const RATELIMIT_USED: HeaderName = HeaderName::from_static("x-ratelimit-used");
const RATELIMIT_RESET: HeaderName = HeaderName::from_static("x-ratelimit-reset");

/// A keyed mutation's first answer, again.
pub fn replayed(media: ResponseMedia, answer: String) -> Response {
    let mut response = with_media(StatusCode::OK, media, answer.into_bytes(), None);
    let headers = response.headers_mut();
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    headers.insert(
        HeaderName::from_static("idempotent-replayed"),
        HeaderValue::from_static("true"),
    );
    response
}

/// A successful anonymous answer, fresh or from the cache. A GET's carries the headers shared
/// caches need, and is `304 Not Modified` when the client already has it.
pub fn public_answer(
    state: &AppState,
    media: ResponseMedia,
    answer: &CachedResponse,
    conditional: Option<&Conditional>,
    cache_status: &'static str,
) -> Response {
    let mut response = with_media(StatusCode::OK, media, answer.body.clone(), None);
    let headers = response.headers_mut();
    headers.insert(X_CACHE, HeaderValue::from_static(cache_status));
    let Some(conditional) = conditional else {
        return response;
    };
    if let Ok(value) = HeaderValue::from_str(&state.cache.header_value()) {
        headers.insert(CACHE_CONTROL, value);
    }
    if let Some(keys) = &answer.surrogate_keys
        && let Ok(value) = HeaderValue::from_str(keys)
    {
        headers.insert(SURROGATE_KEY, value);
    }
    let Ok(etag) = HeaderValue::from_str(&answer.etag) else {
        return response;
    };
    headers.insert(ETAG, etag);
    if etag_matches(&conditional.if_none_match, &answer.etag) {
        let mut not_modified = StatusCode::NOT_MODIFIED.into_response();
        let kept = not_modified.headers_mut();
        for name in [CACHE_CONTROL, VARY, SURROGATE_KEY, ETAG, X_CACHE] {
            if let Some(value) = response.headers().get(&name) {
                kept.insert(name, value.clone());
            }
        }
        return not_modified;
    }
    response
}

/// A successful anonymous answer that the cache does not keep and the client cannot
/// revalidate: [`public_answer`]'s without a conditional request, with no entity tag.
pub fn uncached_answer(media: ResponseMedia, body: Bytes) -> Response {
    let mut response = with_media(StatusCode::OK, media, body, None);
    response
        .headers_mut()
        .insert(X_CACHE, HeaderValue::from_static("BYPASS"));
    response
}

/// `X-Cache`: whether the in-process cache answered (`HIT`), could have but had nothing
/// (`MISS`), or was not used (`BYPASS`).
const X_CACHE: HeaderName = HeaderName::from_static("x-cache");

/// `Surrogate-Key`: the films in a response, for CDN purges.
const SURROGATE_KEY: HeaderName = HeaderName::from_static("surrogate-key");

/// Whether an `If-None-Match` list names this entity tag (weak comparison, `*` matches all).
fn etag_matches(if_none_match: &str, etag: &str) -> bool {
    let bare = |tag: &str| tag.trim().trim_start_matches("W/").to_owned();
    if_none_match
        .split(',')
        .any(|candidate| candidate.trim() == "*" || bare(candidate) == bare(etag))
}
