//! Drafts: where an editor's change lands. A film that is not published is changed in place
//! (nobody but editors sees it). A published film is never changed in place: its first
//! change starts a draft, a copy of the film (a second `movie` row, `draft_of` the film, its
//! slug stored as `~slug`) with copies of its lists, and that change and every later one
//! land on the draft until it is published ([`promote`]) or thrown away ([`discard`]).
//!
//! Versions: a film's own row keeps the version readers see; its draft counts on from the
//! highest version the film's history has used, so revisions never repeat a version. An
//! editor's `expectedVersion` is the version of what they edit: the draft where there is one,
//! else the film.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{movie, movie_revision};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction,
    EntityTrait, QueryFilter, QuerySelect, Statement,
};

use super::claim_version;
use crate::error::AppError;
use crate::ids::{NodeKind, decode, encode};
use crate::service::document::{Keyed, MoviePatch};
use crate::service::visibility::draft_slug;

/// The tables of a film's lists: (table, columns besides `id` and `movie_id`, whether items
/// are kept by id across changes).
const LISTS: [(&str, &str, Option<NodeKind>); 7] = [
    ("plot_paragraph", "position, body", None),
    ("section", "position, title, body", Some(NodeKind::Section)),
    (
        "\"character\"",
        "position, name, description, actor_id",
        Some(NodeKind::Character),
    ),
    (
        "theme",
        "position, emoji, name, description",
        Some(NodeKind::Theme),
    ),
    ("location", "position, name", Some(NodeKind::Location)),
    ("credit", "person_id, role, position", None),
    ("movie_company", "company_id, role, position", None),
];

/// What an editor's change lands on.
pub(super) struct WorkingCopy {
    /// The film's own row, as it was before the change.
    pub film: movie::Model,
    /// The row to change (the draft, or the film itself), already at its new version.
    pub target: movie::Model,
    /// When this change started the draft: the film's list item ids → the draft's copies.
    pub started: Option<HashMap<(NodeKind, i32), i32>>,
}

/// The film `film_id`'s own row, locked for this transaction: `NOT_FOUND` for no film (a
/// draft's row is not a film).
pub(super) async fn lock_film(
    tx: &DatabaseTransaction,
    film_id: i32,
) -> Result<movie::Model, AppError> {
    movie::Entity::find_by_id(film_id)
        .filter(movie::Column::DraftOf.is_null())
        .lock_exclusive()
        .one(tx)
        .await?
        .ok_or_else(|| AppError::NotFound("no such film".into()))
}

/// The draft of `film`, if it has one.
pub(super) async fn draft_of(
    tx: &DatabaseTransaction,
    film: &movie::Model,
) -> Result<Option<movie::Model>, AppError> {
    if !film.has_draft {
        return Ok(None);
    }
    Ok(movie::Entity::find()
        .filter(movie::Column::DraftOf.eq(film.id))
        .one(tx)
        .await?)
}

/// `CONFLICT` for a change made against `expected` when the film is at `current`.
pub(super) fn stale(current: i32, expected: i32) -> AppError {
    AppError::conflict_at(
        "expectedVersion",
        format!(
            "the film is at version {current}, not {expected}: someone changed it; reload it and apply your change again"
        ),
    )
}

/// Claims the next version of what an editor changes in film `film_id`, starting its draft
/// when the film is published and has none.
pub(super) async fn working_copy(
    tx: &DatabaseTransaction,
    film_id: i32,
    expected_version: i32,
    now: DateTime<Utc>,
) -> Result<WorkingCopy, AppError> {
    let film = lock_film(tx, film_id).await?;
    if let Some(draft) = draft_of(tx, &film).await? {
        let target = claim_version(tx, draft.id, expected_version, now).await?;
        return Ok(WorkingCopy {
            film,
            target,
            started: None,
        });
    }
    if film.published_at.is_none() {
        let target = claim_version(tx, film.id, expected_version, now).await?;
        return Ok(WorkingCopy {
            film,
            target,
            started: None,
        });
    }
    expect_version(&film, None, expected_version)?;
    let (target, ids) = start_draft(tx, &film, now).await?;
    Ok(WorkingCopy {
        film,
        target,
        started: Some(ids),
    })
}

/// The version editors see of `film`: its draft's where it has one.
pub(super) fn current_version(film: &movie::Model, draft: Option<&movie::Model>) -> i32 {
    draft.map_or(film.version, |draft| draft.version)
}

/// `CONFLICT` unless the film is at `expected` as editors see it.
pub(super) fn expect_version(
    film: &movie::Model,
    draft: Option<&movie::Model>,
    expected: i32,
) -> Result<(), AppError> {
    let current = current_version(film, draft);
    if current == expected {
        Ok(())
    } else {
        Err(stale(current, expected))
    }
}

/// The next version of `film` (and its draft): past every version it and its history used,
/// so revisions never repeat one.
pub(super) async fn next_version(
    tx: &DatabaseTransaction,
    film: &movie::Model,
    draft: Option<&movie::Model>,
) -> Result<i32, AppError> {
    let highest: Option<i32> = movie_revision::Entity::find()
        .select_only()
        .column_as(movie_revision::Column::Version.max(), "highest")
        .filter(movie_revision::Column::MovieId.eq(film.id))
        .into_tuple::<Option<i32>>()
        .one(tx)
        .await?
        .flatten();
    Ok(highest
        .unwrap_or(0)
        .max(current_version(film, draft))
        .max(film.version)
        + 1)
}

