//! Listing films: filters, orderings and keyset paging. Every ordering ends with the id as a
//! tie-break, and a page starts strictly after its cursor's (sort value, id), so paging never
//! skips or repeats a film, whatever the ties.

use chrono::{DateTime, Utc};
use entity::{character, credit, location, movie, person, theme};
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr, Query, SimpleExpr};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, Iden, Iterable, Order, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Select, Value,
};
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::service::page_limit::all_limited;
use crate::service::visibility::ReadScope;

/// Which films to list; every field given must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MovieFilter {
    /// The title contains this text (case-insensitive).
    pub title_contains: Option<String>,
    /// Released in or after this year.
    pub release_year_from: Option<i32>,
    /// Released in or before this year.
    pub release_year_to: Option<i32>,
    /// The person with this slug acted in the film or is credited on it (directed, ...).
    pub person: Option<String>,
    /// The film has a theme of this name (case-insensitive).
    pub theme: Option<String>,
    /// The film is set in a place of this name (case-insensitive).
    pub location: Option<String>,
    /// Which films exist for the reader.
    pub scope: ReadScope,
}

/// What films are ordered by (then by id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum MovieSort {
    /// When the film was added (its id).
    #[default]
    Added,
    /// Title, case-insensitively.
    Title,
    /// Year of first release.
    ReleaseYear,
    /// When the film was created.
    CreatedAt,
    /// When the film was last changed.
    UpdatedAt,
}

/// Ascending or descending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Smallest first.
    #[default]
    Asc,
    /// Largest first.
    Desc,
}

/// Which of a film's two prose columns a page of films reads. A list of films rarely shows
/// them, and they are most of what PostgreSQL sends for a film's own row: a page of 20 films
/// without them cost it about 40% less (`pgbench`). A column left out reads as `NULL`, so a
/// page may leave one out only when nothing in the request shows it: the caller decides from
/// the whole document (see `graphql::document_names`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FilmProse {
    /// `period_description`, which `period` shows (and by which it is null or not).
    pub period: bool,
    /// `setting_description`, which `setting { description }` shows.
    pub setting: bool,
}

impl FilmProse {
    /// Both columns.
    pub const ALL: Self = Self {
        period: true,
        setting: true,
    };

    /// Whether `column` is read: every column but a prose one left out.
    fn reads(self, column: movie::Column) -> bool {
        match column {
            movie::Column::PeriodDescription => self.period,
            movie::Column::SettingDescription => self.setting,
            _ => true,
        }
    }

    /// `select` (of every column of `movie`, in their order) with the columns left out read
    /// as `NULL`, so that the rows are still read by position.
    fn applied(self, select: Select<movie::Entity>) -> Select<movie::Entity> {
        if self == Self::ALL {
            return select;
        }
        movie::Column::iter().fold(select.select_only(), |select, column| {
            if self.reads(column) {
                select.column(column)
            } else {
                select.expr_as(Expr::cust("NULL"), column.to_string())
            }
        })
    }
}

/// Where a page of films ends: the ordering and the last film's sort value and id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MovieCursor {
    /// The ordering the cursor belongs to.
    pub sort: MovieSort,
    /// Its direction.
    pub direction: Direction,
    /// The last film's sort value (absent for `Added`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<serde_json::Value>,
    /// The last film's id.
    pub id: i32,
}

impl MovieCursor {
    /// The cursor just after `movie` in this ordering.
    pub fn after(movie: &movie::Model, sort: MovieSort, direction: Direction) -> Self {
        let value = match sort {
            MovieSort::Added => None,
            MovieSort::Title => Some(serde_json::Value::from(movie.title.clone())),
            MovieSort::ReleaseYear => Some(serde_json::Value::from(movie.release_year)),
            MovieSort::CreatedAt => Some(serde_json::Value::from(movie.created_at.to_rfc3339())),
            MovieSort::UpdatedAt => Some(serde_json::Value::from(movie.updated_at.to_rfc3339())),
        };
        Self {
            sort,
            direction,
            value,
            id: movie.id,
        }
    }
}

