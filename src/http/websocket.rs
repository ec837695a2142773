//! GraphQL over WebSocket at `/graphql`: subscriptions (and queries) over the
//! `graphql-transport-ws` protocol (the `graphql-ws` library, Apollo Client, urql) or the older
//! `graphql-ws` protocol of subscriptions-transport-ws (GraphQL Playground), chosen by
//! `Sec-WebSocket-Protocol`.
//!
//! A client sends its token in `connection_init`'s payload (`{"Authorization": "Bearer …"}`,
//! or `{"headers": {"Authorization": …}}`, or `{"token": …}`); each operation is checked like
//! an HTTP request (size, parse, validation, the query limits, and, when the server runs only
//! trusted documents, the list: a listed document by id or by text, anything else only for an
//! editor's token). Mutations are refused: they go over HTTP, where idempotency keys and rate
//! limits apply.
//!
//! What keeps a connection from costing more than it should:
//! - connections per client address are capped (`WS_CONNECTIONS_PER_ADDRESS`, 429 before the
//!   upgrade), and subscriptions per connection (`WS_SUBSCRIPTIONS_PER_CONNECTION`);
//! - a connection that does not send `connection_init` in time is closed with 4408;
//! - the server pings every `WS_KEEPALIVE_SECS`; a client that sends nothing (not even the
//!   pong its WebSocket stack answers a ping with) for two of those is gone, and closed;
//! - a connection with no subscription for `WS_IDLE_TIMEOUT_SECS` is closed (1000);
//! - what is sent waits in a small bounded queue: a client that stops reading does not grow
//!   memory; once a message has waited `WS_SEND_TIMEOUT_SECS` the connection is closed with
//!   4413 (its subscriptions' events stay in the change log, to resume from).

use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use async_graphql::http::ALL_WEBSOCKET_PROTOCOLS;
use async_graphql::parser::types::OperationType;
use async_graphql::{Data, Executor, Response, ServerError};
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use axum::extract::{FromRequestParts, Request, WebSocketUpgrade};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response as HttpResponse};
use futures_util::stream::BoxStream;
use futures_util::{SinkExt, StreamExt};
use tokio::sync::Mutex;

use crate::AppState;
use crate::error::ErrorCode;
use crate::graphql::auth::Credentials;
use crate::graphql::context::RequestData;
use crate::graphql::extensions::with_code;
use crate::graphql::loaders;
use crate::graphql::preflight::preflight;
use crate::graphql::subscription::LoaderDelay;
use crate::http::graphql::client::client_address;
use crate::http::per_address::{Held, PerAddressCap};
use crate::http::trusted::NOT_LISTED;
use crate::reads::RequestReads;

/// Close codes this server sends.
pub mod close {
    /// Normal closure: the connection sat idle (no subscription) too long.
    pub const IDLE: u16 = 1000;
    /// No `connection_init` in time (as `graphql-transport-ws` defines it).
    pub const INIT_TIMEOUT: u16 = 4408;
    /// The client did not read what it was sent in time (a slow consumer).
    pub const TOO_SLOW: u16 = 4413;
    /// The client stopped answering (no message, not even a pong, for two keep-alive periods).
    pub const GONE_SILENT: u16 = 4504;
}

/// The WebSocket limits (from the configuration).
#[derive(Debug, Clone)]
pub struct LiveLimits {
    /// Open WebSocket connections per client address.
    pub connections: PerAddressCap,
    /// Subscriptions one connection may hold at once (0: no cap).
    pub subscriptions_per_connection: usize,
    /// How long a client has to send `connection_init`.
    pub init_timeout: Duration,
    /// How often the server pings.
    pub keepalive: Duration,
    /// How long a connection may hold no subscription.
    pub idle_timeout: Duration,
    /// How long a message may wait to be sent.
    pub send_timeout: Duration,
}

/// Messages waiting to be sent, per connection.
const SEND_QUEUE: usize = 16;

