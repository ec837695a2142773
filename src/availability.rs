//! Whether the database answers, as the server last saw it, so requests fail fast while it
//! does not.
//!
//! The server starts even when the database is down: it keeps trying to migrate in the
//! background, `/readyz` says not ready, and GraphQL requests are refused at once with
//! `SERVICE_UNAVAILABLE` instead of each waiting out the pool's acquire timeout. Once up, a
//! request that finds the database gone marks it down; from then on requests are refused at
//! once while a probe asks the database every [`PROBE_EVERY`] and marks it up when it answers.
//! So during an outage at most the requests already waiting on the pool take the acquire
//! timeout, and the server recovers by itself within a probe interval of the database's return.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use sea_orm::DatabaseConnection;
use tokio::sync::Notify;

use crate::db;
use crate::error::is_unavailable;

/// How often a down (or not yet migrated) database is asked again.
pub const PROBE_EVERY: Duration = Duration::from_millis(250);

/// Longest a migration attempt may take.
const MIGRATE_TIMEOUT: Duration = Duration::from_secs(120);

/// Longest a probe waits for an answer.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// The database's state as the server sees it (cheap to clone; clones share it).
#[derive(Clone)]
pub struct Availability(Arc<Inner>);

struct Inner {
    up: AtomicBool,
    migrated: AtomicBool,
    changed: Notify,
}

impl Availability {
    /// A database known to be up and migrated.
    pub fn ready() -> Self {
        Self::with(true)
    }

    /// A database not reached yet.
    pub fn pending() -> Self {
        Self::with(false)
    }

    fn with(ready: bool) -> Self {
        Self(Arc::new(Inner {
            up: AtomicBool::new(ready),
            migrated: AtomicBool::new(ready),
            changed: Notify::new(),
        }))
    }

    /// Whether requests may go to the database.
    pub fn serving(&self) -> bool {
        self.0.up.load(Ordering::Acquire) && self.0.migrated.load(Ordering::Acquire)
    }

    /// Notes that a request found the database unreachable.
    pub fn mark_down(&self) {
        if self.0.up.swap(false, Ordering::AcqRel) {
            tracing::warn!("the database is unreachable; refusing requests until it answers");
            self.0.changed.notify_waiters();
        }
    }

    fn mark_up(&self) {
        if !self.0.up.swap(true, Ordering::AcqRel) {
            tracing::info!("the database answers again");
        }
    }

    /// Keeps the state true for as long as the runtime runs: migrates (and seeds) the
    /// database once it answers, if that has not happened yet, and probes it while it is
    /// marked down.
    pub fn watch(&self, db: DatabaseConnection) -> tokio::task::JoinHandle<()> {
        let this = self.clone();
        tokio::spawn(async move {
            loop {
                let notified = this.0.changed.notified();
                if this.serving() {
                    notified.await;
                    continue;
                }
                this.probe(&db).await;
                if !this.serving() {
                    tokio::time::sleep(PROBE_EVERY).await;
                }
            }
        })
    }

    async fn probe(&self, db: &DatabaseConnection) {
        if !self.0.migrated.load(Ordering::Acquire) {
            match tokio::time::timeout(MIGRATE_TIMEOUT, db::migrate(db)).await {
                Ok(Ok(())) => {
                    tracing::info!("the database is migrated; serving");
                    self.0.migrated.store(true, Ordering::Release);
                    self.mark_up();
                }
                Ok(Err(err)) if !is_unavailable(&err) => {
                    tracing::error!(error = %err, "migrating the database failed");
                }
                _ => {}
            }
            return;
        }
        if let Ok(Ok(())) = tokio::time::timeout(PROBE_TIMEOUT, db.ping()).await {
            self.mark_up();
        }
    }
}
