//! Reading the rows a page is made of by column position rather than by name.
//!
//! sea-orm's derived readers look every column of every row up by name (a hash of the name,
//! then a comparison), and a prefixed read (`A_id`, ...) formats each name first. A film list
//! reads some 3,000 columns, so that is a visible share of its cost. These readers take the
//! columns in the order the entity declares them, which is the order sea-orm selects them in
//! (`Entity::find()`, or [`Iterable::iter`] over the columns); a test holds each list of
//! fields to that order.
//!
//! On PostgreSQL a column is decoded without sqlx's check that the column's type suits the
//! field ([`Column`]): sea-orm's reader runs that check twice for every column, a fifth of what
//! reading a film list's rows cost. The statements read here select the entities' own columns
//! (or typed `NULL`s of the same types), so the check could only fail on a schema the entities
//! do not describe (which the migrations rule out); a value that does not decode (a `NULL` for
//! a required field, bytes that are not UTF-8) is still an error.

use entity::{
    character, company, credit, location, movie, movie_company, person, plot_paragraph, section,
    theme,
};
use sea_orm::sqlx::Row;
use sea_orm::{
    ConnectionTrait, DbErr, EntityTrait, Iterable, QueryResult, QuerySelect, QueryTrait, Select,
};

/// Runs `select` (the entity's own columns, as `Entity::find()` selects them) and reads its rows
/// by position.
pub async fn all<E, C>(db: &C, select: Select<E>) -> Result<Vec<E::Model>, DbErr>
where
    E: ReadByPosition,
    C: ConnectionTrait,
{
    all_of::<E, C>(db, select.build(db.get_database_backend())).await
}

/// Like [`all`], for the statement built from such a select.
pub async fn all_of<E, C>(db: &C, statement: sea_orm::Statement) -> Result<Vec<E::Model>, DbErr>
where
    E: ReadByPosition,
    C: ConnectionTrait,
{
    db.query_all_raw(statement)
        .await?
        .iter()
        .map(|row| E::read(row, 0))
        .collect()
}

/// The first row of `select` (the entity's own columns), read by position.
pub async fn one<E, C>(db: &C, select: Select<E>) -> Result<Option<E::Model>, DbErr>
where
    E: ReadByPosition,
    C: ConnectionTrait,
{
    let statement = select.limit(1).build(db.get_database_backend());
    match db.query_one_raw(statement).await? {
        Some(row) => E::read(&row, 0).map(Some),
        None => Ok(None),
    }
}

/// A field's value, read from a column given by position.
pub trait Column: Sized {
    /// The value of column `at`.
    fn at(row: &QueryResult, at: usize) -> Result<Self, DbErr>;

    /// The value of a field whose column a statement left out (nothing the request shows
    /// reads it): the type's empty value, or an error for a type that must always be read.
    fn absent() -> Result<Self, DbErr>;

    /// The value of column `at`, or [`absent`](Self::absent) when there is none.
    fn at_or_absent(row: &QueryResult, at: Option<usize>) -> Result<Self, DbErr> {
        match at {
            Some(at) => Self::at(row, at),
            None => Self::absent(),
        }
    }
}

/// Column `at` through sqlx's decoder, without its check of the column's type on PostgreSQL;
/// through sea-orm's reader on SQLite.
fn decoded<T>(row: &QueryResult, at: usize) -> Result<T, DbErr>
where
    T: for<'r> sea_orm::sqlx::Decode<'r, sea_orm::sqlx::Postgres> + sea_orm::TryGetable,
{
    match row.try_as_pg_row() {
        Some(pg) => pg
            .try_get_unchecked(at)
            .map_err(|err| DbErr::Type(format!("column {at}: {err}"))),
        None => row.try_get_by_index(at),
    }
}

/// [`Column`] for field types that decode the same whatever the column's declared type (among
/// those a field of the type is stored in): unchecked on PostgreSQL.
macro_rules! unchecked_columns {
    ($($type:ty),+ $(,)?) => {$(
        impl Column for $type {
            fn at(row: &QueryResult, at: usize) -> Result<Self, DbErr> {
                decoded(row, at)
            }

            fn absent() -> Result<Self, DbErr> {
                Ok(Self::default())
            }
        }
    )+};
}

