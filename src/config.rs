//! The server's one typed configuration: command-line flags with environment-variable
//! fallbacks, parsed once in `main` and passed down.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};

/// Command line of the `filmserver` binary.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "filmserver",
    version,
    about = "A GraphQL content server for film pages"
)]
pub struct Cli {
    /// Settings shared by every subcommand.
    #[command(flatten)]
    pub config: Config,
    /// What to do; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// What the binary does.
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Migrate (and seed) the database, then serve GraphQL over HTTP (the default).
    Serve,
    /// Migrate (and seed) the database, then exit.
    Migrate,
    /// Print the GraphQL schema (SDL) to stdout.
    PrintSchema,
    /// Manage editors' API tokens (create, list, revoke).
    Token {
        /// What to do with tokens.
        #[command(subcommand)]
        action: TokenCommand,
    },
    /// Create a film from a JSON file in the shape of `createMovie`'s input, through the same
    /// validation and transaction as the mutation.
    Import {
        /// The JSON file (`-` for standard input).
        file: PathBuf,
        /// Author recorded in the film's first revision.
        #[arg(long, default_value = "import")]
        author: String,
        /// Publish the film at once (without it, the film is a draft that only editors see
        /// until `publishMovie`).
        #[arg(long)]
        publish: bool,
    },
    /// Work with a trusted-documents manifest (see `TRUSTED_DOCUMENTS`).
    TrustedDocuments {
        /// What to do with it.
        #[command(subcommand)]
        action: TrustedDocumentsCommand,
    },
    /// Print a film as JSON in the shape of `createMovie`'s input.
    Export {
        /// The film's slug.
        #[arg(long)]
        slug: String,
        /// Which version: what readers see, or what editors work on (the draft where there is
        /// one, else the film, published or not).
        #[arg(long, value_enum, default_value_t = ExportStatus::Published)]
        status: ExportStatus,
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// Which version of a film `export` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportStatus {
    /// What readers see.
    Published,
    /// What editors work on.
    Draft,
}

/// What to do with a trusted-documents manifest.
#[derive(Debug, Clone, Subcommand)]
pub enum TrustedDocumentsCommand {
    /// Check every document against the schema and the query limits (before deploying it);
    /// exits non-zero, listing the problems, when any would fail.
    Check {
        /// The manifest (id → document JSON, or Apollo's persisted-query manifest).
        file: PathBuf,
    },
}

/// What to do with API tokens.
#[derive(Debug, Clone, Subcommand)]
pub enum TokenCommand {
    /// Make a token and print its secret (shown this once) on standard output.
    Create {
        /// Whom the token is for (recorded as the author of their changes).
        #[arg(long)]
        name: String,
        /// What it may do.
        #[arg(long, value_enum, default_value_t = RoleArg::Editor)]
        role: RoleArg,
    },
    /// List every token (never their secrets).
    List,
    /// Revoke a token by its id.
    Revoke {
        /// The token's id, as `token list` shows it.
        id: i32,
    },
}

/// A token role on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RoleArg {
    /// Create and change films, people and companies.
    Editor,
    /// Also manage tokens and delete films.
    Admin,
}

