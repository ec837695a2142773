//! Reading people (directors, actors, ...).

use entity::person;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use crate::error::AppError;

/// The person with this slug, if any.
pub async fn find_by_slug(
    db: &DatabaseConnection,
    slug: &str,
) -> Result<Option<person::Model>, AppError> {
    Ok(person::Entity::find()
        .filter(person::Column::Slug.eq(slug))
        .one(db)
        .await?)
}

/// The people with these ids (in no particular order; absent ids are skipped).
pub async fn find_by_ids(
    db: &DatabaseConnection,
    ids: &[i32],
) -> Result<Vec<person::Model>, AppError> {
    Ok(person::Entity::find()
        .filter(person::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?)
}
