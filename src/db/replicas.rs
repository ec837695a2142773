//! Read replicas: which pool an anonymous query reads from, and when a replica may serve.
//!
//! A [`ReadRouter`] holds the primary's read pool and one read pool per streaming replica
//! (`DATABASE_READ_URLS`). A replica serves ([`ReadRouter::pick`]) only while:
//!
//! - **It is in rotation: healthy and close behind.** A monitor
//!   ([`ReadRouter::spawn_monitor`]) samples the primary's WAL position every
//!   `REPLICA_CHECK_INTERVAL_MS` and asks each replica how far it has replayed. A replica's lag
//!   is how long ago the primary had written something the replica has still not replayed
//!   (zero when it has replayed every sample), so an idle primary never makes a replica look
//!   late. One that does not answer, is more than `MAX_REPLICA_LAG_MS` behind, is not a
//!   standby at all, or cannot be reached by a query, is taken out at once; it comes back when
//!   it answers and has caught up.
//! - **It has replayed every write waited for.** After a write commits,
//!   [`ReadRouter::caught_up`] raises the *watermark* to the primary's WAL position, then waits
//!   until every replica in rotation has replayed past it (at most `MAX_REPLICA_LAG_MS`; one
//!   that has not by then leaves rotation). The response cache applies the write only after
//!   that, and the write is acknowledged only then. `pick` compares each replica with the
//!   watermark every time, so no replica serves anything older than a write already waited
//!   for, whatever the monitor does meanwhile.
//! - **This instance hears every change** (its listener is connected; see
//!   [`ReadRouter::set_following`]), and no write's position is unknown (when it cannot be
//!   read, the monitor's next read of the primary covers it).
//!
//! Otherwise queries read the primary.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Statement};
use tokio::task::JoinHandle;

/// The primary's WAL position a write is surely behind: where the next record will be
/// inserted (the write position could lag behind a commit with `synchronous_commit` off).
const PRIMARY_POSITION: &str = "pg_current_wal_insert_lsn()";

/// How often [`ReadRouter::caught_up`] asks a replica that is behind again.
const CATCH_UP_POLL: Duration = Duration::from_millis(2);

/// Where reads may go: the primary's read pool and the replicas (cheap to clone).
#[derive(Clone)]
pub struct ReadRouter(Arc<Router>);

struct Router {
    primary: DatabaseConnection,
    /// A small pool to the primary for WAL positions, apart from the requests' pools, so a
    /// busy pool never delays (or fails) a check.
    primary_probe: DatabaseConnection,
    replicas: Vec<Arc<Replica>>,
    /// Round-robin position.
    next: AtomicUsize,
    max_lag: Duration,
    /// The highest WAL position a write has waited for: no replica serves before it has
    /// replayed this far (see the module docs).
    watermark: AtomicU64,
    /// Writes whose WAL position could not be read (counted up), and how many of them the
    /// monitor has covered since by raising the watermark to a position read after them: no
    /// replica serves while some are not covered.
    resyncs_requested: AtomicU64,
    resyncs_covered: AtomicU64,
    /// Whether this instance hears every change (its listener is connected): while it does
    /// not, a write elsewhere could be acknowledged before a replica here replays it, so no
    /// replica serves.
    following: AtomicBool,
    /// How long one statement may run on a replica before the request leaves it for the
    /// primary.
    statement_limit: Duration,
    /// Snapshots begun on the primary's read pool by queries that could have used a replica.
    primary_reads: AtomicU64,
    /// Writes waited for (see [`ReadRouter::caught_up`]), and the microseconds they waited.
    waits: AtomicU64,
    waited_us: AtomicU64,
}

/// One read replica: its pool and what the monitor last saw of it.
pub struct Replica {
    label: String,
    pool: DatabaseConnection,
    /// A small pool for checks, apart from the requests' pool.
    probe: DatabaseConnection,
    in_rotation: AtomicBool,
    answering: AtomicBool,
    /// Whether its not answering has been logged (once per outage).
    reported_down: AtomicBool,
    replayed: AtomicU64,
    lag_ms: AtomicU64,
    reads: AtomicU64,
    failovers: AtomicU64,
    removals: AtomicU64,
}

