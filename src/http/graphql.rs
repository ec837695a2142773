//! GraphQL over HTTP, per the GraphQL-over-HTTP spec.
//!
//! - `POST /graphql` takes `application/json` (UTF-8) bodies; anything else is 415, a body that
//!   is not a GraphQL request is 400, a body over the configured limit is 413.
//! - `GET /graphql` takes `query`, `variables`, `operationName` and `extensions` in the query
//!   string; it runs queries only (a mutation is 405, with `Allow: POST`).
//! - The response type follows `Accept`: `application/graphql-response+json` (request errors
//!   are 400 and carry no `data`) or `application/json` (request errors are 200); a client that
//!   accepts neither gets 406.
//! - Every error body is a GraphQL response: `{"errors": [{"message", "extensions": {"code"}}]}`.

use async_graphql::parser::types::OperationType;
use async_graphql::{BatchRequest, Request as GraphQLRequest, Response as GraphQLResponse};
use async_graphql_axum::GraphQLBatchRequest;
use async_graphql_axum::rejection::GraphQLRejection;
use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{FromRequest, Request, State};
use axum::http::header::{
    ALLOW, AUTHORIZATION, CACHE_CONTROL, CONTENT_LENGTH, CONTENT_TYPE, ETAG, IF_NONE_MATCH,
    RETRY_AFTER, VARY,
};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use http_body_util::LengthLimitError;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::sync::Arc;

use super::media::{BodyMediaError, ResponseMedia, check_body_media, negotiate};
use super::persisted::PersistedQueryError;
use crate::AppState;
use crate::graphql::auth::Credentials;
use crate::graphql::extensions::with_code;
use crate::graphql::{Preflight, preflight, prepare_request};
use crate::response_cache::{CachedResponse, Lookup, Ticket, entry_key};

/// `POST /graphql`.
pub async fn graphql_post(State(state): State<AppState>, request: Request) -> Response {
    let Some(media) = negotiate(request.headers()) else {
        return not_acceptable();
    };
    let credentials = credentials(request.headers());
    match check_body_media(request.headers()) {
        Ok(()) => {}
        Err(BodyMediaError::Missing) => {
            return request_error(
                media,
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "a POST needs `Content-Type: application/json`",
            );
        }
        Err(BodyMediaError::Unsupported(found)) => {
            return request_error(
                media,
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                &format!("unsupported content type `{found}`: send `application/json` in UTF-8"),
            );
        }
    }
    let limit = state.max_body_bytes;
    let declared_too_large = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .is_some_and(|len| len > limit);
    if declared_too_large {
        return body_too_large(media, limit);
    }
    let (parts, body) = request.into_parts();
    let bytes = match to_bytes(body, limit).await {
        Ok(bytes) => bytes,
        Err(err) => {
            return if err.into_inner().is::<LengthLimitError>() {
                body_too_large(media, limit)
            } else {
                request_error(media, StatusCode::BAD_REQUEST, "the body could not be read")
            };
        }
    };
    let request = Request::from_parts(parts, Body::from(bytes));
    match GraphQLBatchRequest::<GraphQLRejection>::from_request(request, &()).await {
        Ok(batch) => match batch.into_inner() {
            BatchRequest::Single(mut request) => {
                match admit(&state, media, &mut request, &credentials) {
                    Ok(Admitted::Cached(answer)) => {
                        public_answer(&state, media, &answer, None, "HIT")
                    }
                    Ok(Admitted::Run(checked, ticket)) => {
                        execute(&state, media, request, checked, ticket, credentials, None).await
                    }
                    Err(refused) => *refused,
                }
            }
            BatchRequest::Batch(_) => request_error(
                media,
                StatusCode::BAD_REQUEST,
                "batched requests are not supported: send one operation per request",
            ),
        },
        Err(GraphQLRejection(err)) => request_error(
            media,
            StatusCode::BAD_REQUEST,
            &format!("the body is not a GraphQL request: {err}"),
        ),
    }
}

