//! `node(id:)`: any object by its global id (Relay).

use async_graphql::{Context, ID, Object, Result};

use crate::graphql::context::{loaders, reads};
use crate::graphql::loaders::{CompanyById, MovieById, PersonById};
use crate::graphql::types::{Character, Company, Location, Movie, Node, Person, Section, Theme};
use crate::ids::{NodeKind, decode};
use crate::service::film_parts::by_id;

/// The Relay node query.
#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// The object with this global id, or null when it no longer exists.
    async fn node(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A global id, as an object's `id` field gives it.")] id: ID,
    ) -> Result<Option<Node>> {
        let (kind, row) = decode(&id, "id")?;
        let reads = reads(ctx)?;
        let db = reads.as_ref();
        let loaders = loaders(ctx)?;
        let node = match kind {
            NodeKind::Movie => loaders
                .load_one(MovieById(row))
                .await?
                .map(|m| Node::Movie(Movie(m))),
            NodeKind::Person => loaders
                .load_one(PersonById(row))
                .await?
                .map(|m| Node::Person(Person(m))),
            NodeKind::Company => loaders
                .load_one(CompanyById(row))
                .await?
                .map(|m| Node::Company(Company(m))),
            NodeKind::Character => by_id::character(db, row)
                .await?
                .map(|(character, actor)| Node::Character(Character(character, actor))),
            NodeKind::Section => by_id::section(db, row)
                .await?
                .map(|m| Node::Section(Section(m))),
            NodeKind::Theme => by_id::theme(db, row).await?.map(|m| Node::Theme(Theme(m))),
            NodeKind::Location => by_id::location(db, row)
                .await?
                .map(|m| Node::Location(Location(m))),
        };
        let film = match &node {
            Some(Node::Movie(m)) => Some(m.0.id),
            Some(Node::Character(c)) => Some(c.0.movie_id),
            Some(Node::Section(s)) => Some(s.0.movie_id),
            Some(Node::Theme(t)) => Some(t.0.movie_id),
            Some(Node::Location(l)) => Some(l.0.movie_id),
            _ => None,
        };
        crate::graphql::cache_keys::films(ctx, film);
        match &node {
            Some(Node::Person(p)) => crate::graphql::cache_keys::person(ctx, p.0.id),
            Some(Node::Company(c)) => crate::graphql::cache_keys::company(ctx, c.0.id),
            _ => {}
        }
        if node.is_none() {
            // Not there yet: the write that adds it changes this answer.
            match kind {
                NodeKind::Person => crate::graphql::cache_keys::person_list(ctx),
                NodeKind::Company => crate::graphql::cache_keys::company_list(ctx),
                _ => crate::graphql::cache_keys::film_list(ctx),
            }
        }
        Ok(node)
    }
}
