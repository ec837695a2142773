//! `webhook_delivery`: the outbox. One row per endpoint and change event, written in the
//! change's own transaction; a worker on some instance claims it, POSTs it, and records the
//! outcome, retrying with backoff until it is delivered or a day has passed.

use sea_orm::entity::prelude::*;

/// One event to deliver to one endpoint.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_delivery")]
pub struct Model {
    /// The delivery's id (receivers see it in `X-Filmserver-Delivery`).
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The endpoint.
    pub webhook_id: i32,
    /// The change event delivered (receivers deduplicate on it).
    pub event_id: i64,
    /// The JSON body, fixed when the change committed.
    pub payload: String,
    /// Where it stands.
    pub status: DeliveryStatus,
    /// Attempts made so far.
    pub attempts: i32,
    /// When the next attempt is due.
    pub next_attempt_at: DateTimeUtc,
    /// Until when an instance holds it (claimed, being attempted).
    pub locked_until: Option<DateTimeUtc>,
    /// The HTTP status of the last attempt, if it got one.
    pub last_status_code: Option<i32>,
    /// How long the last attempt took, in milliseconds.
    pub last_duration_ms: Option<i32>,
    /// Why the last attempt failed, if it did.
    pub last_error: Option<String>,
    /// When the change committed and the delivery was queued.
    pub created_at: DateTimeUtc,
    /// When it was delivered.
    pub delivered_at: Option<DateTimeUtc>,
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum DeliveryStatus {
    /// Not delivered yet; another attempt is due at `next_attempt_at`.
    #[sea_orm(string_value = "pending")]
    Pending,
    /// The endpoint answered 2xx.
    #[sea_orm(string_value = "delivered")]
    Delivered,
    /// Given up: no 2xx for a day of attempts.
    #[sea_orm(string_value = "failed")]
    Failed,
}

/// A delivery belongs to its endpoint.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The endpoint.
    #[sea_orm(
        belongs_to = "super::webhook::Entity",
        from = "Column::WebhookId",
        to = "super::webhook::Column::Id",
        on_delete = "Cascade"
    )]
    Webhook,
}

impl Related<super::webhook::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Webhook.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
