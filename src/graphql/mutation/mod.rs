//! Mutation roots, one per domain, merged into [`MutationRoot`]. Every mutation needs
//! `Authorization: Bearer <token>`: `editor` to change content, `admin` to delete films and
//! manage tokens and webhooks.

mod directory;
mod movies;
mod tokens;
mod webhooks;

use async_graphql::MergedObject;

/// Mutations that refuse an `Idempotency-Key`: they run outside the write transactions that
/// record a key, and `createToken`'s and `createPreviewToken`'s answers hold a token secret,
/// which must never be stored for a replay.
pub const UNKEYED_MUTATIONS: &[&str] = &[
    "createToken",
    "revokeToken",
    "createPreviewToken",
    "revokePreviewToken",
];

/// Every mutation field.
#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(
    movies::MovieMutation,
    directory::DirectoryMutation,
    tokens::TokenMutation,
    webhooks::WebhookMutation,
);