/// Server settings. Every field is a flag and an environment variable.
#[derive(Debug, Clone, clap::Args)]
pub struct Config {
    /// Address to listen on.
    #[arg(
        long,
        env = "LISTEN_ADDR",
        default_value = "127.0.0.1:8000",
        global = true
    )]
    pub listen: SocketAddr,

    /// Database URL (`postgres://...` or `sqlite://...`). When unset, the embedded SQLite
    /// file at `--sqlite-path` is used.
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,

    /// Read replicas of the PostgreSQL at `--database-url` (streaming replicas, comma
    /// separated): anonymous queries read from a healthy one; writes, drafts and editors'
    /// reads stay on the primary. Empty: everything reads from the primary.
    #[arg(long, env = "DATABASE_READ_URLS", value_delimiter = ',', global = true)]
    pub database_read_urls: Vec<String>,

    /// Milliseconds a read replica may be behind the primary and still serve; one further
    /// behind, or one that does not replay a write's commit within this time, is taken out
    /// of rotation until it catches up.
    #[arg(
        long,
        env = "MAX_REPLICA_LAG_MS",
        default_value_t = 1_000,
        global = true
    )]
    pub max_replica_lag_ms: u64,

    /// Milliseconds between checks of each read replica's health and lag.
    #[arg(
        long,
        env = "REPLICA_CHECK_INTERVAL_MS",
        default_value_t = 100,
        global = true
    )]
    pub replica_check_interval_ms: u64,

    /// SQLite file used when no database URL is given; created on first start.
    #[arg(
        long,
        env = "SQLITE_PATH",
        default_value = "filmserver.db",
        global = true
    )]
    pub sqlite_path: PathBuf,

    /// Largest number of pooled database connections.
    #[arg(long, env = "DB_MAX_CONNECTIONS", default_value_t = 10, global = true)]
    pub db_max_connections: u32,

    /// Test each pooled connection with a round trip before handing it out (catches
    /// connections broken by a database restart at the cost of one round trip per use;
    /// without it a broken connection fails one request, which marks the database down).
    #[arg(long, env = "DB_TEST_BEFORE_ACQUIRE", default_value_t = false, action = clap::ArgAction::Set, global = true)]
    pub db_test_before_acquire: bool,

    /// Seconds an idle pooled connection is kept before it is closed.
    #[arg(
        long,
        env = "DB_IDLE_TIMEOUT_SECS",
        default_value_t = 300,
        global = true
    )]
    pub db_idle_timeout_secs: u64,

    /// Seconds a pooled connection lives at most before it is replaced.
    #[arg(
        long,
        env = "DB_MAX_LIFETIME_SECS",
        default_value_t = 1_800,
        global = true
    )]
    pub db_max_lifetime_secs: u64,

    /// Seconds to wait for a pooled connection (or for the database to accept a new one)
    /// before a request fails with `SERVICE_UNAVAILABLE`.
    #[arg(
        long,
        env = "DB_ACQUIRE_TIMEOUT_SECS",
        default_value_t = 3,
        global = true
    )]
    pub db_acquire_timeout_secs: u64,

    /// Largest request body accepted, in bytes; larger ones get 413.
    #[arg(
        long,
        env = "MAX_BODY_BYTES",
        default_value_t = 1_048_576,
        global = true
    )]
    pub max_body_bytes: usize,

    /// Longest GraphQL query text, in bytes.
    #[arg(long, env = "MAX_QUERY_BYTES", default_value_t = 32 * 1024, global = true)]
    pub max_query_bytes: usize,

    /// Deepest field nesting a query may have.
    #[arg(long, env = "MAX_QUERY_DEPTH", default_value_t = 15, global = true)]
    pub max_query_depth: usize,

    /// Highest complexity a query may have (a list costs its page size times its children).
    #[arg(
        long,
        env = "MAX_QUERY_COMPLEXITY",
        default_value_t = 50_000,
        global = true
    )]
    pub max_query_complexity: usize,

    /// Most field selections a query may have, fragments expanded.
    #[arg(long, env = "MAX_QUERY_FIELDS", default_value_t = 1_000, global = true)]
    pub max_query_fields: u64,

    /// Most aliases a query may use, fragments expanded.
    #[arg(long, env = "MAX_QUERY_ALIASES", default_value_t = 30, global = true)]
    pub max_query_aliases: u64,

    /// Most root fields an operation may select.
    #[arg(long, env = "MAX_ROOT_FIELDS", default_value_t = 20, global = true)]
    pub max_root_fields: u64,

    /// Most directives a query may use, fragments expanded.
    #[arg(
        long,
        env = "MAX_QUERY_DIRECTIVES",
        default_value_t = 50,
        global = true
    )]
    pub max_query_directives: u64,

    /// Seconds shared caches (CDNs) may keep an anonymous GET answer (`Cache-Control: max-age`).
    #[arg(long, env = "CACHE_MAX_AGE", default_value_t = 60, global = true)]
    pub cache_max_age: u64,

    /// Seconds a cache may serve a stale GET answer while it fetches a fresh one.
    #[arg(
        long,
        env = "CACHE_STALE_WHILE_REVALIDATE",
        default_value_t = 300,
        global = true
    )]
    pub cache_stale_while_revalidate: u64,

    /// Mebibytes the in-process cache of anonymous read answers may hold; 0 turns it off.
    #[arg(long, env = "RESPONSE_CACHE_MB", default_value_t = 64, global = true)]
    pub response_cache_mb: usize,

    /// Seconds an answer stays in the in-process cache at most. Writes through the server
    /// drop the answers they change at once; this bounds how long a change made behind its
    /// back (in SQL) can go unseen.
    #[arg(
        long,
        env = "RESPONSE_CACHE_TTL_SECS",
        default_value_t = 300,
        global = true
    )]
    pub response_cache_ttl_secs: u64,

    /// Microseconds a DataLoader waits to gather keys from sibling fields before it queries.
    /// Lists a page shows are prefetched by look-ahead and do not wait; this matters for
    /// relations reached in other ways (a person's roles in `people`). The benchmark
    /// measures it.
    #[arg(
        long,
        env = "DATALOADER_DELAY_US",
        default_value_t = 1_000,
        global = true
    )]
    pub dataloader_delay_us: u64,

    /// Most requests served at once; more are refused at once with 503 (load shedding) rather
    /// than queued.
    #[arg(
        long,
        env = "MAX_CONCURRENT_REQUESTS",
        default_value_t = 256,
        global = true
    )]
    pub max_concurrent_requests: usize,

    /// Milliseconds a GraphQL operation may run; then it is cancelled (its SQL with it) and
    /// answered 503 `TIMEOUT`.
    #[arg(
        long,
        env = "REQUEST_TIMEOUT_MS",
        default_value_t = 10_000,
        global = true
    )]
    pub request_timeout_ms: u64,

    /// Mutations a token may make per minute (in bursts of up to as many); more get 429 with
    /// `Retry-After`. 0: no limit.
    #[arg(
        long,
        env = "MUTATIONS_PER_MINUTE_PER_TOKEN",
        default_value_t = 120,
        global = true
    )]
    pub mutations_per_minute_per_token: u32,

    /// Mutations one client address may make per minute, whatever its token. 0: no limit.
    #[arg(
        long,
        env = "MUTATIONS_PER_MINUTE_PER_ADDRESS",
        default_value_t = 300,
        global = true
    )]
    pub mutations_per_minute_per_address: u32,

    /// Take the client address from the last `X-Forwarded-For` entry (only behind a proxy
    /// that sets it; otherwise clients could pick their own address).
    #[arg(long, env = "TRUST_FORWARDED_FOR", default_value_t = false, action = clap::ArgAction::Set, global = true)]
    pub trust_forwarded_for: bool,

    /// Seconds a client may take to send its request headers; a slower one is disconnected.
    #[arg(
        long,
        env = "HEADER_READ_TIMEOUT_SECS",
        default_value_t = 10,
        global = true
    )]
    pub header_read_timeout_secs: u64,

    /// Requests one client address may have in flight at once (reading its body or running);
    /// one more is refused with 429 at once. 0: no cap.
    #[arg(
        long,
        env = "MAX_REQUESTS_PER_ADDRESS",
        default_value_t = 64,
        global = true
    )]
    pub max_requests_per_address: usize,

    /// Open connections one client address may have; more are answered 429 and closed. Not
    /// applied with `TRUST_FORWARDED_FOR` (every connection then comes from the proxy). 0: no
    /// cap.
    #[arg(
        long,
        env = "MAX_CONNECTIONS_PER_ADDRESS",
        default_value_t = 128,
        global = true
    )]
    pub max_connections_per_address: usize,

    /// Request bodies read at once, server-wide (a body is read whole before its request takes
    /// one of `MAX_CONCURRENT_REQUESTS`); more are refused with 503 at once.
    #[arg(long, env = "MAX_PENDING_BODIES", default_value_t = 512, global = true)]
    pub max_pending_bodies: usize,

    /// Seconds a request body may take to arrive whole; a slower one is answered 408 and its
    /// connection closed.
    #[arg(
        long,
        env = "BODY_READ_TIMEOUT_SECS",
        default_value_t = 10,
        global = true
    )]
    pub body_read_timeout_secs: u64,

    /// Slowest body transfer accepted after its first second, in bytes a second; a slower
    /// one is answered 408 and its connection closed. 0: no minimum.
    #[arg(
        long,
        env = "MIN_BODY_BYTES_PER_SEC",
        default_value_t = 1_024,
        global = true
    )]
    pub min_body_bytes_per_sec: u64,

    /// Points of query cost one client address may spend on anonymous reads per minute (the
    /// budget holds at most this much and refills continuously); a read that runs costs its
    /// complexity, one answered from the response cache 1. Over budget: 429 with
    /// `Retry-After`. Requests with a valid token do not spend from it. 0: off.
    #[arg(
        long,
        env = "READ_BUDGET_PER_MINUTE",
        default_value_t = 100_000,
        global = true
    )]
    pub read_budget_per_minute: u32,

    /// A trusted-documents manifest (JSON: id → document, as graphql-codegen's client preset
    /// and Relay's compiler write it, or Apollo's persisted-query manifest). When set,
    /// anonymous clients may run only its documents; requests with a valid token may run any.
    /// Checked against the schema and the query limits at start (and by `filmserver
    /// trusted-documents check FILE`).
    #[arg(long, env = "TRUSTED_DOCUMENTS", global = true)]
    pub trusted_documents: Option<PathBuf>,

    /// Automatic persisted queries kept at most (least recently used out first).
    #[arg(
        long,
        env = "PERSISTED_QUERIES_MAX",
        default_value_t = 10_000,
        global = true
    )]
    pub persisted_queries_max: usize,

    /// Bytes of query text the automatic persisted queries may hold at most (least recently
    /// used out first).
    #[arg(
        long,
        env = "PERSISTED_QUERIES_MAX_BYTES",
        default_value_t = 16 * 1024 * 1024,
        global = true
    )]
    pub persisted_queries_max_bytes: usize,

    /// Seconds shutdown (SIGTERM, Ctrl-C) waits for in-flight requests before dropping them.
    #[arg(long, env = "SHUTDOWN_GRACE_SECS", default_value_t = 30, global = true)]
    pub shutdown_grace_secs: u64,

    /// How often this instance looks for films due to be published on schedule, in
    /// milliseconds (`0`: never; other instances on the same database still publish them).
    #[arg(
        long,
        env = "SCHEDULE_CHECK_INTERVAL_MS",
        default_value_t = 5_000,
        global = true
    )]
    pub schedule_check_interval_ms: u64,

    /// How often each instance reads the change log for events it has not been told of, in
    /// milliseconds: the most a lost notification can delay a subscriber's event.
    #[arg(
        long,
        env = "LIVE_POLL_INTERVAL_MS",
        default_value_t = 1_000,
        global = true
    )]
    pub live_poll_interval_ms: u64,

    /// Milliseconds of quiet after which the listening connection (PostgreSQL) is checked
    /// with a query, so a silent network drop is noticed and the connection made again.
    #[arg(
        long,
        env = "LISTENER_CHECK_INTERVAL_MS",
        default_value_t = 15_000,
        global = true
    )]
    pub listener_check_interval_ms: u64,

    /// Hours change events are kept: how far back a subscriber can resume (`after:`).
    #[arg(
        long,
        env = "CHANGE_LOG_RETENTION_HOURS",
        default_value_t = 168,
        global = true
    )]
    pub change_log_retention_hours: u64,

    /// WebSocket connections one client address may hold open (0: no cap).
    #[arg(
        long,
        env = "WS_CONNECTIONS_PER_ADDRESS",
        default_value_t = 16,
        global = true
    )]
    pub ws_connections_per_address: usize,

    /// Subscriptions one WebSocket connection may run at once (0: no cap).
    #[arg(
        long,
        env = "WS_SUBSCRIPTIONS_PER_CONNECTION",
        default_value_t = 32,
        global = true
    )]
    pub ws_subscriptions_per_connection: usize,

    /// Seconds a WebSocket client has to send `connection_init` (closed with 4408 after).
    #[arg(
        long,
        env = "WS_INIT_TIMEOUT_SECS",
        default_value_t = 10,
        global = true
    )]
    pub ws_init_timeout_secs: u64,

    /// Seconds between the server's keep-alive pings; a client silent for two is closed.
    #[arg(long, env = "WS_KEEPALIVE_SECS", default_value_t = 30, global = true)]
    pub ws_keepalive_secs: u64,

    /// Seconds a WebSocket connection may hold no subscription before it is closed.
    #[arg(
        long,
        env = "WS_IDLE_TIMEOUT_SECS",
        default_value_t = 300,
        global = true
    )]
    pub ws_idle_timeout_secs: u64,

    /// Seconds a message to a WebSocket client may wait to be sent before the connection is
    /// closed as too slow (4413).
    #[arg(
        long,
        env = "WS_SEND_TIMEOUT_SECS",
        default_value_t = 10,
        global = true
    )]
    pub ws_send_timeout_secs: u64,

    /// Let webhook endpoints have loopback or private-network addresses (endpoints inside the
    /// operator's own network; tests). Link-local and unspecified addresses are never allowed.
    #[arg(long, env = "WEBHOOK_ALLOW_PRIVATE_ADDRESSES", default_value_t = false, action = clap::ArgAction::Set, global = true)]
    pub webhook_allow_private_addresses: bool,

    /// Seconds one webhook delivery attempt may take (connect, send, answer).
    #[arg(
        long,
        env = "WEBHOOK_TIMEOUT_SECS",
        default_value_t = 10,
        global = true
    )]
    pub webhook_timeout_secs: u64,

    /// Milliseconds before a failed webhook delivery is retried the first time; the wait
    /// doubles after each failure (at most an hour), less a random part of up to half.
    #[arg(
        long,
        env = "WEBHOOK_RETRY_BASE_MS",
        default_value_t = 10_000,
        global = true
    )]
    pub webhook_retry_base_ms: u64,

    /// Hours after its change a webhook delivery is given up (`FAILED`).
    #[arg(
        long,
        env = "WEBHOOK_GIVE_UP_HOURS",
        default_value_t = 24,
        global = true
    )]
    pub webhook_give_up_hours: u64,

    /// Serve GraphiQL at `/` and Playground at `/playground` (`false` in production if wanted).
    #[arg(long, env = "GRAPHIQL", default_value_t = true, action = clap::ArgAction::Set, global = true)]
    pub graphiql: bool,

    /// Answer introspection queries; `false` also turns off "did you mean" suggestions.
    #[arg(long, env = "INTROSPECTION", default_value_t = true, action = clap::ArgAction::Set, global = true)]
    pub introspection: bool,

    /// Log line format; the level comes from `RUST_LOG` (default `info`).
    #[arg(long, env = "LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

