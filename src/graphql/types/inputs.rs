//! Input types of the editors' mutations, and their conversion into the service's
//! [`MovieDocument`] and [`MoviePatch`]. A list given in `MovieChangesInput` replaces the
//! film's list: items with an `id` are kept (and changed), items without one are added, items
//! left out are removed, and array order is the new order.

use async_graphql::{ID, InputObject, MaybeUndefined};

use super::{CompanyRole, CreditRole};
use crate::service::directory::{EntryChanges, NewEntry};
use crate::service::document::{
    CharacterDocument, CompanyCreditDocument, CreditDocument, Keyed, LocationDocument,
    MovieDocument, MoviePatch, PeriodDocument, Reference, SectionDocument, SettingDocument,
    ThemeDocument,
};

/// An existing person or company by `id` or `slug`, or a new one by `name` (with a `slug` of
/// its own when the name's slug is taken).
#[derive(InputObject, Clone, Default)]
pub struct ReferenceInput {
    /// Global id of an existing one.
    pub id: Option<ID>,
    /// Slug of an existing one; with `name`, the slug a new one gets when none has it.
    pub slug: Option<String>,
    /// Name of a new one.
    pub name: Option<String>,
}

impl From<ReferenceInput> for Reference {
    fn from(input: ReferenceInput) -> Self {
        Self {
            id: input.id.map(|id| id.0),
            slug: input.slug,
            name: input.name,
        }
    }
}

/// The years a story spans.
#[derive(InputObject, Clone, Default)]
pub struct PeriodInput {
    /// First year.
    pub start_year: Option<i32>,
    /// Last year (not before the first).
    pub end_year: Option<i32>,
    /// What the period meant for the story.
    pub description: Option<String>,
}

impl From<PeriodInput> for PeriodDocument {
    fn from(input: PeriodInput) -> Self {
        Self {
            start_year: input.start_year,
            end_year: input.end_year,
            description: input.description,
        }
    }
}

/// A place where the story is set.
#[derive(InputObject, Clone)]
pub struct LocationInput {
    /// Global id of a location of this film to keep (updates only).
    pub id: Option<ID>,
    /// Place name.
    pub name: String,
}

/// Where a story takes place.
#[derive(InputObject, Clone, Default)]
pub struct SettingInput {
    /// Prose about the places.
    pub description: Option<String>,
    /// The places, in order.
    #[graphql(default)]
    pub locations: Vec<LocationInput>,
}

/// A person's credit other than directing or acting.
#[derive(InputObject, Clone)]
pub struct CreditInput {
    /// The person.
    pub person: ReferenceInput,
    /// What they did (directors go in `directors`).
    pub role: CreditRole,
}

/// A company's part in the film.
#[derive(InputObject, Clone)]
pub struct CompanyCreditInput {
    /// The company.
    pub company: ReferenceInput,
    /// What it did.
    pub role: CompanyRole,
}

/// A theme of the film.
#[derive(InputObject, Clone)]
pub struct ThemeInput {
    /// Global id of a theme of this film to keep (updates only).
    pub id: Option<ID>,
    /// Exactly one emoji.
    pub emoji: String,
    /// Short name.
    pub name: String,
    /// What the film does with it.
    pub description: String,
}

/// A titled section of the film page.
#[derive(InputObject, Clone)]
pub struct SectionInput {
    /// Global id of a section of this film to keep (updates only).
    pub id: Option<ID>,
    /// Heading.
    pub title: String,
    /// Text.
    pub body: String,
}

/// A character of the film.
#[derive(InputObject, Clone)]
pub struct CharacterInput {
    /// Global id of a character of this film to keep (updates only).
    pub id: Option<ID>,
    /// Name.
    pub name: String,
    /// Who they are and what they do in the story.
    pub description: String,
    /// Who plays them, when known.
    pub actor: Option<ReferenceInput>,
}

