//! Admission: what is decided about a request before it runs, once per request.

use std::sync::Arc;

use async_graphql::parser::types::OperationType;
use async_graphql::{Request as GraphQLRequest, Response as GraphQLResponse};
use axum::response::Response;

use crate::AppState;
use crate::error::ErrorCode;
use crate::graphql::auth::Credentials;
use crate::graphql::{Preflight, preflight};
use crate::http::answer::{graphql_response, refusal};
use crate::http::graphql::client::operation_name;
use crate::http::media::ResponseMedia;
use crate::http::persisted::{PersistedQueryError, Registration, requested_hash};
use crate::http::trusted::NOT_LISTED;
use crate::response_cache::{Alias, CachedResponse, Lookup, RawKey, Ticket, entry_key};

/// What [`admit`] decided.
pub enum Admitted {
    /// The response cache has the answer.
    Cached(Arc<CachedResponse>),
    /// Run it (boxed: an admission is large beside a cached answer's pointer).
    Run(Box<Admission>),
}

/// A request let through to run, and what to do with it once it ran.
pub struct Admission {
    /// What the pre-flight found.
    pub checked: Preflight,
    /// Keep a successful answer in the response cache under this ticket.
    pub ticket: Option<Ticket>,
    /// Store the query as a persisted query once it has passed every check.
    pub registration: Option<Registration>,
}

/// Whether a request may be answered from the response cache: it is anonymous and the cache
/// is serving (otherwise neither its key nor its raw form is worth making).
pub fn anonymous_and_cached(state: &AppState, credentials: &Credentials) -> bool {
    !credentials.present() && state.responses.is_serving()
}

/// Checks a request before it runs: fills in a persisted query, refuses an empty one, answers
/// an anonymous request from the response cache when it can, and otherwise runs the
/// pre-flight (size, shape, variables), once per request. `Err` is the answer to send.
///
/// The cache is asked before the pre-flight: it only holds answers to requests that passed
/// it, and an equal key means an equal document, so the same request would pass again.
/// `raw` is the key of an anonymous request's raw form: once the request is looked up, the
/// cache remembers which key that form stands for (see `response_cache::aliases`).
pub async fn admit(
    state: &AppState,
    media: ResponseMedia,
    request: &mut GraphQLRequest,
    credentials: &Credentials,
    raw: Option<RawKey>,
) -> Result<Admitted, Box<Response>> {
    let listed = match &state.trusted {
        None => false,
        Some(trusted) => match trusted.admit(request) {
            Ok(true) => true,
            Ok(false) if credentials.verified_editor(&state.db).await => false,
            Ok(false) => {
                return Err(Box::new(refusal(
                    media,
                    ErrorCode::PersistedQueryNotInList,
                    NOT_LISTED,
                )));
            }
            Err(refused) => return Err(Box::new(persisted_query_refused(media, refused))),
        },
    };
    let registration = match state.persisted.resolve(request) {
        Ok(_) if listed => None,
        Ok(registration) => registration,
        Err(refused) => return Err(Box::new(persisted_query_refused(media, refused))),
    };
    if request.query.trim().is_empty() {
        return Err(Box::new(refusal(
            media,
            ErrorCode::BadRequest,
            "the request has no `query`",
        )));
    }
    state.graphql_requests.increment();
    let lookup = if !anonymous_and_cached(state, credentials) {
        Lookup::Bypass
    } else {
        let variables = serde_json::to_value(&request.variables).unwrap_or_default();
        let key = entry_key(
            &request.query,
            request.operation_name.as_deref(),
            &variables,
        );
        // A request that registers a persisted query is read each time, so that it registers
        // again should the query have been dropped meanwhile.
        let alias = raw.filter(|_| registration.is_none()).map(|raw| {
            // The hash it names a persisted query by: an answer by alias marks that one used.
            let persisted = requested_hash(request).ok().flatten();
            (raw, Alias::new(key, operation_name(request), persisted))
        });
        match (state.responses.lookup(key), alias) {
            (Lookup::Hit(answer), Some((raw, alias))) => {
                state.responses.remember_raw(raw, alias);
                Lookup::Hit(answer)
            }
            (Lookup::Miss(ticket), Some((raw, alias))) => {
                Lookup::Miss(ticket.remember_as(raw, alias))
            }
            (lookup, _) => lookup,
        }
    };
    let ticket = match lookup {
        Lookup::Hit(answer) => {
            // Only requests that passed every check are answered from the cache.
            if let Some(registration) = registration {
                state.persisted.register(registration, &request.query);
            }
            return Ok(Admitted::Cached(answer));
        }
        Lookup::Miss(ticket) => Some(ticket),
        Lookup::Bypass => None,
    };
    let checked = preflight(request, &state.limits, &state.documents);
    if !checked.errors.is_empty() {
        let errors = GraphQLResponse::from_errors(checked.errors);
        return Err(Box::new(graphql_response(media, errors, false)));
    }
    if checked.operation == Some(OperationType::Subscription) {
        return Err(Box::new(refusal(
            media,
            ErrorCode::BadRequest,
            "subscriptions are served over WebSocket at this URL (graphql-transport-ws or graphql-ws)",
        )));
    }
    // Only queries are kept (a mutation's answer is never replayed).
    let ticket = ticket.filter(|_| checked.operation == Some(OperationType::Query));
    Ok(Admitted::Run(Box::new(Admission {
        checked,
        ticket,
        registration,
    })))
}

fn persisted_query_refused(media: ResponseMedia, refused: PersistedQueryError) -> Response {
    let errors = GraphQLResponse::from_errors(vec![refused.into_server_error()]);
    graphql_response(media, errors, false)
}
