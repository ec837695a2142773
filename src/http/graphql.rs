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
use axum::extract::{ConnectInfo, FromRequest, Request, State};
use axum::http::header::{
    ALLOW, AUTHORIZATION, CACHE_CONTROL, CONTENT_LENGTH, CONTENT_TYPE, ETAG, IF_NONE_MATCH,
    RETRY_AFTER, VARY,
};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use http_body_util::LengthLimitError;
use serde_json::json;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use super::idempotency::{self, Decision};
use super::media::{BodyMediaError, ResponseMedia, check_body_media, negotiate};
use super::persisted::PersistedQueryError;
use super::request_log::GraphQLOutcome;
use crate::AppState;
use crate::graphql::auth::Credentials;
use crate::graphql::extensions::with_code;
use crate::graphql::{Preflight, preflight, prepare_request};
use crate::response_cache::{CachedResponse, Lookup, Ticket, entry_key};
use crate::service::idempotency::{Claim, record_answer, with_claim as idempotency_scope};

/// `POST /graphql`.
pub async fn graphql_post(State(state): State<AppState>, request: Request) -> Response {
    let Some(media) = negotiate(request.headers()) else {
        return not_acceptable();
    };
    let credentials = credentials(request.headers());
    let client = client_address(&request, state.trust_forwarded_for);
    let idempotency_key = idempotency::key_of(request.headers());
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
                let operation = operation_name(&request);
                let response = match admit(&state, media, &mut request, &credentials) {
                    Ok(Admitted::Cached(answer)) => {
                        public_answer(&state, media, &answer, None, "HIT")
                    }
                    Ok(Admitted::Run(checked, _))
                        if checked.operation == Some(OperationType::Mutation)
                            && let Err(wait) =
                                state.mutation_limits.take(credentials.bearer(), client) =>
                    {
                        rate_limited(media, wait)
                    }
                    Ok(Admitted::Run(checked, ticket))
                        if checked.operation == Some(OperationType::Mutation) =>
                    {
                        let bearer = credentials.bearer();
                        match idempotency::decide(
                            &state,
                            idempotency_key,
                            bearer,
                            &request,
                            &checked,
                        )
                        .await
                        {
                            Decision::Run => {
                                let run = Run::new(checked, ticket, credentials);
                                execute(&state, media, request, run).await
                            }
                            Decision::RunClaimed(claim) => {
                                let run = Run::new(checked, ticket, credentials).claimed(claim);
                                execute(&state, media, request, run).await
                            }
                            Decision::Replay(answer) => replayed(media, answer),
                            Decision::Refuse(status, code, message) => {
                                refused_with(media, status, code, &message)
                            }
                        }
                    }
                    Ok(Admitted::Run(checked, ticket)) => {
                        let run = Run::new(checked, ticket, credentials);
                        execute(&state, media, request, run).await
                    }
                    Err(refused) => *refused,
                };
                named(response, operation)
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
    let request = match GraphQLBatchRequest::<GraphQLRejection>::from_request(request, &())
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
    let operation = operation_name(&request);
    let conditional = Conditional {
        if_none_match: if_none_match.unwrap_or_default(),
    };
    named(
        answer_get(state, media, request, credentials, conditional).await,
        operation,
    )
}