/// `GET /graphql`: queries only.
pub async fn graphql_get(State(state): State<AppState>, request: Request) -> Response {
    let Some(media) = negotiate(request.headers()) else {
        return not_acceptable();
    };
    let credentials = credentials(request.headers());
    let if_none_match = request
        .headers()
        .get(IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut request = match GraphQLBatchRequest::<GraphQLRejection>::from_request(request, &())
        .await
        .map(|batch| batch.into_inner())
    {
        Ok(BatchRequest::Single(request)) => request,
        Ok(BatchRequest::Batch(_)) | Err(_) => {
            return request_error(
                media,
                StatusCode::BAD_REQUEST,
                "the query string is not a GraphQL request (`variables` and `extensions` must be JSON)",
            );
        }
    };
    let conditional = Conditional {
        if_none_match: if_none_match.unwrap_or_default(),
    };
    let (checked, ticket) = match admit(&state, media, &mut request, &credentials) {
        Ok(Admitted::Cached(answer)) => {
            return public_answer(&state, media, &answer, Some(&conditional), "HIT");
        }
        Ok(Admitted::Run(checked, ticket)) => (checked, ticket),
        Err(refused) => return *refused,
    };
    if checked.operation == Some(OperationType::Mutation) {
        let mut response = request_error(
            media,
            StatusCode::METHOD_NOT_ALLOWED,
            "mutations are only accepted over POST",
        );
        response
            .headers_mut()
            .insert(ALLOW, HeaderValue::from_static("POST"));
        return response;
    }
    execute(
        &state,
        media,
        request,
        checked,
        ticket,
        credentials,
        Some(conditional),
    )
    .await
}

/// A GET's cache validator, for `304 Not Modified`.
struct Conditional {
    /// The request's `If-None-Match` (empty when absent).
    if_none_match: String,
}

fn persisted_query_refused(media: ResponseMedia, refused: PersistedQueryError) -> Response {
    let (code, message) = match refused {
        PersistedQueryError::NotFound => (
            "PERSISTED_QUERY_NOT_FOUND",
            "PersistedQueryNotFound".to_owned(),
        ),
        PersistedQueryError::Invalid(message) => ("BAD_REQUEST", message),
    };
    let mut error = async_graphql::ServerError::new(message, None);
    error
        .extensions
        .get_or_insert_with(Default::default)
        .set("code", code);
    graphql_response(media, GraphQLResponse::from_errors(vec![error]), false)
}

/// The bearer token of `Authorization: Bearer <token>`. Any other `Authorization` header
/// counts as an invalid token (so it fails loudly instead of reading as anonymous).
fn credentials(headers: &HeaderMap) -> Credentials {
    let Some(value) = headers.get(AUTHORIZATION) else {
        return Credentials::new(None);
    };
    let value = value.to_str().unwrap_or_default().trim();
    let token = match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
        _ => "",
    };
    Credentials::new(Some(token.to_owned()))
}

/// What [`admit`] decided.
enum Admitted {
    /// The response cache has the answer.
    Cached(Arc<CachedResponse>),
    /// Run it (and, with a ticket, keep the answer).
    Run(Preflight, Option<Ticket>),
}

