//! Which films exist for a reader: the one place visibility is decided. Every read of films
//! (by slug, by id, lists and their counts, filters, search, a person's roles, a company's
//! films) takes a [`ReadScope`] and filters with it, so that an unpublished film cannot leak
//! through a side door.

use entity::movie;
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, Condition};

/// What a read may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ReadScope {
    /// Published films only: what anonymous readers, caches and CDNs see.
    #[default]
    Published,
    /// Every film as editors work on it, published or not (needs an editor's token).
    Draft,
}

impl ReadScope {
    /// The condition on `movie` rows this scope may see.
    pub fn films(self) -> Condition {
        match self {
            Self::Published => Condition::all().add(movie::Column::PublishedAt.is_not_null()),
            Self::Draft => Condition::all(),
        }
    }

    /// The same condition as SQL text over `alias`, for hand-written statements (both
    /// databases read it alike).
    pub fn films_sql(self, alias: &str) -> String {
        match self {
            Self::Published => format!("{alias}.published_at IS NOT NULL"),
            Self::Draft => "1 = 1".to_owned(),
        }
    }
}

impl ReadScope {
    /// Rows whose film (`movie_id`, a column of another table) this scope may see.
    pub fn rows_of_films(self, movie_id: impl ColumnTrait) -> Condition {
        match self {
            Self::Published => Condition::all().add(
                movie_id.in_subquery(
                    Query::select()
                        .column(movie::Column::Id)
                        .from(movie::Entity)
                        .cond_where(self.films())
                        .to_owned(),
                ),
            ),
            Self::Draft => Condition::all(),
        }
    }
}
