//! What a change names, looked up: people and companies (existing or to create), and the
//! film's own list items it keeps.

use chrono::{DateTime, Utc};
use entity::{CreditRole, company, person};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction,
    EntityTrait, QueryFilter,
};

use crate::error::AppError;
use crate::ids::{NodeKind, decode};
use crate::service::document::{Keyed, MoviePatch, Reference};
use crate::service::film_parts;
use crate::service::slug::slugify;
use crate::service::validate::Problems;

/// A person or company the input names, once looked up.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) enum Target {
    /// An existing row.
    Existing(i32),
    /// A row to create.
    New { slug: String, name: String },
}

/// Shared, named tables (people and companies).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Named {
    Person,
    Company,
}

/// What makes two targets the same row: its id, or the slug a new one will get.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) enum Identity {
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

    pub(super) async fn insert<C: ConnectionTrait>(
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
pub(super) async fn resolve<C: ConnectionTrait>(
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
pub(super) struct Resolved {
    pub(super) directors: Option<Vec<Target>>,
    pub(super) credits: Option<Vec<(CreditRole, Target)>>,
    pub(super) companies: Option<Vec<(entity::CompanyRole, Target)>>,
    pub(super) actors: Option<Vec<Option<Target>>>,
}

/// Notes a problem for every item that names the same target as an earlier one.
pub(super) fn no_repeats<K: PartialEq>(problems: &mut Problems, field: &str, keys: &[Option<K>]) {
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

pub(super) async fn resolve_patch<C: ConnectionTrait>(
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
pub(super) fn kept_items_belong<T>(
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
pub(super) fn keeps_any<T>(items: Option<&Vec<Keyed<T>>>) -> bool {
    items.is_some_and(|items| items.iter().any(|item| item.id.is_some()))
}

/// Notes a problem for every kept item that is not an item of this film.
pub(super) async fn kept_items_are_the_films(
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
pub(super) fn kept_id<T>(item: &Keyed<T>) -> Option<i32> {
    item.id
        .as_deref()
        .and_then(|id| decode(id, "").ok())
        .map(|(_, row)| row)
}