/// Copies `film` into a new draft with copies of its lists; returns the draft and the map
/// from the film's kept list items to their copies.
async fn start_draft(
    tx: &DatabaseTransaction,
    film: &movie::Model,
    now: DateTime<Utc>,
) -> Result<(movie::Model, HashMap<(NodeKind, i32), i32>), AppError> {
    let draft = movie::ActiveModel {
        slug: Set(draft_slug(&film.slug)),
        title: Set(film.title.clone()),
        release_year: Set(film.release_year),
        period_start_year: Set(film.period_start_year),
        period_end_year: Set(film.period_end_year),
        period_description: Set(film.period_description.clone()),
        setting_description: Set(film.setting_description.clone()),
        version: Set(next_version(tx, film, None).await?),
        created_at: Set(film.created_at),
        updated_at: Set(now),
        published_at: Set(film.published_at),
        first_published_at: Set(film.first_published_at),
        has_draft: Set(false),
        draft_of: Set(Some(film.id)),
        scheduled_publish_at: Set(film.scheduled_publish_at),
        scheduled_by: Set(film.scheduled_by.clone()),
        ..Default::default()
    }
    .insert(tx)
    .await?;
    movie::Entity::update_many()
        .col_expr(movie::Column::HasDraft, Expr::value(true))
        .filter(movie::Column::Id.eq(film.id))
        .exec(tx)
        .await?;
    let backend = tx.get_database_backend();
    let mut copies = HashMap::new();
    for (table, columns, kept) in LISTS {
        // Ids are integers of our own rows: formatting them into the statement is safe.
        let copy = format!(
            "INSERT INTO {table} (movie_id, {columns}) SELECT {draft}, {columns} FROM {table} WHERE movie_id = {film}",
            draft = draft.id,
            film = film.id,
        );
        tx.execute_raw(Statement::from_string(backend, copy))
            .await?;
        let Some(kind) = kept else { continue };
        let pairs = format!(
            "SELECT o.id AS old_id, n.id AS new_id FROM {table} o JOIN {table} n \
             ON n.movie_id = {draft} AND n.position = o.position WHERE o.movie_id = {film}",
            draft = draft.id,
            film = film.id,
        );
        for row in tx
            .query_all_raw(Statement::from_string(backend, pairs))
            .await?
        {
            copies.insert(
                (kind, row.try_get::<i32>("", "old_id")?),
                row.try_get::<i32>("", "new_id")?,
            );
        }
    }
    Ok((draft, copies))
}

/// Points a change's kept items (named by the film's item ids, as the editor read them
/// before the draft existed) at the draft's copies of them.
pub(super) fn kept_items_in_draft(patch: &mut MoviePatch, copies: &HashMap<(NodeKind, i32), i32>) {
    fn repoint<T>(items: &mut Option<Vec<Keyed<T>>>, copies: &HashMap<(NodeKind, i32), i32>) {
        for item in items.iter_mut().flatten() {
            let Some(id) = item.id.as_deref() else {
                continue;
            };
            if let Ok((kind, row)) = decode(id, "")
                && let Some(copy) = copies.get(&(kind, row))
            {
                item.id = Some(encode(kind, *copy).0);
            }
        }
    }
    repoint(&mut patch.sections, copies);
    repoint(&mut patch.themes, copies);
    repoint(&mut patch.locations, copies);
    repoint(&mut patch.characters, copies);
}

/// Makes `draft` the content of `film`: the film's lists are replaced by the draft's (the
/// very rows, so their ids stay what editors saw in the draft), its facts by the draft's, and
/// the draft's row goes. Returns nothing; the caller sets the film's version and publication.
pub(super) async fn promote(
    tx: &DatabaseTransaction,
    film: &movie::Model,
    draft: &movie::Model,
) -> Result<(), AppError> {
    let backend = tx.get_database_backend();
    for (table, _, _) in LISTS {
        for statement in [
            format!("DELETE FROM {table} WHERE movie_id = {}", film.id),
            format!(
                "UPDATE {table} SET movie_id = {} WHERE movie_id = {}",
                film.id, draft.id
            ),
        ] {
            tx.execute_raw(Statement::from_string(backend, statement))
                .await?;
        }
    }
    movie::Entity::delete_by_id(draft.id).exec(tx).await?;
    movie::ActiveModel {
        id: Set(film.id),
        slug: Set(crate::service::visibility::shown_slug(&draft.slug).to_owned()),
        title: Set(draft.title.clone()),
        release_year: Set(draft.release_year),
        period_start_year: Set(draft.period_start_year),
        period_end_year: Set(draft.period_end_year),
        period_description: Set(draft.period_description.clone()),
        setting_description: Set(draft.setting_description.clone()),
        has_draft: Set(false),
        ..Default::default()
    }
    .update(tx)
    .await
    .map_err(|e| super::with_field(AppError::from(e), "input.slug"))?;
    Ok(())
}

/// Throws `film`'s draft away (its lists go with it).
pub(super) async fn discard(
    tx: &DatabaseTransaction,
    film: &movie::Model,
    draft: &movie::Model,
) -> Result<(), AppError> {
    movie::Entity::delete_by_id(draft.id).exec(tx).await?;
    movie::Entity::update_many()
        .col_expr(movie::Column::HasDraft, Expr::value(false))
        .filter(movie::Column::Id.eq(film.id))
        .exec(tx)
        .await?;
    Ok(())
}