/// A whole film, for `createMovie`. Lists are in page order.
#[derive(InputObject, Clone)]
pub struct MovieInput {
    /// Display title.
    pub title: String,
    /// URL key; derived from the title when omitted.
    pub slug: Option<String>,
    /// Year of first release (1888 to next year + 5).
    pub release_year: i32,
    /// Plot paragraphs.
    #[graphql(default)]
    pub plot: Vec<String>,
    /// The period the story spans.
    pub period: Option<PeriodInput>,
    /// Where the story takes place.
    pub setting: Option<SettingInput>,
    /// Directors.
    #[graphql(default)]
    pub directors: Vec<ReferenceInput>,
    /// Other credits (writer, producer, ...).
    #[graphql(default)]
    pub credits: Vec<CreditInput>,
    /// Companies and their part.
    #[graphql(default)]
    pub companies: Vec<CompanyCreditInput>,
    /// Themes.
    #[graphql(default)]
    pub themes: Vec<ThemeInput>,
    /// Page sections.
    #[graphql(default)]
    pub sections: Vec<SectionInput>,
    /// Characters.
    #[graphql(default)]
    pub characters: Vec<CharacterInput>,
}

fn theme(input: ThemeInput) -> ThemeDocument {
    ThemeDocument {
        emoji: input.emoji,
        name: input.name,
        description: input.description,
    }
}

fn section(input: SectionInput) -> SectionDocument {
    SectionDocument {
        title: input.title,
        body: input.body,
    }
}

fn character(input: CharacterInput) -> CharacterDocument {
    CharacterDocument {
        name: input.name,
        description: input.description,
        actor: input.actor.map(Reference::from),
    }
}

fn credit(input: CreditInput) -> CreditDocument {
    CreditDocument {
        person: input.person.into(),
        role: input.role.into(),
    }
}

fn company_credit(input: CompanyCreditInput) -> CompanyCreditDocument {
    CompanyCreditDocument {
        company: input.company.into(),
        role: input.role.into(),
    }
}

fn references(inputs: Vec<ReferenceInput>) -> Vec<Reference> {
    inputs.into_iter().map(Reference::from).collect()
}

impl From<MovieInput> for MovieDocument {
    fn from(input: MovieInput) -> Self {
        Self {
            title: input.title,
            slug: input.slug,
            release_year: input.release_year,
            plot: input.plot,
            period: input.period.map(PeriodDocument::from),
            setting: input.setting.map(|setting| SettingDocument {
                description: setting.description,
                locations: setting
                    .locations
                    .into_iter()
                    .map(|l| LocationDocument { name: l.name })
                    .collect(),
            }),
            directors: references(input.directors),
            credits: input.credits.into_iter().map(credit).collect(),
            companies: input.companies.into_iter().map(company_credit).collect(),
            themes: input.themes.into_iter().map(theme).collect(),
            sections: input.sections.into_iter().map(section).collect(),
            characters: input.characters.into_iter().map(character).collect(),
        }
    }
}

/// Where a story takes place, changed: a field left out stays as it is.
#[derive(InputObject, Clone, Default)]
pub struct SettingChangesInput {
    /// New prose about the places (null clears it).
    pub description: MaybeUndefined<String>,
    /// The new list of places (see `MovieChangesInput` for how lists change).
    pub locations: Option<Vec<LocationInput>>,
}

/// Changes to a film, for `updateMovie`: a field left out stays as it is. A list given
/// replaces the film's list: items with an `id` are kept (and changed), items without one are
/// added, items left out are removed, and array order is the new order.
#[derive(InputObject, Clone, Default)]
pub struct MovieChangesInput {
    /// New title.
    pub title: Option<String>,
    /// New URL key.
    pub slug: Option<String>,
    /// New year of first release.
    pub release_year: Option<i32>,
    /// New plot paragraphs.
    pub plot: Option<Vec<String>>,
    /// New period (null clears it).
    pub period: MaybeUndefined<PeriodInput>,
    /// New setting.
    pub setting: Option<SettingChangesInput>,
    /// New directors.
    pub directors: Option<Vec<ReferenceInput>>,
    /// New other credits.
    pub credits: Option<Vec<CreditInput>>,
    /// New companies.
    pub companies: Option<Vec<CompanyCreditInput>>,
    /// New themes.
    pub themes: Option<Vec<ThemeInput>>,
    /// New sections.
    pub sections: Option<Vec<SectionInput>>,
    /// New characters.
    pub characters: Option<Vec<CharacterInput>>,
}