/// Checks a request before it runs: fills in a persisted query, refuses an empty one, answers
/// an anonymous request from the response cache when it can, and otherwise runs the
/// pre-flight (size, shape, variables), once per request. `Err` is the answer to send.
///
/// The cache is asked before the pre-flight: it only holds answers to requests that passed
/// it, and an equal key means an equal document, so the same request would pass again.
fn admit(
    state: &AppState,
    media: ResponseMedia,
    request: &mut GraphQLRequest,
    credentials: &Credentials,
) -> Result<Admitted, Box<Response>> {
    if let Err(refused) = state.persisted.resolve(request) {
        return Err(Box::new(persisted_query_refused(media, refused)));
    }
    if request.query.trim().is_empty() {
        return Err(Box::new(request_error(
            media,
            StatusCode::BAD_REQUEST,
            "the request has no `query`",
        )));
    }
    state.graphql_requests.increment();
    let lookup = if credentials.present() {
        Lookup::Bypass
    } else {
        let variables = serde_json::to_value(&request.variables).unwrap_or_default();
        let key = entry_key(
            &request.query,
            request.operation_name.as_deref(),
            &variables,
        );
        state.responses.lookup(key)
    };
    let ticket = match lookup {
        Lookup::Hit(answer) => return Ok(Admitted::Cached(answer)),
        Lookup::Miss(ticket) => Some(ticket),
        Lookup::Bypass => None,
    };
    let checked = preflight(request, &state.limits);
    if !checked.errors.is_empty() {
        let errors = GraphQLResponse::from_errors(checked.errors);
        return Err(Box::new(graphql_response(media, errors, false)));
    }
    // Only queries are kept (a mutation's answer is never replayed).
    let ticket = ticket.filter(|_| checked.operation == Some(OperationType::Query));
    Ok(Admitted::Run(checked, ticket))
}