/// Whether `request` asks to upgrade to a WebSocket.
pub fn is_upgrade(request: &Request) -> bool {
    request
        .headers()
        .get(axum::http::header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
}

/// `GET /graphql` with `Upgrade: websocket`.
pub async fn upgrade(state: AppState, request: Request) -> HttpResponse {
    let client = client_address(&request, state.trust_forwarded_for);
    let (mut parts, _body) = request.into_parts();
    let Ok(protocol) = GraphQLProtocol::from_request_parts(&mut parts, &()).await else {
        return (
            StatusCode::BAD_REQUEST,
            "Sec-WebSocket-Protocol must offer graphql-transport-ws or graphql-ws",
        )
            .into_response();
    };
    let upgrade = match WebSocketUpgrade::from_request_parts(&mut parts, &()).await {
        Ok(upgrade) => upgrade,
        Err(rejection) => return rejection.into_response(),
    };
    let held = match client {
        Some(address) => match state.live.connections.try_take(address) {
            Some(held) => Some(held),
            None => {
                return (
                    StatusCode::TOO_MANY_REQUESTS,
                    "too many WebSocket connections from this address",
                )
                    .into_response();
            }
        },
        None => None,
    };
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .max_message_size(state.max_body_bytes)
        .on_upgrade(move |socket| serve(state, socket, protocol, held, client))
}

/// What one connection knows of itself, in its `connection_init` data.
struct Connection {
    /// The token from `connection_init`'s payload.
    bearer: Option<String>,
    /// Subscriptions running now.
    subscriptions: Arc<AtomicUsize>,
}

/// The bearer token in a `connection_init` payload, in any of the usual places.
fn bearer_of(payload: &serde_json::Value) -> Option<String> {
    let field = |value: &serde_json::Value| -> Option<String> {
        ["Authorization", "authorization", "token", "authToken"]
            .iter()
            .find_map(|name| value.get(name).and_then(|v| v.as_str()))
            .map(without_scheme)
            .filter(|text| !text.is_empty())
            .map(str::to_owned)
    };
    field(payload).or_else(|| payload.get("headers").and_then(field))
}

/// A token without its `Bearer` scheme, trimmed.
fn without_scheme(text: &str) -> &str {
    let text = text.trim();
    match text.split_once(char::is_whitespace) {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
        _ if text.eq_ignore_ascii_case("bearer") => "",
        _ => text,
    }
}

/// Serves one connection until either side ends it or a limit does.
async fn serve(
    state: AppState,
    socket: WebSocket,
    protocol: GraphQLProtocol,
    _held: Option<Held>,
    client: Option<IpAddr>,
) {
    let limits = state.live.clone();
    let (socket_sink, socket_stream) = socket.split();
    let socket_sink = Arc::new(Mutex::new(socket_sink));
    let (queue, mut queued) = futures_channel::mpsc::channel::<Message>(SEND_QUEUE);
    let initialised = Arc::new(AtomicBool::new(false));
    let subscriptions = Arc::new(AtomicUsize::new(0));
    let heard = Arc::new(tokio::sync::Notify::new());

    // What arrives counts as a sign of life.
    let input = {
        let heard = heard.clone();
        socket_stream.inspect(move |_| heard.notify_one())
    };
    let executor = LiveExecutor {
        state: state.clone(),
    };
    let graphql = GraphQLWebSocket::new_with_pair(
        queue.sink_map_err(|_| axum::Error::new("the connection is closing")),
        input,
        executor,
        protocol,
    )
    .on_connection_init({
        let initialised = initialised.clone();
        let subscriptions = subscriptions.clone();
        move |payload| async move {
            initialised.store(true, Ordering::Release);
            let mut data = Data::default();
            data.insert(Connection {
                bearer: bearer_of(&payload),
                subscriptions,
            });
            Ok(data)
        }
    })
    .serve();

    // Sends what is queued, each message within the send timeout.
    let sender = {
        let socket_sink = socket_sink.clone();
        let send_timeout = limits.send_timeout;
        async move {
            while let Some(message) = queued.next().await {
                let mut sink = socket_sink.lock().await;
                match tokio::time::timeout(send_timeout, sink.send(message)).await {
                    Ok(Ok(())) => {}
                    Ok(Err(_)) => return None,
                    Err(_) => return Some(close::TOO_SLOW),
                }
            }
            None
        }
    };

    // Pings, and watches for silence, the init deadline and idleness.
    let watchdog = {
        let socket_sink = socket_sink.clone();
        let initialised = initialised.clone();
        let subscriptions = subscriptions.clone();
        async move {
            let started = tokio::time::Instant::now();
            let mut last_heard = started;
            let mut idle_since = Some(started);
            let mut tick = tokio::time::interval(
                limits
                    .keepalive
                    .min(limits.init_timeout)
                    .max(Duration::from_millis(50))
                    / 2,
            );
            let mut last_ping = started;
            loop {
                tokio::select! {
                    () = heard.notified() => last_heard = tokio::time::Instant::now(),
                    _ = tick.tick() => {}
                }
                let now = tokio::time::Instant::now();
                if !initialised.load(Ordering::Acquire) && now - started >= limits.init_timeout {
                    return close::INIT_TIMEOUT;
                }
                if now - last_heard >= limits.keepalive * 2 {
                    return close::GONE_SILENT;
                }
                match (subscriptions.load(Ordering::Acquire), idle_since) {
                    (0, None) => idle_since = Some(now),
                    (0, Some(since)) if now - since >= limits.idle_timeout => return close::IDLE,
                    (0, Some(_)) => {}
                    (_, _) => idle_since = None,
                }
                if now - last_ping >= limits.keepalive {
                    last_ping = now;
                    let mut sink = socket_sink.lock().await;
                    let ping = sink.send(Message::Ping(Vec::new().into()));
                    if tokio::time::timeout(limits.send_timeout, ping)
                        .await
                        .is_err()
                    {
                        return close::TOO_SLOW;
                    }
                }
            }
        }
    };

    let closing = tokio::select! {
        () = graphql => None,
        stopped = sender => stopped,
        code = watchdog => Some(code),
    };
    if let Some(code) = closing {
        let reason = match code {
            close::INIT_TIMEOUT => "Connection initialisation timeout",
            close::TOO_SLOW => "Too slow: messages were not read in time",
            close::GONE_SILENT => "No answer to keep-alive pings",
            _ => "Idle: no subscription",
        };
        tracing::debug!(?client, code, reason, "closing a WebSocket connection");
        let frame = Message::Close(Some(CloseFrame {
            code,
            reason: reason.into(),
        }));
        let mut sink = socket_sink.lock().await;
        let _ = tokio::time::timeout(Duration::from_secs(1), sink.send(frame)).await;
    }
}

/// Runs the operations of WebSocket connections: checked like HTTP requests, each with its
/// own loaders and reads.
#[derive(Clone)]
struct LiveExecutor {
    state: AppState,
}

/// A response that is one request error with `code`.
fn refusal(code: ErrorCode, message: &str) -> Response {
    Response::from_errors(vec![with_code(
        ServerError::new(message, None),
        code.as_str(),
    )])
}

/// Gives a subscription slot back when its stream ends.
struct SubscriptionSlot(Arc<AtomicUsize>);

impl SubscriptionSlot {
    /// Takes a slot; also says how many the connection runs with it.
    fn take(counter: Arc<AtomicUsize>) -> (Self, usize) {
        let running = counter.fetch_add(1, Ordering::AcqRel) + 1;
        (Self(counter), running)
    }
}

impl Drop for SubscriptionSlot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Executor for LiveExecutor {
    async fn execute(&self, _request: async_graphql::Request) -> Response {
        refusal(
            ErrorCode::BadRequest,
            "send queries and mutations over HTTP; WebSocket operations are streams",
        )
    }

    fn execute_stream(
        &self,
        mut request: async_graphql::Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        let state = self.state.clone();
        let connection = session_data
            .as_ref()
            .and_then(|data| data.get(&std::any::TypeId::of::<Connection>()))
            .and_then(|any| any.downcast_ref::<Connection>());
        let credentials = Credentials::new(connection.and_then(|c| c.bearer.clone()));
        let counter = connection.map(|c| c.subscriptions.clone());
        let once = |response: Response| futures_util::stream::once(async move { response }).boxed();

        // As over HTTP: a listed document by id gets its text here, before it is checked.
        let unlisted = match &state.trusted {
            None => false,
            Some(trusted) => match trusted.admit(&mut request) {
                Ok(listed) => !listed,
                Err(refused) => {
                    return once(Response::from_errors(vec![refused.into_server_error()]));
                }
            },
        };
        // Without a token an unlisted document is refused before it is parsed, as over HTTP.
        if unlisted && !credentials.present() {
            return once(refusal(ErrorCode::PersistedQueryNotInList, NOT_LISTED));
        }
        let checked = preflight(&mut request, &state.limits, &state.documents);
        if !checked.errors.is_empty() {
            return once(Response::from_errors(checked.errors));
        }
        let slot = match checked.operation {
            Some(OperationType::Mutation) => {
                return once(refusal(
                    ErrorCode::BadRequest,
                    "mutations are sent over HTTP POST, not over WebSocket",
                ));
            }
            Some(OperationType::Subscription) => {
                let (slot, running) = SubscriptionSlot::take(counter.unwrap_or_default());
                let cap = state.live.subscriptions_per_connection;
                if cap > 0 && running > cap {
                    // Dropping the slot gives it back.
                    return once(refusal(
                        ErrorCode::RateLimited,
                        &format!("at most {cap} subscriptions per connection"),
                    ));
                }
                Some(slot)
            }
            _ => None,
        };
        // Live operations read the primary: an event is taken from the change log there, and
        // a replica may not have replayed the change it announces yet.
        let reads = match checked.operation {
            Some(OperationType::Subscription) => RequestReads::direct(state.reads.primary()),
            _ => RequestReads::snapshot(state.reads.primary()),
        };
        let request = request
            .data(Arc::new(RequestData::new(loaders::for_request(
                Arc::new(reads),
                state.loader_delay,
            ))))
            .data(LoaderDelay(state.loader_delay));
        let session = session_data.unwrap_or_default();
        async_stream::stream! {
            let _slot = slot;
            // Boxed, like the check below: an idle subscription should not carry the token
            // look-up's state.
            if unlisted && !Box::pin(credentials.verified_editor(&state.db)).await {
                yield refusal(ErrorCode::PersistedQueryNotInList, NOT_LISTED);
                return;
            }
            let mut request = request.data(credentials);
            // Boxed: the stream's state is as large as its largest await, and the check's
            // future (a whole execution of the checking schema) would stay in every idle
            // subscription's state.
            match Box::pin(state.schema.check(&mut request)).await {
                Err(refused) => yield refused,
                Ok(verdict) => {
                    let mut responses = state.schema.stream(request, verdict, session);
                    while let Some(response) = responses.next().await {
                        yield response;
                    }
                }
            }
        }
        .boxed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_token_is_found_wherever_clients_put_it() {
        for payload in [
            json!({ "Authorization": "Bearer abc" }),
            json!({ "authorization": "abc" }),
            json!({ "headers": { "Authorization": "Bearer abc" } }),
            json!({ "token": " abc " }),
        ] {
            assert_eq!(bearer_of(&payload).as_deref(), Some("abc"), "{payload}");
        }
        assert_eq!(bearer_of(&json!({})), None);
        assert_eq!(bearer_of(&json!({ "Authorization": "Bearer " })), None);
    }
}
