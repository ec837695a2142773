//! Typed access to what resolvers need from the GraphQL context, without panics.

use async_graphql::{Context, Result};
use sea_orm::DatabaseConnection;

use crate::graphql::loaders::Loaders;
use crate::response_cache::ResponseCache;
use crate::service::changes::Saved;

/// The database pool the schema was built with.
pub fn db<'a>(ctx: &Context<'a>) -> Result<&'a DatabaseConnection> {
    ctx.data::<DatabaseConnection>()
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
