//! Reading films.

use entity::movie;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use crate::error::AppError;

/// The film with this slug, if any.
pub async fn find_by_slug<C: ConnectionTrait>(
    db: &C,
    slug: &str,
) -> Result<Option<movie::Model>, AppError> {
    Ok(movie::Entity::find()
        .filter(movie::Column::Slug.eq(slug))
        .one(db)
        .await?)
}

/// The films with these ids (in no particular order; absent ids are skipped).
pub async fn find_by_ids<C: ConnectionTrait>(
    db: &C,
    ids: &[i32],
) -> Result<Vec<movie::Model>, AppError> {
    Ok(movie::Entity::find()
        .filter(movie::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?)
}

/// Up to `limit` films in id order, starting after the film with id `after` (keyset paging).
pub async fn page<C: ConnectionTrait>(
    db: &C,
    after: Option<i32>,
    limit: u64,
) -> Result<Vec<movie::Model>, AppError> {
    let mut query = movie::Entity::find().order_by_asc(movie::Column::Id);
    if let Some(after) = after {
        query = query.filter(movie::Column::Id.gt(after));
    }
    Ok(query.limit(limit).all(db).await?)
}

/// How many films there are.
pub async fn count<C: ConnectionTrait>(db: &C) -> Result<u64, AppError> {
    Ok(movie::Entity::find().count(db).await?)
}
