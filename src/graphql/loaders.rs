//! DataLoaders: every nested list or link is fetched for all parents of a request at once,
//! one SQL statement per relation, never one per parent row.
//!
//! One [`DbLoader`] implements [`Loader`] for many key types; each key type names a relation
//! (`SectionsOf(movie_id)`, `PersonById(person_id)`, ...). A fresh [`Loaders`] is made per
//! request, so its cache never serves another request's data.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Arc;
use std::time::Duration;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use entity::{
    character, company, credit, location, movie, movie_company, movie_revision, person,
    plot_paragraph, section, theme,
};

use crate::graphql::types::{Character, CompanyCredit, Credit, Location, Section, Theme};

use crate::reads::RequestReads;
use crate::service::nested_pages::{self, NestedList, Position};
use crate::service::visibility::ReadScope;
use crate::service::{companies, film_parts, movies, people, revisions};

/// This request's loaders.
pub type Loaders = DataLoader<DbLoader, HashMapCache>;

/// Makes the loaders for one request, with a cache that lives as long as the request (so
/// [`prefetch`](crate::graphql::prefetch)ed rows are found again, and no row is loaded twice).
/// `delay` is how long a loader waits to gather keys from sibling resolvers before it runs
/// its query.
pub fn for_request(reads: Arc<RequestReads>, delay: Duration) -> Loaders {
    DataLoader::with_cache(
        DbLoader { db: reads },
        tokio::spawn,
        HashMapCache::default(),
    )
    .delay(delay)
}

/// Loads film content in batches.
pub struct DbLoader {
    /// The request's reads (its snapshot, for a query).
    db: Arc<RequestReads>,
}

impl DbLoader {
    /// The reads this loader reads through.
    pub fn reads(&self) -> &Arc<RequestReads> {
        &self.db
    }
}

/// Groups `rows` by the key `key_of` gives, with an empty list for every key without rows.
/// Rows come ordered by parent, so a parent's rows are one run: each run is looked up in the
/// map once, not each row (a film list's 300 sections were 300 hashes), and its list is
/// allocated once. Rows out of order still land in their key's list, in the order given.
fn group_by_key<K, T>(keys: &[K], rows: Vec<T>, key_of: impl Fn(&T) -> K) -> HashMap<K, Vec<T>>
where
    K: Hash + Eq + Clone,
{
    let mut grouped: HashMap<K, Vec<T>> = keys.iter().map(|k| (k.clone(), Vec::new())).collect();
    // The runs first (key and length), so that each run's list is allocated at its size.
    let mut runs: Vec<(K, usize)> = Vec::new();
    for row in &rows {
        let key = key_of(row);
        match runs.last_mut() {
            Some((current, length)) if *current == key => *length += 1,
            _ => runs.push((key, 1)),
        }
    }
    let mut rows = rows.into_iter();
    for (key, length) in runs {
        append(&mut grouped, key, rows.by_ref().take(length).collect());
    }
    grouped
}

/// Adds `items` to the end of `key`'s list (taking them whole when the list is empty).
fn append<K: Hash + Eq, T>(grouped: &mut HashMap<K, Vec<T>>, key: K, items: Vec<T>) {
    let list = grouped.entry(key).or_default();
    if list.is_empty() {
        *list = items;
    } else {
        list.extend(items);
    }
}

