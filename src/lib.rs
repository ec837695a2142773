//! A GraphQL content server for film pages.
//!
//! # Layout
//! Dependencies point one way: `http` → `graphql` → `service` → `entity`, with `config`,
//! `error` and `db` shared below them.
//!
//! - [`availability`]: whether the database answers; requests fail fast while it does not,
//!   and a probe brings the server back (and migrates a database that was down at start).
//! - [`cli`]: the binary's subcommands (serve, migrate, token, import, export, print-schema,
//!   trusted-documents check).
//! - [`config`]: the one typed configuration (flags with env fallbacks), parsed once in `main`.
//! - [`db`]: connect to SQLite or PostgreSQL, run migrations, count SQL statements; pools by
//!   purpose, and read replicas ([`db::replicas`]: routing, health, lag, catching up).
//! - [`error`]: [`AppError`](error::AppError) and the error policy (codes, what is logged).
//! - [`json_text`]: JSON strings escaped as `serde_json` escapes them (shared by the
//!   response writer and the lists written straight to JSON).
//! - [`ids`]: global ids (`base64url("Movie:42")`), shared by the API and the services that
//!   read them in input.
//! - [`live`]: the change feed (every committed change, in order, from the change log) that
//!   subscriptions follow.
//! - [`reads`]: one request's reads from one snapshot of the database (a query never sees
//!   two versions of a film), or from the pool (a mutation reads back its writes).
//! - [`service`]: the operations on film content over any `ConnectionTrait`; no GraphQL here.
//! - [`graphql`]: the schema ([`build_schema`](graphql::build_schema): a checker and an
//!   extension-free runner), query roots, API types, DataLoaders, and the caches of parsed
//!   documents and passed checks.
//! - [`http`]: the axum router: GraphQL over HTTP, GraphiQL, Playground, health.
//! - [`response_cache`]: the in-process cache of anonymous read answers, bounded, dropped
//!   precisely by the content keys a write changes, across instances by `LISTEN`/`NOTIFY`.
//! - [`scheduler`]: the background task that publishes films on schedule.
//! - [`server`]: start-up (connect, migrate, serve, graceful shutdown).
//! - [`telemetry`]: tracing subscriber setup.
//!
//! [`app`] is the one seam `main` and the tests share: it turns an [`AppState`] into a router.

pub mod availability;
pub mod cli;
pub mod config;
pub mod db;
pub mod error;
pub mod graphql;
pub mod http;
pub mod ids;
pub mod json_text;
pub mod live;
pub mod reads;
pub mod response_cache;
pub mod scheduler;
pub mod server;
pub mod service;
pub mod telemetry;

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::config::Config;

pub use db::SqlStatementCounter;
pub use http::app;

/// Events a subscriber may fall behind the change feed before it reads the log itself.
const CHANGE_FEED_CAPACITY: usize = 1024;

/// Everything request handlers share: built once at start-up. Handlers and middleware take a
/// copy of the state for every request, so a copy is one reference count (a struct of
/// reference-counted fields cost one atomic increment and decrement per field, on cache lines
/// every worker thread touches: 8% of a cached answer's CPU).
#[derive(Clone)]
pub struct AppState(Arc<SharedState>);

impl std::ops::Deref for AppState {
    type Target = SharedState;

    fn deref(&self) -> &SharedState {
        &self.0
    }
}

/// What [`AppState`] shares.
pub struct SharedState {
    /// The database pool writes (and mutations' reads) use.
    pub db: DatabaseConnection,
    /// Where queries read, one snapshot per request: the primary's read pool (the write
    /// pool on SQLite) and the read replicas, if any.
    pub reads: db::ReadRouter,
    /// The GraphQL schema.
    pub schema: graphql::AppSchema,
    /// SQL statements run on `db` so far.
    pub sql_statements: SqlStatementCounter,
    /// GraphQL requests served so far.
    pub graphql_requests: http::metrics::RequestCounter,
    /// GraphQL requests by operation and outcome, and their latency.
    pub http_metrics: http::metrics::HttpMetrics,
    /// Most connections the pool may open.
    pub db_max_connections: u32,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// How anonymous GET answers may be cached.
    pub cache: http::caching::CachePolicy,
    /// Automatic persisted queries.
    pub persisted: http::persisted::PersistedQueries,
    /// Whether GraphiQL and Playground are served.
    pub graphiql: bool,
    /// Most requests served at once.
    pub max_concurrent_requests: usize,
    /// How long a GraphQL operation may run.
    pub request_timeout: std::time::Duration,
    /// The limits every GraphQL request is checked against.
    pub limits: graphql::limits::QueryLimits,
    /// Parsed GraphQL documents, by query text.
    pub documents: graphql::DocumentCache,
    /// The in-process cache of anonymous read answers.
    pub responses: response_cache::ResponseCache,
    /// How long a DataLoader gathers keys before it queries.
    pub loader_delay: std::time::Duration,
    /// Whether the database answers, as last seen.
    pub availability: availability::Availability,
    /// How long a client may take to send its request headers.
    pub header_read_timeout: std::time::Duration,
    /// Mutation rate limits, per token and per client address.
    pub mutation_limits: http::rate_limit::MutationLimits,
    /// Whether the client address comes from `X-Forwarded-For` (behind a trusted proxy).
    pub trust_forwarded_for: bool,
    /// How long shutdown waits for in-flight requests.
    pub shutdown_grace: std::time::Duration,
    /// What a request goes through before it takes a request slot: per-address caps and the
    /// whole-body read.
    pub intake: http::intake::Intake,
    /// The per-address budget anonymous reads spend their cost from.
    pub read_budget: http::rate_limit::ReadBudget,
    /// This instance's change feed, which subscriptions follow.
    pub change_feed: live::ChangeFeed,
    /// The WebSocket limits.
    pub live: http::websocket::LiveLimits,
    /// The trusted documents: when set, the only documents anonymous clients may run.
    pub trusted: Option<http::trusted::TrustedDocuments>,
    /// Open connections per client address (see `MAX_CONNECTIONS_PER_ADDRESS`).
    pub connections: http::per_address::PerAddressCap,
}

