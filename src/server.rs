//! Start-up: connect, migrate and seed, build the state, serve until told to stop.

use std::time::Duration;

use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use sea_orm::DbErr;
use tokio::net::TcpListener;
use tower::ServiceExt;

use crate::availability::Availability;
use crate::config::Config;
use crate::error::is_unavailable;
use crate::{AppState, app, db};

/// Why the server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// The database could not be reached or migrated.
    #[error("database: {0}")]
    Database(#[from] DbErr),
    /// The listen address could not be bound, or serving failed.
    #[error("network: {0}")]
    Io(#[from] std::io::Error),
    /// The trusted-documents manifest could not be read, or lists documents that would fail.
    #[error("trusted documents: {0}")]
    TrustedDocuments(String),
    /// The settings contradict each other.
    #[error("configuration: {0}")]
    Config(String),
}

/// How long start-up waits for the change listener to connect.
const LISTENER_START: std::time::Duration = std::time::Duration::from_secs(3);

/// Opens the pool and migrates the database (creating and seeding a new one). A database that
/// cannot be reached does not stop start-up: the server answers 503 until it can, and
/// migrates it then.
pub async fn prepare_state(config: &Config) -> Result<AppState, StartupError> {
    let trusted = match &config.trusted_documents {
        Some(path) => Some(load_trusted_documents(config, path).await?),
        None => None,
    };
    let (db, sql_statements) = db::connect(config).await?;
    if !config.is_postgres()
        && config
            .database_read_urls
            .iter()
            .any(|url| !url.trim().is_empty())
    {
        return Err(StartupError::Config(
            "DATABASE_READ_URLS needs a PostgreSQL DATABASE_URL (replicas are PostgreSQL's)".into(),
        ));
    }
    let primary_reads = db::connect_reads(config, &db, &sql_statements).await?;
    let reads = db::connect_replicas(config, primary_reads, &sql_statements).await?;
    let availability = match db::migrate(&db).await {
        Ok(()) => Availability::ready(),
        Err(err) if is_unavailable(&err) => {
            tracing::warn!(
                error = %err,
                "the database is unreachable: serving 503 until it answers, then migrating it"
            );
            Availability::pending()
        }
        Err(err) => return Err(err.into()),
    };
    availability.watch(db.clone());
    let state = AppState::new(
        config,
        db,
        reads,
        sql_statements,
        availability.clone(),
        trusted,
    );
    crate::scheduler::spawn(
        state.db.clone(),
        state.responses.clone(),
        Duration::from_millis(config.schedule_check_interval_ms),
    );
    let background = db::connect_background(config).await?;
    if state.reads.has_replicas() {
        state.reads.spawn_monitor(Duration::from_millis(
            config.replica_check_interval_ms.max(10),
        ));
    }
    crate::live::webhooks::spawn(
        background.clone(),
        &state.change_feed,
        config.webhook_settings(),
        state.reads.clone(),
    );
    state.change_feed.spawn(
        background,
        Duration::from_millis(config.live_poll_interval_ms.max(10)),
        Duration::from_secs(config.change_log_retention_hours.saturating_mul(3600)),
    );
    if config.is_postgres() {
        crate::response_cache::listener::spawn(
            state.responses.clone(),
            state.change_feed.clone(),
            config.effective_database_url(),
            Duration::from_millis(config.listener_check_interval_ms.max(100)),
            state.db.clone(),
        );
    }
    if config.is_postgres() && config.response_cache_mb > 0 {
        // The database was just reached, so the listener connects in moments; until it
        // does, answers are simply not cached.
        if availability.serving() && !state.responses.listening_within(LISTENER_START).await {
            tracing::warn!("not yet listening for changes; the response cache starts off");
        }
    }
    Ok(state)
}

/// Loads the trusted-documents manifest and checks every document against the schema and the
/// query limits: a server does not start on a manifest its clients would fail with.
async fn load_trusted_documents(
    config: &Config,
    path: &std::path::Path,
) -> Result<crate::http::trusted::TrustedDocuments, StartupError> {
    let trusted = crate::http::trusted::TrustedDocuments::load(path)
        .map_err(|err| StartupError::TrustedDocuments(err.to_string()))?;
    let problems = crate::graphql::check_documents(
        trusted.documents(),
        config.query_limits(),
        config.introspection,
    )
    .await;
    if !problems.is_empty() {
        return Err(StartupError::TrustedDocuments(format!(
            "{} of {} documents fail: {}",
            problems.len(),
            trusted.len(),
            problems.join("; ")
        )));
    }
    tracing::info!(
        documents = trusted.len(),
        "only trusted documents run for anonymous clients"
    );
    Ok(trusted)
}

/// Serves on the configured address until Ctrl-C or SIGTERM, then finishes in-flight requests.
pub async fn serve(config: &Config) -> Result<(), StartupError> {
    let state = prepare_state(config).await?;
    let listener = TcpListener::bind(config.listen).await?;
    tracing::info!(
        address = %listener.local_addr()?,
        "serving GraphiQL at / and GraphQL at /graphql"
    );
    serve_until(listener, state, shutdown_signal()).await
}

/// Serves on `listener` until `shutdown` resolves; then stops accepting, lets in-flight
/// requests finish (for at most `SHUTDOWN_GRACE`), and closes the database pool.
///
/// Each connection is served by hyper with a header read timeout, so a client that dribbles
/// its request headers is dropped instead of holding a connection; each request carries the
/// peer's address (`ConnectInfo`) for per-client rate limits. An address may hold at most
/// `MAX_CONNECTIONS_PER_ADDRESS` connections; one more is answered 429 and closed.
pub async fn serve_until(
    listener: TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), StartupError> {
    let db = state.db.clone();
    let (header_read_timeout, grace) = (state.header_read_timeout, state.shutdown_grace);
    let per_address = state.connections.clone();
    let router = app(state);
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(header_read_timeout);
    let connections = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    // Out of file descriptors and the like: wait a moment, keep serving.
                    tracing::warn!(error = %err, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Some(held) = per_address.try_take(peer.ip()) else {
            tokio::spawn(refuse_connection(stream));
            continue;
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            router.clone().oneshot(request)
        });
        let connection = builder
            .serve_connection_with_upgrades(TokioIo::new(stream), service)
            .into_owned();
        let connection = connections.watch(connection);
        tokio::spawn(async move {
            if let Err(err) = connection.await {
                tracing::debug!(error = %err, "connection ended with an error");
            }
            drop(held);
        });
    }
    drop(listener);
    tokio::select! {
        () = connections.shutdown() => {}
        () = tokio::time::sleep(grace) => {
            tracing::warn!(grace_secs = grace.as_secs(), "requests still running at the end of the shutdown grace period were dropped");
        }
    }
    if let Err(err) = db.close_by_ref().await {
        tracing::warn!(error = %err, "closing the database pool");
    }
    tracing::info!("stopped");
    Ok(())
}

/// Answers a connection over its address's cap with 429 and closes it (without reading the
/// request: the answer is all it gets).
async fn refuse_connection(mut stream: tokio::net::TcpStream) {
    use tokio::io::AsyncWriteExt;
    const BODY: &str = "{\"errors\":[{\"message\":\"too many open connections from your address\",\"extensions\":{\"code\":\"RATE_LIMITED\"}}]}";
    let answer = format!(
        "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\r\nConnection: close\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{BODY}",
        BODY.len()
    );
    let written = tokio::time::timeout(Duration::from_secs(1), stream.write_all(answer.as_bytes()));
    let _ = written.await;
    let _ = stream.shutdown().await;
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
