//! `Person`: a real person (director, actor, ...), shared between films.

use async_graphql::{Context, ID, Object, Result};
use entity::person;

use super::{Character, Credit};
use crate::graphql::context::loaders;
use crate::graphql::loaders::{CreditsOfPerson, RolesOfPerson};
use crate::ids::{NodeKind, encode};

/// A real person (`Jeremy Irons`): the characters they play and their other credits.
#[derive(Clone)]
pub struct Person(pub person::Model);

/// A real person (`Jeremy Irons`): the characters they play and their other credits.
#[Object]
impl Person {
    /// Globally unique, opaque id.
    pub async fn id(&self) -> ID {
        encode(NodeKind::Person, self.0.id)
    }

    /// URL key, unique among people (`jeremy-irons`); `person(slug:)` finds them by it.
    async fn slug(&self) -> &str {
        &self.0.slug
    }

    /// Full name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// The characters this person plays, across films (each with its `movie`).
    #[graphql(complexity = "crate::graphql::limits::list_cost(child_complexity)")]
    async fn roles(&self, ctx: &Context<'_>) -> Result<Vec<Character>> {
        let rows = loaders(ctx)?.load_one(RolesOfPerson(self.0.id)).await?;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .map(|(character, actor)| Character(character, actor))
            .collect())
    }

    /// What this person did on films other than acting (director, writer, ...).
    #[graphql(complexity = "crate::graphql::limits::list_cost(child_complexity)")]
    async fn credits(&self, ctx: &Context<'_>) -> Result<Vec<Credit>> {
        let rows = loaders(ctx)?.load_one(CreditsOfPerson(self.0.id)).await?;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .map(|(credit, person)| Credit(credit, person))
            .collect())
    }
}
