//! Database connection (SQLite or PostgreSQL), migrations, and the SQL statement counter.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};

use crate::config::Config;

/// Counts the SQL statements a connection pool has run (shared by clones).
#[derive(Debug, Clone, Default)]
pub struct SqlStatementCounter(Arc<AtomicU64>);

impl SqlStatementCounter {
    /// Statements run so far.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }

    fn increment(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

/// Opens a pool to the configured database and starts counting its statements.
pub async fn connect(config: &Config) -> Result<(DatabaseConnection, SqlStatementCounter), DbErr> {
    let url = config.effective_database_url();
    let mut options = ConnectOptions::new(url);
    options
        .max_connections(config.db_max_connections)
        .min_connections(1)
        .acquire_timeout(config.db_acquire_timeout())
        .test_before_acquire(config.db_test_before_acquire)
        .idle_timeout(Duration::from_secs(config.db_idle_timeout_secs))
        .max_lifetime(Duration::from_secs(config.db_max_lifetime_secs))
        // Connections are made when first needed, so the server starts while the database
        // is away.
        .connect_lazy(true)
        .sqlx_logging(false);
    // PostgreSQL cancels a statement that outlives the request timeout (plus a second's
    // grace, so the request's own timeout answers first), so a request the server gave up on
    // leaves no query running behind it.
    let statement_timeout = format!("{}ms", config.request_timeout_ms.saturating_add(1_000));
    options.map_sqlx_postgres_opts(move |pg| {
        pg.options([("statement_timeout", statement_timeout.as_str())])
    });
    let mut db = Database::connect(options).await?;
    let counter = SqlStatementCounter::default();
    let seen = counter.clone();
    db.set_metric_callback(move |info| {
        seen.increment();
        tracing::trace!(
            sql = %info.statement.sql,
            elapsed_us = info.elapsed.as_micros() as u64,
            failed = info.failed,
            "sql"
        );
    });
    Ok((db, counter))
}

/// Applies every pending migration, the M. Butterfly seed included. Safe to run repeatedly.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// Whether the database answers a trivial query.
pub async fn ping(db: &DatabaseConnection) -> bool {
    db.ping().await.is_ok()
}

/// How many migrations the database still lacks (read-only: creates nothing).
pub async fn pending_migrations(db: &DatabaseConnection) -> Result<usize, DbErr> {
    Ok(Migrator::get_pending_migrations_read_only(db).await?.len())
}
