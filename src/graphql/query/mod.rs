//! Query roots, one per domain, merged into [`QueryRoot`].

mod movies;
mod node;
mod people;
mod search;
mod tokens;
mod webhooks;

use async_graphql::MergedObject;

pub use movies::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, page_size};

/// Every query field: films, people, companies, and any object by global id.
#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct QueryRoot(
    movies::MovieQuery,
    people::PeopleQuery,
    node::NodeQuery,
    tokens::TokenQuery,
    search::SearchQuery,
    webhooks::WebhookQuery,
);
