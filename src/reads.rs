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
//!
//! An anonymous query's snapshot may be taken on a read replica ([`RequestReads::routed`]):
//! the next one that may serve (see `db::replicas`), else the primary. When the replica
//! cannot begin it, the snapshot is taken on the primary at once; when a statement fails on
//! the replica later (it stopped, cancelled the statement for a conflict with recovery, or
//! ran past the router's statement limit), the request is marked
//! [`replica_failed`](RequestReads::replica_failed) and the transport runs it again on the
//! primary, so a replica's failure never fails a request.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, ExecResult,
    QueryResult, Statement, TransactionOptions,
};
use tokio::sync::OnceCell;

use crate::db::replicas::Replica;
use crate::db::{ReadRouter, begin_whole};

/// Where one request reads from: one snapshot for the whole request, or the pool.
pub struct RequestReads {
    source: Source,
    snapshot: OnceCell<Snapshot>,
    /// A statement failed on a replica's snapshot: the answer must come from the primary.
    replica_failed: AtomicBool,
}

enum Source {
    /// Each statement on the pool as it is (a mutation's reads).
    Direct(DatabaseConnection),
    /// One snapshot on this pool.
    Snapshot(DatabaseConnection),
    /// One snapshot on a replica in rotation, else on the primary.
    Routed(ReadRouter),
}

struct Snapshot {
    transaction: DatabaseTransaction,
    /// The replica it was taken on, if any.
    replica: Option<Arc<Replica>>,
}

impl RequestReads {
    /// Reads that all see the database as of the request's first read (for queries), from
    /// the read pool (`db::connect_reads`).
    pub fn snapshot(pool: &DatabaseConnection) -> Self {
        Self::from(Source::Snapshot(pool.clone()))
    }

    /// A snapshot like [`snapshot`](Self::snapshot), taken on a read replica in rotation when
    /// there is one (for anonymous queries), else on the primary's read pool.
    pub fn routed(router: &ReadRouter) -> Self {
        if router.has_replicas() {
            Self::from(Source::Routed(router.clone()))
        } else {
            Self::snapshot(router.primary())
        }
    }

    /// Reads that each see the latest commit (for mutations, which read back their writes).
    pub fn direct(pool: &DatabaseConnection) -> Self {
        Self::from(Source::Direct(pool.clone()))
    }

    fn from(source: Source) -> Self {
        Self {
            source,
            snapshot: OnceCell::new(),
            replica_failed: AtomicBool::new(false),
        }
    }

    /// Whether a statement failed on a read replica (the request must run again on the
    /// primary: its answer may lack what the replica could not read).
    pub fn replica_failed(&self) -> bool {
        self.replica_failed.load(Ordering::Relaxed)
    }

    /// Whether this request's reads may go to a replica.
    pub fn is_routed(&self) -> bool {
        matches!(self.source, Source::Routed(_))
    }

    /// The snapshot, begun on first use.
    async fn snapshot_begun(&self) -> Result<&Snapshot, DbErr> {
        self.snapshot
            .get_or_try_init(|| async {
                // The read pools' connections begin `REPEATABLE READ, READ ONLY` by default
                // (see `db::connect_reads`); on SQLite a deferred transaction is a snapshot.
                match &self.source {
                    Source::Direct(pool) | Source::Snapshot(pool) => Ok(Snapshot {
                        transaction: begin_whole(pool, TransactionOptions::default()).await?,
                        replica: None,
                    }),
                    Source::Routed(router) => begin_routed(router).await,
                }
            })
            .await
    }

    /// Notes that `result` came from the snapshot: an error on a replica means the request
    /// must be answered by the primary.
    fn noted<T>(&self, snapshot: &Snapshot, result: Result<T, DbErr>) -> Result<T, DbErr> {
        if let (Err(err), Some(replica), Source::Routed(router)) =
            (&result, &snapshot.replica, &self.source)
            && !self.replica_failed.swap(true, Ordering::Relaxed)
        {
            router.failed(replica, err);
        }
        result
    }
}

/// Begins a snapshot on the next replica in rotation; on the primary when there is none or
/// it cannot begin one.
async fn begin_routed(router: &ReadRouter) -> Result<Snapshot, DbErr> {
    if let Some(replica) = router.pick() {
        // A replica that does not even begin within the lag it may have is not waited for
        // (the monitor judges whether it is down or only busy).
        let begin = begin_whole(replica.pool(), TransactionOptions::default());
        let begun = tokio::time::timeout(router.max_lag(), begin)
            .await
            .unwrap_or(Err(DbErr::ConnectionAcquire(
                sea_orm::ConnAcquireErr::Timeout,
            )));
        match begun {
            Ok(transaction) => {
                router.served(&replica);
                return Ok(Snapshot {
                    transaction,
                    replica: Some(replica),
                });
            }
            Err(err) => router.failed(&replica, &err),
        }
    }
    router.served_by_primary();
    Ok(Snapshot {
        transaction: begin_whole(router.primary(), TransactionOptions::default()).await?,
        replica: None,
    })
}

/// Runs `$call` on the snapshot (begun if need be) or on the pool. On a replica's snapshot a
/// statement may run for the router's statement limit at most, and once one has failed the
/// rest fail at once: the request is to be run again on the primary.
macro_rules! forward {
    ($self:ident, $method:ident($($arg:expr),*)) => {
        match &$self.source {
            Source::Direct(pool) => pool.$method($($arg),*).await,
            source => {
                let snapshot = $self.snapshot_begun().await?;
                match (&snapshot.replica, source) {
                    (Some(replica), Source::Routed(router)) => {
                        if $self.replica_failed() {
                            return Err(replica_gave_up());
                        }
                        let running = snapshot.transaction.$method($($arg),*);
                        match tokio::time::timeout(router.statement_limit(), running).await {
                            Ok(result) => $self.noted(snapshot, result),
                            Err(_) => {
                                if !$self.replica_failed.swap(true, Ordering::Relaxed) {
                                    router.hung(replica);
                                }
                                Err(replica_gave_up())
                            }
                        }
                    }
                    _ => snapshot.transaction.$method($($arg),*).await,
                }
            }
        }
    };
}

/// The error of a statement not run (or given up) on a replica that failed the request.
fn replica_gave_up() -> DbErr {
    DbErr::Custom("the read replica failed this request; it runs again on the primary".into())
}

#[async_trait::async_trait]
impl ConnectionTrait for RequestReads {
    fn get_database_backend(&self) -> DbBackend {
        match &self.source {
            Source::Direct(pool) | Source::Snapshot(pool) => pool.get_database_backend(),
            Source::Routed(router) => router.primary().get_database_backend(),
        }
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
