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
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, Iden, Iterable, QueryResult, Statement,
    Value,
};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use crate::error::AppError;
use crate::service::by_position::{Column, ReadByPosition};
use crate::service::film_parts::{REFERENCED_PREFIX, parents_query, referenced_query};

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

/// A column a list's rows may leave out, with the API fields that show it.
struct Omittable {
    list: List,
    /// Whether the column is the referenced row's (a character's actor, a credit's person, a
    /// company's part's company) rather than the list's own.
    referenced: bool,
    column: &'static str,
    /// The fields (of the list's type, or of the referenced row's) that show the column;
    /// empty for a column no field shows.
    fields: &'static [&'static str],
}

/// Shorthand for the entries of [`OMITTABLE`].
const fn omit(
    list: List,
    referenced: bool,
    column: &'static str,
    fields: &'static [&'static str],
) -> Omittable {
    Omittable {
        list,
        referenced,
        column,
        fields,
    }
}

/// The columns a statement reads only when the request's document names a field that shows
/// them (PostGraphile reads only what a query selects, too). A film list's characters carry a
/// paragraph of description each, and their actors two timestamps no field shows: read for
/// every row, they were a fifth of what PostgreSQL sent for a list that selects neither. The
/// keys a list is grouped, ordered and joined by (`movie_id`, `position`, the references and
/// the referenced rows' ids) are always read.
const OMITTABLE: [Omittable; 27] = [
    omit(List::Plot, false, "id", &[]),
    omit(List::Sections, false, "id", &["id"]),
    omit(List::Sections, false, "title", &["title"]),
    omit(List::Sections, false, "body", &["body"]),
    omit(List::Characters, false, "id", &["id"]),
    omit(List::Characters, false, "name", &["name"]),
    omit(List::Characters, false, "description", &["description"]),
    omit(List::Characters, true, "slug", &["slug"]),
    omit(List::Characters, true, "name", &["name"]),
    omit(List::Characters, true, "created_at", &[]),
    omit(List::Characters, true, "updated_at", &[]),
    omit(List::Themes, false, "id", &["id"]),
    omit(List::Themes, false, "emoji", &["emoji"]),
    omit(List::Themes, false, "name", &["name"]),
    omit(List::Themes, false, "description", &["description"]),
    omit(List::Locations, false, "id", &["id"]),
    omit(List::Locations, false, "name", &["name"]),
    omit(List::Credits, false, "id", &[]),
    omit(List::Credits, true, "slug", &["slug"]),
    omit(List::Credits, true, "name", &["name"]),
    omit(List::Credits, true, "created_at", &[]),
    omit(List::Credits, true, "updated_at", &[]),
    omit(List::Companies, false, "id", &[]),
    omit(List::Companies, true, "slug", &["slug"]),
    omit(List::Companies, true, "name", &["name"]),
    omit(List::Companies, true, "created_at", &[]),
    omit(List::Companies, true, "updated_at", &[]),
];

/// Which of the [`OMITTABLE`] columns a statement reads: a bit per entry, set when read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Columns(u32);

impl Columns {
    /// Every column (for reads whose rows may serve any field).
    pub const ALL: Self = Self(u32::MAX >> (32 - OMITTABLE.len()));

    /// The columns that the fields a request's document names show, plus those always read.
    /// `named(field)` says whether the document names a field (anywhere in it: the rows go
    /// into the request's loaders, which every selection of the document shares).
    pub fn shown_by(named: impl Fn(&str) -> bool) -> Self {
        let bits = OMITTABLE
            .iter()
            .enumerate()
            .filter(|(_, column)| column.fields.iter().any(|field| named(field)))
            .fold(0, |bits, (at, _)| bits | (1 << at));
        Self(bits)
    }

    /// Whether `column` of `list` (its own, or its referenced row's) is read.
    fn reads(self, list: List, referenced: bool, column: &str) -> bool {
        OMITTABLE
            .iter()
            .position(|omittable| {
                omittable.list == list
                    && omittable.referenced == referenced
                    && omittable.column == column
            })
            .is_none_or(|at| self.0 & (1 << at) != 0)
    }
}

impl Wanted {
    /// The lists as bits, in [`LISTS`] order.
    fn bits(self) -> u8 {
        LISTS
            .into_iter()
            .enumerate()
            .filter(|(_, list)| list.wanted(self))
            .fold(0, |bits, (at, _)| bits | (1 << at))
    }
}

