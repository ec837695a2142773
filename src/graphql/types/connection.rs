//! Relay connections: a page of nodes, each edge with its opaque cursor, and `pageInfo`.

use async_graphql::{Context, Object, Result, SimpleObject};

use super::listing::encode_cursor;
use super::{Movie, Person};
use crate::graphql::context::reads;
use crate::service::movie_list::{self, Direction, MovieCursor, MovieFilter, MovieSort};
use crate::service::person_list;

/// Where a page sits in its list (Relay `PageInfo`).
#[derive(Clone, Debug, SimpleObject)]
#[graphql(serial)]
pub struct PageInfo {
    /// Whether rows follow this page: ask again with `after: endCursor`.
    pub has_next_page: bool,
    /// Whether rows come before this page (true when the page was asked for with `after`).
    pub has_previous_page: bool,
    /// The cursor of the first edge, null for an empty page.
    pub start_cursor: Option<String>,
    /// The cursor of the last edge, null for an empty page.
    pub end_cursor: Option<String>,
}

impl PageInfo {
    /// The page info of a page whose edges have these cursors, in order.
    pub fn of<'a>(
        cursors: impl DoubleEndedIterator<Item = &'a String>,
        has_next_page: bool,
        has_previous_page: bool,
    ) -> Self {
        Self::of_edges(cursors, String::clone, has_next_page, has_previous_page)
    }

    /// The page info of a page of `edges`, in order, whose cursors `cursor` writes (for the
    /// first and the last edge only).
    pub fn of_edges<E>(
        mut edges: impl DoubleEndedIterator<Item = E>,
        cursor: impl Fn(E) -> String,
        has_next_page: bool,
        has_previous_page: bool,
    ) -> Self {
        let first = edges.next();
        let last = edges.next_back();
        let end_cursor = last.map(&cursor);
        let start_cursor = first.map(&cursor);
        let end_cursor = end_cursor.or_else(|| start_cursor.clone());
        Self {
            has_next_page,
            has_previous_page,
            start_cursor,
            end_cursor,
        }
    }
}

/// One film in a page, with its cursor.
///
/// The cursor is written when a client selects it, not for every film of every page: a page
/// read through `nodes` (or `edges { node }`) never shows one, and writing it (a little JSON,
/// then base64) was about 1% of a 20-film list's work.
#[derive(Clone)]
pub struct MovieEdge {
    /// The film.
    pub node: Movie,
    /// The ordering of the page the film is in, which its cursor continues.
    pub sort: MovieSort,
    /// That ordering's direction.
    pub direction: Direction,
}

impl MovieEdge {
    /// The opaque cursor just after this film in its page's ordering.
    pub fn cursor_text(&self) -> String {
        encode_cursor(&MovieCursor::after(&self.node.0, self.sort, self.direction))
    }
}

/// One film in a page, with its cursor.
#[Object(serial)]
impl MovieEdge {
    /// Opaque cursor: pass it as `after` to get the films after this one.
    async fn cursor(&self) -> String {
        self.cursor_text()
    }

    /// The film.
    async fn node(&self) -> &Movie {
        &self.node
    }
}

/// A page of films.
pub struct MovieConnection {
    /// The films of the page, in order, with cursors.
    pub edges: Vec<MovieEdge>,
    /// Where the page sits in the list.
    pub page_info: PageInfo,
    /// The filter the list was made with, for `totalCount`.
    pub filter: MovieFilter,
}

/// A page of films (Relay connection).
#[Object(serial)]
impl MovieConnection {
    /// The films of this page with their cursors, in order.
    async fn edges(&self) -> &[MovieEdge] {
        &self.edges
    }

    /// The films of this page, in order (the edges' nodes, for clients that need no cursors).
    async fn nodes(&self) -> Vec<&Movie> {
        self.edges.iter().map(|edge| &edge.node).collect()
    }

    /// Where this page sits in the list.
    async fn page_info(&self) -> &PageInfo {
        &self.page_info
    }

    /// How many films match the filter in all (counted only when asked for).
    async fn total_count(&self, ctx: &Context<'_>) -> Result<u64> {
        Ok(movie_list::count(&*reads(ctx)?, &self.filter).await?)
    }
}

/// One person in a page, with its cursor.
#[derive(Clone, SimpleObject)]
#[graphql(serial)]
pub struct PersonEdge {
    /// Opaque cursor: pass it as `after` to get the people after this one.
    pub cursor: String,
    /// The person.
    pub node: Person,
}

/// A page of people.
pub struct PersonConnection {
    /// The people of the page, in order, with cursors.
    pub edges: Vec<PersonEdge>,
    /// Where the page sits in the list.
    pub page_info: PageInfo,
    /// The name filter the list was made with, for `totalCount`.
    pub name_contains: Option<String>,
}

/// A page of people (Relay connection), by name.
#[Object(serial)]
impl PersonConnection {
    /// The people of this page with their cursors, in order.
    async fn edges(&self) -> &[PersonEdge] {
        &self.edges
    }

    /// The people of this page, in order.
    async fn nodes(&self) -> Vec<&Person> {
        self.edges.iter().map(|edge| &edge.node).collect()
    }

    /// Where this page sits in the list.
    async fn page_info(&self) -> &PageInfo {
        &self.page_info
    }

    /// How many people match in all (counted only when asked for).
    async fn total_count(&self, ctx: &Context<'_>) -> Result<u64> {
        Ok(person_list::count(&*reads(ctx)?, self.name_contains.as_deref()).await?)
    }
}
