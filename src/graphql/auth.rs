//! Who a request acts as. The transport passes the bearer token along; resolvers that write
//! ask for a role, and the token is checked only then (reads stay public and cost nothing).

use async_graphql::{Context, Result};
use entity::TokenRole;

use crate::graphql::context::db;
use crate::service::tokens::{self, Principal};

/// The request's `Authorization: Bearer` token, if any (an `Authorization` header of another
/// scheme counts as an invalid token, never as none).
#[derive(Debug, Clone, Default)]
pub struct Credentials(pub Option<String>);

/// The principal of this request, if its token is valid and has at least `role`:
/// `UNAUTHENTICATED` without a valid token, `FORBIDDEN` with too low a role.
pub async fn require(ctx: &Context<'_>, role: TokenRole) -> Result<Principal> {
    let bearer = ctx
        .data_opt::<Credentials>()
        .and_then(|credentials| credentials.0.as_deref());
    let principal = tokens::authenticate(db(ctx)?, bearer).await?;
    principal.require(role)?;
    Ok(principal)
}
