//! `createMovie`, `updateMovie`, `deleteMovie`, `restoreMovieRevision`, `publishMovie`,
//! `unpublishMovie`, `discardDraft`, `schedulePublish`, `cancelScheduledPublish`.

use async_graphql::{Context, ID, Object, Result};
use chrono::{DateTime, Utc};
use entity::TokenRole;

use crate::error::AppError;
use crate::graphql::auth::require;
use crate::graphql::context::{applied, db};
use crate::graphql::errors::report;
use crate::graphql::types::inputs::{MovieChangesInput, MovieInput, ids_in_new_film};
use crate::graphql::types::{DeletedMovie, Movie};
use crate::ids::{NodeKind, decode};
use crate::service::editing::{self, Author};
use crate::service::validate::Problems;

/// Film mutations.
#[derive(Default)]
pub struct MovieMutation;

/// The film row a global id names; `BAD_USER_INPUT` at `field` otherwise.
pub(crate) fn movie_id(id: &ID, field: &str) -> Result<i32, AppError> {
    match decode(id, field)? {
        (NodeKind::Movie, row) => Ok(row),
        _ => Err(AppError::bad_input(
            field,
            format!("`{}` is not the id of a film", id.0),
        )),
    }
}

#[Object]
impl MovieMutation {
    /// Adds a film with everything on its page, in one transaction: any problem and nothing
    /// is written (every problem is reported, each with its input path). The film is a draft,
    /// seen only by editors (`status: DRAFT`) until `publishMovie`, unless `publish: true`
    /// creates and publishes it in one step. Needs `editor`.
    async fn create_movie(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The whole film.")] input: MovieInput,
        #[graphql(
            desc = "Publish it at once: readers see it as soon as it is created.",
            default = false
        )]
        publish: bool,
    ) -> Result<Movie> {
        let principal = require(ctx, TokenRole::Editor).await?;
        let problems = Problems::from_vec(ids_in_new_film(&input));
        let author = Author::from(&principal);
        let new_film = if publish {
            editing::NewFilm::Published
        } else {
            editing::NewFilm::Draft
        };
        let saved =
            editing::create_movie_reporting(db(ctx)?, input.into(), &author, new_film, problems)
                .await
                .map_err(|e| report(ctx, e))?;
        Ok(Movie(applied(ctx, saved).await))
    }

    /// Changes a film, in one transaction. A published film is never changed in place: the
    /// change goes to its draft (the first change starts the draft from the published
    /// version), which readers do not see until `publishMovie`. `expectedVersion` is the
    /// `version` the change was made against (the draft's, where there is one, as
    /// `movie(slug:, status: DRAFT)` shows it): if the film has moved on, nothing changes and the
    /// answer is `CONFLICT`. Needs `editor`.
    async fn update_movie(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The film's global id.")] id: ID,
        #[graphql(desc = "The film's `version` the change was made against.")]
        expected_version: i32,
        #[graphql(desc = "What to change; fields left out stay as they are.")]
        input: MovieChangesInput,
    ) -> Result<Movie> {
        let principal = require(ctx, TokenRole::Editor).await?;
        let movie_id = movie_id(&id, "id")?;
        let saved = editing::update_movie(
            db(ctx)?,
            movie_id,
            expected_version,
            input.into(),
            &Author::from(&principal),
        )
        .await
        .map_err(|e| report(ctx, e))?;
        Ok(Movie(applied(ctx, saved).await))
    }

    /// Deletes a film and everything that belongs to it (its people and companies stay).
    /// Needs `admin`.
    async fn delete_movie(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The film's global id.")] id: ID,
        #[graphql(desc = "The film's current `version`.")] expected_version: i32,
    ) -> Result<DeletedMovie> {
        let principal = require(ctx, TokenRole::Admin).await?;
        let movie_id = movie_id(&id, "id")?;
        let author = Author::from(&principal);
        let saved = editing::delete_movie(db(ctx)?, movie_id, expected_version, &author).await?;
        Ok(DeletedMovie::new(&applied(ctx, saved).await))
    }

    /// Makes a film what it was at an earlier revision, as a new revision. Needs `editor`.
    async fn restore_movie_revision(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The film's global id.")] id: ID,
        #[graphql(desc = "The revision's `version` to go back to.")] version: i32,
        #[graphql(desc = "The film's current `version`.")] expected_version: i32,
    ) -> Result<Movie> {
        let principal = require(ctx, TokenRole::Editor).await?;
        let movie_id = movie_id(&id, "id")?;
        let saved = editing::restore_revision(
            db(ctx)?,
            movie_id,
            version,
            expected_version,
            &Author::from(&principal),
        )
        .await
        .map_err(|e| report(ctx, e))?;
        Ok(Movie(applied(ctx, saved).await))
    }

    /// Puts a film on the public API: anonymous readers, caches and CDNs see it from now on
    /// (the cached answers that lacked it are dropped). `BAD_USER_INPUT` when it is published
    /// already. Needs `editor`.
    async fn publish_movie(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The film's global id.")] id: ID,
        #[graphql(desc = "The film's current `version`.")] expected_version: i32,
    ) -> Result<Movie> {
        let principal = require(ctx, TokenRole::Editor).await?;
        let movie_id = movie_id(&id, "id")?;
        let author = Author::from(&principal);
        let saved = editing::publish_movie(db(ctx)?, movie_id, expected_version, &author)
            .await
            .map_err(|e| report(ctx, e))?;
        Ok(Movie(applied(ctx, saved).await))
    }

    /// Takes a film off the public API without deleting it: readers find it nowhere (not in
    /// lists, counts, search, people's roles, companies' films, nor by id), and every cached
    /// answer that held it is dropped; editors still read it with `status: DRAFT`.
    /// `BAD_USER_INPUT` when it is not published. Needs `editor`.
    async fn unpublish_movie(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The film's global id.")] id: ID,
        #[graphql(desc = "The film's current `version`.")] expected_version: i32,
    ) -> Result<Movie> {
        let principal = require(ctx, TokenRole::Editor).await?;
        let movie_id = movie_id(&id, "id")?;
        let author = Author::from(&principal);
        let saved = editing::unpublish_movie(db(ctx)?, movie_id, expected_version, &author)
            .await
            .map_err(|e| report(ctx, e))?;
        Ok(Movie(applied(ctx, saved).await))
    }

    /// Throws a film's draft away: editors see the published version again, and readers
    /// never saw the draft. `BAD_USER_INPUT` when the film has no draft. Needs `editor`.
    async fn discard_draft(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The film's global id.")] id: ID,
        #[graphql(desc = "The draft's `version`.")] expected_version: i32,
    ) -> Result<Movie> {
        let author = Author::from(&require(ctx, TokenRole::Editor).await?);
        let movie_id = movie_id(&id, "id")?;
        let saved = editing::discard_draft(db(ctx)?, movie_id, expected_version, &author)
            .await
            .map_err(|e| report(ctx, e))?;
        Ok(Movie(applied(ctx, saved).await))
    }

    /// Publishes a film at a set time: what editors see of it then (its draft, or the
    /// unpublished film) becomes what readers see, recorded as the scheduling editor's. The
    /// schedule lives in the database: it is published once however many instances run, and
    /// by the first to start if it fell due while none was running. Replaces an earlier
    /// schedule. `BAD_USER_INPUT` when `at` is not in the future or there is nothing to
    /// publish. Needs `editor`.
    async fn schedule_publish(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The film's global id.")] id: ID,
        #[graphql(desc = "When to publish it (RFC 3339, in the future).")] at: DateTime<Utc>,
        #[graphql(desc = "The `version` editors see now.")] expected_version: i32,
    ) -> Result<Movie> {
        let principal = require(ctx, TokenRole::Editor).await?;
        let movie_id = movie_id(&id, "id")?;
        let author = Author::from(&principal);
        let saved = editing::schedule_publish(db(ctx)?, movie_id, at, expected_version, &author)
            .await
            .map_err(|e| report(ctx, e))?;
        Ok(Movie(applied(ctx, saved).await))
    }

    /// Cancels a film's scheduled publication. `BAD_USER_INPUT` when it has none. Needs
    /// `editor`.
    async fn cancel_scheduled_publish(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The film's global id.")] id: ID,
    ) -> Result<Movie> {
        require(ctx, TokenRole::Editor).await?;
        let movie_id = movie_id(&id, "id")?;
        let saved = editing::cancel_scheduled_publish(db(ctx)?, movie_id)
            .await
            .map_err(|e| report(ctx, e))?;
        Ok(Movie(applied(ctx, saved).await))
    }
}