impl Config {
    /// Which addresses webhook endpoints may have.
    pub fn webhook_policy(&self) -> crate::service::webhooks::AddressPolicy {
        crate::service::webhooks::AddressPolicy {
            allow_private: self.webhook_allow_private_addresses,
        }
    }

    /// How webhook deliveries are made.
    pub fn webhook_settings(&self) -> crate::live::webhooks::WebhookSettings {
        crate::live::webhooks::WebhookSettings {
            policy: self.webhook_policy(),
            timeout: Duration::from_secs(self.webhook_timeout_secs.max(1)),
            retry_base: Duration::from_millis(self.webhook_retry_base_ms.max(1)),
            give_up_after: Duration::from_secs(self.webhook_give_up_hours.saturating_mul(3600)),
            tick: Duration::from_millis(self.live_poll_interval_ms.max(10)),
        }
    }

    /// The database URL to connect to: `--database-url`, else the SQLite file (created if absent).
    pub fn effective_database_url(&self) -> String {
        match &self.database_url {
            Some(url) if !url.trim().is_empty() => url.clone(),
            _ => format!("sqlite://{}?mode=rwc", self.sqlite_path.display()),
        }
    }

    /// The limits every GraphQL request is checked against.
    pub fn query_limits(&self) -> crate::graphql::limits::QueryLimits {
        crate::graphql::limits::QueryLimits {
            max_query_bytes: self.max_query_bytes,
            max_depth: self.max_query_depth,
            max_complexity: self.max_query_complexity,
            max_fields: self.max_query_fields,
            max_aliases: self.max_query_aliases,
            max_root_fields: self.max_root_fields,
            max_directives: self.max_query_directives,
        }
    }

