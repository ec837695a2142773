//! `Company` and its part in a film.

use async_graphql::{Context, Enum, ID, Object, Result};
use entity::{company, movie_company};

use super::Movie;
use super::movie::load_movie;
use crate::ids::{NodeKind, encode};

/// A company (`Geffen Pictures`), shared between films.
#[derive(Clone)]
pub struct Company(pub company::Model);

/// A company (`Geffen Pictures`), shared between films.
#[Object]
impl Company {
    /// Globally unique, opaque id.
    pub async fn id(&self) -> ID {
        encode(NodeKind::Company, self.0.id)
    }

    /// URL key, unique among companies (`geffen-pictures`).
    async fn slug(&self) -> &str {
        &self.0.slug
    }

    /// Name.
    async fn name(&self) -> &str {
        &self.0.name
    }
}

/// What a company did for a film.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
#[graphql(remote = "entity::CompanyRole")]
pub enum CompanyRole {
    /// Produced ("made") the film.
    Production,
    /// Distributed the film.
    Distribution,
}

/// A company's part in a film.
#[derive(Clone)]
pub struct CompanyCredit(pub movie_company::Model, pub company::Model);

/// A company's part in a film.
#[Object]
impl CompanyCredit {
    /// What the company did.
    async fn role(&self) -> CompanyRole {
        self.0.role.into()
    }

    /// Place among the film's companies, from 1.
    async fn position(&self) -> i32 {
        self.0.position
    }

    /// The company.
    async fn company(&self) -> Company {
        Company(self.1.clone())
    }

    /// The film.
    async fn movie(&self, ctx: &Context<'_>) -> Result<Movie> {
        load_movie(ctx, self.0.movie_id).await
    }
}
