//! `Webhook` and `WebhookDelivery`: endpoints admins register, and what was sent to them.

use async_graphql::{Context, Enum, ID, Object, Result};
use chrono::{DateTime, Utc};
use entity::{webhook, webhook_delivery};

use crate::graphql::context::reads;
use crate::graphql::types::ChangeKind;
use crate::service::webhooks;

/// An endpoint told of changes: each change of a kind it asked for is POSTed to it as JSON,
/// signed with its secret (see README, "Webhooks").
pub struct Webhook(pub webhook::Model);

/// An endpoint told of changes: each change of a kind it asked for is POSTed to it as JSON,
/// signed with its secret (see README, "Webhooks").
#[Object]
impl Webhook {
    /// The endpoint's id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// Where events are POSTed.
    async fn url(&self) -> &str {
        &self.0.url
    }

    /// The kinds of change it is told of.
    async fn events(&self) -> Vec<ChangeKind> {
        webhooks::events_of(&self.0.events)
            .into_iter()
            .map(ChangeKind::from)
            .collect()
    }

    /// Whether deliveries are made.
    async fn active(&self) -> bool {
        self.0.active
    }

    /// Who registered it (a token's name).
    async fn created_by(&self) -> &str {
        &self.0.created_by
    }

    /// When it was registered.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// Its latest deliveries, newest first (20 when `first` is omitted, at most 100).
    async fn deliveries(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many, newest first.")] first: Option<i32>,
    ) -> Result<Vec<WebhookDelivery>> {
        let limit = crate::graphql::query::page_size(first)?;
        Ok(webhooks::recent_deliveries(&*reads(ctx)?, self.0.id, limit)
            .await?
            .into_iter()
            .map(WebhookDelivery)
            .collect())
    }
}

/// Where a delivery stands.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::DeliveryStatus")]
pub enum DeliveryStatus {
    /// Not delivered yet; another attempt is due at `nextAttemptAt`.
    Pending,
    /// The endpoint answered 2xx.
    Delivered,
    /// Given up: no 2xx for a day of attempts.
    Failed,
}

/// One change event sent (or being sent) to one endpoint, with its last attempt.
pub struct WebhookDelivery(pub webhook_delivery::Model);

/// One change event sent (or being sent) to one endpoint, with its last attempt.
#[Object]
impl WebhookDelivery {
    /// The delivery's id (sent in `X-Filmserver-Delivery`).
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// The change event's id (sent in `X-Filmserver-Event` and as the body's `id`):
    /// receivers deduplicate on it.
    async fn event_id(&self) -> ID {
        ID(self.0.event_id.to_string())
    }

    /// Where it stands.
    async fn status(&self) -> DeliveryStatus {
        self.0.status.into()
    }

    /// Attempts made.
    async fn attempts(&self) -> i32 {
        self.0.attempts
    }

    /// The HTTP status of the last attempt, if the endpoint answered.
    async fn last_status_code(&self) -> Option<i32> {
        self.0.last_status_code
    }

    /// How long the last attempt took, in milliseconds.
    async fn last_duration_ms(&self) -> Option<i32> {
        self.0.last_duration_ms
    }

    /// Why the last attempt failed, if it did.
    async fn last_error(&self) -> Option<&str> {
        self.0.last_error.as_deref()
    }

    /// When the next attempt is due (while pending).
    async fn next_attempt_at(&self) -> DateTime<Utc> {
        self.0.next_attempt_at
    }

    /// When the change committed.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When it was delivered.
    async fn delivered_at(&self) -> Option<DateTime<Utc>> {
        self.0.delivered_at
    }
}
