//! Hears changes announced on PostgreSQL (by any instance, or by `filmserver import`),
//! applies them to this instance's cache and acknowledges each, and counts the
//! acknowledgements of this instance's own announcements.
//!
//! The listener has a connection of its own (not one of the pool's), named
//! [`LISTENER_APPLICATION_NAME`] so writers can count the instances listening. While it is
//! not connected the cache serves nothing; each time it connects it empties the cache first.
//!
//! It also hears the ids of new change events ([`EVENTS_CHANNEL`]) and wakes the change feed,
//! which reads them from the log; on every (re)connection it wakes the feed too, so what was
//! said while it was away is caught up from the log. A connection that falls silent (a
//! network drop the operating system has not noticed) is found by a `SELECT 1` whenever
//! nothing has arrived for `check_after` (`LISTENER_CHECK_INTERVAL_MS`), and made again.
//!
//! With read replicas an announcement is applied only once they have replayed it; that wait
//! runs beside the listener, which goes on hearing, and the acknowledgement is sent through
//! the write pool afterwards.

use std::str::FromStr;
use std::time::Duration;

use sea_orm::sqlx::postgres::{PgConnectOptions, PgListener, PgPoolOptions};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use tokio::task::JoinHandle;

use super::ResponseCache;
use crate::live::ChangeFeed;
use crate::service::changes::{
    ACK_CHANNEL, Announcement, CHANNEL, EVENTS_CHANNEL, LISTENER_APPLICATION_NAME,
};

/// Pause between attempts to reconnect.
const RETRY_EVERY: Duration = Duration::from_secs(1);
/// How long the check may take before the connection counts as lost (at most).
const CHECK_TIMEOUT: Duration = Duration::from_secs(5);

/// Starts listening on `database_url` for as long as the runtime runs.
pub fn spawn(
    cache: ResponseCache,
    feed: ChangeFeed,
    database_url: String,
    check_after: Duration,
    writes: DatabaseConnection,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match connect(&database_url).await {
                Ok(listener) => {
                    // What was missed while deaf may not be on the replicas yet either.
                    if let Some(replicas) = cache.replicas() {
                        replicas.caught_up_with_primary().await;
                    }
                    cache.set_listening(true);
                    feed.wake();
                    tracing::info!("listening for changes from other instances");
                    let lost = hear(&cache, &feed, listener, check_after, &writes).await;
                    tracing::warn!(error = %lost, "stopped hearing changes; the response cache is off until it reconnects");
                }
                Err(err) => {
                    tracing::debug!(error = %err, "could not listen for changes");
                }
            }
            cache.set_listening(false);
            tokio::time::sleep(RETRY_EVERY).await;
        }
    })
}

async fn connect(database_url: &str) -> Result<PgListener, sea_orm::sqlx::Error> {
    let options =
        PgConnectOptions::from_str(database_url)?.application_name(LISTENER_APPLICATION_NAME);
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(Duration::from_secs(5))
        .idle_timeout(None)
        .max_lifetime(None)
        .connect_with(options)
        .await?;
    let mut listener = PgListener::connect_with(&pool).await?;
    listener.ignore_pool_close_event(true);
    listener
        .listen_all([CHANNEL, ACK_CHANNEL, EVENTS_CHANNEL])
        .await?;
    Ok(listener)
}

/// Applies announcements until the connection fails; returns why.
async fn hear(
    cache: &ResponseCache,
    feed: &ChangeFeed,
    mut listener: PgListener,
    check_after: Duration,
    writes: &DatabaseConnection,
) -> sea_orm::sqlx::Error {
    loop {
        let notification = match tokio::time::timeout(check_after, listener.try_recv()).await {
            Ok(Ok(Some(notification))) => notification,
            // The connection dropped and was made again: what was said meanwhile is lost
            // (the cache starts afresh; the feed reads the log).
            Ok(Ok(None)) => {
                if let Some(replicas) = cache.replicas() {
                    replicas.caught_up_with_primary().await;
                }
                cache.set_listening(true);
                feed.wake();
                continue;
            }
            Ok(Err(err)) => return err,
            // Quiet for a while: make sure the connection is still there.
            Err(_) => {
                let check = sea_orm::sqlx::query("SELECT 1").execute(&mut listener);
                match tokio::time::timeout(CHECK_TIMEOUT.min(check_after), check).await {
                    Ok(Ok(_)) => continue,
                    Ok(Err(err)) => return err,
                    Err(_) => {
                        return sea_orm::sqlx::Error::Io(std::io::Error::new(
                            std::io::ErrorKind::TimedOut,
                            "the listening connection did not answer a check",
                        ));
                    }
                }
            }
        };
        if notification.channel() == EVENTS_CHANNEL {
            feed.wake();
            continue;
        }
        if notification.channel() == ACK_CHANNEL {
            if let Ok(notice) = notification.payload().parse() {
                cache.acknowledged(notice);
            }
            continue;
        }
        let Some(announcement) = Announcement::parse(notification.payload()) else {
            tracing::warn!("ignored a malformed change announcement");
            continue;
        };
        if cache.replicas().is_some() {
            tokio::spawn(apply_after_replicas(
                cache.clone(),
                announcement,
                writes.clone(),
            ));
            continue;
        }
        cache.heard(&announcement);
        let ack = sea_orm::sqlx::query("SELECT pg_notify($1, $2)")
            .bind(ACK_CHANNEL)
            .bind(announcement.notice.to_string())
            .execute(&mut listener)
            .await;
        if let Err(err) = ack {
            return err;
        }
    }
}

/// Applies `announcement` once the read replicas have replayed it, then acknowledges it
/// through the write pool.
async fn apply_after_replicas(
    cache: ResponseCache,
    announcement: Announcement,
    writes: DatabaseConnection,
) {
    if let Some(replicas) = cache.replicas() {
        replicas.caught_up_with_primary().await;
    }
    cache.heard(&announcement);
    let ack = writes
        .execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_notify($1, $2)",
            [ACK_CHANNEL.into(), announcement.notice.to_string().into()],
        ))
        .await;
    if let Err(err) = ack {
        // The writer waits its full time for this instance, then answers anyway.
        tracing::warn!(error = %err, "could not acknowledge a change");
    }
}