/// The pools to one replica.
pub struct ReplicaPools {
    /// `host:port/database`, without credentials ([`label_of`]).
    pub label: String,
    /// Queries' snapshots.
    pub reads: DatabaseConnection,
    /// Health and lag checks.
    pub probe: DatabaseConnection,
}

/// What `/metrics` and `/readyz` show of a replica.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplicaStatus {
    /// `host:port/database`, without credentials.
    pub label: String,
    /// Whether it answered its last check.
    pub answering: bool,
    /// Whether queries read from it now.
    pub in_rotation: bool,
    /// How far behind the primary it was at its last check.
    pub lag_ms: u64,
    /// Query snapshots it has served.
    pub reads: u64,
    /// Queries moved to the primary after it failed them.
    pub failovers: u64,
    /// Times it was taken out of rotation.
    pub removals: u64,
    /// Connections its pool holds, and how many of them are idle.
    pub pool: (u32, u32),
}

impl Replica {
    /// The replica's pool.
    pub fn pool(&self) -> &DatabaseConnection {
        &self.pool
    }

    /// The replica did not answer a check: out of rotation, logged once until it answers.
    fn down(&self, error: &str) {
        self.answering.store(false, Ordering::Relaxed);
        if !self.reported_down.swap(true, Ordering::Relaxed) {
            tracing::warn!(replica = %self.label, error, "read replica does not answer; queries read elsewhere meanwhile");
        }
        self.take_out("it does not answer");
    }

    fn put_back(&self) {
        if !self.in_rotation.swap(true, Ordering::SeqCst) {
            tracing::info!(replica = %self.label, "read replica back in rotation");
        }
    }

    fn take_out(&self, why: &str) {
        if self.in_rotation.swap(false, Ordering::SeqCst) {
            self.removals.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(replica = %self.label, reason = why, "read replica out of rotation");
        }
    }
}

impl ReadRouter {
    /// Reads from `primary` alone.
    pub fn primary_only(primary: DatabaseConnection) -> Self {
        Self::new(
            primary.clone(),
            primary,
            Vec::new(),
            Duration::from_secs(1),
            Duration::from_secs(1),
        )
    }

    /// Reads from `primary` and the `replicas`; replicas may serve once the monitor has seen
    /// them healthy and at most `max_lag` behind. `primary_probe` and each replica's
    /// [`ReplicaPools::probe`] are small pools the checks use.
    pub fn new(
        primary: DatabaseConnection,
        primary_probe: DatabaseConnection,
        replicas: Vec<ReplicaPools>,
        max_lag: Duration,
        statement_limit: Duration,
    ) -> Self {
        let replicas = replicas
            .into_iter()
            .map(
                |ReplicaPools {
                     label,
                     reads,
                     probe,
                 }| {
                    Arc::new(Replica {
                        label,
                        pool: reads,
                        probe,
                        in_rotation: AtomicBool::new(false),
                        answering: AtomicBool::new(false),
                        reported_down: AtomicBool::new(false),
                        replayed: AtomicU64::new(0),
                        lag_ms: AtomicU64::new(0),
                        reads: AtomicU64::new(0),
                        failovers: AtomicU64::new(0),
                        removals: AtomicU64::new(0),
                    })
                },
            )
            .collect();
        Self(Arc::new(Router {
            primary,
            primary_probe,
            replicas,
            next: AtomicUsize::new(0),
            max_lag,
            watermark: AtomicU64::new(0),
            resyncs_requested: AtomicU64::new(0),
            resyncs_covered: AtomicU64::new(0),
            following: AtomicBool::new(false),
            statement_limit,
            primary_reads: AtomicU64::new(0),
            waits: AtomicU64::new(0),
            waited_us: AtomicU64::new(0),
        }))
    }

    /// The primary's read pool (snapshots `REPEATABLE READ, READ ONLY`).
    pub fn primary(&self) -> &DatabaseConnection {
        &self.0.primary
    }

    /// Whether any replica is configured.
    pub fn has_replicas(&self) -> bool {
        !self.0.replicas.is_empty()
    }

    /// How far behind a replica may be.
    pub fn max_lag(&self) -> Duration {
        self.0.max_lag
    }

    /// How long one statement may run on a replica.
    pub fn statement_limit(&self) -> Duration {
        self.0.statement_limit
    }

