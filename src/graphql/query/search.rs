//! `search(query:, first:, after:)`: ranked full-text search across films, people, characters
//! and sections.

use async_graphql::{Context, Object, Result, SimpleObject, Union};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::error::AppError;
use crate::graphql::cache_keys;
use crate::graphql::context::{loaders, reads};
use crate::graphql::loaders::{CharacterById, MovieById, PersonById, SectionById};
use crate::graphql::query::page_size;
use crate::graphql::types::status::{PublicationStatus, read_scope};
use crate::graphql::types::{Character, Movie, PageInfo, Person, Section};
use crate::service::movies;
use crate::service::search::{self, HitKind};
use crate::service::validate::quote;
use crate::service::visibility::ReadScope;
use entity::movie;
use std::collections::HashMap;

/// What a search found.
#[derive(Union, Clone)]
pub enum SearchResult {
    /// A film, by its title.
    Movie(Movie),
    /// A person, by their name.
    Person(Person),
    /// A character, by name or description.
    Character(Character),
    /// A section of a film page, by title or text.
    Section(Section),
}

/// One search result with its relevance and the text that matched.
#[derive(SimpleObject, Clone)]
#[graphql(serial)]
pub struct SearchHit {
    /// Relevance: higher is better (comparable within one search only).
    pub rank: f64,
    /// The matching text, matched words marked `<b>…</b>`.
    pub snippet: String,
    /// What was found.
    pub node: SearchResult,
}

/// One search result in a page, with its cursor.
#[derive(SimpleObject, Clone)]
#[graphql(serial)]
pub struct SearchEdge {
    /// Opaque cursor: pass it as `after` to get the results after this one.
    pub cursor: String,
    /// The result.
    pub node: SearchHit,
}

/// A page of search results, best first.
#[derive(SimpleObject, Clone)]
#[graphql(serial)]
pub struct SearchConnection {
    /// The results of this page with their cursors.
    pub edges: Vec<SearchEdge>,
    /// Where this page sits in the results.
    pub page_info: PageInfo,
}

fn encode_cursor(offset: u64) -> String {
    URL_SAFE_NO_PAD.encode(format!("s:{offset}"))
}

fn decode_cursor(text: &str) -> Result<u64, AppError> {
    let bad = || AppError::bad_input("after", format!("`{}` is not a valid cursor", quote(text)));
    let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    text.strip_prefix("s:")
        .and_then(|n| n.parse().ok())
        .ok_or_else(bad)
}

/// Search queries.
#[derive(Default)]
pub struct SearchQuery;

#[Object]
impl SearchQuery {
    /// Films, people, characters and sections matching `query` (words, `"a phrase"`, `-word`
    /// on PostgreSQL), best first: a film's title counts most, then names, then section
    /// titles, then text.
    #[graphql(
        complexity = "crate::graphql::limits::page_cost(first, crate::graphql::query::DEFAULT_PAGE_SIZE, crate::graphql::query::MAX_PAGE_SIZE, child_complexity)"
    )]
    async fn search(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to look for.")] query: String,
        #[graphql(desc = "Page size: 20 when omitted, at most 100.")] first: Option<i32>,
        #[graphql(desc = "Return results after this cursor.")] after: Option<String>,
        #[graphql(
            desc = "`DRAFT` (editors, or a preview token for its film): search films as \
                          editors see them, drafts included."
        )]
        status: Option<PublicationStatus>,
    ) -> Result<SearchConnection> {
        let limit = page_size(first)?;
        // Any new or changed film or person can change what a search finds.
        cache_keys::film_list(ctx);
        cache_keys::person_list(ctx);
        let offset = after.as_deref().map(decode_cursor).transpose()?;
        let start = offset.map_or(0, |o| o + 1);
        let scope = read_scope(ctx, status).await?;
        let mut hits = search::search(&*reads(ctx)?, &query, start, limit + 1, scope).await?;
        let has_next_page = hits.len() as u64 > limit;
        hits.truncate(limit as usize);

        let loaders = loaders(ctx)?;
        let ids = |kind: HitKind| -> Vec<i32> {
            hits.iter()
                .filter(|h| h.kind == kind)
                .map(|h| h.id)
                .collect()
        };
        let movies: HashMap<MovieById, movie::Model> = if scope == ReadScope::Published {
            loaders
                .load_many(ids(HitKind::Movie).into_iter().map(MovieById))
                .await?
        } else {
            // Drafts are not in the public loader: read the films in the same scope.
            movies::find_by_ids(&*reads(ctx)?, &ids(HitKind::Movie), scope)
                .await?
                .into_iter()
                .map(|row| (MovieById(row.id), row))
                .collect()
        };
        let people = loaders
            .load_many(ids(HitKind::Person).into_iter().map(PersonById))
            .await?;
        let characters = loaders
            .load_many(ids(HitKind::Character).into_iter().map(CharacterById))
            .await?;
        let sections = loaders
            .load_many(ids(HitKind::Section).into_iter().map(SectionById))
            .await?;

        let mut edges = Vec::with_capacity(hits.len());
        for (i, hit) in hits.into_iter().enumerate() {
            let node = match hit.kind {
                HitKind::Movie => movies.get(&MovieById(hit.id)).cloned().map(|m| {
                    cache_keys::films(ctx, [m.id]);
                    SearchResult::Movie(Movie(m))
                }),
                HitKind::Person => people
                    .get(&PersonById(hit.id))
                    .cloned()
                    .map(|p| SearchResult::Person(Person(p))),
                HitKind::Character => {
                    characters
                        .get(&CharacterById(hit.id))
                        .cloned()
                        .map(|(c, a)| {
                            cache_keys::films(ctx, [c.movie_id]);
                            SearchResult::Character(Character(c, a))
                        })
                }
                HitKind::Section => sections.get(&SectionById(hit.id)).cloned().map(|s| {
                    cache_keys::films(ctx, [s.movie_id]);
                    SearchResult::Section(Section(s))
                }),
            };
            // A row deleted between the search and the load is left out.
            if let Some(node) = node {
                edges.push(SearchEdge {
                    cursor: encode_cursor(start + i as u64),
                    node: SearchHit {
                        rank: hit.rank,
                        snippet: hit.snippet,
                        node,
                    },
                });
            }
        }
        let cursors = edges.iter().map(|edge| &edge.cursor);
        let page_info = PageInfo::of(cursors, has_next_page, offset.is_some());
        Ok(SearchConnection { edges, page_info })
    }
}
