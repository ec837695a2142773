//! Every list a page of films shows, for all of its films, in one statement.
//!
//! A film page has up to seven lists (plot, sections, characters with their actors, themes,
//! locations, credits with their people, companies' parts with their companies). Read one
//! statement each, a page costs eight round trips, eight plans and eight connections taken
//! from the pool at once. Here the lists a page selects are read by one `UNION ALL`: each
//! branch is one list's own statement (the same as [`film_parts`](super::film_parts) runs
//! alone, the `LATERAL` look-ups included), preceded by a number that says which list a row
//! belongs to, and laid out in a block of columns of its own (the other blocks are `NULL`).
//! Rows are read back by column position and put in each list's order here.

use entity::{
    character, company, credit, location, movie_company, person, plot_paragraph, section, theme,
};
use sea_orm::sea_query::{Alias, ColumnType, Expr, Query, SelectStatement, UnionType};
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, Iterable, QueryResult};

use crate::error::AppError;
use crate::service::by_position::ReadByPosition;
use crate::service::film_parts::{parents_query, referenced_query};

/// Which lists to read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Wanted {
    /// Plot paragraphs.
    pub plot: bool,
    /// Sections.
    pub sections: bool,
    /// Characters with their actors.
    pub characters: bool,
    /// Themes.
    pub themes: bool,
    /// Locations.
    pub locations: bool,
    /// Credits with their people.
    pub credits: bool,
    /// Companies' parts with their companies.
    pub companies: bool,
}

/// The lists read, each ordered by film, then position.
#[derive(Debug, Default)]
pub struct Parts {
    /// Plot paragraphs.
    pub plot: Vec<plot_paragraph::Model>,
    /// Sections.
    pub sections: Vec<section::Model>,
    /// Characters with their actors.
    pub characters: Vec<(character::Model, Option<person::Model>)>,
    /// Themes.
    pub themes: Vec<theme::Model>,
    /// Locations.
    pub locations: Vec<location::Model>,
    /// Credits with their people.
    pub credits: Vec<(credit::Model, person::Model)>,
    /// Companies' parts with their companies.
    pub companies: Vec<(movie_company::Model, company::Model)>,
}

/// The lists, in the order of their blocks of columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum List {
    Plot = 1,
    Sections,
    Characters,
    Themes,
    Locations,
    Credits,
    Companies,
}

const LISTS: [List; 7] = [
    List::Plot,
    List::Sections,
    List::Characters,
    List::Themes,
    List::Locations,
    List::Credits,
    List::Companies,
];

impl List {
    fn wanted(self, wanted: Wanted) -> bool {
        match self {
            Self::Plot => wanted.plot,
            Self::Sections => wanted.sections,
            Self::Characters => wanted.characters,
            Self::Themes => wanted.themes,
            Self::Locations => wanted.locations,
            Self::Credits => wanted.credits,
            Self::Companies => wanted.companies,
        }
    }

    /// How many columns the list's rows have (its referenced row's included).
    fn width(self) -> usize {
        self.column_types().len()
    }

    /// The types of the list's columns, in order (its referenced row's included).
    fn column_types(self) -> Vec<ColumnType> {
        fn of<E: EntityTrait>() -> impl Iterator<Item = ColumnType> {
            E::Column::iter().map(|column| column.def().get_column_type().clone())
        }
        match self {
            Self::Plot => of::<plot_paragraph::Entity>().collect(),
            Self::Sections => of::<section::Entity>().collect(),
            Self::Characters => of::<character::Entity>()
                .chain(of::<person::Entity>())
                .collect(),
            Self::Themes => of::<theme::Entity>().collect(),
            Self::Locations => of::<location::Entity>().collect(),
            Self::Credits => of::<credit::Entity>()
                .chain(of::<person::Entity>())
                .collect(),
            Self::Companies => of::<movie_company::Entity>()
                .chain(of::<company::Entity>())
                .collect(),
        }
    }

