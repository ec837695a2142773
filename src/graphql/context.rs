//! Typed access to what resolvers need from the GraphQL context, without panics.

use async_graphql::{Context, Result};
use sea_orm::DatabaseConnection;
use std::sync::Arc;

use crate::reads::RequestReads;

use crate::graphql::loaders::Loaders;
use crate::response_cache::ResponseCache;
use crate::service::changes::Saved;

/// The database pool the schema was built with: for writes (a mutation's transactions).
pub fn db<'a>(ctx: &Context<'a>) -> Result<&'a DatabaseConnection> {
    ctx.data::<DatabaseConnection>()
}

/// This request's reads: one snapshot of the database for a query (every read of the request
/// sees the same commit), the pool for a mutation. Resolvers read through this, never through
/// [`db`], so a query holds one connection at most and never mixes two versions of a film.
pub fn reads<'a>(ctx: &Context<'a>) -> Result<&'a RequestReads> {
    Ok(ctx.data::<Arc<RequestReads>>()?.as_ref())
}

/// This request's DataLoaders.
pub fn loaders<'a>(ctx: &Context<'a>) -> Result<&'a Loaders> {
    ctx.data::<Loaders>()
}

/// Applies a write's changes to the response cache (and, on PostgreSQL, waits until every
/// listening instance has been told), then hands back the written row.
pub async fn applied<T>(ctx: &Context<'_>, saved: Saved<T>) -> T {
    if let Some(cache) = ctx.data_opt::<ResponseCache>() {
        cache.apply(&saved.changed).await;
    }
    saved.row
}