/// Declares a key type and the loader of the list of items it names: the rows `$fetch` reads,
/// grouped by parent and each made into an item by `$make`. The list is shared (`Arc`), so
/// every resolver that asks for it again gets it without a copy.
macro_rules! list_loader {
    ($(#[$doc:meta])* $key:ident => [$item:ty], $fetch:path, |$row:ident: $model:ty| $parent:expr, $make:expr) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub struct $key(pub i32);

        impl $key {
            /// The lists of `keys` made of `rows` (read for those keys, in order), with an
            /// empty list for a key without rows.
            pub fn group(keys: &[$key], rows: Vec<$model>) -> HashMap<$key, Arc<[$item]>> {
                group_by_key(keys, rows, |$row: &$model| $key($parent))
                    .into_iter()
                    .map(|(key, rows)| (key, rows.into_iter().map($make).collect()))
                    .collect()
            }
        }

        impl Loader<$key> for DbLoader {
            type Value = Arc<[$item]>;
            type Error = async_graphql::Error;

            async fn load(&self, keys: &[$key]) -> Result<HashMap<$key, Self::Value>, Self::Error> {
                let ids: Vec<i32> = keys.iter().map(|k| k.0).collect();
                let rows = $fetch(self.db.as_ref(), &ids).await?;
                Ok($key::group(keys, rows))
            }
        }
    };
}

/// Declares a key type and the loader of the one row it names.
macro_rules! row_loader {
    ($(#[$doc:meta])* $key:ident => $model:ty, $fetch:path) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub struct $key(pub i32);

        impl Loader<$key> for DbLoader {
            type Value = $model;
            type Error = async_graphql::Error;

            async fn load(&self, keys: &[$key]) -> Result<HashMap<$key, Self::Value>, Self::Error> {
                let ids: Vec<i32> = keys.iter().map(|k| k.0).collect();
                let rows = $fetch(self.db.as_ref(), &ids).await?;
                Ok(rows.into_iter().map(|row| ($key(row.id), row)).collect())
            }
        }
    };
}

row_loader!(
    /// A published film by id.
    MovieById => movie::Model, movies::published_by_ids
);
row_loader!(
    /// A person by id.
    PersonById => person::Model, people::find_by_ids
);
row_loader!(
    /// A company by id.
    CompanyById => company::Model, companies::find_by_ids
);
row_loader!(
    /// A section by id.
    SectionById => section::Model, film_parts::sections_by_ids
);

/// A character (with its actor) by id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CharacterById(pub i32);

impl Loader<CharacterById> for DbLoader {
    type Value = (character::Model, Option<person::Model>);
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[CharacterById],
    ) -> Result<HashMap<CharacterById, Self::Value>, Self::Error> {
        let ids: Vec<i32> = keys.iter().map(|k| k.0).collect();
        let rows = film_parts::characters_by_ids(self.db.as_ref(), &ids).await?;
        Ok(rows
            .into_iter()
            .map(|row| (CharacterById(row.0.id), row))
            .collect())
    }
}
list_loader!(
    /// A film's plot paragraphs, by film id.
    PlotOf => [String], film_parts::plot_of_movies, |row: plot_paragraph::Model| row.movie_id,
    |row| row.body
);
list_loader!(
    /// A film's sections, by film id.
    SectionsOf => [Section], film_parts::sections_of_movies, |row: section::Model| row.movie_id,
    Section
);
list_loader!(
    /// A film's characters with their actors, by film id.
    CharactersOf => [Character], film_parts::characters_of_movies,
    |row: (character::Model, Option<person::Model>)| row.0.movie_id,
    |(character, actor)| Character(character, actor)
);
list_loader!(
    /// A film's themes, by film id.
    ThemesOf => [Theme], film_parts::themes_of_movies, |row: theme::Model| row.movie_id, Theme
);
list_loader!(
    /// A film's locations, by film id.
    LocationsOf => [Location], film_parts::locations_of_movies, |row: location::Model| row.movie_id,
    Location
);
list_loader!(
    /// A film's credits (director, ...) with their people, by film id.
    CreditsOfMovie => [Credit], film_parts::credits_of_movies,
    |row: (credit::Model, person::Model)| row.0.movie_id,
    |(credit, person)| Credit(credit, person)
);
list_loader!(
    /// A film's companies with their parts, by film id.
    CompaniesOfMovie => [CompanyCredit], film_parts::companies_of_movies,
    |row: (movie_company::Model, company::Model)| row.0.movie_id,
    |(part, company)| CompanyCredit(part, company)
);
/// Declares a key type (parent, page size, start) and the loader of a page of a nested list.
macro_rules! page_loader {
    ($(#[$doc:meta])* $key:ident => $model:ty, $fetch:path, |$row:ident| $parent:expr) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub struct $key {
            /// The parent's id.
            pub parent: i32,
            /// The films the list may name.
            pub scope: ReadScope,
            /// Rows wanted (a page plus one, to know whether more follow).
            pub limit: u64,
            /// Start after this (film id, position).
            pub after: Option<Position>,
        }

        impl Loader<$key> for DbLoader {
            type Value = Vec<$model>;
            type Error = async_graphql::Error;

            async fn load(&self, keys: &[$key]) -> Result<HashMap<$key, Self::Value>, Self::Error> {
                // One statement per distinct (scope, page size, start): in practice, one.
                let mut shapes: Vec<(ReadScope, u64, Option<Position>)> = Vec::new();
                for key in keys {
                    let shape = (key.scope, key.limit, key.after);
                    if !shapes.contains(&shape) {
                        shapes.push(shape);
                    }
                }
                let mut found = HashMap::new();
                for (scope, limit, after) in shapes {
                    let group: Vec<$key> = keys
                        .iter()
                        .filter(|k| k.scope == scope && k.limit == limit && k.after == after)
                        .copied()
                        .collect();
                    let ids: Vec<i32> = group.iter().map(|k| k.parent).collect();
                    let rows = $fetch(self.db.as_ref(), &ids, scope, after, limit).await?;
                    found.extend(group_by_key(&group, rows, |$row: &$model| $key {
                        parent: $parent,
                        scope,
                        limit,
                        after,
                    }));
                }
                Ok(found)
            }
        }
    };
}

page_loader!(
    /// A page of the characters a person plays.
    RolesPage => character::Model, nested_pages::roles, |row| row.actor_id.unwrap_or_default()
);
page_loader!(
    /// A page of a person's credits.
    CreditsPage => credit::Model, nested_pages::credits, |row| row.person_id
);
page_loader!(
    /// A page of a company's film credits.
    CompanyFilmsPage => movie_company::Model, nested_pages::company_films, |row| row.company_id
);

/// A film's latest revisions: (film id, how many).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RevisionsOf(pub i32, pub u64);

impl Loader<RevisionsOf> for DbLoader {
    type Value = Vec<movie_revision::Model>;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[RevisionsOf],
    ) -> Result<HashMap<RevisionsOf, Self::Value>, Self::Error> {
        // One statement per distinct page size (in practice, one).
        let mut sizes: Vec<u64> = keys.iter().map(|k| k.1).collect();
        sizes.sort_unstable();
        sizes.dedup();
        let mut found = HashMap::new();
        for size in sizes {
            let ids: Vec<i32> = keys.iter().filter(|k| k.1 == size).map(|k| k.0).collect();
            let rows = revisions::latest_of_movies(self.db.as_ref(), &ids, size).await?;
            let keyed: Vec<RevisionsOf> = ids.iter().map(|id| RevisionsOf(*id, size)).collect();
            found.extend(group_by_key(&keyed, rows, |row| {
                RevisionsOf(row.movie_id, size)
            }));
        }
        Ok(found)
    }
}

