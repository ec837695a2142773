//! Creating, changing, deleting and restoring films.
//!
//! Every operation runs in ONE transaction: input is checked first (all problems reported at
//! once, nothing written), then written, then recorded as a revision (a snapshot of the whole
//! film, with who and when). Any error rolls everything back.
//!
//! Concurrency is optimistic: a change names the version it was made against, and the first
//! statement of its transaction is `UPDATE movie SET version = version + 1 WHERE id = ? AND
//! version = ?`. Of two editors who read the same version, exactly one matches; the other
//! gets `CONFLICT` and changes nothing.
//!
//! Layout: [`references`] looks up the people, companies and items a change names;
//! [`drafts`] decides where a change lands (a published film's draft); [`lists`] writes a
//! film's lists; [`history`] records revisions; [`publishing`] puts films
//! on the public API and takes them off; [`scheduling`] does it at a set time; this module holds the
//! operations themselves and their transaction and version claims.

mod drafts;
mod history;
mod lists;
mod publishing;
mod references;
mod scheduling;

pub use publishing::{discard_draft, publish_movie, unpublish_movie};
pub use scheduling::{cancel_scheduled_publish, publish_due, schedule_publish};

use history::{record_history_before_change, write_revision};
use lists::write_lists;
use references::{kept_items_are_the_films, resolve_patch};

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use entity::{ChangeKind, RevisionAction, movie, movie_revision};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, EntityTrait, QueryFilter, SqliteTransactionMode, TransactionOptions,
};

use crate::error::AppError;
use crate::service::changes::{self, Change, Saved};
use crate::service::document::{MovieDocument, MoviePatch};
use crate::service::slug::slugify;
use crate::service::validate::{self, Problems};
use crate::service::visibility::{draft_slug, film_id, shown_slug};

/// Who makes a change, as revisions record it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Author {
    /// The token's name (or the command-line user's).
    pub name: String,
    /// The token, when the change came through one.
    pub token_id: Option<i32>,
}

impl Author {
    /// History the server itself records (a film's state before its first recorded change).
    fn system() -> Self {
        Self {
            name: "system".into(),
            token_id: None,
        }
    }
}

impl From<&crate::service::tokens::Principal> for Author {
    fn from(principal: &crate::service::tokens::Principal) -> Self {
        Self {
            name: principal.name.clone(),
            token_id: Some(principal.token_id),
        }
    }
}

/// Begins a transaction that will write. On SQLite it takes the write lock at once (`BEGIN
/// IMMEDIATE`), so two writers queue on the busy timeout instead of one failing to upgrade a
/// read lock; PostgreSQL ignores the option.
///
/// A mutation sent with an `Idempotency-Key` claims it here, first thing in its transaction
/// (see [`idempotency`](crate::service::idempotency)).
pub(crate) async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, AppError> {
    let options = TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    };
    let tx = crate::db::begin_whole(db, options).await?;
    crate::service::idempotency::claim_in(&tx).await?;
    Ok(tx)
}

/// Notes a conflict when another film than `except` (or its draft) has `slug`.
async fn slug_free<C: ConnectionTrait>(
    db: &C,
    problems: &mut Problems,
    slug: &str,
    field: &str,
    except: Option<i32>,
) -> Result<(), AppError> {
    let holders = movie::Entity::find()
        .filter(movie::Column::Slug.is_in([slug.to_owned(), draft_slug(slug)]))
        .all(db)
        .await?;
    if holders.iter().any(|holder| Some(film_id(holder)) != except) {
        problems.conflict(field, format!("another film has the slug `{slug}`"));
    }
    Ok(())
}

/// Whether a new film goes on the public API at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewFilm {
    /// Only editors see it until it is published.
    Draft,
    /// Created and published in one step.
    Published,
}

/// Adds a film with everything on its page. Returns the new film.
pub async fn create_movie(
    db: &DatabaseConnection,
    document: MovieDocument,
    author: &Author,
    new_film: NewFilm,
) -> Result<Saved<movie::Model>, AppError> {
    create_movie_reporting(db, document, author, new_film, Problems::default()).await
}

