//! One request's reads, from one snapshot of the database.
//!
//! A page is read in more than one statement (the film, then its lists in one bundle; more for
//! people's roles or a film's revisions). Run one by one on the pool, each statement would see
//! the database as it is when it runs, and a publish that commits between two of them would
//! give the reader a page mixing two versions: the old title over the new sections. A query's
//! [`RequestReads`] runs every statement of the request in one read-only transaction instead:
//! `REPEATABLE READ` on PostgreSQL, a deferred transaction on SQLite (whose WAL gives a reader
//! the database as of its first read). The transaction is begun by the first statement, so a
//! request that reads nothing (a cached answer, a refusal) costs nothing, and it ends when the
//! request's last handle is dropped: the rollback is queued on the connection and sent with
//! its next statement, so ending it costs no round trip either.
//!
//! A mutation's [`RequestReads`] reads from the pool directly, so what it returns after a
//! write is the write's result, not a snapshot taken before it.

use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, ExecResult,
    QueryResult, Statement, TransactionTrait,
};
use tokio::sync::OnceCell;

/// Where one request reads from: one snapshot for the whole request, or the pool.
pub struct RequestReads {
    pool: DatabaseConnection,
    consistent: bool,
    snapshot: OnceCell<DatabaseTransaction>,
}

impl RequestReads {
    /// Reads that all see the database as of the request's first read (for queries), from
    /// the read pool (`db::connect_reads`).
    pub fn snapshot(pool: &DatabaseConnection) -> Self {
        Self {
            pool: pool.clone(),
            consistent: true,
            snapshot: OnceCell::new(),
        }
    }

    /// Reads that each see the latest commit (for mutations, which read back their writes).
    pub fn direct(pool: &DatabaseConnection) -> Self {
        Self {
            pool: pool.clone(),
            consistent: false,
            snapshot: OnceCell::new(),
        }
    }

    /// The snapshot, begun on first use.
    async fn transaction(&self) -> Result<&DatabaseTransaction, DbErr> {
        self.snapshot
            .get_or_try_init(|| async {
                // The read pool's connections begin `REPEATABLE READ, READ ONLY` by default
                // (see `db::connect_reads`); on SQLite a deferred transaction is a snapshot.
                self.pool.begin().await
            })
            .await
    }
}

/// Runs `$call` on the snapshot (begun if need be) or on the pool.
macro_rules! forward {
    ($self:ident, $method:ident($($arg:expr),*)) => {
        if $self.consistent {
            $self.transaction().await?.$method($($arg),*).await
        } else {
            $self.pool.$method($($arg),*).await
        }
    };
}

#[async_trait::async_trait]
impl ConnectionTrait for RequestReads {
    fn get_database_backend(&self) -> DbBackend {
        self.pool.get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        forward!(self, execute_raw(stmt))
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        forward!(self, execute_unprepared(sql))
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        forward!(self, query_one_raw(stmt))
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        forward!(self, query_all_raw(stmt))
    }
}
