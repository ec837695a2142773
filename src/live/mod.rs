//! Live updates: the change feed that follows the change log, and what subscriptions and
//! webhooks build on it.

pub mod feed;

pub use feed::{ChangeFeed, Event};
