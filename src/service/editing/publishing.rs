//! Publishing: putting a film on the public API (its draft's content, where it has one), taking
//! it off again, and throwing a draft away. Each is one transaction that checks the version
//! editors see (a stale `expectedVersion` is `CONFLICT` and changes nothing), records a
//! revision (publish, unpublish), and announces the film's cache keys, so every instance drops
//! the answers that held it (or that lacked it).

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use entity::{ChangeKind, RevisionAction, movie};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection,
    DatabaseTransaction, EntityTrait, QueryFilter,
};

use super::drafts::{discard, draft_of, expect_version, lock_film, next_version, promote};
use super::history::{record_history_before_change, write_revision};
use super::{Author, begin_write};
use crate::error::AppError;
use crate::service::changes::{self, Change, Saved};

/// Makes what editors see of a film (at `expected_version`) the version readers see: its
/// draft's content where it has a draft, else the film as it is (when it is not published).
/// `BAD_USER_INPUT` when there is nothing to publish.
pub async fn publish_movie(
    db: &DatabaseConnection,
    movie_id: i32,
    expected_version: i32,
    author: &Author,
) -> Result<Saved<movie::Model>, AppError> {
    let tx = begin_write(db).await?;
    let now = Utc::now();
    let film = lock_film(&tx, movie_id).await?;
    let draft = draft_of(&tx, &film).await?;
    expect_version(&film, draft.as_ref(), expected_version)?;
    if draft.is_none() && film.published_at.is_some() {
        return Err(AppError::bad_input(
            "id",
            "nothing to publish: the film is published and has no draft",
        ));
    }
    publish_locked(tx, &film, draft.as_ref(), author, now).await
}

/// Publishes `film` (locked by `tx`, with its `draft` if any) now, and commits: the draft's
/// content becomes the film's, any schedule is done with, a `PUBLISH` revision is written.
pub(super) async fn publish_locked(
    tx: DatabaseTransaction,
    film: &movie::Model,
    draft: Option<&movie::Model>,
    author: &Author,
    now: DateTime<Utc>,
) -> Result<Saved<movie::Model>, AppError> {
    let movie_id = film.id;
    record_history_before_change(&tx, film, film.version, now).await?;
    let version = next_version(&tx, film, draft).await?;
    // The answers that held the film as it was, and those it will be in.
    let mut keys = changes::film_keys(&tx, movie_id).await?;
    if let Some(draft) = draft {
        promote(&tx, film, draft).await?;
    }
    movie::ActiveModel {
        id: Set(movie_id),
        version: Set(version),
        updated_at: Set(now),
        published_at: Set(Some(now)),
        first_published_at: Set(Some(film.first_published_at.unwrap_or(now))),
        scheduled_publish_at: Set(None),
        scheduled_by: Set(None),
        ..Default::default()
    }
    .update(&tx)
    .await?;
    keys.extend(changes::film_keys(&tx, movie_id).await?);
    finish(tx, movie_id, RevisionAction::Publish, author, now, keys).await
}

/// Takes a film (at `expected_version`) off the public API without deleting it: readers no
/// longer find it anywhere; editors still do (`status: DRAFT`), draft and all.
/// `BAD_USER_INPUT` when it is not published.
pub async fn unpublish_movie(
    db: &DatabaseConnection,
    movie_id: i32,
    expected_version: i32,
    author: &Author,
) -> Result<Saved<movie::Model>, AppError> {
    let tx = begin_write(db).await?;
    let now = Utc::now();
    let film = lock_film(&tx, movie_id).await?;
    let draft = draft_of(&tx, &film).await?;
    expect_version(&film, draft.as_ref(), expected_version)?;
    if film.published_at.is_none() {
        return Err(AppError::bad_input("id", "the film is not published"));
    }
    record_history_before_change(&tx, &film, film.version, now).await?;
    let version = next_version(&tx, &film, draft.as_ref()).await?;
    // The film and its draft alike: editors see one version of it.
    movie::Entity::update_many()
        .col_expr(movie::Column::Version, Expr::value(version))
        .col_expr(movie::Column::UpdatedAt, Expr::value(now))
        .col_expr(
            movie::Column::PublishedAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(
            Condition::any()
                .add(movie::Column::Id.eq(movie_id))
                .add(movie::Column::DraftOf.eq(movie_id)),
        )
        .exec(&tx)
        .await?;
    let keys = changes::film_keys(&tx, movie_id).await?;
    finish(tx, movie_id, RevisionAction::Unpublish, author, now, keys).await
}

/// Throws a film's draft (at `expected_version`) away: editors see the film as it is
/// published again. Readers saw nothing of the draft, so no cached answer changes.
/// `BAD_USER_INPUT` when the film has no draft. Returns the film.
pub async fn discard_draft(
    db: &DatabaseConnection,
    movie_id: i32,
    expected_version: i32,
    author: &Author,
) -> Result<Saved<movie::Model>, AppError> {
    let tx = begin_write(db).await?;
    let film = lock_film(&tx, movie_id).await?;
    let Some(draft) = draft_of(&tx, &film).await? else {
        return Err(AppError::bad_input("id", "the film has no draft"));
    };
    expect_version(&film, Some(&draft), expected_version)?;
    discard(&tx, &film, &draft).await?;
    let change = Change {
        kind: ChangeKind::DraftChanged,
        movie_id: Some(film.id),
        slug: Some(film.slug.clone()),
        version: Some(film.version),
        author: author.name.clone(),
    };
    let changed = changes::record(&tx, change, BTreeSet::new(), BTreeSet::new()).await?;
    tx.commit().await?;
    Ok(Saved {
        row: movie::Model {
            has_draft: false,
            ..film
        },
        changed,
    })
}

/// Records the film as it now is under `action`, announces `keys`, and commits.
async fn finish(
    tx: DatabaseTransaction,
    movie_id: i32,
    action: RevisionAction,
    author: &Author,
    now: DateTime<Utc>,
    keys: BTreeSet<String>,
) -> Result<Saved<movie::Model>, AppError> {
    let movie = movie::Entity::find_by_id(movie_id)
        .filter(movie::Column::DraftOf.is_null())
        .one(&tx)
        .await?
        .ok_or_else(|| AppError::Internal("the film vanished inside its transaction".into()))?;
    write_revision(&tx, &movie, movie.version, action, author, now).await?;
    let kind = match action {
        RevisionAction::Unpublish => ChangeKind::Unpublished,
        _ => ChangeKind::Published,
    };
    let change = Change {
        kind,
        movie_id: Some(movie_id),
        slug: Some(movie.slug.clone()),
        version: Some(movie.version),
        author: author.name.clone(),
    };
    let changed = changes::record(&tx, change, keys, BTreeSet::new()).await?;
    tx.commit().await?;
    Ok(Saved {
        row: movie,
        changed,
    })
}
