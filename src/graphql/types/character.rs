//! `Character`: a character of a film and the person who plays them.

use async_graphql::parser::types::Field;
use async_graphql::{Context, ID, Object, Result};
use entity::{character, person};

use super::plain::{PlainObject, Reader, int, nested, node_id, scalar, text};

use super::movie::load_movie;
use super::{Movie, Person};
use crate::ids::{NodeKind, encode};

/// A character of a film (`Song Liling`), with the actor who plays them when the page names one.
#[derive(Clone)]
pub struct Character(pub character::Model, pub Option<person::Model>);

/// A character of a film (`Song Liling`), played by an actor when the page names one.
#[Object(serial)]
impl Character {
    /// Globally unique, opaque id.
    pub async fn id(&self) -> ID {
        encode(NodeKind::Character, self.0.id)
    }

    /// Place among the film's characters, from 1.
    async fn position(&self) -> i32 {
        self.0.position
    }

    /// Name as the page gives it.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Who the character is and what they do in the story.
    async fn description(&self) -> &str {
        &self.0.description
    }

    /// The person who plays the character; null when the page names nobody.
    async fn actor(&self) -> Option<Person> {
        self.1.clone().map(Person)
    }

    /// The film the character belongs to.
    async fn movie(&self, ctx: &Context<'_>) -> Result<Movie> {
        load_movie(ctx, self.0.movie_id).await
    }
}

impl PlainObject for Character {
    const TYPE_NAME: &'static str = "Character";

    fn reader(field: &Field) -> Option<Reader<Self>> {
        Some(match field.name.node.as_str() {
            "id" => scalar(|c: &Self| node_id(NodeKind::Character, c.0.id)),
            "position" => scalar(|c: &Self| int(c.0.position)),
            "name" => scalar(|c: &Self| text(&c.0.name)),
            "description" => scalar(|c: &Self| text(&c.0.description)),
            "actor" => nested(field, |c: &Self| c.1.as_ref())?,
            _ => return None,
        })
    }
}
