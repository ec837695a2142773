//! Prefetching a page's nested lists by looking ahead at the query: every list the page's
//! films select, in one statement ([`film_bundle`]).
//!
//! DataLoaders batch the keys that arrive within a short window; when resolving many films
//! takes longer than the window (a big page, a busy machine, another worker thread), a
//! relation's keys can split into two batches and cost two statements. For the lists a film
//! page has, the resolver that fetched the films already knows every key: it looks ahead at
//! the selection and loads each selected relation for all the films in one call (concurrently,
//! one statement each). The nested resolvers then find their rows in the loaders' cache, so
//! the statements a query costs do not depend on timing or on the number of films.

use async_graphql::dataloader::Loader;
use async_graphql::{Context, Lookahead, Result};
use futures_util::future::{BoxFuture, try_join_all};

use crate::graphql::auth::require;
use crate::graphql::context::loaders;
use crate::graphql::document_names::document_facts;
use crate::graphql::loaders::{
    CharactersOf, CompaniesOfMovie, CreditsOfMovie, CreditsPage, DbLoader, Loaders, LocationsOf,
    PlotOf, RevisionsOf, RolesPage, SectionsOf, ThemesOf,
};
use crate::graphql::query::page_size;
use crate::graphql::types::nested::decode_cursor;
use crate::service::film_bundle::{self, Columns, Wanted};
use crate::service::nested_pages::Position;
use crate::service::visibility::ReadScope;

/// Loads every key of one relation into the loader's cache. It asks the database at once,
/// not through the loader's batching window: every key is already here, so waiting for more
/// would only add the window's delay to the request.
fn warm<'a, K>(loaders: &'a Loaders, keys: Vec<K>) -> BoxFuture<'a, Result<()>>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
    DbLoader: Loader<K, Error = async_graphql::Error>,
{
    Box::pin(async move {
        let rows = loaders.loader().load(&keys).await?;
        loaders.feed_many(rows).await;
        Ok(())
    })
}

/// Loads the wanted lists of films `ids` in one statement, into the loaders' cache, with the
/// columns `columns` reads.
fn warm_parts<'a>(
    loaders: &'a Loaders,
    db: &'a crate::reads::RequestReads,
    ids: &'a [i32],
    wanted: Wanted,
    columns: Columns,
) -> BoxFuture<'a, Result<()>> {
    Box::pin(async move {
        if wanted == Wanted::default() {
            return Ok(());
        }
        let parts = film_bundle::parts_of_movies(db, ids, wanted, columns).await?;
        macro_rules! feed {
            ($wanted:ident, $key:ident, $rows:expr) => {
                if wanted.$wanted {
                    let keys: Vec<$key> = ids.iter().copied().map($key).collect();
                    loaders.feed_many($key::group(&keys, $rows)).await;
                }
            };
        }
        feed!(plot, PlotOf, parts.plot);
        feed!(sections, SectionsOf, parts.sections);
        feed!(characters, CharactersOf, parts.characters);
        feed!(themes, ThemesOf, parts.themes);
        feed!(locations, LocationsOf, parts.locations);
        feed!(credits, CreditsOfMovie, parts.credits);
        feed!(companies, CompaniesOfMovie, parts.companies);
        Ok(())
    })
}

/// The page size of a selected `revisions` field, when it is selected once and the request
/// may read revisions (otherwise the field's own resolver reports the refusal).
async fn revisions_page(ctx: &Context<'_>, movie: &Lookahead<'_>) -> Option<u64> {
    let selections = movie.field("revisions").selection_fields();
    let [selection] = selections.as_slice() else {
        return None;
    };
    let arguments = selection.arguments().ok()?;
    let first = arguments
        .iter()
        .find(|(name, _)| name.as_str() == "first")
        .and_then(|(_, value)| match value {
            async_graphql::Value::Number(n) => n.as_i64().and_then(|n| i32::try_from(n).ok()),
            _ => None,
        });
    let size = page_size(first).ok()?;
    require(ctx, entity::TokenRole::Editor).await.ok()?;
    Some(size)
}