/// One column of a list's rows.
struct ListColumn {
    /// Its name in its entity.
    name: String,
    column_type: ColumnType,
    /// Whether it is the referenced row's (a character's actor, ...).
    referenced: bool,
}

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

    /// The list's columns, in order: its own entity's, then its referenced row's.
    fn columns(self) -> Vec<ListColumn> {
        fn of<E: EntityTrait>(referenced: bool) -> impl Iterator<Item = ListColumn> {
            E::Column::iter().map(move |column| ListColumn {
                name: column.to_string(),
                column_type: column.def().get_column_type().clone(),
                referenced,
            })
        }
        match self {
            Self::Plot => of::<plot_paragraph::Entity>(false).collect(),
            Self::Sections => of::<section::Entity>(false).collect(),
            Self::Characters => of::<character::Entity>(false)
                .chain(of::<person::Entity>(true))
                .collect(),
            Self::Themes => of::<theme::Entity>(false).collect(),
            Self::Locations => of::<location::Entity>(false).collect(),
            Self::Credits => of::<credit::Entity>(false)
                .chain(of::<person::Entity>(true))
                .collect(),
            Self::Companies => of::<movie_company::Entity>(false)
                .chain(of::<company::Entity>(true))
                .collect(),
        }
    }

    /// The types of the list's columns, in order.
    fn column_types(self) -> Vec<ColumnType> {
        self.columns().into_iter().map(|c| c.column_type).collect()
    }

    /// Per column, whether `columns` reads it.
    fn reads(self, columns: Columns) -> Vec<bool> {
        self.columns()
            .iter()
            .map(|c| columns.reads(self, c.referenced, &c.name))
            .collect()
    }

    /// The names of the list's columns in its statement (the referenced row's prefixed).
    fn column_names(self) -> Vec<String> {
        self.columns()
            .into_iter()
            .map(|c| match c.referenced {
                true => format!("{REFERENCED_PREFIX}{}", c.name),
                false => c.name,
            })
            .collect()
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

/// A column's type as a union unifies it: PostgreSQL's name for it (`varchar` and `text`
/// are both `text`).
fn type_class(column_type: &ColumnType) -> &'static str {
    match column_type {
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
    }
}

/// A `NULL` of this type. PostgreSQL needs the type: it resolves a union's column types
/// pairwise, and two bare `NULL`s would make `text` of a column that is an integer in a later
/// branch.
fn typed_null(backend: DbBackend, class: &str) -> Expr {
    if backend == DbBackend::Postgres {
        Expr::cust(format!("NULL::{class}"))
    } else {
        Expr::cust("NULL")
    }
}

/// Where the wanted lists' columns go in the union's rows. Rows are shared, not side by side:
/// the slots are a shortest common sequence of the lists' column types (in column order), so
/// each list's columns fit in order, and a row is about as wide as the widest list, not as all
/// of them together (PostgreSQL's cost of a row grows with its columns, nulls included).
/// Columns the request does not read take no slot.
struct Layout {
    /// The type of each slot.
    slots: Vec<&'static str>,
    /// Per list (by its number), the slot of each of its columns (`None` when not read).
    positions: [Vec<Option<usize>>; 8],
}

fn layout(lists: &[List], columns: Columns) -> Layout {
    let mut slots: Vec<&'static str> = Vec::new();
    let classes = |list: List| -> Vec<Option<&'static str>> {
        list.column_types()
            .iter()
            .zip(list.reads(columns))
            .map(|(column_type, read)| read.then(|| type_class(column_type)))
            .collect()
    };
    for &list in lists {
        let read: Vec<&'static str> = classes(list).into_iter().flatten().collect();
        slots = shortest_common_supersequence(&slots, &read);
    }
    let mut positions: [Vec<Option<usize>>; 8] = Default::default();
    for &list in lists {
        let mut next = 0;
        for class in classes(list) {
            let Some(class) = class else {
                positions[list as usize].push(None);
                continue;
            };
            // Leftmost fit: every list is a subsequence of the slots by construction.
            while slots.get(next).is_some_and(|slot| *slot != class) {
                next += 1;
            }
            positions[list as usize].push(Some(next));
            next += 1;
        }
    }
    Layout { slots, positions }
}