/// `GET /graphql` once the request is read.
async fn answer_get(
    state: AppState,
    media: ResponseMedia,
    mut request: GraphQLRequest,
    credentials: Credentials,
    conditional: Conditional,
) -> Response {
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
    let run = Run::new(checked, ticket, credentials).conditional(conditional);
    execute(&state, media, request, run).await
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
    let checked = preflight(request, &state.limits, &state.documents);
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
    run: Run,
) -> Response {
    let Run {
        checked,
        ticket,
        credentials,
        conditional,
        claim,
    } = run;
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
    let running = idempotency_scope(claim.clone(), state.schema.execute(request));
    let Ok(executed) = tokio::time::timeout(state.request_timeout, running).await else {
        return timed_out(media, state.request_timeout);
    };
    let mut response = executed.response;
    if let Some(shape) = &checked.shape {
        shape.apply(&mut response.data);
    }
    let succeeded = response.errors.is_empty();
    let database_away = response
        .errors
        .iter()
        .any(|error| code_of(error) == Some(UNAVAILABLE));
    if database_away {
        state.availability.mark_down();
    }
    // Nothing to show and the database away: per the spec, a 5xx for the new media type.
    let status_503 = database_away
        && response.data == async_graphql::Value::Null
        && media == ResponseMedia::GraphQLResponseJson;
    let mut serialized = match serialize(media, response, executed.executed) {
        Ok(serialized) => serialized,
        Err(failed) => return *failed,
    };
    if status_503 {
        serialized.status = StatusCode::SERVICE_UNAVAILABLE;
    }
    if let Some(claim) = &claim {
        let answer = String::from_utf8_lossy(&serialized.body);
        if let Err(err) = record_answer(&state.db, &claim.key_hash, &answer).await {
            // The mutation stands; a retry will be told it was applied.
            tracing::warn!(error = ?err, "could not record a keyed mutation's answer");
        }
    }
    if private {
        let mut response = with_media(
            serialized.status,
            media,
            serialized.body,
            serialized.error_code.as_deref(),
        );
        // An answer given to a token (revisions, tokens) is never for a shared cache.
        response
            .headers_mut()
            .insert(CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
        return response;
    }
    if !succeeded {
        return with_media(
            serialized.status,
            media,
            serialized.body,
            serialized.error_code.as_deref(),
        );
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

/// How to run a request `admit` let through.
struct Run {
    checked: Preflight,
    /// Keep the answer in the response cache under this ticket.
    ticket: Option<Ticket>,
    credentials: Credentials,
    /// A GET's validator: its answer is cacheable by browsers and CDNs.
    conditional: Option<Conditional>,
    /// The `Idempotency-Key` the mutation is applied under.
    claim: Option<Claim>,
}

impl Run {
    fn new(checked: Preflight, ticket: Option<Ticket>, credentials: Credentials) -> Self {
        Self {
            checked,
            ticket,
            credentials,
            conditional: None,
            claim: None,
        }
    }

    fn conditional(self, conditional: Conditional) -> Self {
        Self {
            conditional: Some(conditional),
            ..self
        }
    }

    fn claimed(self, claim: Claim) -> Self {
        Self {
            claim: Some(claim),
            ..self
        }
    }
}

/// A keyed mutation's first answer, again.
fn replayed(media: ResponseMedia, answer: String) -> Response {
    let mut response = with_media(StatusCode::OK, media, answer.into_bytes(), None);
    let headers = response.headers_mut();
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    headers.insert(
        HeaderName::from_static("idempotent-replayed"),
        HeaderValue::from_static("true"),
    );
    response
}

/// A refusal with this HTTP status (a number, as [`Decision::Refuse`] gives it).
fn refused_with(media: ResponseMedia, status: u16, code: &str, message: &str) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    error_answer(media, status, code, message)
}

/// An answer that is one error, with this status, `extensions.code` and message.
fn error_answer(media: ResponseMedia, status: StatusCode, code: &str, message: &str) -> Response {
    let body = json!({ "errors": [{ "message": message, "extensions": { "code": code } }] });
    with_media(status, media, body.to_string().into_bytes(), Some(code))
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
    /// The first error's `extensions.code`, if any.
    error_code: Option<String>,
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
        return Err(Box::new(request_error(
            media,
            StatusCode::INTERNAL_SERVER_ERROR,
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
        etag: etag_of(&body),
        body: Bytes::from(body),
        error_code,
    })
}

/// A strong validator for a body: its 128-bit XXH3 hash, quoted. A validator only has to
/// change when the bytes do (it is not a signature), and XXH3 reads an 80 KB page an order
/// of magnitude faster than SHA-256.
fn etag_of(body: &[u8]) -> String {
    format!("\"{:032x}\"", xxhash_rust::xxh3::xxh3_128(body))
}

/// An answer that did not execute (refused before it ran), with the spec's status code.
fn graphql_response(media: ResponseMedia, response: GraphQLResponse, executed: bool) -> Response {
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
fn with_media(
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
    response.extensions_mut().insert(GraphQLOutcome {
        operation: None,
        error_code: error_code.map(str::to_owned),
    });
    response
}

/// The operation's name, for the log and metrics: the request's `operationName`, else the
/// name of a document's first operation (`query FilmPage { … }`), read without parsing.
fn operation_name(request: &GraphQLRequest) -> Option<String> {
    if let Some(name) = &request.operation_name {
        return Some(name.clone());
    }
    let mut rest = request
        .query
        .trim_start_matches(['\u{feff}', ' ', '\t', '\n', '\r', ',']);
    while rest.starts_with('#') {
        rest = rest
            .split_once('\n')
            .map_or("", |(_, after)| after)
            .trim_start_matches([' ', '\t', '\n', '\r', ',']);
    }
    let after_keyword = ["query", "mutation", "subscription"]
        .iter()
        .find_map(|keyword| rest.strip_prefix(keyword))?;
    let name_start = after_keyword.trim_start_matches([' ', '\t', '\n', '\r', ',']);
    if name_start.len() == after_keyword.len() {
        return None; // `queryX`: not the keyword
    }
    let name: String = name_start
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty() && !name.starts_with(|c: char| c.is_ascii_digit())).then_some(name)
}

/// Names the operation on the outcome the request log reads.
fn named(mut response: Response, operation: Option<String>) -> Response {
    if let Some(outcome) = response.extensions_mut().get_mut::<GraphQLOutcome>() {
        outcome.operation = operation;
    }
    response
}

/// A transport-level error, as a GraphQL response body with `extensions.code`.
fn request_error(media: ResponseMedia, status: StatusCode, message: &str) -> Response {
    let code = match status {
        StatusCode::INTERNAL_SERVER_ERROR => "INTERNAL_SERVER_ERROR",
        StatusCode::PAYLOAD_TOO_LARGE => "PAYLOAD_TOO_LARGE",
        _ => "BAD_REQUEST",
    };
    error_answer(media, status, code, message)
}

/// The client's address: the peer's, or with `trust_forwarded_for` (behind a proxy that sets
/// it) the last address in `X-Forwarded-For`.
fn client_address(request: &Request, trust_forwarded_for: bool) -> Option<IpAddr> {
    if trust_forwarded_for
        && let Some(forwarded) = request
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|v| v.trim().parse().ok())
    {
        return Some(forwarded);
    }
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip())
}

/// 429: this client has used its allowance of mutations for now.
fn rate_limited(media: ResponseMedia, wait: std::time::Duration) -> Response {
    let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
    let body = json!({ "errors": [{
        "message": format!("too many mutations: retry in {seconds} s"),
        "extensions": { "code": "RATE_LIMITED", "retryAfterSeconds": seconds }
    }] });
    let mut response = with_media(
        StatusCode::TOO_MANY_REQUESTS,
        media,
        body.to_string().into_bytes(),
        Some("RATE_LIMITED"),
    );
    if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
        response.headers_mut().insert(RETRY_AFTER, value);
    }
    response
}

