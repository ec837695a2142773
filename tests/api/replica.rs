//! A real PostgreSQL primary with a streaming replica of its own (`scripts/pg-replica.sh`:
//! initdb, pg_basebackup -R, on free local ports in a temporary directory), for the tests of
//! reading from replicas. Without PostgreSQL's server binaries these tests skip with a message
//! (and fail when `CI` is set).

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use sea_orm::{ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement};

use crate::helpers::{eventually, free_port};

/// A primary and its streaming replica, stopped when dropped.
pub struct ReplicaPair {
    dir: tempfile::TempDir,
    replica_port: u16,
    /// The primary's URL.
    pub primary_url: String,
    /// The replica's URL.
    pub replica_url: String,
}

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scripts/pg-replica.sh")
}

impl ReplicaPair {
    /// Starts a pair; `None` (the test skips) without PostgreSQL's server binaries.
    pub fn start() -> Option<Self> {
        let has_binaries = std::fs::read_dir("/usr/lib/postgresql")
            .map(|versions| {
                versions
                    .flatten()
                    .any(|v| v.path().join("bin/pg_basebackup").exists())
            })
            .unwrap_or(false);
        if !has_binaries {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI is set but PostgreSQL's server binaries are missing"
            );
            eprintln!("skipping: no PostgreSQL server binaries under /usr/lib/postgresql");
            return None;
        }
        let dir = tempfile::tempdir().expect("a temporary directory");
        // The servers run as the postgres user when the tests run as root.
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))
            .expect("the directory is readable");
        let (primary, replica) = (free_port(), free_port());
        let cluster = dir.path().join("cluster");
        let status = Command::new(script())
            .arg("start")
            .arg(&cluster)
            .arg(primary.to_string())
            .arg(replica.to_string())
            .status()
            .expect("the replica script runs");
        assert!(status.success(), "the primary and its replica start");
        Some(Self {
            dir,
            replica_port: replica,
            primary_url: format!("postgres://postgres@127.0.0.1:{primary}/postgres"),
            replica_url: format!("postgres://postgres@127.0.0.1:{replica}/postgres"),
        })
    }
}

impl ReplicaPair {
    fn script(&self, step: &str, port: Option<u16>) {
        let mut command = Command::new(script());
        command.arg(step).arg(self.dir.path().join("cluster"));
        if let Some(port) = port {
            command.arg(port.to_string());
        }
        assert!(
            command.status().expect("the replica script runs").success(),
            "{step} succeeds"
        );
    }

    /// Stops the replica at once (as a crash would).
    pub fn stop_replica(&self) {
        self.script("stop-replica", None);
    }

    /// Starts the replica again on its port.
    pub fn start_replica(&self) {
        self.script("start-replica", Some(self.replica_port));
    }

    /// Stops every process of the replica where it is (SIGSTOP): it hangs, its connections
    /// stay open and unanswered.
    pub fn freeze_replica(&self) {
        self.script("freeze-replica", None);
    }

    /// Lets a frozen replica run again.
    pub fn thaw_replica(&self) {
        self.script("thaw-replica", None);
    }

    /// Pauses the replica's replay: it keeps serving what it had.
    pub async fn pause_replay(&self) {
        let replica = Database::connect(&self.replica_url)
            .await
            .expect("the replica");
        run(&replica, "SELECT pg_wal_replay_pause()").await;
        eventually("replay is paused", Duration::from_secs(10), || async {
            scalar(&replica, "SELECT pg_get_wal_replay_pause_state()").await == "paused"
        })
        .await;
    }

    /// Resumes the replica's replay.
    pub async fn resume_replay(&self) {
        let replica = Database::connect(&self.replica_url)
            .await
            .expect("the replica");
        run(&replica, "SELECT pg_wal_replay_resume()").await;
    }
}

impl Drop for ReplicaPair {
    fn drop(&mut self) {
        let _ = Command::new(script())
            .arg("stop")
            .arg(self.dir.path().join("cluster"))
            .status();
    }
}

/// The first column of the first row, as text; empty when the query fails (a table the
/// replica has not replayed yet).
async fn scalar(db: &DatabaseConnection, sql: &str) -> String {
    db.query_one_raw(Statement::from_string(DbBackend::Postgres, sql))
        .await
        .ok()
        .flatten()
        .and_then(|row| row.try_get_by_index::<String>(0).ok())
        .unwrap_or_default()
}

async fn run(db: &DatabaseConnection, sql: &str) {
    db.execute_raw(Statement::from_string(DbBackend::Postgres, sql))
        .await
        .expect("the statement runs");
}

#[tokio::test]
async fn the_replica_streams_the_primary_and_its_replay_can_be_paused() {
    let Some(pair) = ReplicaPair::start() else {
        return;
    };
    let primary = Database::connect(&pair.primary_url)
        .await
        .expect("the primary");
    let replica = Database::connect(&pair.replica_url)
        .await
        .expect("the replica");
    assert_eq!(
        scalar(&replica, "SELECT pg_is_in_recovery()::text").await,
        "true"
    );

    run(&primary, "CREATE TABLE probe (n int)").await;
    run(&primary, "INSERT INTO probe VALUES (1)").await;
    eventually(
        "the replica replays the insert",
        Duration::from_secs(10),
        || async { scalar(&replica, "SELECT count(*)::text FROM probe").await == "1" },
    )
    .await;

    // Paused, the replica keeps the old state however long the primary goes on.
    run(&replica, "SELECT pg_wal_replay_pause()").await;
    eventually("replay is paused", Duration::from_secs(10), || async {
        scalar(&replica, "SELECT pg_get_wal_replay_pause_state()").await == "paused"
    })
    .await;
    run(&primary, "INSERT INTO probe VALUES (2)").await;
    let primary_lsn = scalar(&primary, "SELECT pg_current_wal_lsn()::text").await;
    assert_eq!(
        scalar(&replica, "SELECT count(*)::text FROM probe").await,
        "1"
    );
    let behind = scalar(
        &replica,
        &format!("SELECT (pg_last_wal_replay_lsn() < '{primary_lsn}'::pg_lsn)::text"),
    )
    .await;
    assert_eq!(
        behind, "true",
        "the replica has not replayed past the insert"
    );

    run(&replica, "SELECT pg_wal_replay_resume()").await;
    eventually(
        "the replica catches up",
        Duration::from_secs(10),
        || async { scalar(&replica, "SELECT count(*)::text FROM probe").await == "2" },
    )
    .await;
}