    /// Whether this instance hears every change (see [`ReadRouter::set_following`]).
    pub fn set_following(&self, following: bool) {
        self.0.following.store(following, Ordering::SeqCst);
    }

    /// The next replica (round robin) that may serve now: in rotation and replayed past every
    /// write waited for; none while this instance does not hear every change or a write's
    /// position is unknown.
    pub fn pick(&self) -> Option<Arc<Replica>> {
        let router = &self.0;
        let replicas = &router.replicas;
        if replicas.is_empty()
            || !router.following.load(Ordering::SeqCst)
            || router.resyncs_covered.load(Ordering::SeqCst)
                < router.resyncs_requested.load(Ordering::SeqCst)
        {
            return None;
        }
        let watermark = router.watermark.load(Ordering::SeqCst);
        let start = router.next.fetch_add(1, Ordering::Relaxed);
        (0..replicas.len())
            .map(|offset| &replicas[(start + offset) % replicas.len()])
            .find(|replica| {
                replica.in_rotation.load(Ordering::SeqCst)
                    && replica.replayed.load(Ordering::SeqCst) >= watermark
            })
            .cloned()
    }

    /// Counts a snapshot begun on `replica`.
    pub fn served(&self, replica: &Replica) {
        replica.reads.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a query snapshot begun on the primary.
    pub fn served_by_primary(&self) {
        self.0.primary_reads.fetch_add(1, Ordering::Relaxed);
    }

    /// Query snapshots begun on the primary so far (of queries that could use a replica).
    pub fn primary_reads(&self) -> u64 {
        self.0.primary_reads.load(Ordering::Relaxed)
    }

    /// A query failed on `replica` with `err` and moves to the primary; a replica that cannot
    /// be reached is taken out of rotation (the monitor puts it back when it answers). A pool
    /// that is only busy (no connection free in time) is not the replica's fault.
    pub fn failed(&self, replica: &Replica, err: &DbErr) {
        replica.failovers.fetch_add(1, Ordering::Relaxed);
        let busy = matches!(
            err,
            DbErr::ConnectionAcquire(sea_orm::ConnAcquireErr::Timeout)
        );
        if !busy && crate::error::is_unavailable(err) {
            replica.answering.store(false, Ordering::Relaxed);
            replica.take_out("a query could not reach it");
        } else {
            tracing::debug!(replica = %replica.label, error = %err, "a query failed on a read replica; rerun on the primary");
        }
    }

    /// A statement ran on `replica` past [`statement_limit`](Self::statement_limit): it
    /// leaves rotation (the monitor puts it back if it answers its checks).
    pub fn hung(&self, replica: &Replica) {
        replica.failovers.fetch_add(1, Ordering::Relaxed);
        replica.take_out("a statement on it ran past its limit");
    }

    /// Waits until every replica in rotation has replayed the primary's WAL as it is now (a
    /// write that just committed included); takes out of rotation any that has not within
    /// `MAX_REPLICA_LAG_MS`. Returns at once without replicas. When the primary's position
    /// cannot be read, no replica serves until the monitor has read one.
    pub async fn caught_up_with_primary(&self) {
        if !self.has_replicas() {
            return;
        }
        match wal_position(&self.0.primary_probe, PRIMARY_POSITION).await {
            Ok(Some(position)) => self.caught_up(position).await,
            failed => {
                tracing::warn!(error = ?failed.err(), "could not read the primary's WAL position after a write; queries read the primary until the next check");
                self.0.resyncs_requested.fetch_add(1, Ordering::SeqCst);
            }
        }
    }

    /// Waits until every replica in rotation has replayed past `position`, at most
    /// `MAX_REPLICA_LAG_MS`; a replica that has not by then is taken out of rotation, and
    /// none comes back before it has.
    pub async fn caught_up(&self, position: u64) {
        let router = &self.0;
        router.watermark.fetch_max(position, Ordering::SeqCst);
        let started = Instant::now();
        self.replayed_past(position, started + router.max_lag).await;
        router.waits.fetch_add(1, Ordering::Relaxed);
        router
            .waited_us
            .fetch_add(started.elapsed().as_micros() as u64, Ordering::Relaxed);
    }

    /// Waits until every replica in rotation has replayed past `position`; at `deadline`
    /// takes out of rotation those that have not.
    async fn replayed_past(&self, position: u64, deadline: Instant) {
        let router = &self.0;
        loop {
            let behind: Vec<&Arc<Replica>> = router
                .replicas
                .iter()
                .filter(|replica| {
                    replica.in_rotation.load(Ordering::SeqCst)
                        && replica.replayed.load(Ordering::SeqCst) < position
                })
                .collect();
            if behind.is_empty() {
                return;
            }
            if Instant::now() >= deadline {
                for replica in behind {
                    replica.take_out("it did not replay a write within MAX_REPLICA_LAG_MS");
                }
                return;
            }
            let asks = behind.into_iter().map(|replica| async move {
                let asked = wal_position(&replica.probe, "pg_last_wal_replay_lsn()");
                let deadline = tokio::time::Instant::from_std(deadline);
                if let Ok(Ok(Some(replayed))) = tokio::time::timeout_at(deadline, asked).await {
                    replica.replayed.fetch_max(replayed, Ordering::SeqCst);
                }
            });
            futures_util::future::join_all(asks).await;
            tokio::time::sleep(CATCH_UP_POLL).await;
        }
    }

    /// Writes that waited for the replicas to replay them, and the seconds they waited in all.
    pub fn waits(&self) -> (u64, f64) {
        (
            self.0.waits.load(Ordering::Relaxed),
            self.0.waited_us.load(Ordering::Relaxed) as f64 / 1e6,
        )
    }

    /// What each replica looks like now.
    pub fn statuses(&self) -> Vec<ReplicaStatus> {
        self.0
            .replicas
            .iter()
            .map(|replica| ReplicaStatus {
                label: replica.label.clone(),
                answering: replica.answering.load(Ordering::Relaxed),
                in_rotation: replica.in_rotation.load(Ordering::SeqCst),
                lag_ms: replica.lag_ms.load(Ordering::Relaxed),
                reads: replica.reads.load(Ordering::Relaxed),
                failovers: replica.failovers.load(Ordering::Relaxed),
                removals: replica.removals.load(Ordering::Relaxed),
                pool: super::pool_connections(&replica.pool),
            })
            .collect()
    }

    /// Checks every replica each `interval` for as long as the runtime runs, sampling the
    /// primary's WAL position each time.
    pub fn spawn_monitor(&self, interval: Duration) -> JoinHandle<()> {
        let router = self.clone();
        tokio::spawn(async move {
            let mut samples = PrimarySamples::default();
            let mut ticks = tokio::time::interval(interval);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                router.check(&mut samples, interval).await;
            }
        })
    }

