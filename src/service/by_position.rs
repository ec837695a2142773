//! Reading the rows a page is made of by column position rather than by name.
//!
//! sea-orm's derived readers look every column of every row up by name (a hash of the name,
//! then a comparison), and a prefixed read (`A_id`, ...) formats each name first. A film list
//! reads some 3,000 columns, so that is a visible share of its cost. These readers take the
//! columns in the order the entity declares them, which is the order sea-orm selects them in
//! (`Entity::find()`, or [`Iterable::iter`] over the columns); a test holds each list of
//! fields to that order.

use entity::{
    character, company, credit, location, movie_company, person, plot_paragraph, section, theme,
};
use sea_orm::{DbErr, EntityTrait, Iterable, QueryResult};

/// An entity whose rows can be read by position.
pub trait ReadByPosition: EntityTrait {
    /// The model's fields, in column order.
    const FIELDS: &'static [&'static str];

    /// The row whose columns start at `first`, in column order.
    fn read(row: &QueryResult, first: usize) -> Result<Self::Model, DbErr>;

    /// Like [`read`](Self::read), or `None` when the first column (the key) is null: the row of
    /// an outer join that found nothing.
    fn read_optional(row: &QueryResult, first: usize) -> Result<Option<Self::Model>, DbErr> {
        match row.try_get_by_index::<Option<i32>>(first)? {
            Some(_) => Self::read(row, first).map(Some),
            None => Ok(None),
        }
    }

    /// The row whose fields are at these columns, in field order (`columns` has one position
    /// per field).
    fn read_at(row: &QueryResult, columns: &[usize]) -> Result<Self::Model, DbErr>;

    /// Like [`read_at`](Self::read_at), or `None` when the first field (the key) is null.
    fn read_optional_at(
        row: &QueryResult,
        columns: &[usize],
    ) -> Result<Option<Self::Model>, DbErr> {
        let Some(&key) = columns.first() else {
            return Ok(None);
        };
        match row.try_get_by_index::<Option<i32>>(key)? {
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
                    $($field: row.try_get_by_index(next())?),+
                })
            }

            fn read_at(row: &QueryResult, columns: &[usize]) -> Result<$table::Model, DbErr> {
                let mut at = columns.iter().copied();
                let mut next = || {
                    at.next().ok_or_else(|| {
                        DbErr::Type(format!("too few columns for a {} row", stringify!($table)))
                    })
                };
                Ok($table::Model {
                    $($field: row.try_get_by_index(next()?)?),+
                })
            }
        }
    )+};
}

read_by_position! {
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
