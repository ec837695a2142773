//! Mutation roots, one per domain, merged into [`MutationRoot`]. Every mutation needs
//! `Authorization: Bearer <token>`: `editor` to change content, `admin` to delete films and
//! manage tokens.

mod directory;
mod movies;
mod tokens;

use async_graphql::MergedObject;

/// Every mutation field.
#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(
    movies::MovieMutation,
    directory::DirectoryMutation,
    tokens::TokenMutation,
);