fn column(sort: MovieSort) -> movie::Column {
    match sort {
        MovieSort::Added => movie::Column::Id,
        MovieSort::Title => movie::Column::Title,
        MovieSort::ReleaseYear => movie::Column::ReleaseYear,
        MovieSort::CreatedAt => movie::Column::CreatedAt,
        MovieSort::UpdatedAt => movie::Column::UpdatedAt,
    }
}

/// What rows are ordered by: titles case-insensitively (`LOWER(title)`), the rest as stored.
fn sort_key(sort: MovieSort) -> SimpleExpr {
    let column = Expr::col((movie::Entity, column(sort)));
    match sort {
        MovieSort::Title => lower(column),
        _ => column,
    }
}

/// A cursor's sort value, made comparable with [`sort_key`] by the same database function
/// (so Rust's and the database's idea of lower case never need to agree).
fn comparable(sort: MovieSort, value: Value) -> SimpleExpr {
    match sort {
        MovieSort::Title => lower(Expr::val(value)),
        _ => Expr::val(value),
    }
}

/// The cursor's sort value as a database value; `BAD_USER_INPUT` when it does not fit.
fn sort_value(cursor: &MovieCursor) -> Result<Option<Value>, AppError> {
    let bad = || AppError::bad_input("after", "the cursor is not valid");
    let Some(value) = &cursor.value else {
        return if cursor.sort == MovieSort::Added {
            Ok(None)
        } else {
            Err(bad())
        };
    };
    Ok(Some(match cursor.sort {
        MovieSort::Added => return Err(bad()),
        MovieSort::Title => Value::from(value.as_str().ok_or_else(bad)?.to_owned()),
        MovieSort::ReleaseYear => {
            let year = value
                .as_i64()
                .and_then(|y| i32::try_from(y).ok())
                .ok_or_else(bad)?;
            Value::from(year)
        }
        MovieSort::CreatedAt | MovieSort::UpdatedAt => {
            let text = value.as_str().ok_or_else(bad)?;
            let at: DateTime<Utc> = DateTime::parse_from_rfc3339(text)
                .map_err(|_| bad())?
                .with_timezone(&Utc);
            Value::from(at)
        }
    }))
}

/// `%text%` (lower-cased) for LIKE, with LIKE's own wildcards in `text` escaped.
pub fn contains_pattern(text: &str) -> LikeExpr {
    let mut escaped = String::with_capacity(text.len() + 2);
    escaped.push('%');
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped.push('%');
    LikeExpr::new(escaped).escape('\\')
}

fn lower(expr: impl Into<SimpleExpr>) -> SimpleExpr {
    Func::lower(expr.into()).into()
}

/// The SQL condition of a filter.
pub fn condition(filter: &MovieFilter) -> Condition {
    let mut all = filter.scope.films();
    if let Some(text) = &filter.title_contains {
        all = all.add(
            lower(Expr::col((movie::Entity, movie::Column::Title))).like(contains_pattern(text)),
        );
    }
    if let Some(from) = filter.release_year_from {
        all = all.add(movie::Column::ReleaseYear.gte(from));
    }
    if let Some(to) = filter.release_year_to {
        all = all.add(movie::Column::ReleaseYear.lte(to));
    }
    if let Some(slug) = &filter.person {
        let person_id = Query::select()
            .column(person::Column::Id)
            .from(person::Entity)
            .and_where(person::Column::Slug.eq(slug.as_str()))
            .to_owned();
        let acted = Query::select()
            .column(character::Column::MovieId)
            .from(character::Entity)
            .and_where(character::Column::ActorId.in_subquery(person_id.clone()))
            .to_owned();
        let credited = Query::select()
            .column(credit::Column::MovieId)
            .from(credit::Entity)
            .and_where(credit::Column::PersonId.in_subquery(person_id))
            .to_owned();
        all = all.add(
            Condition::any()
                .add(movie::Column::Id.in_subquery(acted))
                .add(movie::Column::Id.in_subquery(credited)),
        );
    }
    if let Some(name) = &filter.theme {
        let with_theme = Query::select()
            .column(theme::Column::MovieId)
            .from(theme::Entity)
            .and_where(
                lower(Expr::col((theme::Entity, theme::Column::Name))).eq(name.to_lowercase()),
            )
            .to_owned();
        all = all.add(movie::Column::Id.in_subquery(with_theme));
    }
    if let Some(name) = &filter.location {
        let set_there = Query::select()
            .column(location::Column::MovieId)
            .from(location::Entity)
            .and_where(
                lower(Expr::col((location::Entity, location::Column::Name)))
                    .eq(name.to_lowercase()),
            )
            .to_owned();
        all = all.add(movie::Column::Id.in_subquery(set_there));
    }
    all
}