/// A column's value as the row holds it.
enum Raw<'a> {
    /// `NULL`.
    Null,
    /// The bytes PostgreSQL sent in binary.
    Binary(&'a [u8]),
    /// Anything else (text format, or a SQLite row): for sqlx's decoder ([`decoded`]).
    Other,
}

/// Column `at` of `row` as it is held (see [`Raw`]).
fn raw_at(row: &QueryResult, at: usize) -> Result<Raw<'_>, DbErr> {
    use sea_orm::sqlx::ValueRef;
    use sea_orm::sqlx::postgres::PgValueFormat;
    let Some(pg) = row.try_as_pg_row() else {
        return Ok(Raw::Other);
    };
    let value = pg
        .try_get_raw(at)
        .map_err(|err| DbErr::Type(format!("column {at}: {err}")))?;
    if value.is_null() {
        return Ok(Raw::Null);
    }
    Ok(match (value.format(), value.as_bytes()) {
        (PgValueFormat::Binary, Ok(bytes)) => Raw::Binary(bytes),
        _ => Raw::Other,
    })
}

/// A text column (or `NULL`). A `text` or `varchar` value in binary is its UTF-8 bytes, checked
/// here with SIMD instructions: a film list is mostly long text, and sqlx's decoder checks it
/// a byte at a time (a twentieth of the server's work on such a list). Bytes that are not
/// UTF-8 are an error, as they are to sqlx.
fn text_at(row: &QueryResult, at: usize) -> Result<Option<String>, DbErr> {
    match raw_at(row, at)? {
        Raw::Binary(bytes) => simdutf8::basic::from_utf8(bytes)
            .map(|text| Some(text.to_owned()))
            .map_err(|_| DbErr::Type(format!("column {at}: not UTF-8"))),
        Raw::Null => Ok(None),
        Raw::Other => decoded(row, at),
    }
}

impl Column for String {
    fn at(row: &QueryResult, at: usize) -> Result<Self, DbErr> {
        text_at(row, at)?.ok_or_else(|| DbErr::Type(format!("column {at} is null")))
    }

    fn absent() -> Result<Self, DbErr> {
        Ok(String::new())
    }
}

impl Column for Option<String> {
    fn at(row: &QueryResult, at: usize) -> Result<Self, DbErr> {
        text_at(row, at)
    }

    fn absent() -> Result<Self, DbErr> {
        Ok(None)
    }
}

/// An `integer` column (or `NULL`), read from its bytes: PostgreSQL sends the results of
/// prepared statements in binary, an `integer` as four bytes, big-endian. Rows read here carry
/// thousands of them, and sqlx's decoder (any integer width, text or binary) cost more than
/// reading the four bytes. Anything else goes through sqlx's decoder.
fn int_at(row: &QueryResult, at: usize) -> Result<Option<i32>, DbErr> {
    match raw_at(row, at)? {
        Raw::Binary(bytes) if let Ok(word) = <[u8; 4]>::try_from(bytes) => {
            Ok(Some(i32::from_be_bytes(word)))
        }
        Raw::Null => Ok(None),
        // Another width (or text): sqlx's decoder.
        Raw::Binary(_) | Raw::Other => decoded(row, at),
    }
}

impl Column for i32 {
    fn at(row: &QueryResult, at: usize) -> Result<Self, DbErr> {
        int_at(row, at)?.ok_or_else(|| DbErr::Type(format!("column {at} is null")))
    }

    fn absent() -> Result<Self, DbErr> {
        Ok(0)
    }
}

impl Column for Option<i32> {
    fn at(row: &QueryResult, at: usize) -> Result<Self, DbErr> {
        int_at(row, at)
    }

    fn absent() -> Result<Self, DbErr> {
        Ok(None)
    }
}

unchecked_columns!(
    bool,
    chrono::DateTime<chrono::Utc>,
    Option<chrono::DateTime<chrono::Utc>>,
);

/// [`Column`] for enumerations, through sea-orm's reader (which maps the stored text).
macro_rules! checked_columns {
    ($($type:ty),+ $(,)?) => {$(
        impl Column for $type {
            fn at(row: &QueryResult, at: usize) -> Result<Self, DbErr> {
                row.try_get_by_index(at)
            }

            fn absent() -> Result<Self, DbErr> {
                Err(DbErr::Type(format!(
                    "a {} column is always read",
                    stringify!($type)
                )))
            }
        }
    )+};
}

