//! `webhooks` (admins only).

use async_graphql::{Context, Object, Result};

use crate::graphql::auth::require;
use crate::graphql::context::reads;
use crate::graphql::types::webhook::Webhook;
use crate::service::webhooks;

/// Webhook queries.
#[derive(Default)]
pub struct WebhookQuery;

#[Object]
impl WebhookQuery {
    /// Every registered webhook endpoint, oldest first, with its recent deliveries (never its
    /// secret). Needs `admin`.
    async fn webhooks(&self, ctx: &Context<'_>) -> Result<Vec<Webhook>> {
        require(ctx, entity::TokenRole::Admin).await?;
        Ok(webhooks::list(&*reads(ctx)?)
            .await?
            .into_iter()
            .map(Webhook)
            .collect())
    }
}
