//! The change feed: every change event, in order, to every subscriber of this instance.
//!
//! The change log in the database is the source of truth; the feed follows it. Whenever a
//! change may have committed (this instance wrote one, another instance's `NOTIFY` arrived,
//! the listener reconnected) and on a regular tick regardless, it reads the events after the
//! last one it passed on and broadcasts them. A lost notification therefore delays an event
//! by one tick at most and never loses it, and events reach subscribers in id order, exactly
//! once per instance.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::time::Duration;

use chrono::Utc;
use entity::change_event;
use sea_orm::DatabaseConnection;
use tokio::sync::{Notify, broadcast};
use tokio::task::JoinHandle;

use crate::error::AppError;
use crate::service::change_log;

/// One event, shared by every subscriber that receives it.
pub type Event = Arc<change_event::Model>;

/// Events read from the log at a time.
const PAGE: u64 = 500;

/// The feed of one instance (cheap to clone).
#[derive(Clone)]
pub struct ChangeFeed(Arc<Inner>);

struct Inner {
    sender: broadcast::Sender<Event>,
    wake: Notify,
    /// The last event passed on; -1 until the feed has read the log once.
    last: AtomicI64,
    /// Signalled each time the feed has caught up with the log.
    caught_up: Notify,
    /// Subscriptions following the feed now.
    following: AtomicUsize,
}

/// One subscription following the feed, counted while it lives.
pub struct Following(Arc<Inner>);

impl Drop for Following {
    fn drop(&mut self) {
        self.0.following.fetch_sub(1, Ordering::AcqRel);
    }
}

impl ChangeFeed {
    /// A feed whose subscribers may fall up to `capacity` events behind before they must
    /// read the log themselves (see [`broadcast`]'s lagging).
    pub fn new(capacity: usize) -> Self {
        let (sender, _) = broadcast::channel(capacity.max(1));
        Self(Arc::new(Inner {
            sender,
            wake: Notify::new(),
            last: AtomicI64::new(-1),
            caught_up: Notify::new(),
            following: AtomicUsize::new(0),
        }))
    }

    /// The events from now on. Subscribe before reading a backlog, so nothing falls between.
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.0.sender.subscribe()
    }

    /// The last event passed on (`None` before the feed first read the log).
    pub fn last_seen(&self) -> Option<i64> {
        let last = self.0.last.load(Ordering::Acquire);
        (last >= 0).then_some(last)
    }

    /// Counts a subscription as following the feed until the returned guard is dropped.
    pub fn follow(&self) -> Following {
        self.0.following.fetch_add(1, Ordering::AcqRel);
        Following(self.0.clone())
    }

    /// How many subscriptions this instance runs now.
    pub fn subscribers(&self) -> usize {
        self.0.following.load(Ordering::Acquire)
    }

    /// Says a change may have committed: the feed reads the log now.
    pub fn wake(&self) {
        self.0.wake.notify_one();
    }

    /// Waits until the feed has read the log up to at least event `id`, at most `limit`.
    pub async fn seen(&self, id: i64, limit: Duration) -> bool {
        let waiting = async {
            loop {
                let caught_up = self.0.caught_up.notified();
                if self.last_seen().is_some_and(|last| last >= id) {
                    return;
                }
                caught_up.await;
            }
        };
        tokio::time::timeout(limit, waiting).await.is_ok()
    }

    /// Follows the log on `db` for as long as the runtime runs: on every wake and every
    /// `tick`; drops events older than `retention` once an hour.
    pub fn spawn(
        &self,
        db: DatabaseConnection,
        tick: Duration,
        retention: Duration,
    ) -> JoinHandle<()> {
        let feed = self.clone();
        tokio::spawn(async move {
            let mut last_purge = tokio::time::Instant::now();
            let mut first = true;
            loop {
                if let Err(err) = feed.catch_up(&db).await {
                    tracing::debug!(error = ?err, "could not read the change log");
                }
                if first || last_purge.elapsed() >= Duration::from_secs(3600) {
                    first = false;
                    last_purge = tokio::time::Instant::now();
                    let before = Utc::now()
                        - chrono::Duration::from_std(retention).unwrap_or(chrono::Duration::MAX);
                    match change_log::drop_before(&db, before).await {
                        Ok(0) => {}
                        Ok(n) => tracing::info!(
                            dropped = n,
                            "dropped change events past their retention"
                        ),
                        Err(err) => {
                            tracing::debug!(error = ?err, "could not drop old change events")
                        }
                    }
                }
                let _ = tokio::time::timeout(tick, feed.0.wake.notified()).await;
            }
        })
    }

    /// Reads and broadcasts every event after the last one passed on.
    async fn catch_up(&self, db: &DatabaseConnection) -> Result<(), AppError> {
        let mut last = self.0.last.load(Ordering::Acquire);
        if last < 0 {
            // Subscribers hear of what happens from now on; resuming ones read the log.
            last = change_log::last_id(db).await?;
        } else {
            loop {
                let events = change_log::events_after(db, last, PAGE).await?;
                let full = events.len() as u64 == PAGE;
                for event in events {
                    last = event.id;
                    // No subscriber is not an error: the event is in the log.
                    let _ = self.0.sender.send(Arc::new(event));
                }
                if !full {
                    break;
                }
            }
        }
        self.0.last.store(last, Ordering::Release);
        self.0.caught_up.notify_waiters();
        Ok(())
    }
}
