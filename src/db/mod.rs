//! Database connection (SQLite or PostgreSQL), migrations, and the SQL statement counter.
//!
//! Pools by purpose: writes (and mutations' reads), queries' snapshots on the primary, read
//! replicas ([`replicas`]), and the server's own background work.

pub mod replicas;

pub use replicas::ReadRouter;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, Database, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    TransactionOptions, TransactionTrait,
};

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

/// Begins a transaction on `pool` in a task of its own, so that it is begun whole even if the
/// caller stops waiting (its request was dropped: the client went away, or a timeout).
///
/// sqlx 0.9 queues the rollback of a transaction whose `BEGIN` it stopped waiting for only
/// once that `BEGIN` has answered: a request dropped in between gave its connection back to
/// the pool inside a transaction nobody would end. The next `BEGIN` on it only warned ("there
/// is already a transaction in progress", seen at the end of benchmark runs) and carried on in
/// it, and a statement run on that connection outside a transaction of its own would not have
/// been committed. Begun in a task, the transaction is always returned whole; dropped, it
/// queues its rollback as usual, which the pool sends before lending the connection again.
pub async fn begin_whole(
    pool: &DatabaseConnection,
    options: TransactionOptions,
) -> Result<DatabaseTransaction, DbErr> {
    let pool = pool.clone();
    let begin = async move { pool.begin_with_options(options).await };
    tokio::spawn(tracing::Instrument::in_current_span(begin))
        .await
        .unwrap_or_else(|failed| Err(DbErr::Custom(format!("beginning a transaction: {failed}"))))
}

/// What a pool is for: each kind gets the options it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PoolKind {
    /// Writes, and the reads of mutations.
    Writes,
    /// Queries' snapshots (PostgreSQL): every transaction `REPEATABLE READ, READ ONLY`.
    Reads,
    /// The server's own background work: two connections, tested before use.
    Background,
    /// Read replicas' health and lag checks, and waits for a write's replay: four
    /// connections, tested before use.
    Probe,
}

/// The options of a pool of `kind` over the configured database.
fn pool_options(config: &Config, url: String, kind: PoolKind) -> ConnectOptions {
    let mut options = ConnectOptions::new(url);
    let (max, min, test) = match kind {
        PoolKind::Background => (2, 0, true),
        PoolKind::Probe => (4, 0, true),
        _ => (config.db_max_connections, 1, config.db_test_before_acquire),
    };
    options
        .max_connections(max)
        .min_connections(min)
        .acquire_timeout(config.db_acquire_timeout())
        .test_before_acquire(test)
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
        let mut settings = vec![("statement_timeout", statement_timeout.as_str())];
        if kind == PoolKind::Reads {
            settings.push(("default_transaction_isolation", "repeatable read"));
            settings.push(("default_transaction_read_only", "on"));
        }
        pg.options(settings)
    });
    // Write-ahead logging: a reader's snapshot (a query's transaction) never blocks a writer,
    // nor a writer a reader; SQLite's default journal would make each wait for the other.
    options.map_sqlx_sqlite_opts(|sqlite| {
        sqlite.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
    });
    options
}

/// Counts the statements `db` runs on `counter` (and traces each).
fn count_statements(db: &mut DatabaseConnection, counter: &SqlStatementCounter) {
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
}

/// Opens a pool to the configured database and starts counting its statements.
pub async fn connect(config: &Config) -> Result<(DatabaseConnection, SqlStatementCounter), DbErr> {
    let mut db = Database::connect(pool_options(
        config,
        config.effective_database_url(),
        PoolKind::Writes,
    ))
    .await?;
    let counter = SqlStatementCounter::default();
    count_statements(&mut db, &counter);
    Ok((db, counter))
}

/// Opens the pool that queries read through. On PostgreSQL it is a pool of its own whose
/// connections begin every transaction `REPEATABLE READ, READ ONLY`: a query's
/// [`RequestReads`](crate::reads::RequestReads) takes its snapshot with a bare `BEGIN` (one
/// round trip, not two), and the write pool's transactions stay `READ COMMITTED`. It counts its
/// statements on `counter`. On SQLite, whose deferred transactions are snapshots already, it
/// is the write pool itself.
pub async fn connect_reads(
    config: &Config,
    primary: &DatabaseConnection,
    counter: &SqlStatementCounter,
) -> Result<DatabaseConnection, DbErr> {
    if !config.is_postgres() {
        return Ok(primary.clone());
    }
    let mut reads = Database::connect(pool_options(
        config,
        config.effective_database_url(),
        PoolKind::Reads,
    ))
    .await?;
    count_statements(&mut reads, counter);
    Ok(reads)
}

/// Opens a read pool (like the primary's: `REPEATABLE READ, READ ONLY` snapshots) to each of
/// `DATABASE_READ_URLS`, counting their statements on `counter`, and routes reads over them
/// and `primary_reads`; the checks get small pools of their own (four connections to each
/// replica and to the primary). The replicas serve once the monitor has checked them.
pub async fn connect_replicas(
    config: &Config,
    primary_reads: DatabaseConnection,
    counter: &SqlStatementCounter,
) -> Result<ReadRouter, DbErr> {
    let urls: Vec<&str> = config
        .database_read_urls
        .iter()
        .map(|url| url.trim())
        .filter(|url| !url.is_empty())
        .collect();
    if urls.is_empty() {
        return Ok(ReadRouter::primary_only(primary_reads));
    }
    let mut replicas = Vec::new();
    for url in urls {
        let mut reads =
            Database::connect(pool_options(config, url.to_string(), PoolKind::Reads)).await?;
        count_statements(&mut reads, counter);
        let probe =
            Database::connect(pool_options(config, url.to_string(), PoolKind::Probe)).await?;
        replicas.push(replicas::ReplicaPools {
            label: replicas::label_of(url),
            reads,
            probe,
        });
    }
    let primary_probe = Database::connect(pool_options(
        config,
        config.effective_database_url(),
        PoolKind::Probe,
    ))
    .await?;
    Ok(ReadRouter::new(
        primary_reads,
        primary_probe,
        replicas,
        Duration::from_millis(config.max_replica_lag_ms.max(1)),
        // Half the request's time on a replica, so the rerun on the primary has the rest.
        Duration::from_millis((config.request_timeout_ms / 2).max(1)),
    ))
}

/// Connections `db`'s pool holds, and how many of them are idle.
pub fn pool_connections(db: &DatabaseConnection) -> (u32, u32) {
    match db.get_database_backend() {
        DbBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            (pool.size(), pool.num_idle() as u32)
        }
        DbBackend::Sqlite => {
            let pool = db.get_sqlite_connection_pool();
            (pool.size(), pool.num_idle() as u32)
        }
        _ => (0, 0),
    }
}

/// Opens a small pool for the server's own background work (following the change log), apart
/// from the pools requests use: it does not wait behind requests for a connection under load,
/// and its statements are not counted with the requests'.
pub async fn connect_background(config: &Config) -> Result<DatabaseConnection, DbErr> {
    Database::connect(pool_options(
        config,
        config.effective_database_url(),
        PoolKind::Background,
    ))
    .await
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
