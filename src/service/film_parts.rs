//! Reading the parts of films (plot, sections, characters, themes, locations) and the links
//! between films, people and companies, many parents at a time.

use entity::{
    character, company, credit, location, movie_company, person, plot_paragraph, section, theme,
};
use sea_orm::sea_query::{
    Alias, Asterisk, Condition, Expr, ExprTrait, IntoCondition, JoinType, Order, Query,
    SelectStatement,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, Iden, Iterable, QueryFilter, QueryOrder,
    QueryTrait,
};

use crate::error::AppError;
use crate::service::by_position::ReadByPosition;

/// The rows of `E` whose `parent` column is one of `ids`, unordered: every column of `E`, in
/// the entity's order.
pub(crate) fn parents_query<E: EntityTrait>(parent: E::Column, ids: &[i32]) -> SelectStatement {
    E::find()
        .filter(parent.is_in(ids.iter().copied()).into_condition())
        .into_query()
}

/// Rows of `E` whose `parent` column is one of `ids`, ordered by parent then `order`.
async fn rows_of_parents<E, C>(
    db: &C,
    parent: E::Column,
    ids: &[i32],
    order: E::Column,
) -> Result<Vec<E::Model>, AppError>
where
    E: ReadByPosition,
    C: ConnectionTrait,
{
    let query = E::find()
        .filter(parent.is_in(ids.iter().copied()).into_condition())
        .order_by_asc(parent)
        .order_by_asc(order)
        .build(db.get_database_backend());
    Ok(db
        .query_all_raw(query)
        .await?
        .iter()
        .map(|row| E::read(row, 0))
        .collect::<Result<_, _>>()?)
}

/// Plot paragraphs of these films, in order.
pub async fn plot_of_movies<C: ConnectionTrait>(
    db: &C,
    movie_ids: &[i32],
) -> Result<Vec<plot_paragraph::Model>, AppError> {
    use plot_paragraph::{Column, Entity};
    rows_of_parents::<Entity, C>(db, Column::MovieId, movie_ids, Column::Position).await
}

/// Sections of these films, in order.
pub async fn sections_of_movies<C: ConnectionTrait>(
    db: &C,
    movie_ids: &[i32],
) -> Result<Vec<section::Model>, AppError> {
    use section::{Column, Entity};
    rows_of_parents::<Entity, C>(db, Column::MovieId, movie_ids, Column::Position).await
}

/// Characters of these films, in order, each with its actor.
pub async fn characters_of_movies<C: ConnectionTrait>(
    db: &C,
    movie_ids: &[i32],
) -> Result<Vec<(character::Model, Option<person::Model>)>, AppError> {
    use character::Column;
    rows_with_referenced::<character::Entity, person::Entity, C>(
        db,
        Column::MovieId,
        movie_ids,
        Column::Position,
        (Column::ActorId, person::Column::Id),
    )
    .await
}

/// The alias of the referenced row in [`rows_with_referenced`], and the prefix of its columns
/// (which are read by position; the prefix only keeps their names apart from the row's own).
const REFERENCED: &str = "referenced";
pub(crate) const REFERENCED_PREFIX: &str = "referenced_";

/// Rows of `E` whose `parent` column is one of `ids`, ordered by parent then `order`, each
/// with the row of `R` that its column `reference.0` names (by `R`'s key `reference.1`), in
/// one statement.
///
/// On PostgreSQL the referenced row is joined `LATERAL`, behind `OFFSET 0`, which keeps it one
/// primary-key lookup per row: as a plain join, PostgreSQL plans a hash join over the whole
/// referenced table once that table is big enough, and a page costs more as the catalogue
/// grows. SQLite looks a plain join up by key anyway.
async fn rows_with_referenced<E, R, C>(
    db: &C,
    parent: E::Column,
    ids: &[i32],
    order: E::Column,
    reference: (E::Column, R::Column),
) -> Result<Vec<(E::Model, Option<R::Model>)>, AppError>
where
    E: ReadByPosition,
    R: ReadByPosition,
    C: ConnectionTrait,
{
    let query = referenced_query::<E, R>(db.get_database_backend(), parent, ids, order, reference);
    let first = E::columns();
    db.query_all(&query)
        .await?
        .iter()
        .map(|row| Ok((E::read(row, 0)?, R::read_optional(row, first)?)))
        .collect()
}

/// The statement [`rows_with_referenced`] runs.
pub(crate) fn referenced_query<E, R>(
    backend: DbBackend,
    parent: E::Column,
    ids: &[i32],
    order: E::Column,
    (reference, key): (E::Column, R::Column),
) -> SelectStatement
where
    E: EntityTrait,
    R: EntityTrait,
{
    let (rows, referenced) = (E::default(), Alias::new(REFERENCED));
    let mut query = Query::select();
    query.columns(E::Column::iter().map(|column| (rows, column)));
    for column in R::Column::iter() {
        query.expr_as(
            Expr::col((referenced.clone(), column)),
            Alias::new(format!("{REFERENCED_PREFIX}{}", column.to_string())),
        );
    }
    query
        .from(rows)
        .and_where(Expr::col((rows, parent)).is_in(ids.iter().copied()))
        .order_by((rows, parent), Order::Asc)
        .order_by((rows, order), Order::Asc);
    if backend == DbBackend::Postgres {
        let mut lookup = Query::select();
        lookup
            .column(Asterisk)
            .from(R::default())
            .and_where(Expr::col((R::default(), key)).equals((rows, reference)))
            .offset(0);
        query.join_lateral(JoinType::LeftJoin, lookup, referenced, Condition::all());
    } else {
        query.join_as(
            JoinType::LeftJoin,
            R::default(),
            referenced.clone(),
            Expr::col((referenced, key)).equals((rows, reference)),
        );
    }
    query
}

