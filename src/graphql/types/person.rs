//! `Person`: a real person (director, actor, ...), shared between films.

use async_graphql::parser::types::Field;
use async_graphql::{Context, ID, Object, Result};
use entity::person;

use super::plain::{Keys, PlainObject, Reader, keyed, node_id, scalar, text};

use super::nested::{CharacterConnection, CreditConnection, decode_cursor, page_of};
use super::status::{PublicationStatus, read_scope};
use super::{Character, Credit};
use crate::graphql::context::loaders;
use crate::graphql::loaders::{CountOf, CreditsPage, RolesPage};
use crate::graphql::query::page_size;
use crate::ids::{NodeKind, encode};
use crate::service::changes;
use crate::service::nested_pages::NestedList;

/// A real person (`Jeremy Irons`): the characters they play and their other credits.
#[derive(Clone)]
pub struct Person(pub person::Model);

/// A real person (`Jeremy Irons`): the characters they play and their other credits.
#[Object(serial)]
impl Person {
    /// Globally unique, opaque id.
    pub async fn id(&self) -> ID {
        encode(NodeKind::Person, self.0.id)
    }

    /// URL key, unique among people (`jeremy-irons`); `person(slug:)` finds them by it.
    async fn slug(&self, ctx: &Context<'_>) -> &str {
        crate::graphql::cache_keys::person(ctx, self.0.id);
        &self.0.slug
    }

    /// Full name.
    async fn name(&self, ctx: &Context<'_>) -> &str {
        crate::graphql::cache_keys::person(ctx, self.0.id);
        &self.0.name
    }

    /// The characters this person plays, by film, a page at a time (each with its `movie`).
    #[graphql(
        complexity = "crate::graphql::limits::page_cost(first, crate::graphql::query::DEFAULT_PAGE_SIZE, crate::graphql::query::MAX_PAGE_SIZE, child_complexity)"
    )]
    async fn roles(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size: 20 when omitted, at most 100.")] first: Option<i32>,
        #[graphql(desc = "Return roles after this cursor.")] after: Option<String>,
        #[graphql(
            desc = "Which films' roles to list: `PUBLISHED` (the default) or, with an editor's token, `DRAFT` (each film as editors see it)."
        )]
        status: Option<PublicationStatus>,
    ) -> Result<CharacterConnection> {
        let (limit, start) = (
            page_size(first)?,
            after.as_deref().map(decode_cursor).transpose()?,
        );
        let scope = read_scope(ctx, status).await?;
        let key = RolesPage {
            parent: self.0.id,
            scope,
            limit: limit + 1,
            after: start,
        };
        let rows = loaders(ctx)?.load_one(key).await?.unwrap_or_default();
        crate::graphql::cache_keys::person(ctx, self.0.id);
        crate::graphql::cache_keys::films(ctx, rows.iter().map(|row| row.movie_id));
        let actor = self.0.clone();
        let (edges, page_info) = page_of(
            rows,
            limit,
            start.is_some(),
            |r| (r.movie_id, r.position),
            |r| Character(r, Some(actor.clone())),
        );
        Ok(CharacterConnection::new(
            edges,
            page_info,
            CountOf(NestedList::Roles, scope, self.0.id),
        ))
    }

    /// What this person did on films other than acting (director, writer, ...), by film, a
    /// page at a time.
    #[graphql(
        complexity = "crate::graphql::limits::page_cost(first, crate::graphql::query::DEFAULT_PAGE_SIZE, crate::graphql::query::MAX_PAGE_SIZE, child_complexity)"
    )]
    async fn credits(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size: 20 when omitted, at most 100.")] first: Option<i32>,
        #[graphql(desc = "Return credits after this cursor.")] after: Option<String>,
        #[graphql(
            desc = "Which films' credits to list: `PUBLISHED` (the default) or, with an editor's token, `DRAFT` (each film as editors see it)."
        )]
        status: Option<PublicationStatus>,
    ) -> Result<CreditConnection> {
        let (limit, start) = (
            page_size(first)?,
            after.as_deref().map(decode_cursor).transpose()?,
        );
        let scope = read_scope(ctx, status).await?;
        let key = CreditsPage {
            parent: self.0.id,
            scope,
            limit: limit + 1,
            after: start,
        };
        let rows = loaders(ctx)?.load_one(key).await?.unwrap_or_default();
        crate::graphql::cache_keys::person(ctx, self.0.id);
        crate::graphql::cache_keys::films(ctx, rows.iter().map(|row| row.movie_id));
        let person = self.0.clone();
        let (edges, page_info) = page_of(
            rows,
            limit,
            start.is_some(),
            |r| (r.movie_id, r.position),
            |r| Credit(r, person.clone()),
        );
        Ok(CreditConnection::new(
            edges,
            page_info,
            CountOf(NestedList::Credits, scope, self.0.id),
        ))
    }
}

/// A person's row read as a `Person` (a character's actor) by a plain list (`types::plain`):
/// its name and slug note the person's content key, as the resolvers do.
impl PlainObject for person::Model {
    const TYPE_NAME: &'static str = "Person";

    fn reader(field: &Field) -> Option<Reader<Self>> {
        Some(match field.name.node.as_str() {
            "id" => scalar(|p: &Self| node_id(NodeKind::Person, p.id)),
            "slug" => keyed(|p: &Self, keys: &mut Keys| {
                keys.name(|| changes::person_key(p.id));
                text(&p.slug)
            }),
            "name" => keyed(|p: &Self, keys: &mut Keys| {
                keys.name(|| changes::person_key(p.id));
                text(&p.name)
            }),
            _ => return None,
        })
    }
}
