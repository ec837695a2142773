//! Reading the change log (`change_event`), which writes fill through
//! [`changes::record`](crate::service::changes::record): events after a given id, in order,
//! and dropping events past their retention.

use chrono::{DateTime, Utc};
use entity::change_event;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::error::AppError;

/// Up to `limit` events after event `after`, oldest first.
pub async fn events_after<C: ConnectionTrait>(
    db: &C,
    after: i64,
    limit: u64,
) -> Result<Vec<change_event::Model>, AppError> {
    Ok(change_event::Entity::find()
        .filter(change_event::Column::Id.gt(after))
        .order_by_asc(change_event::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}

/// The id of the newest event (0 when the log is empty).
pub async fn last_id<C: ConnectionTrait>(db: &C) -> Result<i64, AppError> {
    let newest: Option<Option<i64>> = change_event::Entity::find()
        .select_only()
        .column_as(change_event::Column::Id.max(), "id")
        .into_tuple()
        .one(db)
        .await?;
    Ok(newest.flatten().unwrap_or_default())
}

/// The id of the oldest event still kept (`None` when the log is empty).
pub async fn first_id<C: ConnectionTrait>(db: &C) -> Result<Option<i64>, AppError> {
    let oldest: Option<Option<i64>> = change_event::Entity::find()
        .select_only()
        .column_as(change_event::Column::Id.min(), "id")
        .into_tuple()
        .one(db)
        .await?;
    Ok(oldest.flatten())
}

/// Whether a reader that saw event `after` can still resume without missing one: every
/// event after it is still kept.
pub async fn can_resume_after<C: ConnectionTrait>(db: &C, after: i64) -> Result<bool, AppError> {
    Ok(match first_id(db).await? {
        // Nothing is kept: nothing after `after` was dropped unless ids went past it.
        None => after >= last_id(db).await?,
        Some(first) => after >= first - 1,
    })
}

/// Drops the events older than `before`, keeping the newest whatever its age (so the log's
/// last id, and with it resumption, survive a quiet spell). Returns how many went.
pub async fn drop_before<C: ConnectionTrait>(
    db: &C,
    before: DateTime<Utc>,
) -> Result<u64, AppError> {
    let newest = last_id(db).await?;
    let dropped = change_event::Entity::delete_many()
        .filter(change_event::Column::CreatedAt.lt(before))
        .filter(change_event::Column::Id.lt(newest))
        .exec(db)
        .await?;
    Ok(dropped.rows_affected)
}
