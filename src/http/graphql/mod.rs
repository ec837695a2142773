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
//!
//! Layout: [`admit`] decides before a request runs (persisted query, response cache,
//! pre-flight); [`run`] runs it and makes the answer, [`failover`] decides where it reads
//! (and runs it again on the primary when a replica failed it), [`public`] shapes anonymous
//! answers (shared-cache headers, 304, read budget); [`client`] reads who sent it. The
//! answers built here without running anything are in [`crate::http::answer`].

pub mod admit;
pub mod client;
pub mod failover;
pub mod public;
pub mod run;

use std::net::IpAddr;

use async_graphql::parser::types::OperationType;
use async_graphql::{BatchRequest, Request as GraphQLRequest};
use async_graphql_axum::GraphQLBatchRequest;
use async_graphql_axum::rejection::GraphQLRejection;
use axum::body::Body;
use axum::extract::{FromRequest, Request, State};
use axum::http::header::{ALLOW, IF_NONE_MATCH};
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;

use self::admit::{Admitted, admit, anonymous_and_cached};
use self::client::{client_address, credentials, named, operation_name};
use self::public::{cached_answer, replayed};
use self::run::{Conditional, Run, execute};
use super::answer::{not_acceptable, rate_limited, refusal, refusal_with_status};
use super::idempotency::{self, Decision};
use super::media::{BodyMediaError, ResponseMedia, check_body_media, negotiate};
use crate::AppState;
use crate::error::ErrorCode;
use crate::graphql::auth::Credentials;
use crate::response_cache::{RawForm, RawKey, raw_key};

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
            return refusal_with_status(
                media,
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::BadRequest,
                "a POST needs `Content-Type: application/json`",
            );
        }
        Err(BodyMediaError::Unsupported(found)) => {
            return refusal_with_status(
                media,
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::BadRequest,
                &format!("unsupported content type `{found}`: send `application/json` in UTF-8"),
            );
        }
    }
    // The intake (`http::intake`) has read the body whole and held it to `MAX_BODY_BYTES`.
    let (parts, body) = request.into_parts();
    let Ok(body) = axum::body::to_bytes(body, usize::MAX).await else {
        return refusal(media, ErrorCode::BadRequest, "the body could not be read");
    };
    let raw = anonymous_and_cached(&state, &credentials).then(|| raw_key(RawForm::PostBody, &body));
    if let Some(answer) = answer_by_raw_form(&state, media, raw.as_ref(), None, client) {
        return answer;
    }
    let request = Request::from_parts(parts, Body::from(body));
    let mut request = match GraphQLBatchRequest::<GraphQLRejection>::from_request(request, &())
        .await
        .map(|batch| batch.into_inner())
    {
        Ok(BatchRequest::Single(request)) => request,
        Ok(BatchRequest::Batch(_)) => {
            return refusal(
                media,
                ErrorCode::BadRequest,
                "batched requests are not supported: send one operation per request",
            );
        }
        Err(GraphQLRejection(err)) => {
            return refusal(
                media,
                ErrorCode::BadRequest,
                &format!("the body is not a GraphQL request: {err}"),
            );
        }
    };
    let operation = operation_name(&request);
    let response = match admit(&state, media, &mut request, &credentials, raw).await {
        Ok(Admitted::Cached(answer)) => cached_answer(&state, media, &answer, None, client),
        Ok(Admitted::Run(admission))
            if admission.checked.operation == Some(OperationType::Mutation) =>
        {
            let decision = idempotency::decide(
                &state,
                idempotency_key,
                &credentials,
                &request,
                &admission.checked,
            )
            .await;
            let run = match decision {
                Decision::Run => Run::new(*admission, credentials),
                Decision::RunClaimed(claim) => Run::new(*admission, credentials).claimed(claim),
                // A replay applies nothing, so it spends no allowance.
                Decision::Replay(answer) => return named(replayed(media, answer), operation),
                Decision::Refuse(code, message) => {
                    return named(refusal(media, code, &message), operation);
                }
            };
            match state.mutation_limits.take(run.bearer(), client) {
                Ok(()) => execute(&state, media, request, run).await,
                Err(wait) => rate_limited(media, wait),
            }
        }
        Ok(Admitted::Run(admission)) => {
            let run = Run::new(*admission, credentials).from_client(client);
            execute(&state, media, request, run).await
        }
        Err(refused) => *refused,
    };
    named(response, operation)
}

