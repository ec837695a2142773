//! `createToken`, `revokeToken` (admins only); `createPreviewToken`, `revokePreviewToken`
//! (editors).

use async_graphql::{Context, ID, Object, Result};

use crate::error::AppError;
use crate::graphql::auth::require;
use crate::graphql::context::db;
use crate::graphql::mutation::movies::movie_id;
use crate::graphql::types::{ApiToken, CreatedToken, TokenRole};
use crate::service::tokens;

/// How long a preview token works when the editor does not say.
const DEFAULT_PREVIEW_HOURS: i32 = 24;

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

    /// Makes a preview token for one film's draft, to send to a reviewer without an editor's
    /// token: with it, `movie(slug:, status: DRAFT)` reads that film as editors see it, and
    /// nothing else beyond what the public reads; it changes nothing. It expires after
    /// `expiresInHours` (24 when omitted, at most 720) and can be revoked; the film lists its
    /// preview tokens with who made them. The secret is in the answer this once. Needs
    /// `editor`.
    async fn create_preview_token(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "movieId", desc = "The film's global id.")] film: ID,
        #[graphql(desc = "Whom it is for (shown in the list of the film's preview tokens).")]
        name: String,
        #[graphql(desc = "How long it works, in hours: 24 when omitted, at most 720.")]
        expires_in_hours: Option<i32>,
    ) -> Result<CreatedToken> {
        let principal = require(ctx, entity::TokenRole::Editor).await?;
        let film = movie_id(&film, "movieId")?;
        let db = db(ctx)?;
        if !crate::service::movies::film_exists(db, film).await? {
            return Err(AppError::NotFound("no such film".into()).into());
        }
        let hours = expires_in_hours.unwrap_or(DEFAULT_PREVIEW_HOURS);
        let issued = tokens::create_preview(db, &name, film, hours, &principal.name).await?;
        Ok(CreatedToken {
            token: issued.secret,
            info: ApiToken(issued.record),
        })
    }

    /// Revokes a preview token: it reads nothing from now on. `BAD_USER_INPUT` for a token
    /// that is not a preview token (admins revoke those with `revokeToken`). Needs `editor`.
    async fn revoke_preview_token(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The token's `id`.")] id: i32,
    ) -> Result<ApiToken> {
        require(ctx, entity::TokenRole::Editor).await?;
        Ok(ApiToken(tokens::revoke_preview(db(ctx)?, id).await?))
    }
}