/// Like [`create_movie`], adding the problems the caller already found (every problem of the
/// input is reported at once).
pub async fn create_movie_reporting(
    db: &DatabaseConnection,
    document: MovieDocument,
    author: &Author,
    new_film: NewFilm,
    mut problems: Problems,
) -> Result<Saved<movie::Model>, AppError> {
    let given_slug = document.slug.clone();
    let patch = MoviePatch::replace_with(document);
    validate::patch(&mut problems, &patch);
    let title = patch.title.as_deref().unwrap_or_default();
    let (slug, slug_field) = match given_slug {
        Some(slug) => (slug, "input.slug"),
        None => {
            let derived = slugify(title);
            if derived.is_empty() && !title.trim().is_empty() {
                problems.bad("input.slug", "the title gives no slug: give a `slug`");
            }
            (derived, "input.title")
        }
    };

    let tx = begin_write(db).await?;
    if crate::service::slug::is_valid(&slug) {
        slug_free(&tx, &mut problems, &slug, slug_field, None).await?;
    }
    let resolved = resolve_patch(&tx, &patch, &mut problems).await?;
    problems.into_result()?;

    let now = Utc::now();
    let (period, setting_description) = (
        patch.period.clone().flatten().unwrap_or_default(),
        patch.setting_description.clone().flatten(),
    );
    let movie = movie::ActiveModel {
        slug: Set(slug.clone()),
        title: Set(patch.title.clone().unwrap_or_default()),
        release_year: Set(patch.release_year.unwrap_or_default()),
        period_start_year: Set(period.start_year),
        period_end_year: Set(period.end_year),
        period_description: Set(period.description),
        setting_description: Set(setting_description),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        published_at: Set((new_film == NewFilm::Published).then_some(now)),
        first_published_at: Set((new_film == NewFilm::Published).then_some(now)),
        ..Default::default()
    }
    .insert(&tx)
    .await
    .map_err(|e| with_field(AppError::from(e), slug_field))?;
    write_lists(&tx, movie.id, &patch, &resolved, now).await?;
    write_revision(
        &tx,
        &movie,
        movie.version,
        RevisionAction::Create,
        author,
        now,
    )
    .await?;
    // A draft changes nothing readers see: no cached answer needs dropping.
    let (kind, cache_keys) = match new_film {
        NewFilm::Published => (
            ChangeKind::Published,
            changes::film_keys(&tx, movie.id).await?,
        ),
        NewFilm::Draft => (ChangeKind::DraftChanged, BTreeSet::new()),
    };
    let change = Change {
        kind,
        movie_id: Some(movie.id),
        slug: Some(movie.slug.clone()),
        version: Some(movie.version),
        author: author.name.clone(),
    };
    let also = BTreeSet::from([changes::film_key(movie.id)]);
    let changed = changes::record(&tx, change, cache_keys, also).await?;
    tx.commit().await?;
    Ok(Saved {
        row: movie,
        changed,
    })
}

/// A conflict that a constraint reported, pinned to the input that caused it.
fn with_field(err: AppError, field: &str) -> AppError {
    match err {
        AppError::Conflict {
            message,
            field: None,
        } => AppError::conflict_at(field, message),
        other => other,
    }
}

/// Claims the next version of a film: `NOT_FOUND` when there is no such film, `CONFLICT` when
/// it is no longer at `expected_version`.
pub(super) async fn claim_version(
    tx: &DatabaseTransaction,
    movie_id: i32,
    expected_version: i32,
    now: DateTime<Utc>,
) -> Result<movie::Model, AppError> {
    let claimed = movie::Entity::update_many()
        .col_expr(
            movie::Column::Version,
            Expr::col(movie::Column::Version).add(1),
        )
        .col_expr(movie::Column::UpdatedAt, Expr::value(now))
        .filter(movie::Column::Id.eq(movie_id))
        .filter(movie::Column::Version.eq(expected_version))
        .exec(tx)
        .await?;
    if claimed.rows_affected == 1 {
        return movie::Entity::find_by_id(movie_id)
            .one(tx)
            .await?
            .ok_or_else(|| AppError::Internal("a claimed film vanished".into()));
    }
    match movie::Entity::find_by_id(movie_id).one(tx).await? {
        None => Err(AppError::NotFound("no such film".into())),
        Some(current) => Err(AppError::conflict_at(
            "expectedVersion",
            format!(
                "the film is at version {}, not {expected_version}: someone changed it; reload it and apply your change again",
                current.version
            ),
        )),
    }
}

/// Changes a film made at `expected_version`. Returns the changed film.
pub async fn update_movie(
    db: &DatabaseConnection,
    movie_id: i32,
    expected_version: i32,
    patch: MoviePatch,
    author: &Author,
) -> Result<Saved<movie::Model>, AppError> {
    change_movie(
        db,
        movie_id,
        expected_version,
        patch,
        author,
        RevisionAction::Update,
    )
    .await
}