/// The shortest sequence that has both `a` and `b` as subsequences.
fn shortest_common_supersequence(a: &[&'static str], b: &[&'static str]) -> Vec<&'static str> {
    // lcs[i][j]: the longest common subsequence of a[i..] and b[j..].
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut merged) = (0, 0, Vec::with_capacity(a.len() + b.len()));
    while i < a.len() && j < b.len() {
        if a[i] == b[j] {
            merged.push(a[i]);
            i += 1;
            j += 1;
        } else if lcs[i + 1][j] >= lcs[i][j + 1] {
            merged.push(a[i]);
            i += 1;
        } else {
            merged.push(b[j]);
            j += 1;
        }
    }
    merged.extend_from_slice(&a[i..]);
    merged.extend_from_slice(&b[j..]);
    merged
}

/// The one statement: per wanted list, `SELECT <list>, <its columns in their slots, typed
/// NULLs in the others> FROM (<the list's statement>) AS part`, joined by `UNION ALL`; and
/// where each list's columns are in its rows.
fn bundle_statement(
    backend: DbBackend,
    ids: &[i32],
    wanted: Wanted,
    columns: Columns,
) -> Option<(SelectStatement, [Vec<Option<usize>>; 8])> {
    let lists: Vec<List> = LISTS.into_iter().filter(|l| l.wanted(wanted)).collect();
    let layout = layout(&lists, columns);
    let mut branches = lists.iter().map(|&list| {
        let mut branch = Query::select();
        branch.expr(Expr::cust((list as i32).to_string()));
        let names = list.column_names();
        let positions = &layout.positions[list as usize];
        for (slot, class) in layout.slots.iter().enumerate() {
            match positions.iter().position(|&at| at == Some(slot)) {
                Some(column) => {
                    branch.expr(Expr::col((Alias::new("part"), Alias::new(&names[column]))));
                }
                None => {
                    branch.expr(typed_null(backend, class));
                }
            }
        }
        branch.from_subquery(list.statement(backend, ids), Alias::new("part"));
        branch
    });
    let mut statement = branches.next()?;
    for branch in branches {
        statement.union(UnionType::All, branch);
    }
    // Row columns: the list number, then the slots.
    let mut positions = layout.positions;
    for list in &mut positions {
        for at in list.iter_mut().flatten() {
            *at += 1;
        }
    }
    Some((statement, positions))
}

/// The bundle statement for `films` films, built with stand-in ids ([`STAND_IN`] + n for the
/// n-th film): its text and its values. Building and rendering a union of seven wide branches
/// costs more than reading its rows, and the result depends only on the backend, the lists and
/// how many films there are: it is built once per shape and kept.
fn bundle_template(
    backend: DbBackend,
    films: usize,
    wanted: Wanted,
    columns: Columns,
) -> Option<Arc<Template>> {
    /// (PostgreSQL or not, films, lists, columns) -> the statement.
    type Shapes = HashMap<(bool, usize, u8, Columns), Arc<Template>>;
    static SHAPES: OnceLock<Mutex<Shapes>> = OnceLock::new();
    let key = (
        backend == DbBackend::Postgres,
        films,
        wanted.bits(),
        columns,
    );
    let shapes = SHAPES.get_or_init(Mutex::default);
    if let Some(found) = shapes
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .get(&key)
    {
        return Some(found.clone());
    }
    let stand_ins: Vec<i32> = (0..films)
        .map(|n| STAND_IN.saturating_add(i32::try_from(n).unwrap_or(i32::MAX)))
        .collect();
    let (statement, positions) = bundle_statement(backend, &stand_ins, wanted, columns)?;
    let built = backend.build(&statement);
    let template = Arc::new(Template {
        sql: built.sql,
        values: built.values.map(|values| values.0).unwrap_or_default(),
        positions,
    });
    let mut shapes = shapes
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    // Shapes are few in use (lists chosen × page sizes × columns read), but a client can ask
    // for many: once the table is full it starts afresh, so odd shapes cannot take it over
    // and leave every shape not yet kept rebuilt on each request.
    if shapes.len() >= MAX_SHAPES {
        shapes.clear();
    }
    shapes.insert(key, template.clone());
    Some(template)
}

/// A kept bundle statement.
struct Template {
    sql: String,
    /// Its values, the films' ids as stand-ins.
    values: Vec<Value>,
    /// Per list (by its number), the row column of each of its columns (`None` when not
    /// read).
    positions: [Vec<Option<usize>>; 8],
}

