//! `tokens` (admins only).

use async_graphql::{Context, Object, Result};

use crate::graphql::auth::require;
use crate::graphql::context::db;
use crate::graphql::types::ApiToken;
use crate::service::tokens;

/// Token queries.
#[derive(Default)]
pub struct TokenQuery;

#[Object]
impl TokenQuery {
    /// Every API token, newest first, revoked ones included (never their secrets). Needs
    /// `admin`.
    async fn tokens(&self, ctx: &Context<'_>) -> Result<Vec<ApiToken>> {
        require(ctx, entity::TokenRole::Admin).await?;
        Ok(tokens::list(db(ctx)?)
            .await?
            .into_iter()
            .map(ApiToken)
            .collect())
    }
}
