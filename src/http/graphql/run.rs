//! Running an admitted request and answering it: private answers for tokens, shareable ones
//! (with `Cache-Control`, `ETag`, `Surrogate-Key` and `304`) for anonymous GETs, and the
//! response cache kept on the way.

use std::net::IpAddr;

use async_graphql::Request as GraphQLRequest;
use async_graphql::parser::types::OperationType;
use axum::http::header::{CACHE_CONTROL, ETAG, VARY};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::admit::Admission;
use crate::AppState;
use crate::error::ErrorCode;
use crate::graphql::auth::Credentials;
use crate::graphql::schema::{Executed, RequestHandles, Verdict};
use crate::graphql::{Preflight, prepare_request};
use crate::http::answer::{
    code_of, graphql_response, retry_after_seconds, retry_later, serialize, timed_out, unavailable,
    with_media,
};
use crate::http::media::ResponseMedia;
use crate::http::persisted::Registration;
use crate::http::rate_limit::{BudgetSpent, CACHE_HIT_COST};
use crate::reads::RequestReads;
use crate::response_cache::{CachedResponse, Ticket};
use crate::service::idempotency::{Claim, record_answer, with_claim as idempotency_scope};

/// A GET's cache validator, for `304 Not Modified`.
pub struct Conditional {
    /// The request's `If-None-Match` (empty when absent).
    pub if_none_match: String,
}

/// How to run a request `admit` let through.
pub struct Run {
    checked: Preflight,
    /// Keep the answer in the response cache under this ticket.
    ticket: Option<Ticket>,
    /// Store the query as a persisted query once the checker passed it.
    registration: Option<Registration>,
    credentials: Credentials,
    /// A GET's validator: its answer is cacheable by browsers and CDNs.
    conditional: Option<Conditional>,
    /// The `Idempotency-Key` the mutation is applied under.
    claim: Option<Claim>,
    /// The client's address, for its read budget.
    client: Option<IpAddr>,
}

impl Run {
    /// Runs an admitted request for these credentials.
    pub fn new(admission: Admission, credentials: Credentials) -> Self {
        let Admission {
            checked,
            ticket,
            registration,
        } = admission;
        Self {
            checked,
            ticket,
            registration,
            credentials,
            conditional: None,
            claim: None,
            client: None,
        }
    }

    /// Sent from this client address (its read budget pays for the read).
    pub fn from_client(self, client: Option<IpAddr>) -> Self {
        Self { client, ..self }
    }

    /// The bearer token the request carries, if any.
    pub fn bearer(&self) -> Option<&str> {
        self.credentials.bearer()
    }

    /// What the pre-flight found.
    pub fn checked(&self) -> &Preflight {
        &self.checked
    }

    /// A GET: the answer is for shared caches too, and `304` when the client has it.
    pub fn conditional(self, conditional: Conditional) -> Self {
        Self {
            conditional: Some(conditional),
            ..self
        }
    }

    /// A mutation applied under an `Idempotency-Key`.
    pub fn claimed(self, claim: Claim) -> Self {
        Self {
            claim: Some(claim),
            ..self
        }
    }
}

