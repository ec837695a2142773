//! Pages of the lists that grow without bound (a person's roles and credits, a company's
//! films) for many parents at once: one statement per page size, paged in SQL per parent
//! (see [`per_parent`](crate::service::per_parent)). Each list is ordered by film, then by
//! place in the film; a page starts after the cursor's (film, place).

use entity::{character, credit, movie_company};
use sea_orm::sea_query::Order;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter};

use crate::error::AppError;
use crate::service::per_parent::{first_rows, of_parents};

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

fn order<C: ColumnTrait>(movie: C, position: C) -> [(C, Order); 2] {
    [(movie, Order::Asc), (position, Order::Asc)]
}

/// Up to `limit` characters played by each of these people.
pub async fn roles<C: ConnectionTrait>(
    db: &C,
    person_ids: &[i32],
    after: Option<Position>,
    limit: u64,
) -> Result<Vec<character::Model>, AppError> {
    use character::{Column, Entity};
    let rows = of_parents(Entity::find(), Column::ActorId, person_ids).filter(after_condition(
        Column::MovieId,
        Column::Position,
        after,
    ));
    first_rows(
        db,
        rows,
        Column::ActorId,
        &order(Column::MovieId, Column::Position),
        limit,
    )
    .await
}

/// Up to `limit` credits of each of these people.
pub async fn credits<C: ConnectionTrait>(
    db: &C,
    person_ids: &[i32],
    after: Option<Position>,
    limit: u64,
) -> Result<Vec<credit::Model>, AppError> {
    use credit::{Column, Entity};
    let rows = of_parents(Entity::find(), Column::PersonId, person_ids).filter(after_condition(
        Column::MovieId,
        Column::Position,
        after,
    ));
    first_rows(
        db,
        rows,
        Column::PersonId,
        &order(Column::MovieId, Column::Position),
        limit,
    )
    .await
}

/// Up to `limit` film credits of each of these companies.
pub async fn company_films<C: ConnectionTrait>(
    db: &C,
    company_ids: &[i32],
    after: Option<Position>,
    limit: u64,
) -> Result<Vec<movie_company::Model>, AppError> {
    use movie_company::{Column, Entity};
    let rows = of_parents(Entity::find(), Column::CompanyId, company_ids).filter(after_condition(
        Column::MovieId,
        Column::Position,
        after,
    ));
    first_rows(
        db,
        rows,
        Column::CompanyId,
        &order(Column::MovieId, Column::Position),
        limit,
    )
    .await
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

/// How many items each of these parents has in `list`, in one statement (parents without
/// items are absent).
pub async fn counts<C: ConnectionTrait>(
    db: &C,
    list: NestedList,
    parent_ids: &[i32],
) -> Result<Vec<(i32, i64)>, AppError> {
    use sea_orm::QuerySelect;
    let ids = parent_ids.iter().copied();
    let rows = match list {
        NestedList::Roles => {
            use character::{Column, Entity};
            Entity::find()
                .select_only()
                .column(Column::ActorId)
                .column_as(Column::Id.count(), "n")
                .filter(Column::ActorId.is_in(ids))
                .group_by(Column::ActorId)
                .into_tuple::<(i32, i64)>()
                .all(db)
                .await?
        }
        NestedList::Credits => {
            use credit::{Column, Entity};
            Entity::find()
                .select_only()
                .column(Column::PersonId)
                .column_as(Column::Id.count(), "n")
                .filter(Column::PersonId.is_in(ids))
                .group_by(Column::PersonId)
                .into_tuple::<(i32, i64)>()
                .all(db)
                .await?
        }
        NestedList::CompanyFilms => {
            use movie_company::{Column, Entity};
            Entity::find()
                .select_only()
                .column(Column::CompanyId)
                .column_as(Column::Id.count(), "n")
                .filter(Column::CompanyId.is_in(ids))
                .group_by(Column::CompanyId)
                .into_tuple::<(i32, i64)>()
                .all(db)
                .await?
        }
    };
    Ok(rows)
}
