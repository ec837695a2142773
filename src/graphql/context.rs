//! Typed access to what resolvers need from the GraphQL context, without panics.

use async_graphql::{Context, Result};
use sea_orm::DatabaseConnection;
use std::sync::{Arc, PoisonError, RwLock};

use crate::reads::RequestReads;

use crate::graphql::loaders::Loaders;
use crate::live::ChangeFeed;
use crate::response_cache::ResponseCache;
use crate::service::changes::Saved;

/// The database pool the schema was built with: for writes (a mutation's transactions).
pub fn db<'a>(ctx: &Context<'a>) -> Result<&'a DatabaseConnection> {
    ctx.data::<DatabaseConnection>()
}

/// What a request's resolvers read through: its DataLoaders, and through them its reads. A
/// query or mutation keeps one for its whole run; a subscription [`renew`](Self::renew)s it
/// before each event it yields, so every event is read afresh (from a snapshot of its own)
/// and no loader's cache outlives the event it was filled for.
pub struct RequestData(RwLock<Arc<Loaders>>);

impl RequestData {
    /// Data for one request, over `loaders`.
    pub fn new(loaders: Loaders) -> Self {
        Self(RwLock::new(Arc::new(loaders)))
    }

    /// The loaders in use now.
    pub fn current(&self) -> Arc<Loaders> {
        self.0
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Puts fresh `loaders` in place for what is resolved from now on.
    pub fn renew(&self, loaders: Loaders) {
        *self.0.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(loaders);
    }
}

/// This request's reads: one snapshot of the database for a query (every read of the request
/// sees the same commit), the pool for a mutation. Resolvers read through this, never through
/// [`db`], so a query holds one connection at most and never mixes two versions of a film.
pub fn reads(ctx: &Context<'_>) -> Result<Arc<RequestReads>> {
    Ok(loaders(ctx)?.loader().reads().clone())
}

/// This request's DataLoaders.
pub fn loaders(ctx: &Context<'_>) -> Result<Arc<Loaders>> {
    Ok(ctx.data::<Arc<RequestData>>()?.current())
}

/// Applies a write's changes to the response cache (and, on PostgreSQL, waits until every
/// listening instance has been told), wakes this instance's change feed, then hands back the
/// written row.
pub async fn applied<T>(ctx: &Context<'_>, saved: Saved<T>) -> T {
    if let Some(cache) = ctx.data_opt::<ResponseCache>() {
        cache.apply(&saved.changed).await;
    }
    if saved.changed.event.is_some()
        && let Some(feed) = ctx.data_opt::<ChangeFeed>()
    {
        feed.wake();
    }
    saved.row
}
