//! Reading the parts of films (plot, sections, characters, themes, locations) and the links
//! between films, people and companies, many parents at a time.

use entity::{
    character, company, credit, location, movie_company, person, plot_paragraph, section, theme,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, sea_query::IntoCondition,
};

use std::collections::HashMap;

use crate::error::AppError;

/// Rows of `E` whose `parent` column is one of `ids`, ordered by parent then `order`.
async fn rows_of_parents<E, C>(
    db: &C,
    parent: E::Column,
    ids: &[i32],
    order: E::Column,
) -> Result<Vec<E::Model>, AppError>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    Ok(E::find()
        .filter(parent.is_in(ids.iter().copied()).into_condition())
        .order_by_asc(parent)
        .order_by_asc(order)
        .all(db)
        .await?)
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
///
/// Two statements, the rows and then their people by primary key, rather than one join:
/// PostgreSQL plans that join as a hash join over the whole `person` table once it is
/// small enough, which makes a page cost more as the catalogue grows.
pub async fn characters_of_movies<C: ConnectionTrait>(
    db: &C,
    movie_ids: &[i32],
) -> Result<Vec<(character::Model, Option<person::Model>)>, AppError> {
    use character::{Column, Entity};
    let rows = Entity::find()
        .filter(Column::MovieId.is_in(movie_ids.iter().copied()))
        .order_by_asc(Column::MovieId)
        .order_by_asc(Column::Position)
        .all(db)
        .await?;
    let actors = people_by_id(db, rows.iter().filter_map(|row| row.actor_id)).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let actor = row.actor_id.and_then(|id| actors.get(&id).cloned());
            (row, actor)
        })
        .collect())
}

/// People by id, in one statement by primary key.
async fn people_by_id<C: ConnectionTrait>(
    db: &C,
    ids: impl Iterator<Item = i32>,
) -> Result<HashMap<i32, person::Model>, AppError> {
    by_id::<person::Entity, C>(db, person::Column::Id, ids, |p| p.id).await
}

/// Rows of `E` by id (`id_column`), in one statement; no statement for no ids.
async fn by_id<E, C>(
    db: &C,
    id_column: E::Column,
    ids: impl Iterator<Item = i32>,
    id_of: fn(&E::Model) -> i32,
) -> Result<HashMap<i32, E::Model>, AppError>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let mut ids: Vec<i32> = ids.collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(E::find()
        .filter(id_column.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|row| (id_of(&row), row))
        .collect())
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
    use credit::{Column, Entity};
    let rows = Entity::find()
        .filter(Column::MovieId.is_in(movie_ids.iter().copied()))
        .order_by_asc(Column::MovieId)
        .order_by_asc(Column::Position)
        .all(db)
        .await?;
    let people = people_by_id(db, rows.iter().map(|row| row.person_id)).await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| people.get(&row.person_id).cloned().map(|p| (row, p)))
        .collect())
}

/// Companies' parts in these films, in order, each with its company.
pub async fn companies_of_movies<C: ConnectionTrait>(
    db: &C,
    movie_ids: &[i32],
) -> Result<Vec<(movie_company::Model, company::Model)>, AppError> {
    use movie_company::{Column, Entity};
    let rows = Entity::find()
        .filter(Column::MovieId.is_in(movie_ids.iter().copied()))
        .order_by_asc(Column::MovieId)
        .order_by_asc(Column::Position)
        .all(db)
        .await?;
    let found = by_id::<company::Entity, C>(
        db,
        company::Column::Id,
        rows.iter().map(|row| row.company_id),
        |c| c.id,
    )
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| found.get(&row.company_id).cloned().map(|c| (row, c)))
        .collect())
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
