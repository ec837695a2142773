//! Reading companies.

use entity::company;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::error::AppError;

/// The company with this slug, if any.
pub async fn find_by_slug<C: ConnectionTrait>(
    db: &C,
    slug: &str,
) -> Result<Option<company::Model>, AppError> {
    Ok(company::Entity::find()
        .filter(company::Column::Slug.eq(slug))
        .one(db)
        .await?)
}

/// The companies with these ids (in no particular order; absent ids are skipped).
pub async fn find_by_ids<C: ConnectionTrait>(
    db: &C,
    ids: &[i32],
) -> Result<Vec<company::Model>, AppError> {
    Ok(company::Entity::find()
        .filter(company::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?)
}
