//! `createWebhook`, `updateWebhook`, `deleteWebhook` (admins only).

use async_graphql::{Context, ID, InputObject, Object, Result};
use entity::TokenRole;

use crate::error::AppError;
use crate::graphql::auth::require;
use crate::graphql::context::db;
use crate::graphql::errors::report;
use crate::graphql::types::ChangeKind;
use crate::graphql::types::webhook::Webhook;
use crate::service::webhooks::{self, AddressPolicy, WebhookChanges};

/// Webhook mutations.
#[derive(Default)]
pub struct WebhookMutation;

/// What to change in a webhook; fields left out stay as they are.
#[derive(InputObject, Default)]
pub struct WebhookChangesInput {
    /// A new URL (`http://` or `https://`, checked like a new one).
    pub url: Option<String>,
    /// New kinds of change to be told of.
    pub events: Option<Vec<ChangeKind>>,
    /// A new signing secret (16 to 200 characters).
    pub secret: Option<String>,
    /// `false` stops deliveries (queued ones wait), `true` resumes them.
    pub active: Option<bool>,
}

/// The webhook id in `id`, or `BAD_USER_INPUT` on `field`.
fn webhook_id(id: &ID, field: &str) -> Result<i32, AppError> {
    id.parse()
        .map_err(|_| AppError::bad_input(field, "not a webhook id"))
}

fn policy(ctx: &Context<'_>) -> Result<AddressPolicy> {
    Ok(*ctx.data::<AddressPolicy>()?)
}

#[Object]
impl WebhookMutation {
    /// Registers an endpoint to be told of changes readers can see: each change of a kind in
    /// `events` is POSTed to `url` as JSON, signed with `secret` (HMAC-SHA256 over
    /// `"<timestamp>.<body>"`, in `X-Filmserver-Signature`), retried for up to a day until it
    /// answers 2xx. The URL must be `http(s)://` without credentials, at an address the server
    /// allows. Needs `admin`.
    async fn create_webhook(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Where to POST events.")] url: String,
        #[graphql(desc = "The kinds of change to be told of.")] events: Vec<ChangeKind>,
        #[graphql(desc = "The signing secret, 16 to 200 characters; never shown again.")]
        secret: String,
    ) -> Result<Webhook> {
        let principal = require(ctx, TokenRole::Admin).await?;
        let kinds: Vec<entity::ChangeKind> = events.into_iter().map(Into::into).collect();
        let created = webhooks::create(
            db(ctx)?,
            url.trim(),
            &kinds,
            &secret,
            &principal.name,
            policy(ctx)?,
        )
        .await
        .map_err(|e| report(ctx, e))?;
        Ok(Webhook(created))
    }

    /// Changes a webhook. Needs `admin`.
    async fn update_webhook(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The webhook's id.")] id: ID,
        #[graphql(desc = "What to change.")] input: WebhookChangesInput,
    ) -> Result<Webhook> {
        require(ctx, TokenRole::Admin).await?;
        let id = webhook_id(&id, "id")?;
        let changes = WebhookChanges {
            url: input.url.map(|url| url.trim().to_owned()),
            kinds: input
                .events
                .map(|events| events.into_iter().map(Into::into).collect()),
            secret: input.secret,
            active: input.active,
        };
        let updated = webhooks::update(db(ctx)?, id, changes, policy(ctx)?)
            .await
            .map_err(|e| report(ctx, e))?;
        Ok(Webhook(updated))
    }

    /// Deletes a webhook and its deliveries (queued ones are not sent). Needs `admin`.
    async fn delete_webhook(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The webhook's id.")] id: ID,
    ) -> Result<Webhook> {
        require(ctx, TokenRole::Admin).await?;
        let id = webhook_id(&id, "id")?;
        let deleted = webhooks::delete(db(ctx)?, id)
            .await
            .map_err(|e| report(ctx, e))?;
        Ok(Webhook(deleted))
    }
}