/// `GET /graphql`: queries only; a WebSocket upgrade goes to [`websocket`](crate::http::websocket).
pub async fn graphql_get(State(state): State<AppState>, request: Request) -> Response {
    if crate::http::websocket::is_upgrade(&request) {
        return crate::http::websocket::upgrade(state, request).await;
    }
    let Some(media) = negotiate(request.headers()) else {
        return not_acceptable();
    };
    let credentials = credentials(request.headers());
    let client = client_address(&request, state.trust_forwarded_for);
    let if_none_match = request
        .headers()
        .get(IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let conditional = Conditional {
        if_none_match: if_none_match.unwrap_or_default(),
    };
    let raw = anonymous_and_cached(&state, &credentials).then(|| {
        let query_string = request.uri().query().unwrap_or_default();
        raw_key(RawForm::GetQueryString, query_string.as_bytes())
    });
    if let Some(answer) =
        answer_by_raw_form(&state, media, raw.as_ref(), Some(&conditional), client)
    {
        return answer;
    }
    let request = match GraphQLBatchRequest::<GraphQLRejection>::from_request(request, &())
        .await
        .map(|batch| batch.into_inner())
    {
        Ok(BatchRequest::Single(request)) => request,
        Ok(BatchRequest::Batch(_)) | Err(_) => {
            return refusal(
                media,
                ErrorCode::BadRequest,
                "the query string is not a GraphQL request (`variables` and `extensions` must be JSON)",
            );
        }
    };
    let operation = operation_name(&request);
    named(
        answer_get(
            state,
            media,
            request,
            (credentials, client),
            conditional,
            raw,
        )
        .await,
        operation,
    )
}

/// The cached answer to an anonymous request known by its raw form (`raw`), when the cache
/// has one; `None`: read the request.
fn answer_by_raw_form(
    state: &AppState,
    media: ResponseMedia,
    raw: Option<&RawKey>,
    conditional: Option<&Conditional>,
    client: Option<IpAddr>,
) -> Option<Response> {
    let (answer, alias) = state.responses.lookup_raw(raw?)?;
    state.graphql_requests.increment();
    if let Some(hash) = &alias.persisted {
        state.persisted.touch(hash);
    }
    Some(named(
        cached_answer(state, media, &answer, conditional, client),
        alias.operation,
    ))
}

/// `GET /graphql` once the request is read.
async fn answer_get(
    state: AppState,
    media: ResponseMedia,
    mut request: GraphQLRequest,
    (credentials, client): (Credentials, Option<IpAddr>),
    conditional: Conditional,
    raw: Option<RawKey>,
) -> Response {
    let admission = match admit(&state, media, &mut request, &credentials, raw).await {
        Ok(Admitted::Cached(answer)) => {
            return cached_answer(&state, media, &answer, Some(&conditional), client);
        }
        Ok(Admitted::Run(admission)) => admission,
        Err(refused) => return *refused,
    };
    if admission.checked.operation == Some(OperationType::Mutation) {
        let mut response = refusal_with_status(
            media,
            StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::BadRequest,
            "mutations are only accepted over POST",
        );
        response
            .headers_mut()
            .insert(ALLOW, HeaderValue::from_static("POST"));
        return response;
    }
    let run = Run::new(*admission, credentials)
        .conditional(conditional)
        .from_client(client);
    execute(&state, media, request, run).await
}