async fn change_movie(
    db: &DatabaseConnection,
    movie_id: i32,
    expected_version: i32,
    patch: MoviePatch,
    author: &Author,
    action: RevisionAction,
) -> Result<Saved<movie::Model>, AppError> {
    let mut problems = Problems::default();
    validate::patch(&mut problems, &patch);

    let tx = begin_write(db).await?;
    let now = Utc::now();
    let working = drafts::working_copy(&tx, movie_id, expected_version, now).await?;
    // The film's state before its first recorded change (the seed has no history yet).
    record_history_before_change(&tx, &working.film, working.film.version, now).await?;
    let mut patch = patch;
    if let Some(copies) = &working.started {
        drafts::kept_items_in_draft(&mut patch, copies);
    }
    let film_id = movie_id;
    let movie_id = working.target.id;
    let in_draft = working.target.draft_of.is_some();

    if let Some(slug) = patch
        .slug
        .as_ref()
        .filter(|slug| crate::service::slug::is_valid(slug))
    {
        slug_free(&tx, &mut problems, slug, "input.slug", Some(film_id)).await?;
    }
    let resolved = resolve_patch(&tx, &patch, &mut problems).await?;
    kept_items_are_the_films(&tx, &mut problems, &patch, movie_id).await?;
    problems.into_result()?;

    let mut active = movie::ActiveModel {
        id: Set(movie_id),
        ..Default::default()
    };
    if let Some(title) = &patch.title {
        active.title = Set(title.clone());
    }
    if let Some(slug) = &patch.slug {
        active.slug = Set(if in_draft {
            draft_slug(slug)
        } else {
            slug.clone()
        });
    }
    if let Some(year) = patch.release_year {
        active.release_year = Set(year);
    }
    if let Some(period) = &patch.period {
        let period = period.clone().unwrap_or_default();
        active.period_start_year = Set(period.start_year);
        active.period_end_year = Set(period.end_year);
        active.period_description = Set(period.description);
    }
    if let Some(description) = &patch.setting_description {
        active.setting_description = Set(description.clone());
    }
    if active.is_changed() {
        active
            .update(&tx)
            .await
            .map_err(|e| with_field(AppError::from(e), "input.slug"))?;
    }
    write_lists(&tx, movie_id, &patch, &resolved, now).await?;
    let movie = movie::Entity::find_by_id(movie_id)
        .one(&tx)
        .await?
        .ok_or_else(|| AppError::Internal("the film vanished inside its transaction".into()))?;
    write_revision(&tx, &movie, movie.version, action, author, now).await?;
    // The change landed on a draft or on a film readers do not see (a published film is never
    // changed in place): no cached answer changed, so no cache key is announced (publishing
    // announces the film's). Editors following the draft hear of it.
    let change = Change {
        kind: ChangeKind::DraftChanged,
        movie_id: Some(film_id),
        slug: Some(shown_slug(&movie.slug).to_owned()),
        version: Some(movie.version),
        author: author.name.clone(),
    };
    let also = BTreeSet::from([changes::film_key(film_id)]);
    let changed = changes::record(&tx, change, BTreeSet::new(), also).await?;
    tx.commit().await?;
    Ok(Saved {
        row: movie,
        changed,
    })
}

/// Deletes a film at `expected_version` and everything that belongs to it (people and companies
/// stay). Its history stays too, ending with a `delete` revision of the film as it was. Returns
/// the film as it was.
pub async fn delete_movie(
    db: &DatabaseConnection,
    movie_id: i32,
    expected_version: i32,
    author: &Author,
) -> Result<Saved<movie::Model>, AppError> {
    let tx = begin_write(db).await?;
    let now = Utc::now();
    let film = drafts::lock_film(&tx, movie_id).await?;
    let draft = drafts::draft_of(&tx, &film).await?;
    drafts::expect_version(&film, draft.as_ref(), expected_version)?;
    record_history_before_change(&tx, &film, film.version, now).await?;
    let version = drafts::next_version(&tx, &film, draft.as_ref()).await?;
    write_revision(&tx, &film, version, RevisionAction::Delete, author, now).await?;
    let keys = changes::film_keys(&tx, movie_id).await?;
    // Its draft, if any, goes with it (`draft_of` cascades).
    movie::Entity::delete_by_id(movie_id).exec(&tx).await?;
    let change = Change {
        kind: ChangeKind::Deleted,
        movie_id: Some(movie_id),
        slug: Some(film.slug.clone()),
        version: Some(version),
        author: author.name.clone(),
    };
    let changed = changes::record(&tx, change, keys, BTreeSet::new()).await?;
    tx.commit().await?;
    Ok(Saved {
        row: movie::Model { version, ..film },
        changed,
    })
}

/// Makes a film what it was at revision `version` again, as a new revision.
pub async fn restore_revision(
    db: &DatabaseConnection,
    movie_id: i32,
    version: i32,
    expected_version: i32,
    author: &Author,
) -> Result<Saved<movie::Model>, AppError> {
    let revision = movie_revision::Entity::find()
        .filter(movie_revision::Column::MovieId.eq(movie_id))
        .filter(movie_revision::Column::Version.eq(version))
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("the film has no revision {version}")))?;
    let document: MovieDocument = serde_json::from_value(revision.snapshot)
        .map_err(|e| AppError::Internal(format!("revision snapshot does not parse: {e}")))?;
    change_movie(
        db,
        movie_id,
        expected_version,
        MoviePatch::replace_with(document),
        author,
        RevisionAction::Restore,
    )
    .await
}
