//! Reading a film's revisions.

use entity::movie_revision;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::error::AppError;

/// Up to `limit` revisions of a film, newest first.
pub async fn of_movie<C: ConnectionTrait>(
    db: &C,
    movie_id: i32,
    limit: u64,
) -> Result<Vec<movie_revision::Model>, AppError> {
    Ok(movie_revision::Entity::find()
        .filter(movie_revision::Column::MovieId.eq(movie_id))
        .order_by_desc(movie_revision::Column::Version)
        .limit(limit)
        .all(db)
        .await?)
}
