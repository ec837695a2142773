//! Reading people (directors, actors, ...).

use entity::person;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::error::AppError;

/// The person with this slug, if any.
pub async fn find_by_slug<C: ConnectionTrait>(
    db: &C,
    slug: &str,
) -> Result<Option<person::Model>, AppError> {
    Ok(person::Entity::find()
        .filter(person::Column::Slug.eq(slug))
        .one(db)
        .await?)
}

/// The people with these ids (in no particular order; absent ids are skipped).
pub async fn find_by_ids<C: ConnectionTrait>(
    db: &C,
    ids: &[i32],
) -> Result<Vec<person::Model>, AppError> {
    Ok(person::Entity::find()
        .filter(person::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?)
}