/// The (rows wanted, start) of a selected nested page, as its resolver will ask for them;
/// `None` when it is not selected exactly once or its arguments are not plain.
fn page_request(field: &Lookahead<'_>) -> Option<(u64, Option<Position>)> {
    let selections = field.selection_fields();
    let [selection] = selections.as_slice() else {
        return None;
    };
    let arguments = selection.arguments().ok()?;
    let argument = |name: &str| {
        arguments
            .iter()
            .find(|(n, _)| n.as_str() == name)
            .map(|(_, v)| v)
    };
    let first = match argument("first") {
        None | Some(async_graphql::Value::Null) => None,
        Some(async_graphql::Value::Number(n)) => Some(i32::try_from(n.as_i64()?).ok()?),
        Some(_) => return None,
    };
    // Only the public's pages are fetched ahead: another status needs its token checked,
    // which the field's own resolver does.
    match argument("status") {
        None | Some(async_graphql::Value::Null) => {}
        Some(async_graphql::Value::Enum(status)) if status.as_str() == "PUBLISHED" => {}
        Some(_) => return None,
    }
    let after = match argument("after") {
        None | Some(async_graphql::Value::Null) => None,
        Some(async_graphql::Value::String(text)) => Some(decode_cursor(text).ok()?),
        Some(_) => return None,
    };
    Some((page_size(first).ok()? + 1, after))
}

/// Prefetches, for the films `movie_ids`, every relation that `movie` (a lookahead at a
/// `Movie` selection) selects, then the actors' roles and credits when those are selected.
pub async fn movie_relations(
    ctx: &Context<'_>,
    movie: &Lookahead<'_>,
    movie_ids: &[i32],
) -> Result<()> {
    if movie_ids.is_empty() {
        return Ok(());
    }
    let loaders = loaders(ctx)?;
    let loaders = loaders.as_ref();
    let reads = loaders.loader().reads().clone();
    let ids = || movie_ids.iter().copied();
    let characters = movie.field("characters");
    let wanted = Wanted {
        plot: movie.field("plot").exists(),
        sections: movie.field("sections").exists(),
        characters: characters.exists(),
        themes: movie.field("themes").exists(),
        locations: movie.field("setting").field("locations").exists(),
        credits: movie.field("directors").exists() || movie.field("credits").exists(),
        companies: movie.field("companies").exists(),
    };
    // Only the columns some field of the document shows (see `document_names`).
    let columns = document_facts(ctx, |facts| Columns::shown_by(|field| facts.names(field)));
    let mut first_level = vec![warm_parts(loaders, &reads, movie_ids, wanted, columns)];
    if let Some(size) = revisions_page(ctx, movie).await {
        first_level.push(warm(
            loaders,
            ids().map(|id| RevisionsOf(id, size)).collect(),
        ));
    }
    try_join_all(first_level).await?;

    let actor = characters.field("actor");
    let roles = page_request(&actor.field("roles"));
    let credits = page_request(&actor.field("credits"));
    if roles.is_some() || credits.is_some() {
        let cast = loaders.load_many(ids().map(CharactersOf)).await?;
        let mut actor_ids: Vec<i32> = cast
            .values()
            .flat_map(|characters| characters.iter())
            .filter_map(|character| character.0.actor_id)
            .collect();
        actor_ids.sort_unstable();
        actor_ids.dedup();
        let actors = || actor_ids.iter().copied();
        let mut second_level = Vec::new();
        if let Some((limit, after)) = roles {
            let keys = actors()
                .map(|parent| RolesPage {
                    parent,
                    scope: ReadScope::Published,
                    limit,
                    after,
                })
                .collect();
            second_level.push(warm(loaders, keys));
        }
        if let Some((limit, after)) = credits {
            let keys = actors()
                .map(|parent| CreditsPage {
                    parent,
                    scope: ReadScope::Published,
                    limit,
                    after,
                })
                .collect();
            second_level.push(warm(loaders, keys));
        }
        try_join_all(second_level).await?;
    }
    Ok(())
}
