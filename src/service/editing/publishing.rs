//! Publishing: putting a film on the public API and taking it off again. Each is one
//! transaction that claims the film's next version (a stale `expectedVersion` is `CONFLICT`
//! and changes nothing), records a revision, and announces the film's cache keys, so every
//! instance drops the answers that held it (or that lacked it).

use chrono::Utc;
use entity::{RevisionAction, movie};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, DatabaseConnection, EntityTrait};

use super::history::{record_history_before_change, write_revision};
use super::{Author, begin_write, claim_version};
use crate::error::AppError;
use crate::service::changes::{self, Saved};

/// Which way a film moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Move {
    Publish,
    Unpublish,
}

/// Puts a film (at `expected_version`) on the public API. `BAD_USER_INPUT` when it is
/// published already.
pub async fn publish_movie(
    db: &DatabaseConnection,
    movie_id: i32,
    expected_version: i32,
    author: &Author,
) -> Result<Saved<movie::Model>, AppError> {
    move_film(db, movie_id, expected_version, author, Move::Publish).await
}

/// Takes a film (at `expected_version`) off the public API without deleting it: readers no
/// longer find it anywhere; editors still do (`status: DRAFT`). `BAD_USER_INPUT` when it is
/// not published.
pub async fn unpublish_movie(
    db: &DatabaseConnection,
    movie_id: i32,
    expected_version: i32,
    author: &Author,
) -> Result<Saved<movie::Model>, AppError> {
    move_film(db, movie_id, expected_version, author, Move::Unpublish).await
}

async fn move_film(
    db: &DatabaseConnection,
    movie_id: i32,
    expected_version: i32,
    author: &Author,
    to: Move,
) -> Result<Saved<movie::Model>, AppError> {
    let tx = begin_write(db).await?;
    let now = Utc::now();
    let before = claim_version(&tx, movie_id, expected_version, now).await?;
    match (to, before.published_at) {
        (Move::Publish, Some(_)) => {
            return Err(AppError::bad_input("id", "the film is published already"));
        }
        (Move::Unpublish, None) => {
            return Err(AppError::bad_input("id", "the film is not published"));
        }
        _ => {}
    }
    record_history_before_change(&tx, &before, expected_version, now).await?;
    let mut active = movie::ActiveModel {
        id: Set(movie_id),
        ..Default::default()
    };
    let action = match to {
        Move::Publish => {
            active.published_at = Set(Some(now));
            active.first_published_at = Set(Some(before.first_published_at.unwrap_or(now)));
            RevisionAction::Publish
        }
        Move::Unpublish => {
            active.published_at = Set(None);
            RevisionAction::Unpublish
        }
    };
    active.update(&tx).await?;
    let movie = movie::Entity::find_by_id(movie_id)
        .one(&tx)
        .await?
        .ok_or_else(|| AppError::Internal("the film vanished inside its transaction".into()))?;
    write_revision(&tx, &movie, movie.version, action, author, now).await?;
    let changed = changes::announce(&tx, changes::film_keys(&tx, movie_id).await?).await?;
    tx.commit().await?;
    Ok(Saved {
        row: movie,
        changed,
    })
}
