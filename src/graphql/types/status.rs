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
    /// What editors work on: every film as it will be (its draft where it has one), published
    /// or not. Needs an editor's token, or a preview token (which reads its one film's draft).
    Draft,
}

/// The read scope a field's `status` argument asks for: drafts for an editor's token, one
/// film's draft for a preview token; `UNAUTHENTICATED` without a valid token.
pub async fn read_scope(ctx: &Context<'_>, status: Option<PublicationStatus>) -> Result<ReadScope> {
    match status.unwrap_or_default() {
        PublicationStatus::Published => Ok(ReadScope::Published),
        PublicationStatus::Draft => {
            let principal = auth::require(ctx, TokenRole::Preview).await?;
            Ok(match (principal.role, principal.preview_of) {
                (TokenRole::Preview, Some(film)) => ReadScope::Preview(film),
                (TokenRole::Preview, None) => ReadScope::Published,
                _ => ReadScope::Draft,
            })
        }
    }
}
