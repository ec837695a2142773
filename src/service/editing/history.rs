//! A film's revisions: the whole film after each change, who made it and when.

use chrono::{DateTime, Utc};
use entity::{RevisionAction, movie, movie_revision};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter,
};

use crate::error::AppError;

use super::Author;
use crate::service::snapshot::document_of;

/// Records the film as it now is, at `version`.
pub(super) async fn write_revision(
    tx: &DatabaseTransaction,
    movie: &movie::Model,
    version: i32,
    action: RevisionAction,
    author: &Author,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let document = document_of(tx, movie).await?;
    let snapshot = serde_json::to_value(&document)
        .map_err(|e| AppError::Internal(format!("snapshot does not serialize: {e}")))?;
    movie_revision::ActiveModel {
        movie_id: Set(crate::service::visibility::film_id(movie)),
        version: Set(version),
        action: Set(action),
        author: Set(author.name.clone()),
        author_token_id: Set(author.token_id),
        created_at: Set(now),
        snapshot: Set(snapshot),
        ..Default::default()
    }
    .insert(tx)
    .await?;
    Ok(())
}

/// Films older than the history (the seed, imports of old data) have no revision until their
/// first change: record their state before that change, so it can be restored.
pub(super) async fn record_history_before_change(
    tx: &DatabaseTransaction,
    movie: &movie::Model,
    version_before: i32,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let recorded = movie_revision::Entity::find()
        .filter(movie_revision::Column::MovieId.eq(crate::service::visibility::film_id(movie)))
        .one(tx)
        .await?;
    if recorded.is_none() {
        write_revision(
            tx,
            movie,
            version_before,
            RevisionAction::Create,
            &Author::system(),
            now,
        )
        .await?;
    }
    Ok(())
}