checked_columns!(entity::CreditRole, entity::CompanyRole);

/// An entity whose rows can be read by position.
pub trait ReadByPosition: EntityTrait {
    /// The model's fields, in column order.
    const FIELDS: &'static [&'static str];

    /// The row whose columns start at `first`, in column order.
    fn read(row: &QueryResult, first: usize) -> Result<Self::Model, DbErr>;

    /// Like [`read`](Self::read), or `None` when the first column (the key) is null: the row of
    /// an outer join that found nothing.
    fn read_optional(row: &QueryResult, first: usize) -> Result<Option<Self::Model>, DbErr> {
        match <Option<i32>>::at(row, first)? {
            Some(_) => Self::read(row, first).map(Some),
            None => Ok(None),
        }
    }

    /// The row whose fields are at these columns, in field order (`columns` has one position
    /// per field; `None` for a field the statement left out, which gets its empty value).
    fn read_at(row: &QueryResult, columns: &[Option<usize>]) -> Result<Self::Model, DbErr>;

    /// Like [`read_at`](Self::read_at), or `None` when the first field (the key, which is
    /// always read) is null.
    fn read_optional_at(
        row: &QueryResult,
        columns: &[Option<usize>],
    ) -> Result<Option<Self::Model>, DbErr> {
        let Some(&key) = columns.first() else {
            return Ok(None);
        };
        let key = key.ok_or_else(|| DbErr::Type("a referenced row's key is always read".into()))?;
        match <Option<i32>>::at(row, key)? {
            Some(_) => Self::read_at(row, columns).map(Some),
            None => Ok(None),
        }
    }

    /// How many columns a row of this entity has.
    fn columns() -> usize {
        Self::Column::iter().count()
    }
}

/// Implements [`ReadByPosition`] for entities, given each one's fields in column order.
macro_rules! read_by_position {
    ($($table:ident { $($field:ident),+ $(,)? })+) => {$(
        impl ReadByPosition for $table::Entity {
            const FIELDS: &'static [&'static str] = &[$(stringify!($field)),+];

            fn read(row: &QueryResult, first: usize) -> Result<$table::Model, DbErr> {
                let mut column = first;
                let mut next = || {
                    column += 1;
                    column - 1
                };
                // Fields are evaluated in the order written, so `next` walks the columns.
                Ok($table::Model {
                    $($field: Column::at(row, next())?),+
                })
            }

            fn read_at(
                row: &QueryResult,
                columns: &[Option<usize>],
            ) -> Result<$table::Model, DbErr> {
                let mut at = columns.iter().copied();
                let mut next = || {
                    at.next().ok_or_else(|| {
                        DbErr::Type(format!("too few columns for a {} row", stringify!($table)))
                    })
                };
                Ok($table::Model {
                    $($field: Column::at_or_absent(row, next()?)?),+
                })
            }
        }
    )+};
}

read_by_position! {
    movie {
        id, slug, title, release_year, period_start_year, period_end_year, period_description,
        setting_description, version, created_at, updated_at, published_at, first_published_at,
        has_draft, draft_of, scheduled_publish_at, scheduled_by
    }
    plot_paragraph { id, movie_id, position, body }
    section { id, movie_id, position, title, body }
    character { id, movie_id, position, name, description, actor_id }
    theme { id, movie_id, position, emoji, name, description }
    location { id, movie_id, position, name }
    credit { id, movie_id, person_id, role, position }
    movie_company { id, movie_id, company_id, role, position }
    person { id, slug, name, created_at, updated_at }
    company { id, slug, name, created_at, updated_at }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::Iden;

    fn column_names<E: EntityTrait>() -> Vec<String> {
        E::Column::iter().map(|column| column.to_string()).collect()
    }

    fn fields<E: ReadByPosition>() -> Vec<String> {
        E::FIELDS.iter().map(|field| String::from(*field)).collect()
    }

    #[test]
    fn every_reader_takes_the_columns_in_the_entitys_order() {
        macro_rules! check {
            ($($table:ident),+) => {$(
                assert_eq!(
                    fields::<$table::Entity>(),
                    column_names::<$table::Entity>(),
                    stringify!($table)
                );
            )+};
        }
        check!(
            movie,
            plot_paragraph,
            section,
            character,
            theme,
            location,
            credit,
            movie_company,
            person,
            company
        );
    }
}