    /// The list's own statement for these films.
    fn statement(self, backend: DbBackend, ids: &[i32]) -> SelectStatement {
        let mut statement = match self {
            Self::Plot => {
                parents_query::<plot_paragraph::Entity>(plot_paragraph::Column::MovieId, ids)
            }
            Self::Sections => parents_query::<section::Entity>(section::Column::MovieId, ids),
            Self::Characters => referenced_query::<character::Entity, person::Entity>(
                backend,
                character::Column::MovieId,
                ids,
                character::Column::Position,
                (character::Column::ActorId, person::Column::Id),
            ),
            Self::Themes => parents_query::<theme::Entity>(theme::Column::MovieId, ids),
            Self::Locations => parents_query::<location::Entity>(location::Column::MovieId, ids),
            Self::Credits => referenced_query::<credit::Entity, person::Entity>(
                backend,
                credit::Column::MovieId,
                ids,
                credit::Column::Position,
                (credit::Column::PersonId, person::Column::Id),
            ),
            Self::Companies => referenced_query::<movie_company::Entity, company::Entity>(
                backend,
                movie_company::Column::MovieId,
                ids,
                movie_company::Column::Position,
                (movie_company::Column::CompanyId, company::Column::Id),
            ),
        };
        // Order is put back per list once read; a branch of a union has none of its own.
        statement.clear_order_by();
        statement
    }
}

/// A `NULL` of this column type. PostgreSQL needs the type: it resolves a union's column
/// types pairwise, and two bare `NULL`s would make `text` of a column that is an integer in a
/// later branch.
fn typed_null(backend: DbBackend, column_type: &ColumnType) -> Expr {
    if backend != DbBackend::Postgres {
        return Expr::cust("NULL");
    }
    let name = match column_type {
        ColumnType::Integer => "integer",
        ColumnType::BigInteger => "bigint",
        ColumnType::SmallInteger => "smallint",
        ColumnType::Boolean => "boolean",
        ColumnType::TimestampWithTimeZone => "timestamptz",
        ColumnType::DateTime | ColumnType::Timestamp => "timestamp",
        ColumnType::Date => "date",
        ColumnType::Double => "double precision",
        ColumnType::Float => "real",
        _ => "text",
    };
    Expr::cust(format!("NULL::{name}"))
}

/// The one statement: per wanted list, `SELECT <list>, NULL…, part.*, NULL… FROM (<the
/// list's statement>) AS part`, joined by `UNION ALL`.
fn bundle_statement(backend: DbBackend, ids: &[i32], wanted: Wanted) -> Option<SelectStatement> {
    let lists: Vec<List> = LISTS.into_iter().filter(|l| l.wanted(wanted)).collect();
    let types: Vec<Vec<ColumnType>> = lists.iter().map(|l| l.column_types()).collect();
    let mut branches = lists.iter().enumerate().map(|(at, &list)| {
        let mut branch = Query::select();
        branch.expr(Expr::cust((list as i32).to_string()));
        for (block, columns) in types.iter().enumerate() {
            if block == at {
                branch.expr(Expr::cust("\"part\".*"));
            } else {
                branch.exprs(columns.iter().map(|t| typed_null(backend, t)));
            }
        }
        branch.from_subquery(list.statement(backend, ids), Alias::new("part"));
        branch
    });
    let mut statement = branches.next()?;
    for branch in branches {
        statement.union(UnionType::All, branch);
    }
    Some(statement)
}