fn maybe<T, U>(value: MaybeUndefined<T>, convert: impl FnOnce(T) -> U) -> Option<Option<U>> {
    match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(value) => Some(Some(convert(value))),
    }
}

fn keyed<T, U>(
    items: Option<Vec<T>>,
    id: impl Fn(&T) -> Option<ID>,
    convert: impl Fn(T) -> U,
) -> Option<Vec<Keyed<U>>> {
    items.map(|items| {
        items
            .into_iter()
            .map(|item| Keyed {
                id: id(&item).map(|id| id.0),
                item: convert(item),
            })
            .collect()
    })
}

impl From<MovieChangesInput> for MoviePatch {
    fn from(input: MovieChangesInput) -> Self {
        let setting = input.setting.unwrap_or_default();
        Self {
            title: input.title,
            slug: input.slug,
            release_year: input.release_year,
            plot: input.plot,
            period: maybe(input.period, PeriodDocument::from),
            setting_description: maybe(setting.description, |d| d),
            locations: keyed(
                setting.locations,
                |l| l.id.clone(),
                |l| LocationDocument { name: l.name },
            ),
            directors: input.directors.map(references),
            credits: input.credits.map(|c| c.into_iter().map(credit).collect()),
            companies: input
                .companies
                .map(|c| c.into_iter().map(company_credit).collect()),
            themes: keyed(input.themes, |t| t.id.clone(), theme),
            sections: keyed(input.sections, |s| s.id.clone(), section),
            characters: keyed(input.characters, |c| c.id.clone(), character),
        }
    }
}

/// A new person or company.
#[derive(InputObject, Clone)]
pub struct EntryInput {
    /// Name.
    pub name: String,
    /// URL key; derived from the name when omitted.
    pub slug: Option<String>,
}

impl From<EntryInput> for NewEntry {
    fn from(input: EntryInput) -> Self {
        Self {
            name: input.name,
            slug: input.slug,
        }
    }
}

/// Changes to a person or company: a field left out stays as it is.
#[derive(InputObject, Clone, Default)]
pub struct EntryChangesInput {
    /// New name.
    pub name: Option<String>,
    /// New URL key.
    pub slug: Option<String>,
}

impl From<EntryChangesInput> for EntryChanges {
    fn from(input: EntryChangesInput) -> Self {
        Self {
            name: input.name,
            slug: input.slug,
        }
    }
}

/// Problems for ids given in a new film's lists (a new film has no items to keep).
pub fn ids_in_new_film(input: &MovieInput) -> Vec<crate::error::AppError> {
    let mut found = Vec::new();
    let mut check = |list: &str, ids: Vec<bool>| {
        for (i, has_id) in ids.into_iter().enumerate() {
            if has_id {
                found.push(crate::error::AppError::bad_input(
                    format!("input.{list}[{i}].id"),
                    "a new film has no items to keep: leave `id` out",
                ));
            }
        }
    };
    check(
        "sections",
        input.sections.iter().map(|s| s.id.is_some()).collect(),
    );
    check(
        "themes",
        input.themes.iter().map(|t| t.id.is_some()).collect(),
    );
    check(
        "characters",
        input.characters.iter().map(|c| c.id.is_some()).collect(),
    );
    if let Some(setting) = &input.setting {
        check(
            "setting.locations",
            setting.locations.iter().map(|l| l.id.is_some()).collect(),
        );
    }
    found
}
