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

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{
    CreditRole, RevisionAction, character, company, credit, location, movie, movie_company,
    movie_revision, person, plot_paragraph, section, theme,
};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ActiveValue::Set, ColumnTrait, ConnectionTrait,
    DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter, SqliteTransactionMode,
    TransactionOptions, TransactionTrait,
};

use crate::error::AppError;
use crate::ids::{NodeKind, decode};
use crate::service::changes::{self, Saved};
use crate::service::document::{Keyed, MovieDocument, MoviePatch, Reference};
use crate::service::film_parts;
use crate::service::slug::slugify;
use crate::service::snapshot::document_of;
use crate::service::validate::{self, Problems};

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

/// A person or company the input names, once looked up.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Target {
    /// An existing row.
    Existing(i32),
    /// A row to create.
    New { slug: String, name: String },
}

/// Shared, named tables (people and companies).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Named {
    Person,
    Company,
}

/// What makes two targets the same row: its id, or the slug a new one will get.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Identity {
    Id(i32),
    Slug(String),
}

impl Target {
    fn identity(&self) -> Identity {
        match self {
            Self::Existing(id) => Identity::Id(*id),
            Self::New { slug, .. } => Identity::Slug(slug.clone()),
        }
    }
}

impl Named {
    fn noun(self) -> &'static str {
        match self {
            Self::Person => "person",
            Self::Company => "company",
        }
    }

    fn kind(self) -> NodeKind {
        match self {
            Self::Person => NodeKind::Person,
            Self::Company => NodeKind::Company,
        }
    }

    async fn exists<C: ConnectionTrait>(self, db: &C, id: i32) -> Result<bool, AppError> {
        Ok(match self {
            Self::Person => person::Entity::find_by_id(id).one(db).await?.is_some(),
            Self::Company => company::Entity::find_by_id(id).one(db).await?.is_some(),
        })
    }

    async fn id_by_slug<C: ConnectionTrait>(
        self,
        db: &C,
        slug: &str,
    ) -> Result<Option<i32>, AppError> {
        Ok(match self {
            Self::Person => person::Entity::find()
                .filter(person::Column::Slug.eq(slug))
                .one(db)
                .await?
                .map(|p| p.id),
            Self::Company => company::Entity::find()
                .filter(company::Column::Slug.eq(slug))
                .one(db)
                .await?
                .map(|c| c.id),
        })
    }

    async fn insert<C: ConnectionTrait>(
        self,
        db: &C,
        slug: &str,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<i32, AppError> {
        Ok(match self {
            Self::Person => {
                person::ActiveModel {
                    slug: Set(slug.to_owned()),
                    name: Set(name.to_owned()),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .insert(db)
                .await?
                .id
            }
            Self::Company => {
                company::ActiveModel {
                    slug: Set(slug.to_owned()),
                    name: Set(name.to_owned()),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .insert(db)
                .await?
                .id
            }
        })
    }
}

/// Looks up what a reference names; notes a problem (and returns `None`) when it names nothing
/// usable. Shapes were checked already by [`validate::reference`].
async fn resolve<C: ConnectionTrait>(
    db: &C,
    named: Named,
    field: &str,
    reference: &Reference,
    problems: &mut Problems,
) -> Result<Option<Target>, AppError> {
    let noun = named.noun();
    if let Some(id) = &reference.id {
        let Ok((kind, row)) = decode(id, field) else {
            return Ok(None);
        };
        if kind != named.kind() {
            return Ok(None);
        }
        if named.exists(db, row).await? {
            return Ok(Some(Target::Existing(row)));
        }
        // Gone: a slug or name given beside the id (as in a revision's snapshot) still
        // says who was meant.
        if reference.slug.is_none() && reference.name.is_none() {
            problems.bad(
                format!("{field}.id"),
                format!("no {noun} has the id `{id}`"),
            );
            return Ok(None);
        }
    }
    if let Some(slug) = &reference.slug {
        if !crate::service::slug::is_valid(slug) {
            return Ok(None);
        }
        if let Some(row) = named.id_by_slug(db, slug).await? {
            return Ok(Some(Target::Existing(row)));
        }
        return Ok(match &reference.name {
            Some(name) => Some(Target::New {
                slug: slug.clone(),
                name: name.trim().to_owned(),
            }),
            None => {
                problems.bad(
                    format!("{field}.slug"),
                    format!("no {noun} has the slug `{slug}` (give a `name` to create one)"),
                );
                None
            }
        });
    }
    let Some(name) = reference
        .name
        .as_ref()
        .filter(|name| !name.trim().is_empty())
    else {
        return Ok(None);
    };
    let slug = slugify(name);
    if slug.is_empty() {
        problems.bad(
            format!("{field}.name"),
            "this name gives no slug: give a `slug` for the new one",
        );
        return Ok(None);
    }
    if named.id_by_slug(db, &slug).await?.is_some() {
        problems.conflict(
            format!("{field}.name"),
            format!(
                "a {noun} with the slug `{slug}` exists: refer to them by `slug`, or give the new one a `slug` of its own"
            ),
        );
        return Ok(None);
    }
    Ok(Some(Target::New {
        slug,
        name: name.trim().to_owned(),
    }))
}

/// References of a change, looked up; `None` where the list is not being changed.
#[derive(Debug, Default)]
struct Resolved {
    directors: Option<Vec<Target>>,
    credits: Option<Vec<(CreditRole, Target)>>,
    companies: Option<Vec<(entity::CompanyRole, Target)>>,
    actors: Option<Vec<Option<Target>>>,
}

/// Notes a problem for every item that names the same target as an earlier one.
fn no_repeats<K: PartialEq>(problems: &mut Problems, field: &str, keys: &[Option<K>]) {
    for (i, key) in keys.iter().enumerate() {
        if let Some(key) = key
            && keys[..i]
                .iter()
                .any(|earlier| earlier.as_ref() == Some(key))
        {
            problems.bad(format!("{field}[{i}]"), "is listed twice");
        }
    }
}

async fn resolve_patch<C: ConnectionTrait>(
    db: &C,
    patch: &MoviePatch,
    problems: &mut Problems,
) -> Result<Resolved, AppError> {
    let mut resolved = Resolved::default();
    if let Some(directors) = &patch.directors {
        let mut targets = Vec::new();
        for (i, director) in directors.iter().enumerate() {
            let field = format!("input.directors[{i}]");
            targets.push(resolve(db, Named::Person, &field, director, problems).await?);
        }
        let keys: Vec<_> = targets
            .iter()
            .map(|t| t.as_ref().map(Target::identity))
            .collect();
        no_repeats(problems, "input.directors", &keys);
        resolved.directors = Some(targets.into_iter().flatten().collect());
    }
    if let Some(credits) = &patch.credits {
        let mut targets = Vec::new();
        for (i, credit) in credits.iter().enumerate() {
            let field = format!("input.credits[{i}].person");
            let target = resolve(db, Named::Person, &field, &credit.person, problems).await?;
            if credit.role == CreditRole::Director {
                problems.bad(
                    format!("input.credits[{i}].role"),
                    "directors are listed in `directors`",
                );
            }
            targets.push(target.map(|t| (credit.role, t)));
        }
        let keys: Vec<_> = targets
            .iter()
            .map(|t| t.as_ref().map(|(role, t)| (*role, t.identity())))
            .collect();
        no_repeats(problems, "input.credits", &keys);
        resolved.credits = Some(targets.into_iter().flatten().collect());
    }
    if let Some(companies) = &patch.companies {
        let mut targets = Vec::new();
        for (i, part) in companies.iter().enumerate() {
            let field = format!("input.companies[{i}].company");
            let target = resolve(db, Named::Company, &field, &part.company, problems).await?;
            targets.push(target.map(|t| (part.role, t)));
        }
        let keys: Vec<_> = targets
            .iter()
            .map(|t| t.as_ref().map(|(role, t)| (*role, t.identity())))
            .collect();
        no_repeats(problems, "input.companies", &keys);
        resolved.companies = Some(targets.into_iter().flatten().collect());
    }
    if let Some(characters) = &patch.characters {
        let mut actors = Vec::new();
        for (i, character) in characters.iter().enumerate() {
            actors.push(match &character.item.actor {
                Some(actor) => {
                    let field = format!("input.characters[{i}].actor");
                    resolve(db, Named::Person, &field, actor, problems).await?
                }
                None => None,
            });
        }
        resolved.actors = Some(actors);
    }
    Ok(resolved)
}

/// Notes a problem for each keyed item whose id is not one of `owned` (the film's items).
fn kept_items_belong<T>(
    problems: &mut Problems,
    field: &str,
    items: Option<&Vec<Keyed<T>>>,
    owned: &[i32],
    noun: &str,
) {
    for (i, item) in items.into_iter().flatten().enumerate() {
        if let (Some(id), Some(row)) = (&item.id, kept_id(item))
            && !owned.contains(&row)
        {
            problems.bad(
                format!("{field}[{i}].id"),
                format!("`{id}` is not a {noun} of this film"),
            );
        }
    }
}

/// Whether a list being changed keeps any existing item (and so needs the film's ids).
fn keeps_any<T>(items: Option<&Vec<Keyed<T>>>) -> bool {
    items.is_some_and(|items| items.iter().any(|item| item.id.is_some()))
}

/// Notes a problem for every kept item that is not an item of this film.
async fn kept_items_are_the_films(
    tx: &DatabaseTransaction,
    problems: &mut Problems,
    patch: &MoviePatch,
    movie_id: i32,
) -> Result<(), AppError> {
    let film = [movie_id];
    if keeps_any(patch.sections.as_ref()) {
        let rows = film_parts::sections_of_movies(tx, &film).await?;
        let owned: Vec<i32> = rows.iter().map(|r| r.id).collect();
        kept_items_belong(
            problems,
            "input.sections",
            patch.sections.as_ref(),
            &owned,
            "section",
        );
    }
    if keeps_any(patch.themes.as_ref()) {
        let rows = film_parts::themes_of_movies(tx, &film).await?;
        let owned: Vec<i32> = rows.iter().map(|r| r.id).collect();
        kept_items_belong(
            problems,
            "input.themes",
            patch.themes.as_ref(),
            &owned,
            "theme",
        );
    }
    if keeps_any(patch.locations.as_ref()) {
        let rows = film_parts::locations_of_movies(tx, &film).await?;
        let owned: Vec<i32> = rows.iter().map(|r| r.id).collect();
        let field = "input.setting.locations";
        kept_items_belong(
            problems,
            field,
            patch.locations.as_ref(),
            &owned,
            "location",
        );
    }
    if keeps_any(patch.characters.as_ref()) {
        let rows = film_parts::characters_of_movies(tx, &film).await?;
        let owned: Vec<i32> = rows.iter().map(|(r, _)| r.id).collect();
        let field = "input.characters";
        kept_items_belong(
            problems,
            field,
            patch.characters.as_ref(),
            &owned,
            "character",
        );
    }
    Ok(())
}

/// The row id a keyed item keeps, if any.
fn kept_id<T>(item: &Keyed<T>) -> Option<i32> {
    item.id
        .as_deref()
        .and_then(|id| decode(id, "").ok())
        .map(|(_, row)| row)
}

/// Creates the new people and companies of a change (each once) and gives every target's id.
struct Creator {
    now: DateTime<Utc>,
    made: HashMap<(bool, String), i32>,
}

impl Creator {
    async fn id(
        &mut self,
        tx: &DatabaseTransaction,
        named: Named,
        target: &Target,
    ) -> Result<i32, AppError> {
        match target {
            Target::Existing(id) => Ok(*id),
            Target::New { slug, name } => {
                let key = (named == Named::Person, slug.clone());
                if let Some(id) = self.made.get(&key) {
                    return Ok(*id);
                }
                let id = named.insert(tx, slug, name, self.now).await?;
                self.made.insert(key, id);
                Ok(id)
            }
        }
    }
}

/// Makes a film's keyed list (sections, themes, ...) match the change: removed items deleted,
/// kept ones moved out of the way of the unique (movie, position) index, then written in order.
macro_rules! write_keyed_list {
    ($tx:expr, $movie_id:expr, $items:expr, $entity:ident, |$item:ident, $position:ident, $extra:ident| $active:expr) => {{
        use $entity::{ActiveModel, Column, Entity};
        let kept: Vec<i32> = $items.iter().filter_map(kept_id).collect();
        Entity::delete_many()
            .filter(Column::MovieId.eq($movie_id))
            .filter(Column::Id.is_not_in(kept.clone()))
            .exec($tx)
            .await?;
        Entity::update_many()
            .col_expr(Column::Position, Expr::col(Column::Position).mul(-1))
            .filter(Column::MovieId.eq($movie_id))
            .exec($tx)
            .await?;
        for (index, keyed) in $items.iter().enumerate() {
            let $item = &keyed.item;
            let $position = index as i32 + 1;
            let $extra = index;
            let mut active: ActiveModel = $active;
            active.movie_id = Set($movie_id);
            active.position = Set($position);
            match kept_id(keyed) {
                Some(id) => {
                    active.id = Set(id);
                    active.update($tx).await?;
                }
                None => {
                    active.id = NotSet;
                    active.insert($tx).await?;
                }
            }
        }
    }};
}

/// Writes every list the change gives.
async fn write_lists(
    tx: &DatabaseTransaction,
    movie_id: i32,
    patch: &MoviePatch,
    resolved: &Resolved,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let mut creator = Creator {
        now,
        made: HashMap::new(),
    };
    if let Some(plot) = &patch.plot {
        plot_paragraph::Entity::delete_many()
            .filter(plot_paragraph::Column::MovieId.eq(movie_id))
            .exec(tx)
            .await?;
        for (i, body) in plot.iter().enumerate() {
            plot_paragraph::ActiveModel {
                movie_id: Set(movie_id),
                position: Set(i as i32 + 1),
                body: Set(body.clone()),
                ..Default::default()
            }
            .insert(tx)
            .await?;
        }
    }
    if resolved.directors.is_some() || resolved.credits.is_some() {
        let current = credit::Entity::find()
            .filter(credit::Column::MovieId.eq(movie_id))
            .all(tx)
            .await?;
        let mut rows: Vec<(CreditRole, i32)> = Vec::new();
        match &resolved.directors {
            Some(directors) => {
                for target in directors {
                    rows.push((
                        CreditRole::Director,
                        creator.id(tx, Named::Person, target).await?,
                    ));
                }
            }
            None => rows.extend(
                current
                    .iter()
                    .filter(|c| c.role == CreditRole::Director)
                    .map(|c| (c.role, c.person_id)),
            ),
        }
        match &resolved.credits {
            Some(credits) => {
                for (role, target) in credits {
                    rows.push((*role, creator.id(tx, Named::Person, target).await?));
                }
            }
            None => rows.extend(
                current
                    .iter()
                    .filter(|c| c.role != CreditRole::Director)
                    .map(|c| (c.role, c.person_id)),
            ),
        }
        credit::Entity::delete_many()
            .filter(credit::Column::MovieId.eq(movie_id))
            .exec(tx)
            .await?;
        for (i, (role, person_id)) in rows.into_iter().enumerate() {
            credit::ActiveModel {
                movie_id: Set(movie_id),
                person_id: Set(person_id),
                role: Set(role),
                position: Set(i as i32 + 1),
                ..Default::default()
            }
            .insert(tx)
            .await?;
        }
    }
    if let Some(companies) = &resolved.companies {
        movie_company::Entity::delete_many()
            .filter(movie_company::Column::MovieId.eq(movie_id))
            .exec(tx)
            .await?;
        for (i, (role, target)) in companies.iter().enumerate() {
            let company_id = creator.id(tx, Named::Company, target).await?;
            movie_company::ActiveModel {
                movie_id: Set(movie_id),
                company_id: Set(company_id),
                role: Set(*role),
                position: Set(i as i32 + 1),
                ..Default::default()
            }
            .insert(tx)
            .await?;
        }
    }
    if let Some(sections) = &patch.sections {
        write_keyed_list!(
            tx,
            movie_id,
            sections,
            section,
            |item, _position, _index| {
                section::ActiveModel {
                    title: Set(item.title.clone()),
                    body: Set(item.body.clone()),
                    ..Default::default()
                }
            }
        );
    }
    if let Some(themes) = &patch.themes {
        write_keyed_list!(tx, movie_id, themes, theme, |item, _position, _index| {
            theme::ActiveModel {
                emoji: Set(item.emoji.clone()),
                name: Set(item.name.clone()),
                description: Set(item.description.clone()),
                ..Default::default()
            }
        });
    }
    if let Some(locations) = &patch.locations {
        write_keyed_list!(
            tx,
            movie_id,
            locations,
            location,
            |item, _position, _index| {
                location::ActiveModel {
                    name: Set(item.name.clone()),
                    ..Default::default()
                }
            }
        );
    }
    if let (Some(characters), Some(actors)) = (&patch.characters, &resolved.actors) {
        let mut actor_ids = Vec::with_capacity(actors.len());
        for actor in actors {
            actor_ids.push(match actor {
                Some(target) => Some(creator.id(tx, Named::Person, target).await?),
                None => None,
            });
        }
        write_keyed_list!(
            tx,
            movie_id,
            characters,
            character,
            |item, _position, index| {
                character::ActiveModel {
                    name: Set(item.name.clone()),
                    description: Set(item.description.clone()),
                    actor_id: Set(actor_ids.get(index).copied().flatten()),
                    ..Default::default()
                }
            }
        );
    }
    Ok(())
}

/// Records the film as it now is, at `version`.
async fn write_revision(
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
        movie_id: Set(movie.id),
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
async fn record_history_before_change(
    tx: &DatabaseTransaction,
    movie: &movie::Model,
    version_before: i32,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let recorded = movie_revision::Entity::find()
        .filter(movie_revision::Column::MovieId.eq(movie.id))
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

/// Begins a transaction that will write. On SQLite it takes the write lock at once (`BEGIN
/// IMMEDIATE`), so two writers queue on the busy timeout instead of one failing to upgrade a
/// read lock; PostgreSQL ignores the option.
///
/// A mutation sent with an `Idempotency-Key` claims it here, first thing in its transaction
/// (see [`idempotency`](crate::service::idempotency)).
pub(crate) async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, AppError> {
    let tx = db
        .begin_with_options(TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..TransactionOptions::default()
        })
        .await?;
    crate::service::idempotency::claim_in(&tx).await?;
    Ok(tx)
}

/// Notes a conflict when another film than `except` has `slug`.
async fn slug_free<C: ConnectionTrait>(
    db: &C,
    problems: &mut Problems,
    slug: &str,
    field: &str,
    except: Option<i32>,
) -> Result<(), AppError> {
    let holder = movie::Entity::find()
        .filter(movie::Column::Slug.eq(slug))
        .one(db)
        .await?;
    if let Some(holder) = holder
        && Some(holder.id) != except
    {
        problems.conflict(field, format!("another film has the slug `{slug}`"));
    }
    Ok(())
}

/// Adds a film with everything on its page. Returns the new film.
pub async fn create_movie(
    db: &DatabaseConnection,
    document: MovieDocument,
    author: &Author,
) -> Result<Saved<movie::Model>, AppError> {
    create_movie_reporting(db, document, author, Problems::default()).await
}

/// Like [`create_movie`], adding the problems the caller already found (every problem of the
/// input is reported at once).
pub async fn create_movie_reporting(
    db: &DatabaseConnection,
    document: MovieDocument,
    author: &Author,
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
    let changed = changes::announce(&tx, changes::film_keys(&tx, movie.id).await?).await?;
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
async fn claim_version(
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
    let before = claim_version(&tx, movie_id, expected_version, now).await?;
    record_history_before_change(&tx, &before, expected_version, now).await?;
    let mut keys = changes::film_keys(&tx, movie_id).await?;

    if let Some(slug) = patch
        .slug
        .as_ref()
        .filter(|slug| crate::service::slug::is_valid(slug))
    {
        slug_free(&tx, &mut problems, slug, "input.slug", Some(movie_id)).await?;
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
        active.slug = Set(slug.clone());
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
    keys.extend(changes::film_keys(&tx, movie_id).await?);
    let changed = changes::announce(&tx, keys).await?;
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
    let movie = claim_version(&tx, movie_id, expected_version, now).await?;
    record_history_before_change(&tx, &movie, expected_version, now).await?;
    write_revision(
        &tx,
        &movie,
        movie.version,
        RevisionAction::Delete,
        author,
        now,
    )
    .await?;
    let keys = changes::film_keys(&tx, movie_id).await?;
    movie::Entity::delete_by_id(movie_id).exec(&tx).await?;
    let changed = changes::announce(&tx, keys).await?;
    tx.commit().await?;
    Ok(Saved {
        row: movie,
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
    update_movie(
        db,
        movie_id,
        expected_version,
        MoviePatch::replace_with(document),
        author,
    )
    .await
}