/// Themes of these films, in order.
pub async fn themes_of_movies<C: ConnectionTrait>(
    db: &C,
    movie_ids: &[i32],
) -> Result<Vec<theme::Model>, AppError> {
    use theme::{Column, Entity};
    rows_of_parents::<Entity, C>(db, Column::MovieId, movie_ids, Column::Position).await
}

/// Locations of these films, in order.
pub async fn locations_of_movies<C: ConnectionTrait>(
    db: &C,
    movie_ids: &[i32],
) -> Result<Vec<location::Model>, AppError> {
    use location::{Column, Entity};
    rows_of_parents::<Entity, C>(db, Column::MovieId, movie_ids, Column::Position).await
}

/// Credits (director, writer, ...) on these films, in order, each with its person.
pub async fn credits_of_movies<C: ConnectionTrait>(
    db: &C,
    movie_ids: &[i32],
) -> Result<Vec<(credit::Model, person::Model)>, AppError> {
    use credit::Column;
    let rows = rows_with_referenced::<credit::Entity, person::Entity, C>(
        db,
        Column::MovieId,
        movie_ids,
        Column::Position,
        (Column::PersonId, person::Column::Id),
    )
    .await?;
    Ok(with_referenced_only(rows))
}

/// Companies' parts in these films, in order, each with its company.
pub async fn companies_of_movies<C: ConnectionTrait>(
    db: &C,
    movie_ids: &[i32],
) -> Result<Vec<(movie_company::Model, company::Model)>, AppError> {
    use movie_company::Column;
    let rows = rows_with_referenced::<movie_company::Entity, company::Entity, C>(
        db,
        Column::MovieId,
        movie_ids,
        Column::Position,
        (Column::CompanyId, company::Column::Id),
    )
    .await?;
    Ok(with_referenced_only(rows))
}

/// The rows whose referenced row was found (a foreign key keeps the others from existing).
fn with_referenced_only<A, B>(rows: Vec<(A, Option<B>)>) -> Vec<(A, B)> {
    rows.into_iter()
        .filter_map(|(row, referenced)| referenced.map(|r| (row, r)))
        .collect()
}

/// Films' parts found by their own id, for `node(id:)`.
pub mod by_id {
    use super::*;

    /// The section with this id.
    pub async fn section<C: ConnectionTrait>(
        db: &C,
        id: i32,
    ) -> Result<Option<section::Model>, AppError> {
        Ok(section::Entity::find_by_id(id).one(db).await?)
    }

    /// The character with this id, with its actor.
    pub async fn character<C: ConnectionTrait>(
        db: &C,
        id: i32,
    ) -> Result<Option<(character::Model, Option<person::Model>)>, AppError> {
        Ok(character::Entity::find_by_id(id)
            .find_also_related(person::Entity)
            .one(db)
            .await?)
    }

    /// The theme with this id.
    pub async fn theme<C: ConnectionTrait>(
        db: &C,
        id: i32,
    ) -> Result<Option<theme::Model>, AppError> {
        Ok(theme::Entity::find_by_id(id).one(db).await?)
    }

    /// The location with this id.
    pub async fn location<C: ConnectionTrait>(
        db: &C,
        id: i32,
    ) -> Result<Option<location::Model>, AppError> {
        Ok(location::Entity::find_by_id(id).one(db).await?)
    }
}

/// Sections by id, for search results.
pub async fn sections_by_ids<C: ConnectionTrait>(
    db: &C,
    ids: &[i32],
) -> Result<Vec<section::Model>, AppError> {
    Ok(section::Entity::find()
        .filter(section::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?)
}

/// Characters by id with their actors, for search results.
pub async fn characters_by_ids<C: ConnectionTrait>(
    db: &C,
    ids: &[i32],
) -> Result<Vec<(character::Model, Option<person::Model>)>, AppError> {
    Ok(character::Entity::find()
        .find_also_related(person::Entity)
        .filter(character::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::sea_query::{PostgresQueryBuilder, SqliteQueryBuilder};

    fn cast_query(backend: DbBackend) -> SelectStatement {
        use character::Column;
        referenced_query::<character::Entity, person::Entity>(
            backend,
            Column::MovieId,
            &[1, 2],
            Column::Position,
            (Column::ActorId, person::Column::Id),
        )
    }

    #[test]
    fn postgres_looks_each_referenced_row_up_laterally() {
        let sql = cast_query(DbBackend::Postgres).to_string(PostgresQueryBuilder);
        eprintln!("{sql}");
        assert!(
            sql.contains(
                r#"LEFT JOIN LATERAL (SELECT * FROM "person" WHERE "person"."id" = "character"."actor_id" OFFSET 0) AS "referenced" ON TRUE"#
            ),
            "{sql}"
        );
        assert!(
            sql.contains(r#""referenced"."name" AS "referenced_name""#),
            "{sql}"
        );
    }

    #[test]
    fn sqlite_joins_the_referenced_row_by_key() {
        let sql = cast_query(DbBackend::Sqlite).to_string(SqliteQueryBuilder);
        assert!(
            sql.contains(
                r#"LEFT JOIN "person" AS "referenced" ON "referenced"."id" = "character"."actor_id""#
            ),
            "{sql}"
        );
    }
}
