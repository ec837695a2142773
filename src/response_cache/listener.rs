//! Hears changes announced on PostgreSQL (by any instance, or by `filmserver import`),
//! applies them to this instance's cache and acknowledges each, and counts the
//! acknowledgements of this instance's own announcements.
//!
//! The listener has a connection of its own (not one of the pool's), named
//! [`LISTENER_APPLICATION_NAME`] so writers can count the instances listening. While it is
//! not connected the cache serves nothing; each time it connects it empties the cache first.

use std::str::FromStr;
use std::time::Duration;

use sea_orm::sqlx::postgres::{PgConnectOptions, PgListener, PgPoolOptions};
use tokio::task::JoinHandle;

use super::ResponseCache;
use crate::service::changes::{ACK_CHANNEL, Announcement, CHANNEL, LISTENER_APPLICATION_NAME};

/// Pause between attempts to reconnect.
const RETRY_EVERY: Duration = Duration::from_secs(1);

/// Starts listening on `database_url` for as long as the runtime runs.
pub fn spawn(cache: ResponseCache, database_url: String) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match connect(&database_url).await {
                Ok(listener) => {
                    cache.set_listening(true);
                    tracing::info!("listening for changes from other instances");
                    let lost = hear(&cache, listener).await;
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
    listener.listen_all([CHANNEL, ACK_CHANNEL]).await?;
    Ok(listener)
}

/// Applies announcements until the connection fails; returns why.
async fn hear(cache: &ResponseCache, mut listener: PgListener) -> sea_orm::sqlx::Error {
    loop {
        let notification = match listener.try_recv().await {
            Ok(Some(notification)) => notification,
            // The connection dropped and was made again: what was said meanwhile is lost.
            Ok(None) => {
                cache.set_listening(true);
                continue;
            }
            Err(err) => return err,
        };
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