/// Reads the wanted lists of films `ids` in one statement (none when nothing is wanted).
pub async fn parts_of_movies<C: ConnectionTrait>(
    db: &C,
    ids: &[i32],
    wanted: Wanted,
) -> Result<Parts, AppError> {
    let mut parts = Parts::default();
    if ids.is_empty() {
        return Ok(parts);
    }
    let Some(statement) = bundle_statement(db.get_database_backend(), ids, wanted) else {
        return Ok(parts);
    };
    // Where each wanted list's block of columns starts (after the list number).
    let mut starts = [0usize; 8];
    let mut next = 1;
    for list in LISTS.into_iter().filter(|l| l.wanted(wanted)) {
        starts[list as usize] = next;
        next += list.width();
    }
    for row in db.query_all(&statement).await? {
        read_row(&row, &starts, &mut parts)?;
    }
    let by_film = |movie_id: i32, position: i32| (movie_id, position);
    parts.plot.sort_by_key(|r| by_film(r.movie_id, r.position));
    parts
        .sections
        .sort_by_key(|r| by_film(r.movie_id, r.position));
    parts
        .characters
        .sort_by_key(|r| by_film(r.0.movie_id, r.0.position));
    parts
        .themes
        .sort_by_key(|r| by_film(r.movie_id, r.position));
    parts
        .locations
        .sort_by_key(|r| by_film(r.movie_id, r.position));
    parts
        .credits
        .sort_by_key(|r| by_film(r.0.movie_id, r.0.position));
    parts
        .companies
        .sort_by_key(|r| by_film(r.0.movie_id, r.0.position));
    Ok(parts)
}

/// Reads one row of the union into its list.
fn read_row(row: &QueryResult, starts: &[usize; 8], parts: &mut Parts) -> Result<(), AppError> {
    let list: i32 = row.try_get_by_index(0)?;
    let at = |list: List| starts[list as usize];
    match list {
        1 => parts
            .plot
            .push(plot_paragraph::Entity::read(row, at(List::Plot))?),
        2 => parts
            .sections
            .push(section::Entity::read(row, at(List::Sections))?),
        3 => {
            let start = at(List::Characters);
            let character = character::Entity::read(row, start)?;
            let actor = person::Entity::read_optional(row, start + character::Entity::columns())?;
            parts.characters.push((character, actor));
        }
        4 => parts
            .themes
            .push(theme::Entity::read(row, at(List::Themes))?),
        5 => parts
            .locations
            .push(location::Entity::read(row, at(List::Locations))?),
        6 => {
            let start = at(List::Credits);
            let credit = credit::Entity::read(row, start)?;
            // A foreign key keeps a credit from naming no one.
            if let Some(person) =
                person::Entity::read_optional(row, start + credit::Entity::columns())?
            {
                parts.credits.push((credit, person));
            }
        }
        7 => {
            let start = at(List::Companies);
            let part = movie_company::Entity::read(row, start)?;
            if let Some(company) =
                company::Entity::read_optional(row, start + movie_company::Entity::columns())?
            {
                parts.companies.push((part, company));
            }
        }
        other => {
            return Err(AppError::Internal(format!(
                "a film bundle row names list {other}"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::sea_query::{PostgresQueryBuilder, SqliteQueryBuilder};

    fn all() -> Wanted {
        Wanted {
            plot: true,
            sections: true,
            characters: true,
            themes: true,
            locations: true,
            credits: true,
            companies: true,
        }
    }

    #[test]
    fn one_statement_with_a_branch_per_wanted_list() {
        for (backend, sql) in [
            (
                DbBackend::Postgres,
                bundle_statement(DbBackend::Postgres, &[1, 2], all())
                    .map(|s| s.to_string(PostgresQueryBuilder)),
            ),
            (
                DbBackend::Sqlite,
                bundle_statement(DbBackend::Sqlite, &[1, 2], all())
                    .map(|s| s.to_string(SqliteQueryBuilder)),
            ),
        ] {
            let sql = sql.unwrap_or_default();
            assert_eq!(sql.matches("UNION ALL").count(), 6, "{backend:?}: {sql}");
            assert!(!sql.contains("ORDER BY"), "{sql}");
        }
        let two = Wanted {
            sections: true,
            characters: true,
            ..Wanted::default()
        };
        let sql = bundle_statement(DbBackend::Postgres, &[1], two)
            .map(|s| s.to_string(PostgresQueryBuilder))
            .unwrap_or_default();
        assert_eq!(sql.matches("UNION ALL").count(), 1, "{sql}");
        assert!(bundle_statement(DbBackend::Sqlite, &[1], Wanted::default()).is_none());
    }
}