    /// One round of the monitor.
    async fn check(&self, samples: &mut PrimarySamples, interval: Duration) {
        let router = &self.0;
        let ask_limit = router.max_lag.max(interval);
        // Writes whose position was unknown before this read are covered by it.
        let resyncs = router.resyncs_requested.load(Ordering::SeqCst);
        if let Ok(Ok(Some(position))) = tokio::time::timeout(
            ask_limit,
            wal_position(&router.primary_probe, PRIMARY_POSITION),
        )
        .await
        {
            if resyncs > router.resyncs_covered.load(Ordering::SeqCst) {
                router.watermark.fetch_max(position, Ordering::SeqCst);
                router.resyncs_covered.fetch_max(resyncs, Ordering::SeqCst);
            }
            samples.add(Instant::now(), position, router.max_lag * 2 + interval * 4);
        }
        let asks = router.replicas.iter().map(|replica| async move {
            let asked = tokio::time::timeout(ask_limit, replay_state(&replica.probe)).await;
            (replica, asked)
        });
        for (replica, asked) in futures_util::future::join_all(asks).await {
            match asked {
                Ok(Ok(Some(replayed))) => {
                    replica.answering.store(true, Ordering::Relaxed);
                    if replica.reported_down.swap(false, Ordering::Relaxed) {
                        tracing::info!(replica = %replica.label, "read replica answers again");
                    }
                    replica.replayed.fetch_max(replayed, Ordering::SeqCst);
                    let lag = samples.lag(replayed, Instant::now());
                    replica
                        .lag_ms
                        .store(lag.as_millis() as u64, Ordering::Relaxed);
                    if lag > router.max_lag {
                        replica.take_out("it is more than MAX_REPLICA_LAG_MS behind");
                    } else if replayed >= router.watermark.load(Ordering::SeqCst) {
                        // A write may raise the watermark right after this: `pick` checks the
                        // replica against the watermark every time, so it serves only once it
                        // has replayed that write too.
                        replica.put_back();
                    }
                }
                Ok(Ok(None)) => {
                    replica.answering.store(true, Ordering::Relaxed);
                    replica.take_out("it is not a standby (not in recovery)");
                }
                Ok(Err(err)) => replica.down(&err.to_string()),
                Err(_) => replica.down("no answer to its check in time"),
            }
        }
    }
}

