//! Who a request acts as. The transport passes the bearer token along; resolvers that write
//! ask for a role, and the token is checked only then (reads stay public and cost nothing).

use async_graphql::{Context, Result};
use entity::TokenRole;
use sea_orm::DatabaseConnection;
use tokio::sync::OnceCell;

use crate::graphql::context::reads;
use crate::service::tokens::{self, Principal};

/// The request's `Authorization: Bearer` token, if any (an `Authorization` header of another
/// scheme counts as an invalid token, never as none), and who it turned out to be.
#[derive(Debug, Default)]
pub struct Credentials {
    bearer: Option<String>,
    principal: OnceCell<Principal>,
}

impl Credentials {
    /// Credentials of a request with this bearer token (`None`: no `Authorization` header).
    pub fn new(bearer: Option<String>) -> Self {
        Self {
            bearer,
            principal: OnceCell::new(),
        }
    }

    /// Whether the request carries an `Authorization` header.
    pub fn present(&self) -> bool {
        self.bearer.is_some()
    }

    /// The bearer token as sent (for rate limiting by token; never logged).
    pub fn bearer(&self) -> Option<&str> {
        self.bearer.as_deref()
    }

    /// Whether the request carries a valid token (looked up once per request; resolvers that
    /// ask later get the same answer without a second lookup). No token, an unknown or revoked
    /// one, or a database that cannot say, all read as `false`.
    pub async fn verified(&self, db: &DatabaseConnection) -> bool {
        if self.bearer.is_none() {
            return false;
        }
        self.principal
            .get_or_try_init(|| tokens::authenticate(db, self.bearer.as_deref()))
            .await
            .is_ok()
    }

    /// Whether the request carries a valid editor's or admin's token (not a preview token):
    /// what may run documents outside the trusted list.
    pub async fn verified_editor(&self, db: &DatabaseConnection) -> bool {
        if !self.verified(db).await {
            return false;
        }
        self.principal
            .get()
            .is_some_and(|principal| principal.role >= TokenRole::Editor)
    }
}

/// The principal of this request, if its token is valid and has at least `role`:
/// `UNAUTHENTICATED` without a valid token, `FORBIDDEN` with too low a role. The token is
/// looked up once per request, however many fields ask at once.
pub async fn require(ctx: &Context<'_>, role: TokenRole) -> Result<Principal> {
    let reads = reads(ctx)?;
    let db = reads.as_ref();
    let principal = match ctx.data_opt::<Credentials>() {
        Some(credentials) => credentials
            .principal
            .get_or_try_init(|| tokens::authenticate(db, credentials.bearer.as_deref()))
            .await?
            .clone(),
        None => tokens::authenticate(db, None).await?,
    };
    principal.require(role)?;
    Ok(principal)
}