/// How many items a parent (by id) has in a nested list, among the films a scope sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CountOf(pub NestedList, pub ReadScope, pub i32);

impl Loader<CountOf> for DbLoader {
    type Value = u64;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[CountOf]) -> Result<HashMap<CountOf, u64>, Self::Error> {
        let mut lists: Vec<(NestedList, ReadScope)> = Vec::new();
        for key in keys {
            if !lists.contains(&(key.0, key.1)) {
                lists.push((key.0, key.1));
            }
        }
        let mut found: HashMap<CountOf, u64> = keys.iter().map(|k| (*k, 0)).collect();
        for (list, scope) in lists {
            let ids: Vec<i32> = keys
                .iter()
                .filter(|k| k.0 == list && k.1 == scope)
                .map(|k| k.2)
                .collect();
            for (parent, n) in nested_pages::counts(self.db.as_ref(), list, &ids, scope).await? {
                found.insert(
                    CountOf(list, scope, parent),
                    u64::try_from(n).unwrap_or_default(),
                );
            }
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_grouped_by_key_in_the_order_given_whether_or_not_they_come_in_runs() {
        let keys = [1, 2, 3];
        let rows = vec![(1, "a"), (1, "b"), (2, "c"), (1, "d"), (2, "e"), (2, "f")];
        let grouped = group_by_key(&keys, rows, |row| row.0);
        let names = |key: i32| grouped[&key].iter().map(|row| row.1).collect::<Vec<_>>();
        assert_eq!(names(1), ["a", "b", "d"]);
        assert_eq!(names(2), ["c", "e", "f"]);
        assert!(names(3).is_empty(), "a key without rows gets an empty list");
        assert_eq!(grouped.len(), 3);
    }
}
