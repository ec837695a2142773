//! Scheduled publishing. A schedule lives in the database (`movie.scheduled_publish_at`), so
//! it survives restarts and is shared by every server instance: each instance looks for due
//! schedules now and then ([`publish_due`]), and publishes each in its own transaction after
//! locking the film and seeing the schedule still due, so a schedule is published exactly once
//! however many instances look, and one that fell due while every instance was down is
//! published by the first to start.

use chrono::{DateTime, Utc};
use entity::movie;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::drafts::{draft_of, expect_version, lock_film};
use super::publishing::publish_locked;
use super::{Author, begin_write};
use crate::error::AppError;
use crate::service::changes::{Changed, Saved};

/// Most due schedules one look publishes (the rest wait for the next look).
const DUE_PER_LOOK: u64 = 100;

/// Schedules a film (at `expected_version`, as editors see it) to be published at `at`,
/// replacing any earlier schedule. `BAD_USER_INPUT` when `at` is not in the future or there is
/// nothing to publish. Returns the film.
pub async fn schedule_publish(
    db: &DatabaseConnection,
    movie_id: i32,
    at: DateTime<Utc>,
    expected_version: i32,
    author: &Author,
) -> Result<Saved<movie::Model>, AppError> {
    let tx = begin_write(db).await?;
    let now = Utc::now();
    let film = lock_film(&tx, movie_id).await?;
    let draft = draft_of(&tx, &film).await?;
    expect_version(&film, draft.as_ref(), expected_version)?;
    if at <= now {
        return Err(AppError::bad_input(
            "at",
            "must be in the future (to publish now, use publishMovie)",
        ));
    }
    if draft.is_none() && film.published_at.is_some() {
        return Err(AppError::bad_input(
            "id",
            "nothing to publish: the film is published and has no draft",
        ));
    }
    let film = set_schedule(&tx, movie_id, Some(at), Some(author.name.clone())).await?;
    tx.commit().await?;
    Ok(unannounced(film))
}

/// Cancels a film's schedule. `BAD_USER_INPUT` when it has none. Returns the film.
pub async fn cancel_scheduled_publish(
    db: &DatabaseConnection,
    movie_id: i32,
) -> Result<Saved<movie::Model>, AppError> {
    let tx = begin_write(db).await?;
    let film = lock_film(&tx, movie_id).await?;
    if film.scheduled_publish_at.is_none() {
        return Err(AppError::bad_input(
            "id",
            "the film has no scheduled publication",
        ));
    }
    let film = set_schedule(&tx, movie_id, None, None).await?;
    tx.commit().await?;
    Ok(unannounced(film))
}

/// Publishes every film whose schedule is due at `now` (up to a bound per look), each in its
/// own transaction; returns what each publication changed. A schedule another instance
/// published meanwhile is skipped; a film that fails to publish is logged and left scheduled
/// (the next look tries again).
pub async fn publish_due(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
) -> Result<Vec<Saved<movie::Model>>, AppError> {
    let due: Vec<i32> = movie::Entity::find()
        .select_only()
        .column(movie::Column::Id)
        .filter(movie::Column::ScheduledPublishAt.lte(now))
        .filter(movie::Column::DraftOf.is_null())
        .order_by_asc(movie::Column::ScheduledPublishAt)
        .limit(DUE_PER_LOOK)
        .into_tuple()
        .all(db)
        .await?;
    let mut published = Vec::new();
    for movie_id in due {
        match publish_if_due(db, movie_id, now).await {
            Ok(Some(saved)) => published.push(saved),
            Ok(None) => {}
            Err(err) => {
                tracing::warn!(movie_id, error = ?err, "a scheduled publication failed; retrying later");
            }
        }
    }
    Ok(published)
}

async fn publish_if_due(
    db: &DatabaseConnection,
    movie_id: i32,
    now: DateTime<Utc>,
) -> Result<Option<Saved<movie::Model>>, AppError> {
    let tx = begin_write(db).await?;
    let film = lock_film(&tx, movie_id).await?;
    let Some(at) = film.scheduled_publish_at.filter(|at| *at <= now) else {
        // Published (or cancelled) by someone else since it was found due.
        return Ok(None);
    };
    let draft = draft_of(&tx, &film).await?;
    let author = Author {
        name: film
            .scheduled_by
            .clone()
            .unwrap_or_else(|| "scheduler".into()),
        token_id: None,
    };
    if draft.is_none() && film.published_at.is_some() {
        // Nothing left to publish (the draft was published or discarded by hand).
        set_schedule(&tx, movie_id, None, None).await?;
        tx.commit().await?;
        return Ok(None);
    }
    tracing::info!(movie_id, scheduled = %at, "publishing on schedule");
    publish_locked(tx, &film, draft.as_ref(), &author, Utc::now())
        .await
        .map(Some)
}

/// Sets a film's schedule, on its draft too (editors read the schedule on either); returns
/// what editors see of the film.
async fn set_schedule(
    tx: &sea_orm::DatabaseTransaction,
    movie_id: i32,
    at: Option<DateTime<Utc>>,
    by: Option<String>,
) -> Result<movie::Model, AppError> {
    movie::Entity::update_many()
        .col_expr(movie::Column::ScheduledPublishAt, Expr::value(at))
        .col_expr(movie::Column::ScheduledBy, Expr::value(by))
        .filter(
            Condition::any()
                .add(movie::Column::Id.eq(movie_id))
                .add(movie::Column::DraftOf.eq(movie_id)),
        )
        .exec(tx)
        .await?;
    let film = lock_film(tx, movie_id).await?;
    Ok(draft_of(tx, &film).await?.unwrap_or(film))
}

/// A change readers cannot see (a schedule is for editors): nothing to announce.
fn unannounced(film: movie::Model) -> Saved<movie::Model> {
    Saved {
        row: film,
        changed: Changed::default(),
    }
}
