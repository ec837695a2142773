//! `movie(slug:)` and `movies(first:, after:)`.

use async_graphql::{Context, Object, Result};

use crate::error::AppError;
use crate::graphql::context::reads;
use crate::graphql::document_names::document_facts;
use crate::graphql::types::listing::{MovieFilterInput, MovieOrderInput, decode_cursor};
use crate::graphql::types::status::{PublicationStatus, read_scope};
use crate::graphql::types::{Movie, MovieConnection, MovieEdge, PageInfo};
use crate::graphql::{cache_keys, prefetch};
use crate::service::movie_list::{self, FilmProse};
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

#[Object]
impl MovieQuery {
    /// The film with this slug (`m-butterfly`), or null when there is none.
    async fn movie(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The film's URL key.")] slug: String,
        #[graphql(
            desc = "`DRAFT` (editors only): the film as editors work on it, even unpublished."
        )]
        status: Option<PublicationStatus>,
    ) -> Result<Option<Movie>> {
        let scope = read_scope(ctx, status).await?;
        let movie = movies::find_by_slug(&*reads(ctx)?, &slug, scope).await?;
        if let Some(movie) = &movie {
            cache_keys::films(ctx, [movie.id]);
            prefetch::movie_relations(ctx, &ctx.look_ahead(), &[movie.id]).await?;
        } else {
            cache_keys::film_list(ctx);
        }
        Ok(movie.map(Movie))
    }

    /// Films, a page at a time (Relay connection with opaque keyset cursors): all of them, or
    /// those matching `filter`, in `orderBy` order (always with a stable tie-break, so paging
    /// never skips or repeats a film).
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
        #[graphql(desc = "Only films matching all of these.")] filter: Option<MovieFilterInput>,
        #[graphql(desc = "The order: when added, oldest first, unless given.")] order_by: Option<
            MovieOrderInput,
        >,
        #[graphql(desc = "`DRAFT` (editors only): every film as editors work on it, \
                          published or not.")]
        status: Option<PublicationStatus>,
    ) -> Result<MovieConnection> {
        let limit = page_size(first)?;
        let after = after.as_deref().map(decode_cursor).transpose()?;
        let mut filter = filter.unwrap_or_default().into_filter()?;
        filter.scope = read_scope(ctx, status).await?;
        let order = order_by.unwrap_or_default();
        let (sort, direction) = (order.field.into(), order.direction.into());
        let prose = document_facts(ctx, |facts| FilmProse {
            period: facts.names("period"),
            setting: facts.names("setting"),
        });
        let mut rows = movie_list::page(
            &*reads(ctx)?,
            &filter,
            (sort, direction),
            after.as_ref(),
            limit + 1,
            prose,
        )
        .await?;
        let has_next_page = rows.len() as u64 > limit;
        rows.truncate(limit as usize);
        let ids: Vec<i32> = rows.iter().map(|row| row.id).collect();
        cache_keys::film_list(ctx);
        cache_keys::films(ctx, ids.iter().copied());
        let page = ctx.look_ahead();
        for node in [page.field("edges").field("node"), page.field("nodes")] {
            prefetch::movie_relations(ctx, &node, &ids).await?;
        }
        let edges: Vec<MovieEdge> = rows
            .into_iter()
            .map(|row| MovieEdge {
                node: Movie(row),
                sort,
                direction,
            })
            .collect();
        let page_info = PageInfo::of_edges(
            edges.iter(),
            MovieEdge::cursor_text,
            has_next_page,
            after.is_some(),
        );
        Ok(MovieConnection {
            edges,
            page_info,
            filter,
        })
    }
}