/// `extensions.code` of an error that means the database is away.
const UNAVAILABLE: &str = "SERVICE_UNAVAILABLE";

/// An error's `extensions.code`, when it has one.
fn code_of(error: &async_graphql::ServerError) -> Option<&str> {
    match error.extensions.as_ref()?.get("code")? {
        async_graphql::Value::String(code) => Some(code),
        _ => None,
    }
}

/// The answer while the database is known to be away: at once, without waiting on the pool.
fn unavailable(media: ResponseMedia) -> Response {
    let mut response = error_answer(
        media,
        StatusCode::SERVICE_UNAVAILABLE,
        UNAVAILABLE,
        "the database is unavailable right now; try again in a few seconds",
    );
    response
        .headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from_static("1"));
    response
}

fn timed_out(media: ResponseMedia, limit: std::time::Duration) -> Response {
    error_answer(
        media,
        StatusCode::SERVICE_UNAVAILABLE,
        "TIMEOUT",
        &format!(
            "the operation took longer than {} ms and was cancelled",
            limit.as_millis()
        ),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn name_of(query: &str) -> Option<String> {
        operation_name(&GraphQLRequest::new(query))
    }

    #[test]
    fn the_operation_name_comes_from_the_document_when_not_given() {
        assert_eq!(name_of("query FilmPage { a }").as_deref(), Some("FilmPage"));
        assert_eq!(
            name_of("# comment\n  mutation Rename($x: Int) { a }").as_deref(),
            Some("Rename")
        );
        assert_eq!(name_of("{ a }"), None);
        assert_eq!(name_of("query { a }"), None);
        assert_eq!(name_of("queryX { a }"), None);
        let given = GraphQLRequest::new("query A { a }").operation_name("B");
        assert_eq!(operation_name(&given).as_deref(), Some("B"));
    }
}
