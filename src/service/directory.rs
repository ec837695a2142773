//! Creating and renaming people and companies, so an editor fixes a name once for every film.

use chrono::Utc;
use entity::{ChangeKind, company, person};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, QueryFilter,
};

use crate::error::AppError;
use crate::service::changes::{self, COMPANIES, PEOPLE, Saved, company_key, person_key};
use crate::service::editing::{Author, begin_write};
use crate::service::slug::slugify;
use crate::service::validate::{self, MAX_NAME, Problems};

/// A new person's or company's name, and its slug (derived from the name when `None`).
#[derive(Debug, Clone)]
pub struct NewEntry {
    /// Name.
    pub name: String,
    /// URL key.
    pub slug: Option<String>,
}

/// Changes to a person or company; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct EntryChanges {
    /// New name.
    pub name: Option<String>,
    /// New slug.
    pub slug: Option<String>,
}

fn check_new(entry: &NewEntry) -> Result<String, AppError> {
    let mut problems = Problems::default();
    validate::text(&mut problems, "input.name", &entry.name, MAX_NAME);
    let slug = match &entry.slug {
        Some(slug) => {
            validate::slug_field(&mut problems, "input.slug", slug);
            slug.clone()
        }
        None => {
            let derived = slugify(&entry.name);
            if derived.is_empty() && problems.is_empty() {
                problems.bad("input.slug", "the name gives no slug: give a `slug`");
            }
            derived
        }
    };
    problems.into_result()?;
    Ok(slug)
}

fn check_changes(changes: &EntryChanges) -> Result<(), AppError> {
    let mut problems = Problems::default();
    if let Some(name) = &changes.name {
        validate::text(&mut problems, "input.name", name, MAX_NAME);
    }
    if let Some(slug) = &changes.slug {
        validate::slug_field(&mut problems, "input.slug", slug);
    }
    problems.into_result()
}

/// A unique-slug violation as a `CONFLICT` on `input.slug`.
fn slug_taken(err: sea_orm::DbErr, slug: &str) -> AppError {
    match AppError::from(err) {
        AppError::Conflict { .. } => {
            AppError::conflict_at("input.slug", format!("the slug `{slug}` is taken"))
        }
        other => other,
    }
}

/// Adds a person.
pub async fn create_person(
    db: &DatabaseConnection,
    entry: NewEntry,
    author: &Author,
) -> Result<Saved<person::Model>, AppError> {
    let slug = check_new(&entry)?;
    let now = Utc::now();
    let tx = begin_write(db).await?;
    let row = person::ActiveModel {
        slug: Set(slug.clone()),
        name: Set(entry.name.trim().to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&tx)
    .await
    .map_err(|e| slug_taken(e, &slug))?;
    let entry = Entry::Person(row.id, row.slug.clone());
    finish(tx, row, entry, author, [PEOPLE.to_owned()]).await
}

/// Changes a person's name or slug.
pub async fn update_person(
    db: &DatabaseConnection,
    id: i32,
    changes: EntryChanges,
    author: &Author,
) -> Result<Saved<person::Model>, AppError> {
    check_changes(&changes)?;
    let tx = begin_write(db).await?;
    let current = person::Entity::find_by_id(id)
        .one(&tx)
        .await?
        .ok_or_else(|| AppError::NotFound("no such person".into()))?;
    let mut active: person::ActiveModel = current.into();
    if let Some(name) = changes.name {
        active.name = Set(name.trim().to_owned());
    }
    let slug = changes.slug.unwrap_or_default();
    if !slug.is_empty() {
        active.slug = Set(slug.clone());
    }
    active.updated_at = Set(Utc::now());
    let row = active.update(&tx).await.map_err(|e| slug_taken(e, &slug))?;
    let entry = Entry::Person(id, row.slug.clone());
    finish(tx, row, entry, author, [person_key(id), PEOPLE.to_owned()]).await
}

/// Adds a company.
pub async fn create_company(
    db: &DatabaseConnection,
    entry: NewEntry,
    author: &Author,
) -> Result<Saved<company::Model>, AppError> {
    let slug = check_new(&entry)?;
    let now = Utc::now();
    let tx = begin_write(db).await?;
    let row = company::ActiveModel {
        slug: Set(slug.clone()),
        name: Set(entry.name.trim().to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&tx)
    .await
    .map_err(|e| slug_taken(e, &slug))?;
    let entry = Entry::Company(row.id, row.slug.clone());
    finish(tx, row, entry, author, [COMPANIES.to_owned()]).await
}

/// Changes a company's name or slug.
pub async fn update_company(
    db: &DatabaseConnection,
    id: i32,
    changes: EntryChanges,
    author: &Author,
) -> Result<Saved<company::Model>, AppError> {
    check_changes(&changes)?;
    let tx = begin_write(db).await?;
    let current = company::Entity::find()
        .filter(company::Column::Id.eq(id))
        .one(&tx)
        .await?
        .ok_or_else(|| AppError::NotFound("no such company".into()))?;
    let mut active: company::ActiveModel = current.into();
    if let Some(name) = changes.name {
        active.name = Set(name.trim().to_owned());
    }
    let slug = changes.slug.unwrap_or_default();
    if !slug.is_empty() {
        active.slug = Set(slug.clone());
    }
    active.updated_at = Set(Utc::now());
    let row = active.update(&tx).await.map_err(|e| slug_taken(e, &slug))?;
    let entry = Entry::Company(id, row.slug.clone());
    finish(
        tx,
        row,
        entry,
        author,
        [company_key(id), COMPANIES.to_owned()],
    )
    .await
}

/// The person or company a write changed: (id, slug).
enum Entry {
    Person(i32, String),
    Company(i32, String),
}

/// Records what a write to `entry` changed (cache `keys`; the change log also names the films
/// whose pages show it), announces it and commits.
async fn finish<T>(
    tx: DatabaseTransaction,
    row: T,
    entry: Entry,
    author: &Author,
    keys: impl IntoIterator<Item = String>,
) -> Result<Saved<T>, AppError> {
    let (kind, slug, films) = match entry {
        Entry::Person(id, slug) => (
            ChangeKind::PersonChanged,
            slug,
            changes::films_naming(&tx, Some(id), None).await?,
        ),
        Entry::Company(id, slug) => (
            ChangeKind::CompanyChanged,
            slug,
            changes::films_naming(&tx, None, Some(id)).await?,
        ),
    };
    let change = changes::Change {
        kind,
        movie_id: None,
        slug: Some(slug),
        version: None,
        author: author.name.clone(),
    };
    let changed = changes::record(&tx, change, keys.into_iter().collect(), films).await?;
    tx.commit().await?;
    Ok(Saved { row, changed })
}
