//! Typed access to what resolvers need from the GraphQL context, without panics.

use async_graphql::{Context, Result};
use sea_orm::DatabaseConnection;

use crate::graphql::loaders::Loaders;

/// The database pool the schema was built with.
pub fn db<'a>(ctx: &Context<'a>) -> Result<&'a DatabaseConnection> {
    ctx.data::<DatabaseConnection>()
}

/// This request's DataLoaders.
pub fn loaders<'a>(ctx: &Context<'a>) -> Result<&'a Loaders> {
    ctx.data::<Loaders>()
}