/// Runs a request `admit` let through; with a `ticket`, its successful answer is kept in the
/// response cache. `conditional` is `Some` for a GET: an anonymous GET that succeeds is
/// cacheable by browsers and CDNs too (`Cache-Control`, `ETag`, `Surrogate-Key`, and `304`
/// for a matching `If-None-Match`).
async fn execute(
    state: &AppState,
    media: ResponseMedia,
    request: GraphQLRequest,
    checked: Preflight,
    ticket: Option<Ticket>,
    credentials: Credentials,
    conditional: Option<Conditional>,
) -> Response {
    let private = credentials.present();
    if !state.availability.serving() {
        return unavailable(media);
    }
    let (request, handles) = prepare_request(
        request,
        &state.db,
        credentials,
        &state.responses,
        state.loader_delay,
    );
    // Past the timeout the operation is dropped, and its SQL with it.
    let Ok(mut response) =
        tokio::time::timeout(state.request_timeout, state.schema.execute(request)).await
    else {
        return timed_out(media, state.request_timeout);
    };
    if let Some(shape) = &checked.shape {
        shape.apply(&mut response.data);
    }
    let succeeded = response.errors.is_empty();
    let database_away = response
        .errors
        .iter()
        .any(|error| has_code(error, UNAVAILABLE));
    if database_away {
        state.availability.mark_down();
    }
    // Nothing to show and the database away: per the spec, a 5xx for the new media type.
    let status_503 = database_away
        && response.data == async_graphql::Value::Null
        && media == ResponseMedia::GraphQLResponseJson;
    let mut serialized = match serialize(media, response, handles.started.get()) {
        Ok(serialized) => serialized,
        Err(failed) => return *failed,
    };
    if status_503 {
        serialized.status = StatusCode::SERVICE_UNAVAILABLE;
    }
    if private {
        let mut response = with_media(serialized.status, media, serialized.body);
        // An answer given to a token (revisions, tokens) is never for a shared cache.
        response
            .headers_mut()
            .insert(CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
        return response;
    }
    if !succeeded {
        return with_media(serialized.status, media, serialized.body);
    }
    let answer = CachedResponse {
        body: serialized.body,
        etag: serialized.etag,
        surrogate_keys: handles.surrogate_keys.header_value(),
    };
    let cache_status = match ticket {
        Some(ticket) => {
            state
                .responses
                .keep(ticket, answer.clone(), handles.surrogate_keys.keys());
            "MISS"
        }
        None => "BYPASS",
    };
    public_answer(state, media, &answer, conditional.as_ref(), cache_status)
}

/// A successful anonymous answer, fresh or from the cache. A GET's carries the headers shared
/// caches need, and is `304 Not Modified` when the client already has it.
fn public_answer(
    state: &AppState,
    media: ResponseMedia,
    answer: &CachedResponse,
    conditional: Option<&Conditional>,
    cache_status: &'static str,
) -> Response {
    let mut response = with_media(StatusCode::OK, media, answer.body.clone());
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

/// A serialized GraphQL response: the spec's status code, the body and its entity tag.
struct Serialized {
    status: StatusCode,
    body: Bytes,
    etag: String,
}

/// Serializes an executed (or refused) GraphQL response with the spec's status code; `Err`
/// is the answer to send when it cannot be serialized.
fn serialize(
    media: ResponseMedia,
    mut response: GraphQLResponse,
    executed: bool,
) -> Result<Serialized, Box<Response>> {
    if !executed {
        response.errors = std::mem::take(&mut response.errors)
            .into_iter()
            .map(|error| with_code(error, "BAD_REQUEST"))
            .collect();
    }
    let body = if executed {
        serde_json::to_vec(&response)
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
        return Err(Box::new(request_error(
            media,
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal server error",
        )));
    };
    let status = match (executed, media) {
        (false, ResponseMedia::GraphQLResponseJson) => StatusCode::BAD_REQUEST,
        _ => StatusCode::OK,
    };
    let digest = hex::encode(Sha256::digest(&body));
    Ok(Serialized {
        status,
        body: Bytes::from(body),
        etag: format!("\"{}\"", &digest[..32]),
    })
}

/// An answer that did not execute (refused before it ran), with the spec's status code.
fn graphql_response(media: ResponseMedia, response: GraphQLResponse, executed: bool) -> Response {
    match serialize(media, response, executed) {
        Ok(serialized) => with_media(serialized.status, media, serialized.body),
        Err(failed) => *failed,
    }
}

fn with_media(status: StatusCode, media: ResponseMedia, body: impl Into<Bytes>) -> Response {
    let body: Bytes = body.into();
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(media.content_type()));
    // The answer depends on these request headers: caches must key on them.
    headers.insert(VARY, HeaderValue::from_static("Accept, Authorization"));
    response
}

/// A transport-level error, as a GraphQL response body with `extensions.code`.
fn request_error(media: ResponseMedia, status: StatusCode, message: &str) -> Response {
    let code = match status {
        StatusCode::INTERNAL_SERVER_ERROR => "INTERNAL_SERVER_ERROR",
        StatusCode::PAYLOAD_TOO_LARGE => "PAYLOAD_TOO_LARGE",
        _ => "BAD_REQUEST",
    };
    let body = json!({ "errors": [{ "message": message, "extensions": { "code": code } }] });
    with_media(status, media, body.to_string().into_bytes())
}

/// `extensions.code` of an error that means the database is away.
const UNAVAILABLE: &str = "SERVICE_UNAVAILABLE";

fn has_code(error: &async_graphql::ServerError, code: &str) -> bool {
    error
        .extensions
        .as_ref()
        .and_then(|extensions| extensions.get("code"))
        .is_some_and(|value| *value == async_graphql::Value::String(code.to_owned()))
}

/// The answer while the database is known to be away: at once, without waiting on the pool.
fn unavailable(media: ResponseMedia) -> Response {
    let body = json!({ "errors": [{
        "message": "the database is unavailable right now; try again in a few seconds",
        "extensions": { "code": UNAVAILABLE }
    }] });
    let mut response = with_media(
        StatusCode::SERVICE_UNAVAILABLE,
        media,
        body.to_string().into_bytes(),
    );
    response
        .headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from_static("1"));
    response
}

fn timed_out(media: ResponseMedia, limit: std::time::Duration) -> Response {
    let body = json!({ "errors": [{
        "message": format!("the operation took longer than {} ms and was cancelled", limit.as_millis()),
        "extensions": { "code": "TIMEOUT" }
    }] });
    with_media(
        StatusCode::SERVICE_UNAVAILABLE,
        media,
        body.to_string().into_bytes(),
    )
}

fn body_too_large(media: ResponseMedia, limit: usize) -> Response {
    request_error(
        media,
        StatusCode::PAYLOAD_TOO_LARGE,
        &format!("the body is larger than {limit} bytes"),
    )
}

fn not_acceptable() -> Response {
    request_error(
        ResponseMedia::Json,
        StatusCode::NOT_ACCEPTABLE,
        "accept `application/graphql-response+json` or `application/json`",
    )
}