    /// Whether the database is PostgreSQL (else SQLite).
    pub fn is_postgres(&self) -> bool {
        let url = self.effective_database_url();
        url.starts_with("postgres://") || url.starts_with("postgresql://")
    }

    /// The pool's acquire timeout.
    pub fn db_acquire_timeout(&self) -> Duration {
        Duration::from_secs(self.db_acquire_timeout_secs)
    }

    /// Settings for tests and tools: defaults, with this database URL.
    pub fn for_database(database_url: impl Into<String>) -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            database_url: Some(database_url.into()),
            database_read_urls: Vec::new(),
            max_replica_lag_ms: 1_000,
            replica_check_interval_ms: 100,
            sqlite_path: PathBuf::from("filmserver.db"),
            db_max_connections: 5,
            db_acquire_timeout_secs: 3,
            db_test_before_acquire: false,
            db_idle_timeout_secs: 300,
            db_max_lifetime_secs: 1_800,
            max_body_bytes: 1_048_576,
            max_query_bytes: 32 * 1024,
            max_query_depth: 15,
            max_query_complexity: 50_000,
            max_query_fields: 1_000,
            max_query_aliases: 30,
            max_root_fields: 20,
            max_query_directives: 50,
            cache_max_age: 60,
            cache_stale_while_revalidate: 300,
            response_cache_mb: 64,
            response_cache_ttl_secs: 300,
            dataloader_delay_us: 1_000,
            max_concurrent_requests: 256,
            request_timeout_ms: 10_000,
            header_read_timeout_secs: 10,
            max_requests_per_address: 64,
            max_connections_per_address: 128,
            max_pending_bodies: 512,
            body_read_timeout_secs: 10,
            min_body_bytes_per_sec: 1_024,
            persisted_queries_max: 10_000,
            read_budget_per_minute: 100_000,
            trusted_documents: None,
            persisted_queries_max_bytes: 16 * 1024 * 1024,
            mutations_per_minute_per_token: 120,
            mutations_per_minute_per_address: 300,
            trust_forwarded_for: false,
            shutdown_grace_secs: 30,
            schedule_check_interval_ms: 5_000,
            live_poll_interval_ms: 1_000,
            listener_check_interval_ms: 15_000,
            change_log_retention_hours: 168,
            ws_connections_per_address: 16,
            ws_subscriptions_per_connection: 32,
            ws_init_timeout_secs: 10,
            ws_keepalive_secs: 30,
            ws_idle_timeout_secs: 300,
            ws_send_timeout_secs: 10,
            webhook_allow_private_addresses: false,
            webhook_timeout_secs: 10,
            webhook_retry_base_ms: 10_000,
            webhook_give_up_hours: 24,
            graphiql: true,
            introspection: true,
            log_format: LogFormat::Text,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_is_the_default_database() {
        let cli = Cli::parse_from(["filmserver", "--sqlite-path", "/tmp/x.db"]);
        assert_eq!(
            cli.config.effective_database_url(),
            "sqlite:///tmp/x.db?mode=rwc"
        );
        assert!(cli.command.is_none());
    }

    #[test]
    fn read_replicas_are_a_comma_separated_list() {
        let cli = Cli::parse_from([
            "filmserver",
            "--database-read-urls",
            "postgres://r1/films,postgres://r2/films",
        ]);
        assert_eq!(
            cli.config.database_read_urls,
            ["postgres://r1/films", "postgres://r2/films"]
        );
        assert_eq!(cli.config.max_replica_lag_ms, 1_000);
    }

    #[test]
    fn database_url_flag_wins() {
        let cli = Cli::parse_from(["filmserver", "--database-url", "postgres://h/db", "serve"]);
        assert_eq!(cli.config.effective_database_url(), "postgres://h/db");
    }
}
