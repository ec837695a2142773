//! The background task that publishes films on schedule: now and then (and at once on
//! start, so a schedule that fell due while every instance was down is published by the first
//! to start), it publishes what is due ([`publish_due`]) and applies each publication's changes
//! to this instance's response cache (other instances hear of it through PostgreSQL, as for
//! any write).

use std::time::Duration;

use chrono::Utc;
use sea_orm::DatabaseConnection;

use crate::response_cache::ResponseCache;
use crate::service::editing::publish_due;

/// Starts looking for due schedules every `interval` (never when it is zero).
pub fn spawn(db: DatabaseConnection, responses: ResponseCache, interval: Duration) {
    if interval.is_zero() {
        return;
    }
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(interval);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            match publish_due(&db, Utc::now()).await {
                Ok(published) => {
                    for saved in published {
                        responses.apply(&saved.changed).await;
                    }
                }
                Err(err) => {
                    tracing::debug!(error = ?err, "could not look for scheduled publications");
                }
            }
        }
    });
}