impl AppState {
    /// State over the database pools (writes, and where queries read), with what is known of
    /// the database's availability and the trusted documents loaded from `TRUSTED_DOCUMENTS`,
    /// if any.
    pub fn new(
        config: &Config,
        db: DatabaseConnection,
        reads: db::ReadRouter,
        sql_statements: SqlStatementCounter,
        availability: availability::Availability,
        trusted: Option<http::trusted::TrustedDocuments>,
    ) -> Self {
        let limits = config.query_limits();
        let change_feed = live::ChangeFeed::new(CHANGE_FEED_CAPACITY);
        let schema = graphql::build_schema(
            db.clone(),
            reads.primary().clone(),
            change_feed.clone(),
            config.webhook_policy(),
            limits,
            config.introspection,
        );
        Self(Arc::new(SharedState {
            db,
            schema,
            sql_statements,
            graphql_requests: http::metrics::RequestCounter::default(),
            http_metrics: http::metrics::HttpMetrics::default(),
            db_max_connections: config.db_max_connections,
            max_body_bytes: config.max_body_bytes,
            cache: http::caching::CachePolicy {
                max_age: config.cache_max_age,
                stale_while_revalidate: config.cache_stale_while_revalidate,
            },
            persisted: http::persisted::PersistedQueries::new(
                config.persisted_queries_max,
                config.persisted_queries_max_bytes,
            ),
            graphiql: config.graphiql,
            max_concurrent_requests: config.max_concurrent_requests.max(1),
            request_timeout: std::time::Duration::from_millis(config.request_timeout_ms),
            limits,
            documents: graphql::DocumentCache::default(),
            // On PostgreSQL other instances write too: serve from the cache only while the
            // listener hears their changes (see `server::prepare_state`).
            loader_delay: std::time::Duration::from_micros(config.dataloader_delay_us),
            availability,
            mutation_limits: http::rate_limit::MutationLimits {
                per_token: http::rate_limit::RateLimiter::new(
                    config.mutations_per_minute_per_token,
                ),
                per_address: http::rate_limit::RateLimiter::new(
                    config.mutations_per_minute_per_address,
                ),
            },
            trust_forwarded_for: config.trust_forwarded_for,
            header_read_timeout: std::time::Duration::from_secs(config.header_read_timeout_secs),
            shutdown_grace: std::time::Duration::from_secs(config.shutdown_grace_secs),
            intake: http::intake::Intake::new(
                config.max_requests_per_address,
                config.max_pending_bodies,
                std::time::Duration::from_secs(config.body_read_timeout_secs),
                config.min_body_bytes_per_sec,
            ),
            read_budget: http::rate_limit::ReadBudget::new(config.read_budget_per_minute),
            trusted,
            change_feed,
            live: http::websocket::LiveLimits {
                connections: http::per_address::PerAddressCap::new(
                    config.ws_connections_per_address,
                ),
                subscriptions_per_connection: config.ws_subscriptions_per_connection,
                init_timeout: std::time::Duration::from_secs(config.ws_init_timeout_secs),
                keepalive: std::time::Duration::from_secs(config.ws_keepalive_secs.max(1)),
                idle_timeout: std::time::Duration::from_secs(config.ws_idle_timeout_secs),
                send_timeout: std::time::Duration::from_secs(config.ws_send_timeout_secs.max(1)),
            },
            connections: http::per_address::PerAddressCap::new(if config.trust_forwarded_for {
                0
            } else {
                config.max_connections_per_address
            }),
            responses: response_cache::ResponseCache::with_replicas(
                config.response_cache_mb.saturating_mul(1024 * 1024),
                std::time::Duration::from_secs(config.response_cache_ttl_secs),
                !config.is_postgres(),
                Some(reads.clone()),
            ),
            reads,
        }))
    }
}
