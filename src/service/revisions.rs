//! Reading a film's revisions.

use entity::movie_revision;
use sea_orm::{ConnectionTrait, EntityTrait};

use crate::error::AppError;
use crate::service::per_parent::{first_rows, of_parents};
use sea_orm::sea_query::Order;

/// Up to `limit` revisions of each of these films, newest first, in one statement.
pub async fn latest_of_movies<C: ConnectionTrait>(
    db: &C,
    movie_ids: &[i32],
    limit: u64,
) -> Result<Vec<movie_revision::Model>, AppError> {
    use movie_revision::{Column, Entity};
    let rows = of_parents(Entity::find(), Column::MovieId, movie_ids);
    first_rows(
        db,
        rows,
        Column::MovieId,
        &[(Column::Version, Order::Desc)],
        limit,
    )
    .await
}
