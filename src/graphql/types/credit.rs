//! `Credit`: a person's part in a film other than acting.

use async_graphql::{Context, Enum, Object, Result};
use entity::{credit, person};

use super::movie::load_movie;
use super::{Movie, Person};

/// What a person did on a film.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
#[graphql(remote = "entity::CreditRole")]
pub enum CreditRole {
    /// Directed the film.
    Director,
    /// Wrote the screenplay.
    Writer,
    /// Produced the film.
    Producer,
    /// Composed the score.
    Composer,
    /// Director of photography.
    Cinematographer,
    /// Edited the film.
    Editor,
}

/// A person credited on a film, and for what.
#[derive(Clone)]
pub struct Credit(pub credit::Model, pub person::Model);

/// A person credited on a film, and for what.
#[Object(serial)]
impl Credit {
    /// What the person did.
    async fn role(&self) -> CreditRole {
        self.0.role.into()
    }

    /// Place among the film's credits, from 1.
    async fn position(&self) -> i32 {
        self.0.position
    }

    /// The person.
    async fn person(&self) -> Person {
        Person(self.1.clone())
    }

    /// The film.
    async fn movie(&self, ctx: &Context<'_>) -> Result<Movie> {
        load_movie(ctx, self.0.movie_id).await
    }
}
