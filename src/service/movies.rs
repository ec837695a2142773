//! Reading films.

use entity::movie;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter};

use crate::error::AppError;
use crate::service::by_position;
use crate::service::visibility::ReadScope;

/// The film with this slug, if any that `scope` may see.
pub async fn find_by_slug<C: ConnectionTrait>(
    db: &C,
    slug: &str,
    scope: ReadScope,
) -> Result<Option<movie::Model>, AppError> {
    let select = movie::Entity::find()
        .filter(movie::Column::Slug.is_in(scope.stored_slugs(slug)))
        .filter(scope.films());
    Ok(by_position::one(db, select).await?)
}

/// The films with these ids that `scope` may see (in no particular order; absent ids are
/// skipped).
pub async fn find_by_ids<C: ConnectionTrait>(
    db: &C,
    ids: &[i32],
    scope: ReadScope,
) -> Result<Vec<movie::Model>, AppError> {
    let select = movie::Entity::find()
        .filter(movie::Column::Id.is_in(ids.iter().copied()))
        .filter(scope.films());
    Ok(by_position::all(db, select).await?)
}

/// Film `film_id` (its own id) as `scope` sees it: its draft where the scope reads drafts and
/// it has one, else the film itself when the scope may see it.
pub async fn film_as_seen<C: ConnectionTrait>(
    db: &C,
    film_id: i32,
    scope: ReadScope,
) -> Result<Option<movie::Model>, AppError> {
    Ok(movie::Entity::find()
        .filter(
            Condition::any()
                .add(movie::Column::Id.eq(film_id))
                .add(movie::Column::DraftOf.eq(film_id)),
        )
        .filter(scope.films())
        .one(db)
        .await?)
}

/// The published films with these ids: what the public id loader reads.
pub async fn published_by_ids<C: ConnectionTrait>(
    db: &C,
    ids: &[i32],
) -> Result<Vec<movie::Model>, AppError> {
    find_by_ids(db, ids, ReadScope::Published).await
}

/// Whether film `id` exists (published or not; a draft's own row is not a film).
pub async fn film_exists<C: ConnectionTrait>(db: &C, id: i32) -> Result<bool, AppError> {
    Ok(movie::Entity::find_by_id(id)
        .filter(movie::Column::DraftOf.is_null())
        .one(db)
        .await?
        .is_some())
}