/// Runs a request `admit` let through; with a ticket, its successful answer is kept in the
/// response cache. An anonymous GET that succeeds is cacheable by browsers and CDNs too. An
/// anonymous read spends its cost from its client's read budget first (429 when the budget
/// does not have it), and its answer says what it spent and what remains.
pub async fn execute(
    state: &AppState,
    media: ResponseMedia,
    request: GraphQLRequest,
    run: Run,
) -> Response {
    let Run {
        checked,
        ticket,
        registration,
        credentials,
        conditional,
        claim,
        client,
    } = run;
    let query = registration.as_ref().map(|_| request.query.clone());
    let private = credentials.present();
    if !state.availability.serving() {
        return unavailable(media);
    }
    let budgeted = match client {
        Some(address)
            if state.read_budget.enabled()
                && checked.operation == Some(OperationType::Query)
                && !credentials.verified(&state.db).await =>
        {
            Some(address)
        }
        _ => None,
    };
    let reads = reads_for(state, checked.operation, &credentials).await;
    // A query that may read from a replica keeps a copy to run again on the primary, should
    // the replica fail it.
    let rerun = reads.is_routed().then(|| {
        (
            copy_of(&request),
            Credentials::new(credentials.bearer().map(str::to_owned)),
        )
    });
    let (mut request, handles) = prepare_request(
        request,
        reads,
        credentials,
        &state.responses,
        state.loader_delay,
    );
    let verdict = match state.schema.check(&mut request).await {
        Ok(verdict) => verdict,
        Err(refused) => return graphql_response(media, refused, false),
    };
    if let Some(registration) = registration
        && let Some(query) = &query
    {
        state.persisted.register(registration, query);
    }
    let spent = match budgeted {
        Some(address) => {
            let cost = u64::try_from(verdict.complexity())
                .unwrap_or(u64::MAX)
                .max(1);
            match state.read_budget.spend(address, cost) {
                Ok(spent) => Some(spent),
                Err(wait) => return over_budget(state, media, address, wait),
            }
        }
        None => None,
    };
    // Past the timeout the operation is dropped, and its SQL with it.
    let running = idempotency_scope(
        claim.clone(),
        run_with_failover(state, request, verdict, handles, rerun),
    );
    let Ok((executed, handles)) = tokio::time::timeout(state.request_timeout, running).await else {
        return with_budget(timed_out(media, state.request_timeout), spent);
    };
    let mut response = executed.response;
    if let Some(shape) = &checked.shape {
        shape.apply(&mut response.data);
    }
    let succeeded = response.errors.is_empty();
    let database_away = response
        .errors
        .iter()
        .any(|error| code_of(error) == Some(ErrorCode::ServiceUnavailable.as_str()));
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
        return with_budget(response, spent);
    }
    if !succeeded {
        let response = with_media(
            serialized.status,
            media,
            serialized.body,
            serialized.error_code.as_deref(),
        );
        return with_budget(response, spent);
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
    let response = public_answer(state, media, &answer, conditional.as_ref(), cache_status);
    with_budget(response, spent)
}

/// Where a request reads: an anonymous query (or one whose token is not valid) from a read
/// replica in rotation; a query with a valid token (editors, previews: drafts live only on
/// the primary's latest state, and an editor reads back what they just saved) from a snapshot
/// on the primary; a mutation from the write pool.
async fn reads_for(
    state: &AppState,
    operation: Option<OperationType>,
    credentials: &Credentials,
) -> RequestReads {
    match operation {
        Some(OperationType::Query) => {
            // Without replicas every query reads the primary: no token lookup needed.
            let public = !state.reads.has_replicas()
                || !credentials.present()
                || !credentials.verified(&state.db).await;
            if public {
                RequestReads::routed(&state.reads)
            } else {
                RequestReads::snapshot(state.reads.primary())
            }
        }
        _ => RequestReads::direct(&state.db),
    }
}

/// A request's parts execution needs, to run it again.
fn copy_of(request: &GraphQLRequest) -> GraphQLRequest {
    let mut copy = GraphQLRequest::new(request.query.clone()).variables(request.variables.clone());
    copy.operation_name = request.operation_name.clone();
    copy.introspection_mode = request.introspection_mode;
    copy
}

/// Runs `request`; when a read replica failed it (the replica stopped, or cancelled a
/// statement) and `rerun` has its copy, runs the copy again on the primary and answers with
/// that, so a replica's failure never reaches the client.
async fn run_with_failover(
    state: &AppState,
    request: GraphQLRequest,
    verdict: Verdict,
    handles: RequestHandles,
    rerun: Option<(GraphQLRequest, Credentials)>,
) -> (Executed, RequestHandles) {
    let Some((copy, credentials)) = rerun else {
        return (state.schema.run(request, verdict).await, handles);
    };
    let executed = state.schema.run(request, verdict.clone()).await;
    if !handles.reads.replica_failed() {
        return (executed, handles);
    }
    let (request, handles) = prepare_request(
        copy,
        RequestReads::snapshot(state.reads.primary()),
        credentials,
        &state.responses,
        state.loader_delay,
    );
    (state.schema.run(request, verdict).await, handles)
}

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
fn over_budget(
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
fn with_budget(mut response: Response, spent: Option<BudgetSpent>) -> Response {
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
