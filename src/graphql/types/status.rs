//! `PublicationStatus`: which version of the content a read asks for, and who may ask.

use async_graphql::{Context, Enum, Result};
use entity::TokenRole;

use crate::graphql::auth;
use crate::service::visibility::ReadScope;

/// Which version of the films a read sees.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum PublicationStatus {
    /// What the public sees: published films only. The default.
    #[default]
    Published,
    /// What editors work on: every film, published or not (needs an editor's token).
    Draft,
}

/// The read scope a field's `status` argument asks for: `UNAUTHENTICATED` or `FORBIDDEN`
/// when it asks for drafts without an editor's token.
pub async fn read_scope(ctx: &Context<'_>, status: Option<PublicationStatus>) -> Result<ReadScope> {
    match status.unwrap_or_default() {
        PublicationStatus::Published => Ok(ReadScope::Published),
        PublicationStatus::Draft => {
            auth::require(ctx, TokenRole::Editor).await?;
            Ok(ReadScope::Draft)
        }
    }
}
