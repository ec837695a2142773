//! Query roots, one per domain, merged into [`QueryRoot`].

mod movies;
mod node;
mod people;

use async_graphql::MergedObject;

/// Every query field: films, people, companies, and any object by global id.
#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct QueryRoot(movies::MovieQuery, people::PeopleQuery, node::NodeQuery);
