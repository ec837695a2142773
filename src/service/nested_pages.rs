//! Pages of the lists that grow without bound (a person's roles and credits, a company's
//! films) for many parents at once: one statement per page size, paged in SQL per parent
//! (see [`per_parent`](crate::service::per_parent)). Each list is ordered by film, then by
//! place in the film; a page starts after the cursor's (film, place).

use entity::{character, credit, movie_company};
use sea_orm::sea_query::Order;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter};

use crate::error::AppError;
use crate::service::per_parent::{first_rows, of_parents};
use crate::service::visibility::ReadScope;

/// Where a page of a nested list starts: after this (film id, position).
pub type Position = (i32, i32);

/// Rows after `after` in (movie, position) order.
fn after_condition(
    movie: impl ColumnTrait,
    position: impl ColumnTrait,
    after: Option<Position>,
) -> Condition {
    match after {
        None => Condition::all(),
        Some((movie_id, place)) => Condition::any().add(movie.gt(movie_id)).add(
            Condition::all()
                .add(movie.eq(movie_id))
                .add(position.gt(place)),
        ),
    }
}

/// Up to `limit` rows of `E` per parent (`parent` one of `ids`), by (movie, position), after
/// `after`; rows of films `scope` may not see do not exist.
async fn page<E, C>(
    db: &C,
    [parent, movie, position]: [E::Column; 3],
    ids: &[i32],
    scope: ReadScope,
    after: Option<Position>,
    limit: u64,
) -> Result<Vec<E::Model>, AppError>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let rows = of_parents(E::find(), parent, ids)
        .filter(scope.rows_of_films(movie))
        .filter(after_condition(movie, position, after));
    let order = [(movie, Order::Asc), (position, Order::Asc)];
    first_rows(db, rows, parent, &order, limit).await
}

/// Up to `limit` characters played by each of these people.
pub async fn roles<C: ConnectionTrait>(
    db: &C,
    person_ids: &[i32],
    scope: ReadScope,
    after: Option<Position>,
    limit: u64,
) -> Result<Vec<character::Model>, AppError> {
    use character::{Column, Entity};
    let columns = [Column::ActorId, Column::MovieId, Column::Position];
    page::<Entity, C>(db, columns, person_ids, scope, after, limit).await
}

/// Up to `limit` credits of each of these people.
pub async fn credits<C: ConnectionTrait>(
    db: &C,
    person_ids: &[i32],
    scope: ReadScope,
    after: Option<Position>,
    limit: u64,
) -> Result<Vec<credit::Model>, AppError> {
    use credit::{Column, Entity};
    let columns = [Column::PersonId, Column::MovieId, Column::Position];
    page::<Entity, C>(db, columns, person_ids, scope, after, limit).await
}

/// Up to `limit` film credits of each of these companies.
pub async fn company_films<C: ConnectionTrait>(
    db: &C,
    company_ids: &[i32],
    scope: ReadScope,
    after: Option<Position>,
    limit: u64,
) -> Result<Vec<movie_company::Model>, AppError> {
    use movie_company::{Column, Entity};
    let columns = [Column::CompanyId, Column::MovieId, Column::Position];
    page::<Entity, C>(db, columns, company_ids, scope, after, limit).await
}

/// The nested lists that are paged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NestedList {
    /// A person's roles.
    Roles,
    /// A person's credits.
    Credits,
    /// A company's films.
    CompanyFilms,
}

/// How many rows of `E` each parent (`parent` one of `ids`) has, in one statement (rows of
/// films `scope` may not see not counted).
async fn count_per_parent<E, C>(
    db: &C,
    [parent, id, movie]: [E::Column; 3],
    ids: &[i32],
    scope: ReadScope,
) -> Result<Vec<(i32, i64)>, AppError>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    use sea_orm::QuerySelect;
    Ok(E::find()
        .select_only()
        .column(parent)
        .column_as(id.count(), "n")
        .filter(parent.is_in(ids.iter().copied()))
        .filter(scope.rows_of_films(movie))
        .group_by(parent)
        .into_tuple::<(i32, i64)>()
        .all(db)
        .await?)
}

/// How many items each of these parents has in `list` among the films `scope` sees, in one
/// statement (parents without items are absent).
pub async fn counts<C: ConnectionTrait>(
    db: &C,
    list: NestedList,
    parent_ids: &[i32],
    scope: ReadScope,
) -> Result<Vec<(i32, i64)>, AppError> {
    match list {
        NestedList::Roles => {
            use character::{Column, Entity};
            count_per_parent::<Entity, C>(
                db,
                [Column::ActorId, Column::Id, Column::MovieId],
                parent_ids,
                scope,
            )
            .await
        }
        NestedList::Credits => {
            use credit::{Column, Entity};
            count_per_parent::<Entity, C>(
                db,
                [Column::PersonId, Column::Id, Column::MovieId],
                parent_ids,
                scope,
            )
            .await
        }
        NestedList::CompanyFilms => {
            use movie_company::{Column, Entity};
            count_per_parent::<Entity, C>(
                db,
                [Column::CompanyId, Column::Id, Column::MovieId],
                parent_ids,
                scope,
            )
            .await
        }
    }
}
