//! Which films exist for a reader: the one place visibility is decided. Every read of films
//! (by slug, by id, lists and their counts, filters, search, a person's roles, a company's
//! films, the change events subscriptions yield) takes a [`ReadScope`] and filters with it, so
//! that an unpublished film or a draft cannot leak through a side door.
//!
//! A film is one `movie` row; while an editor changes a published film, its draft is a second
//! row (`draft_of` = the film) with its own lists, and the film's row says `has_draft`. The
//! public sees films' own rows that are published; editors see each film once: its draft
//! where it has one, else its own row.

use entity::{change_event, movie};
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, Condition};

/// What a read may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ReadScope {
    /// Published films only: what anonymous readers, caches and CDNs see.
    #[default]
    Published,
    /// Every film as editors work on it: its draft where it has one, else the film, published
    /// or not (needs an editor's token).
    Draft,
    /// One film as editors work on it, and nothing else: what a reviewer's preview token reads.
    Preview(i32),
}

impl ReadScope {
    /// The condition on `movie` rows this scope may see.
    pub fn films(self) -> Condition {
        match self {
            Self::Published => Condition::all()
                .add(movie::Column::DraftOf.is_null())
                .add(movie::Column::PublishedAt.is_not_null()),
            Self::Draft => Condition::any()
                .add(movie::Column::DraftOf.is_not_null())
                .add(movie::Column::HasDraft.eq(false)),
            Self::Preview(film) => Condition::all().add(Self::Draft.films()).add(
                Condition::any()
                    .add(movie::Column::Id.eq(film))
                    .add(movie::Column::DraftOf.eq(film)),
            ),
        }
    }

    /// The same condition as SQL text over `alias`, for hand-written statements (both
    /// databases read it alike).
    pub fn films_sql(self, alias: &str) -> String {
        match self {
            Self::Published => {
                format!("({alias}.draft_of IS NULL AND {alias}.published_at IS NOT NULL)")
            }
            Self::Draft => format!("({alias}.draft_of IS NOT NULL OR {alias}.has_draft = false)"),
            Self::Preview(film) => format!(
                "({} AND ({alias}.id = {film} OR {alias}.draft_of = {film}))",
                Self::Draft.films_sql(alias)
            ),
        }
    }
}

impl ReadScope {
    /// Rows whose film (`movie_id`, a column of another table) this scope may see.
    pub fn rows_of_films(self, movie_id: impl ColumnTrait) -> Condition {
        Condition::all().add(
            movie_id.in_subquery(
                Query::select()
                    .column(movie::Column::Id)
                    .from(movie::Entity)
                    .cond_where(self.films())
                    .to_owned(),
            ),
        )
    }

    /// Whether a change event is for this scope: public changes for everyone, a draft's
    /// changes for editors (and a preview token, for its own film).
    pub fn sees_change(self, event: &change_event::Model) -> bool {
        match self {
            Self::Published => event.public,
            Self::Draft => true,
            Self::Preview(film) => event.public || event.movie_id == Some(film),
        }
    }

    /// The slugs a film may be stored under for this scope: a draft stores its slug as
    /// [`DRAFT_SLUG_PREFIX`] + slug.
    pub fn stored_slugs(self, slug: &str) -> Vec<String> {
        match self {
            Self::Published => vec![slug.to_owned()],
            Self::Draft | Self::Preview(_) => vec![slug.to_owned(), draft_slug(slug)],
        }
    }
}

/// What a draft's stored slug starts with: no real slug does, so a film and its draft never
/// hold the same value of the unique `slug` column.
pub const DRAFT_SLUG_PREFIX: char = '~';

/// How a draft stores `slug`.
pub fn draft_slug(slug: &str) -> String {
    format!("{DRAFT_SLUG_PREFIX}{slug}")
}

/// The slug readers see for a stored one (a draft's without its prefix).
pub fn shown_slug(stored: &str) -> &str {
    stored.strip_prefix(DRAFT_SLUG_PREFIX).unwrap_or(stored)
}

/// The id of the film a row shows: the film's own for a draft.
pub fn film_id(row: &movie::Model) -> i32 {
    row.draft_of.unwrap_or(row.id)
}

#[cfg(test)]
mod tests {
    use sea_orm::{DbBackend, EntityTrait, QueryFilter, QueryTrait};

    use super::*;

    fn where_clause(scope: ReadScope) -> String {
        let sql = movie::Entity::find()
            .filter(scope.films())
            .build(DbBackend::Postgres)
            .to_string();
        sql.split(" WHERE ").nth(1).unwrap_or_default().to_owned()
    }

    #[test]
    fn the_public_sees_published_films_own_rows_only() {
        assert_eq!(
            where_clause(ReadScope::Published),
            r#""movie"."draft_of" IS NULL AND "movie"."published_at" IS NOT NULL"#
        );
    }

    #[test]
    fn editors_see_each_film_once_and_a_preview_only_its_film() {
        let draft = r#"("movie"."draft_of" IS NOT NULL OR "movie"."has_draft" = FALSE)"#;
        assert_eq!(
            where_clause(ReadScope::Draft),
            draft.trim_matches(['(', ')'])
        );
        // The film condition narrows the editors' view; it must never widen it.
        assert_eq!(
            where_clause(ReadScope::Preview(7)),
            format!(r#"{draft} AND ("movie"."id" = 7 OR "movie"."draft_of" = 7)"#)
        );
        assert_eq!(
            ReadScope::Preview(7).films_sql("m"),
            "((m.draft_of IS NOT NULL OR m.has_draft = false) AND (m.id = 7 OR m.draft_of = 7))"
        );
    }

    #[test]
    fn drafts_store_their_slug_apart() {
        assert_eq!(draft_slug("crash"), "~crash");
        assert_eq!(shown_slug("~crash"), "crash");
        assert_eq!(shown_slug("crash"), "crash");
        assert_eq!(ReadScope::Published.stored_slugs("crash"), ["crash"]);
        assert_eq!(ReadScope::Draft.stored_slugs("crash"), ["crash", "~crash"]);
    }

    #[test]
    fn draft_changes_are_seen_by_editors_and_their_films_preview_only() {
        let event = |public, movie_id| change_event::Model {
            id: 1,
            kind: entity::ChangeKind::DraftChanged,
            movie_id,
            slug: None,
            version: None,
            public,
            keys: String::new(),
            author: "alice".into(),
            created_at: chrono::Utc::now(),
        };
        let (draft, published) = (event(false, Some(7)), event(true, Some(8)));
        assert!(!ReadScope::Published.sees_change(&draft));
        assert!(ReadScope::Published.sees_change(&published));
        assert!(ReadScope::Draft.sees_change(&draft));
        assert!(ReadScope::Preview(7).sees_change(&draft));
        assert!(!ReadScope::Preview(8).sees_change(&draft));
        assert!(ReadScope::Preview(8).sees_change(&published));
    }
}
