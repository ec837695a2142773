//! Reading films.

use entity::movie;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

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