/// The stand-in id of the first film in a kept statement (no real row has a negative id).
const STAND_IN: i32 = i32::MIN;

/// Statements kept at most.
const MAX_SHAPES: usize = 1_024;

/// The bundle statement for these films: the kept statement with the real ids in place of
/// the stand-ins.
fn bundle(
    backend: DbBackend,
    ids: &[i32],
    wanted: Wanted,
    columns: Columns,
) -> Option<(Statement, Arc<Template>)> {
    let template = bundle_template(backend, ids.len(), wanted, columns)?;
    let values: Vec<Value> = template
        .values
        .iter()
        .map(|value| match value {
            // The only integers the statement binds are the films' ids.
            Value::Int(Some(stand_in)) => {
                let at = usize::try_from(i64::from(*stand_in) - i64::from(STAND_IN)).ok();
                match at.and_then(|at| ids.get(at)) {
                    Some(&id) => Value::Int(Some(id)),
                    None => value.clone(),
                }
            }
            other => other.clone(),
        })
        .collect();
    let statement = Statement::from_sql_and_values(backend, template.sql.as_str(), values);
    Some((statement, template))
}

/// Reads the wanted lists of films `ids` in one statement (none when nothing is wanted),
/// with the columns `columns` reads (the others get their empty values).
pub async fn parts_of_movies<C: ConnectionTrait>(
    db: &C,
    ids: &[i32],
    wanted: Wanted,
    columns: Columns,
) -> Result<Parts, AppError> {
    let mut parts = Parts::default();
    if ids.is_empty() {
        return Ok(parts);
    }
    let Some((statement, template)) = bundle(db.get_database_backend(), ids, wanted, columns)
    else {
        return Ok(parts);
    };
    let rows = db.query_all_raw(statement).await?;
    for (at, row) in rows.iter().enumerate() {
        read_row(row, &template.positions, &mut parts, rows.len() - at)?;
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

/// Appends `item` to `list`; a list's first item makes room for `remaining` (the rows not read
/// yet: a list's rows come together, so no more than that), so a list is not copied again each
/// time it outgrows its room.
fn push<T>(list: &mut Vec<T>, item: T, remaining: usize) {
    if list.capacity() == 0 {
        list.reserve_exact(remaining);
    }
    list.push(item);
}

/// Reads one row of the union into its list (`remaining`: this row and those after it).
fn read_row(
    row: &QueryResult,
    positions: &[Vec<Option<usize>>; 8],
    parts: &mut Parts,
    remaining: usize,
) -> Result<(), AppError> {
    let list = <i32 as Column>::at(row, 0)?;
    let at = |list: List| positions[list as usize].as_slice();
    // A list with a referenced row: its own columns, then the referenced row's.
    let split = |list: List, own: usize| at(list).split_at(own.min(at(list).len()));
    match list {
        1 => push(
            &mut parts.plot,
            plot_paragraph::Entity::read_at(row, at(List::Plot))?,
            remaining,
        ),
        2 => push(
            &mut parts.sections,
            section::Entity::read_at(row, at(List::Sections))?,
            remaining,
        ),
        3 => {
            let (own, actor) = split(List::Characters, character::Entity::columns());
            let character = character::Entity::read_at(row, own)?;
            let actor = person::Entity::read_optional_at(row, actor)?;
            push(&mut parts.characters, (character, actor), remaining);
        }
        4 => push(
            &mut parts.themes,
            theme::Entity::read_at(row, at(List::Themes))?,
            remaining,
        ),
        5 => push(
            &mut parts.locations,
            location::Entity::read_at(row, at(List::Locations))?,
            remaining,
        ),
        6 => {
            let (own, person) = split(List::Credits, credit::Entity::columns());
            let credit = credit::Entity::read_at(row, own)?;
            // A foreign key keeps a credit from naming no one.
            if let Some(person) = person::Entity::read_optional_at(row, person)? {
                push(&mut parts.credits, (credit, person), remaining);
            }
        }
        7 => {
            let (own, company) = split(List::Companies, movie_company::Entity::columns());
            let part = movie_company::Entity::read_at(row, own)?;
            if let Some(company) = company::Entity::read_optional_at(row, company)? {
                push(&mut parts.companies, (part, company), remaining);
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
    fn the_kept_text_binds_what_building_anew_binds() {
        for backend in [DbBackend::Postgres, DbBackend::Sqlite] {
            for wanted in [
                all(),
                Wanted {
                    credits: true,
                    plot: true,
                    ..Wanted::default()
                },
            ] {
                let ids = [7, 3, 42];
                let fresh = bundle_statement(backend, &ids, wanted, Columns::ALL)
                    .map(|s| backend.build(&s.0));
                let kept =
                    bundle(backend, &ids, wanted, Columns::ALL).map(|(statement, _)| statement);
                let (Some(fresh), Some(kept)) = (fresh, kept) else {
                    panic!("both build");
                };
                assert_eq!(fresh.sql, kept.sql);
                assert_eq!(fresh.values, kept.values);
            }
        }
    }

    #[test]
    fn rows_are_as_wide_as_the_widest_list_not_all_of_them() {
        let lists: Vec<List> = LISTS.to_vec();
        let layout = layout(&lists, Columns::ALL);
        let widest = lists
            .iter()
            .map(|l| l.column_types().len())
            .max()
            .unwrap_or(0);
        assert!(layout.slots.len() < widest + 3, "{:?}", layout.slots);
        for list in lists {
            let positions = &layout.positions[list as usize];
            let classes: Vec<&str> = list.column_types().iter().map(type_class).collect();
            assert_eq!(positions.len(), classes.len());
            let positions: Vec<usize> = positions.iter().flatten().copied().collect();
            assert_eq!(positions.len(), classes.len(), "every column read");
            assert!(positions.windows(2).all(|w| w[0] < w[1]), "in order");
            for (at, class) in positions.iter().zip(classes) {
                assert_eq!(layout.slots[*at], class, "{list:?}");
            }
        }
    }

    #[test]
    fn one_statement_with_a_branch_per_wanted_list() {
        for (backend, sql) in [
            (
                DbBackend::Postgres,
                bundle_statement(DbBackend::Postgres, &[1, 2], all(), Columns::ALL)
                    .map(|s| s.0.to_string(PostgresQueryBuilder)),
            ),
            (
                DbBackend::Sqlite,
                bundle_statement(DbBackend::Sqlite, &[1, 2], all(), Columns::ALL)
                    .map(|s| s.0.to_string(SqliteQueryBuilder)),
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
        let sql = bundle_statement(DbBackend::Postgres, &[1], two, Columns::ALL)
            .map(|s| s.0.to_string(PostgresQueryBuilder))
            .unwrap_or_default();
        assert_eq!(sql.matches("UNION ALL").count(), 1, "{sql}");
        assert!(
            bundle_statement(DbBackend::Sqlite, &[1], Wanted::default(), Columns::ALL).is_none()
        );
    }

    #[test]
    fn every_omittable_column_is_a_column_of_its_list() {
        for omittable in &OMITTABLE {
            let list = omittable.list;
            let names = list.column_names();
            let name = if omittable.referenced {
                format!("{REFERENCED_PREFIX}{}", omittable.column)
            } else {
                omittable.column.to_owned()
            };
            assert!(names.contains(&name), "{list:?} has no column {name}");
            let read = list.reads(Columns::shown_by(|_| false));
            let at = names.iter().position(|n| *n == name).unwrap_or(usize::MAX);
            assert_eq!(
                read.get(at),
                Some(&false),
                "{list:?}.{name} can be left out"
            );
        }
        for list in LISTS {
            assert!(
                list.reads(Columns::ALL).iter().all(|read| *read),
                "{list:?}"
            );
        }
    }

    #[test]
    fn a_column_no_named_field_shows_is_not_read() {
        let wanted = Wanted {
            sections: true,
            characters: true,
            ..Wanted::default()
        };
        let named = ["title", "body", "name"];
        let columns = Columns::shown_by(|field| named.contains(&field));
        let sql = bundle_statement(DbBackend::Postgres, &[1], wanted, columns)
            .map(|s| s.0.to_string(PostgresQueryBuilder))
            .unwrap_or_default();
        for read in [
            "\"title\"",
            "\"body\"",
            "\"referenced_name\"",
            "\"actor_id\"",
            "\"movie_id\"",
        ] {
            assert!(
                sql.contains(&format!("\"part\".{read}")),
                "{read} read: {sql}"
            );
        }
        for left_out in ["description", "referenced_slug", "referenced_created_at"] {
            assert!(
                !sql.contains(&format!("\"part\".\"{left_out}\"")),
                "{left_out} read: {sql}"
            );
        }
    }
}