/// Up to `limit` films matching `filter`, in the given order, after `after` (whose ordering
/// must be the same: `BAD_USER_INPUT` at `after` otherwise), with the prose columns `prose`
/// says (the others are `None`).
pub async fn page<C: ConnectionTrait>(
    db: &C,
    filter: &MovieFilter,
    (sort, direction): (MovieSort, Direction),
    after: Option<&MovieCursor>,
    limit: u64,
    prose: FilmProse,
) -> Result<Vec<movie::Model>, AppError> {
    let order = match direction {
        Direction::Asc => Order::Asc,
        Direction::Desc => Order::Desc,
    };
    let key = sort_key(sort);
    let mut query = prose
        .applied(movie::Entity::find())
        .filter(condition(filter));
    if let Some(cursor) = after {
        if cursor.sort != sort || cursor.direction != direction {
            return Err(AppError::bad_input(
                "after",
                "the cursor belongs to another ordering: page with the `orderBy` it came from",
            ));
        }
        let id = cursor.id;
        let beyond_id = match direction {
            Direction::Asc => movie::Column::Id.gt(id),
            Direction::Desc => movie::Column::Id.lt(id),
        };
        query = query.filter(match sort_value(cursor)? {
            None => Condition::all().add(beyond_id),
            Some(value) => {
                let value = comparable(sort, value);
                let beyond_value = match direction {
                    Direction::Asc => key.clone().gt(value.clone()),
                    Direction::Desc => key.clone().lt(value.clone()),
                };
                Condition::any()
                    .add(beyond_value)
                    .add(Condition::all().add(key.clone().eq(value)).add(beyond_id))
            }
        });
    }
    if sort != MovieSort::Added {
        query = query.order_by(key, order.clone());
    }
    let query = query.order_by(movie::Column::Id, order);
    Ok(all_limited(db, query, limit).await?)
}

/// How many films match `filter`.
pub async fn count<C: ConnectionTrait>(db: &C, filter: &MovieFilter) -> Result<u64, AppError> {
    Ok(movie::Entity::find()
        .filter(condition(filter))
        .count(db)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::QueryTrait;

    #[test]
    fn a_prose_column_left_out_is_read_as_null_in_its_place() {
        let sql = |prose: FilmProse| {
            prose
                .applied(movie::Entity::find())
                .build(sea_orm::DbBackend::Postgres)
                .to_string()
        };
        let without_period = sql(FilmProse {
            period: false,
            setting: true,
        });
        assert!(
            without_period.contains(r#""movie"."period_end_year", NULL AS "period_description", "movie"."setting_description", "movie"."version""#),
            "{without_period}"
        );
        let without_both = sql(FilmProse {
            period: false,
            setting: false,
        });
        assert!(
            without_both.contains(r#"NULL AS "period_description", NULL AS "setting_description""#),
            "{without_both}"
        );
        assert_eq!(
            sql(FilmProse::ALL),
            movie::Entity::find()
                .build(sea_orm::DbBackend::Postgres)
                .to_string()
        );
    }

    #[test]
    fn like_wildcards_in_the_text_are_literal() {
        let pattern = format!("{:?}", contains_pattern("100%_A"));
        assert!(pattern.contains("%100\\\\%\\\\_a%"), "{pattern}");
    }
}
