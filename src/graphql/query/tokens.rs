//! `tokens` (admins only).

use async_graphql::{Context, Object, Result};

use crate::graphql::auth::require;
use crate::graphql::context::reads;
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
        Ok(tokens::list(&*reads(ctx)?)
            .await?
            .into_iter()
            .map(ApiToken)
            .collect())
    }
}