/// The primary's recent WAL positions and when each was read, oldest first.
#[derive(Default)]
struct PrimarySamples(VecDeque<(Instant, u64)>);

impl PrimarySamples {
    /// Records `position` read at `at`, forgetting samples older than `keep` (but never the
    /// newest).
    fn add(&mut self, at: Instant, position: u64, keep: Duration) {
        self.0.push_back((at, position));
        while self.0.len() > 1
            && self
                .0
                .front()
                .is_some_and(|(taken, _)| at.duration_since(*taken) > keep)
        {
            self.0.pop_front();
        }
    }

    /// How long ago the primary had written something a replica that replayed up to
    /// `replayed` still lacks (zero when it has every sample).
    fn lag(&self, replayed: u64, now: Instant) -> Duration {
        self.0
            .iter()
            .find(|(_, position)| *position > replayed)
            .map_or(Duration::ZERO, |(taken, _)| now.duration_since(*taken))
    }
}

/// A WAL position function's value (`pg_current_wal_lsn()`, `pg_last_wal_replay_lsn()`) as
/// a byte offset; `None` when it is null.
async fn wal_position(db: &DatabaseConnection, function: &str) -> Result<Option<u64>, DbErr> {
    position_of(db, format!("SELECT ({function} - '0/0'::pg_lsn)::bigint")).await
}

/// How far a replica has replayed; `None` when the server is not a standby.
async fn replay_state(db: &DatabaseConnection) -> Result<Option<u64>, DbErr> {
    let sql = "SELECT CASE WHEN pg_is_in_recovery() \
               THEN (pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::bigint END";
    position_of(db, sql.to_owned()).await
}

/// The WAL position `sql` selects (a byte offset, or null).
async fn position_of(db: &DatabaseConnection, sql: String) -> Result<Option<u64>, DbErr> {
    let row = db
        .query_one_raw(Statement::from_string(DbBackend::Postgres, sql))
        .await?;
    Ok(row
        .and_then(|row| row.try_get_by_index::<Option<i64>>(0).ok())
        .flatten()
        .map(|position| position.max(0) as u64))
}

/// `host:port/database` of a PostgreSQL URL, without user, password or parameters.
pub fn label_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let rest = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
    rest.split('?').next().unwrap_or(rest).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_shows_no_credentials() {
        assert_eq!(
            label_of("postgres://reader:secret@replica-1:5433/films?sslmode=require"),
            "replica-1:5433/films"
        );
        assert_eq!(label_of("postgresql://host/db"), "host/db");
    }

    #[test]
    fn lag_is_the_age_of_the_oldest_write_not_replayed() {
        let start = Instant::now();
        let mut samples = PrimarySamples::default();
        let keep = Duration::from_secs(60);
        samples.add(start, 100, keep);
        samples.add(start + Duration::from_millis(100), 200, keep);
        samples.add(start + Duration::from_millis(200), 200, keep);
        let now = start + Duration::from_millis(250);
        assert_eq!(samples.lag(200, now), Duration::ZERO, "replayed everything");
        assert_eq!(samples.lag(150, now), Duration::from_millis(150));
        assert_eq!(samples.lag(50, now), Duration::from_millis(250));
    }

    #[test]
    fn an_idle_primary_does_not_make_a_replica_late() {
        let start = Instant::now();
        let mut samples = PrimarySamples::default();
        let keep = Duration::from_secs(1);
        for second in 0..10 {
            samples.add(start + Duration::from_secs(second), 500, keep);
        }
        assert_eq!(
            samples.lag(500, start + Duration::from_secs(10)),
            Duration::ZERO
        );
        assert!(samples.0.len() <= 3, "old samples are forgotten");
    }
}
