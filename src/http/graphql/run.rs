//! Running an admitted request and answering it: private answers for tokens, shareable ones
//! (see [`super::public`]) for anonymous reads, and the response cache kept on the way.

use std::net::IpAddr;

use async_graphql::Request as GraphQLRequest;
use async_graphql::parser::types::OperationType;
use axum::http::header::CACHE_CONTROL;
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;

use super::admit::Admission;
use super::failover::{copy_of, reads_for, run_with_failover};
use super::public::{over_budget, public_answer, uncached_answer, with_budget};
use crate::AppState;
use crate::error::ErrorCode;
use crate::graphql::auth::Credentials;
use crate::graphql::{Preflight, prepare_request};
use crate::http::answer::{
    code_of, etag_of, graphql_response, serialize, timed_out, unavailable, with_media,
};
use crate::http::media::ResponseMedia;
use crate::http::persisted::Registration;
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
    let reads = reads_for(state, checked.operation, &credentials);
    // A query that may read from a replica keeps a copy to run again on the primary, should
    // the replica fail it.
    let rerun = reads.is_routed().then(|| copy_of(&request));
    // What the document names (the columns its lists read, whether they may be written as
    // JSON text), worked out once per document by the document cache.
    let (request, rerun) = match &checked.facts {
        Some(facts) => (
            request.data(facts.clone()),
            rerun.map(|copy| copy.data(facts.clone())),
        ),
        None => (request, rerun),
    };
    // Whether the answer is kept by the response cache or may be revalidated by a GET: only
    // such an answer needs its surrogate keys and its entity tag.
    let kept_or_revalidated = ticket.is_some() || conditional.is_some();
    let (mut request, handles) = prepare_request(
        request,
        reads,
        credentials,
        &state.responses,
        state.loader_delay,
        // Only then are the answer's keys sent or kept with it (below).
        kept_or_revalidated,
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
    if !kept_or_revalidated {
        // Neither kept nor revalidated (a POST, or a GET the cache does not take): its entity
        // tag would never be read, and hashing a film list's 145 KB is not free.
        return with_budget(uncached_answer(media, serialized.body), spent);
    }
    let answer = CachedResponse {
        etag: etag_of(&serialized.body),
        body: serialized.body,
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
