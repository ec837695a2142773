//! Start-up: connect, migrate and seed, build the state, serve until told to stop.

use sea_orm::DbErr;
use tokio::net::TcpListener;

use crate::config::Config;
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
}

/// How long start-up waits for the change listener to connect.
const LISTENER_START: std::time::Duration = std::time::Duration::from_secs(3);

/// Connects to the configured database and migrates it (creating and seeding a new one).
pub async fn prepare_state(config: &Config) -> Result<AppState, StartupError> {
    let (db, sql_statements) = db::connect(config).await?;
    db::migrate(&db).await?;
    let state = AppState::new(config, db, sql_statements);
    if config.is_postgres() && config.response_cache_mb > 0 {
        crate::response_cache::listener::spawn(
            state.responses.clone(),
            config.effective_database_url(),
        );
        // The database was just reached, so the listener connects in moments; until it
        // does, answers are simply not cached.
        if !state.responses.listening_within(LISTENER_START).await {
            tracing::warn!("not yet listening for changes; the response cache starts off");
        }
    }
    Ok(state)
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
/// requests finish, and closes the database pool.
pub async fn serve_until(
    listener: TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), StartupError> {
    let db = state.db.clone();
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown)
        .await?;
    if let Err(err) = db.close_by_ref().await {
        tracing::warn!(error = %err, "closing the database pool");
    }
    tracing::info!("stopped");
    Ok(())
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
