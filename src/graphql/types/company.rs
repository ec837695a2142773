//! `Company` and its part in a film.

use async_graphql::{Context, Enum, ID, Object, Result};
use entity::{company, movie_company};

use super::Movie;
use super::movie::load_movie;
use super::nested::{CompanyCreditConnection, decode_cursor, page_of};
use super::status::{PublicationStatus, read_scope};
use crate::graphql::context::loaders;
use crate::graphql::loaders::{CompanyFilmsPage, CountOf};
use crate::graphql::query::page_size;
use crate::ids::{NodeKind, encode};
use crate::service::nested_pages::NestedList;

/// A company (`Geffen Pictures`), shared between films.
#[derive(Clone)]
pub struct Company(pub company::Model);

/// A company (`Geffen Pictures`), shared between films.
#[Object(serial)]
impl Company {
    /// Globally unique, opaque id.
    pub async fn id(&self) -> ID {
        encode(NodeKind::Company, self.0.id)
    }

    /// URL key, unique among companies (`geffen-pictures`).
    async fn slug(&self, ctx: &Context<'_>) -> &str {
        crate::graphql::cache_keys::company(ctx, self.0.id);
        &self.0.slug
    }

    /// Name.
    async fn name(&self, ctx: &Context<'_>) -> &str {
        crate::graphql::cache_keys::company(ctx, self.0.id);
        &self.0.name
    }

    /// The company's films and its part in each, by film, a page at a time.
    #[graphql(
        complexity = "crate::graphql::limits::page_cost(first, crate::graphql::query::DEFAULT_PAGE_SIZE, crate::graphql::query::MAX_PAGE_SIZE, child_complexity)"
    )]
    async fn movies(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size: 20 when omitted, at most 100.")] first: Option<i32>,
        #[graphql(desc = "Return films after this cursor.")] after: Option<String>,
        #[graphql(
            desc = "Which films to list: `PUBLISHED` (the default) or, with an editor's token, `DRAFT` (each film as editors see it)."
        )]
        status: Option<PublicationStatus>,
    ) -> Result<CompanyCreditConnection> {
        let (limit, start) = (
            page_size(first)?,
            after.as_deref().map(decode_cursor).transpose()?,
        );
        let scope = read_scope(ctx, status).await?;
        let key = CompanyFilmsPage {
            parent: self.0.id,
            scope,
            limit: limit + 1,
            after: start,
        };
        let rows = loaders(ctx)?.load_one(key).await?.unwrap_or_default();
        crate::graphql::cache_keys::company(ctx, self.0.id);
        crate::graphql::cache_keys::films(ctx, rows.iter().map(|row| row.movie_id));
        let company = self.0.clone();
        let (edges, page_info) = page_of(
            rows,
            limit,
            start.is_some(),
            |r| (r.movie_id, r.position),
            |r| CompanyCredit(r, company.clone()),
        );
        Ok(CompanyCreditConnection::new(
            edges,
            page_info,
            CountOf(NestedList::CompanyFilms, scope, self.0.id),
        ))
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
#[Object(serial)]
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
