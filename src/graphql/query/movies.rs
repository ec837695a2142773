//! `movie(slug:)` and `movies(first:, after:)`.

use async_graphql::connection::CursorType;
use async_graphql::{Context, Object, Result};

use crate::error::AppError;
use crate::graphql::context::db;
use crate::graphql::prefetch;
use crate::graphql::types::cursor::IdCursor;
use crate::graphql::types::{Movie, MovieConnection, MovieEdge, PageInfo};
use crate::service::movies;

/// Page size of a connection when `first` is not given.
pub const DEFAULT_PAGE_SIZE: i32 = 20;
/// Largest page a connection serves; asking for more is `BAD_USER_INPUT`.
pub const MAX_PAGE_SIZE: i32 = 100;

/// Film queries.
#[derive(Default)]
pub struct MovieQuery;

/// The number of rows a page holds: `first`, or the default; `BAD_USER_INPUT` out of range.
pub fn page_size(first: Option<i32>) -> Result<u64, AppError> {
    match first.unwrap_or(DEFAULT_PAGE_SIZE) {
        n @ 0..=MAX_PAGE_SIZE => Ok(n as u64),
        n => Err(AppError::bad_input(
            "first",
            format!("`first` must be between 0 and {MAX_PAGE_SIZE}, got {n}"),
        )),
    }
}

/// The row a cursor points at; `BAD_USER_INPUT` when it is not one of ours.
pub fn decode_after(after: Option<&str>) -> Result<Option<IdCursor>, AppError> {
    after
        .map(|s| {
            IdCursor::decode_cursor(s)
                .map_err(|_| AppError::bad_input("after", format!("`{s}` is not a valid cursor")))
        })
        .transpose()
}

#[Object]
impl MovieQuery {
    /// The film with this slug (`m-butterfly`), or null when there is none.
    async fn movie(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The film's URL key.")] slug: String,
    ) -> Result<Option<Movie>> {
        let movie = movies::find_by_slug(db(ctx)?, &slug).await?;
        if let Some(movie) = &movie {
            prefetch::movie_relations(ctx, &ctx.look_ahead(), &[movie.id]).await?;
        }
        Ok(movie.map(Movie))
    }

    /// All films, oldest entry first, a page at a time (Relay connection with opaque cursors).
    #[graphql(
        complexity = "crate::graphql::limits::page_cost(first, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, child_complexity)"
    )]
    async fn movies(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size: 20 when omitted, at most 100.")] first: Option<i32>,
        #[graphql(desc = "Return films after this cursor (an edge's `cursor`).")] after: Option<
            String,
        >,
    ) -> Result<MovieConnection> {
        let limit = page_size(first)?;
        let after = decode_after(after.as_deref())?;
        let mut rows = movies::page(db(ctx)?, after.map(|c| c.0), limit + 1).await?;
        let has_next_page = rows.len() as u64 > limit;
        rows.truncate(limit as usize);
        let ids: Vec<i32> = rows.iter().map(|row| row.id).collect();
        let page = ctx.look_ahead();
        for node in [page.field("edges").field("node"), page.field("nodes")] {
            prefetch::movie_relations(ctx, &node, &ids).await?;
        }
        let edges: Vec<MovieEdge> = rows
            .into_iter()
            .map(|row| MovieEdge {
                cursor: IdCursor(row.id).encode_cursor(),
                node: Movie(row),
            })
            .collect();
        let page_info = PageInfo {
            has_next_page,
            has_previous_page: after.is_some(),
            start_cursor: edges.first().map(|edge| edge.cursor.clone()),
            end_cursor: edges.last().map(|edge| edge.cursor.clone()),
        };
        Ok(MovieConnection { edges, page_info })
    }
}
