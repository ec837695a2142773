//! Live updates: the change feed that follows the change log (which subscriptions follow),
//! and the webhook worker that delivers the outbox.

pub mod feed;
pub mod webhooks;

pub use feed::{ChangeFeed, Event};
