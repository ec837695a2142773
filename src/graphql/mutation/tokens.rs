//! `createToken`, `revokeToken` (admins only).

use async_graphql::{Context, Object, Result};

use crate::graphql::auth::require;
use crate::graphql::context::db;
use crate::graphql::types::{ApiToken, CreatedToken, TokenRole};
use crate::service::tokens;

/// Token mutations.
#[derive(Default)]
pub struct TokenMutation;

#[Object]
impl TokenMutation {
    /// Makes a token; the secret is in the answer this once. Needs `admin`.
    async fn create_token(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Whom the token is for.")] name: String,
        #[graphql(desc = "What it may do.")] role: TokenRole,
    ) -> Result<CreatedToken> {
        require(ctx, entity::TokenRole::Admin).await?;
        let issued = tokens::create(db(ctx)?, &name, role.into()).await?;
        Ok(CreatedToken {
            token: issued.secret,
            info: ApiToken(issued.record),
        })
    }

    /// Revokes a token: it authenticates nothing from now on. Needs `admin`.
    async fn revoke_token(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The token's `id`.")] id: i32,
    ) -> Result<ApiToken> {
        require(ctx, entity::TokenRole::Admin).await?;
        Ok(ApiToken(tokens::revoke(db(ctx)?, id).await?))
    }
}
