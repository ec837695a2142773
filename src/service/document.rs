//! A whole film as one document: the shape of `createMovie`'s input, of `export`'s JSON and of
//! a revision's snapshot (so an export imports, and a snapshot restores, through the very
//! same validation and write path).
//!
//! People and companies are [`Reference`]s: an existing one by global `id` or `slug`, or a new
//! one by `name` (with a `slug` of its own when the name's slug is taken). Exports name both
//! `slug` and `name`, so they import into an empty database as well as into this one.

use entity::{CompanyRole, CreditRole};
use serde::{Deserialize, Serialize};

/// A film and everything on its page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MovieDocument {
    /// Display title.
    pub title: String,
    /// URL key; derived from the title when omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    /// Year of first release.
    pub release_year: i32,
    /// Plot paragraphs, in order.
    #[serde(default)]
    pub plot: Vec<String>,
    /// The period the story spans.
    #[serde(default)]
    pub period: Option<PeriodDocument>,
    /// Where the story takes place.
    #[serde(default)]
    pub setting: Option<SettingDocument>,
    /// Directors, in order.
    #[serde(default)]
    pub directors: Vec<Reference>,
    /// Other credits (writer, producer, ...), in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub credits: Vec<CreditDocument>,
    /// Companies and their part, in order.
    #[serde(default)]
    pub companies: Vec<CompanyCreditDocument>,
    /// Themes, in order.
    #[serde(default)]
    pub themes: Vec<ThemeDocument>,
    /// Page sections, in order.
    #[serde(default)]
    pub sections: Vec<SectionDocument>,
    /// Characters, in order.
    #[serde(default)]
    pub characters: Vec<CharacterDocument>,
}

/// The years a story spans.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PeriodDocument {
    /// First year.
    #[serde(default)]
    pub start_year: Option<i32>,
    /// Last year.
    #[serde(default)]
    pub end_year: Option<i32>,
    /// Prose.
    #[serde(default)]
    pub description: Option<String>,
}

/// Where a story takes place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SettingDocument {
    /// Prose.
    #[serde(default)]
    pub description: Option<String>,
    /// Places, in order.
    #[serde(default)]
    pub locations: Vec<LocationDocument>,
}

/// A place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LocationDocument {
    /// Place name.
    pub name: String,
}

/// An existing person or company (by `id` or `slug`), or a new one (by `name`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Reference {
    /// Global id of an existing one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Slug of an existing one; with `name`, the slug a new one gets when none has it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    /// Name of a new one (its slug derived from it unless `slug` is given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A person's credit other than directing or acting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreditDocument {
    /// The person.
    pub person: Reference,
    /// What they did.
    pub role: CreditRole,
}

/// A company's part in a film.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CompanyCreditDocument {
    /// The company.
    pub company: Reference,
    /// What it did.
    pub role: CompanyRole,
}

/// A theme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ThemeDocument {
    /// One emoji.
    pub emoji: String,
    /// Short name.
    pub name: String,
    /// Prose.
    pub description: String,
}

/// A page section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SectionDocument {
    /// Heading.
    pub title: String,
    /// Text.
    pub body: String,
}

/// A character.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CharacterDocument {
    /// Name.
    pub name: String,
    /// Prose.
    pub description: String,
    /// Who plays them, when known.
    #[serde(default)]
    pub actor: Option<Reference>,
}

/// An item of a list being changed: `id` keeps (and changes) an existing item, no `id` adds one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keyed<T> {
    /// Global id of the existing item, if any.
    pub id: Option<String>,
    /// The item's new content.
    pub item: T,
}

/// A partial change to a film: `None` leaves a field as it is; a list given replaces the list
/// (items with an `id` are kept and changed, others added, those left out removed; array order
/// is the new order).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MoviePatch {
    /// New title.
    pub title: Option<String>,
    /// New slug.
    pub slug: Option<String>,
    /// New release year.
    pub release_year: Option<i32>,
    /// New plot.
    pub plot: Option<Vec<String>>,
    /// New period (`Some(None)` clears it).
    pub period: Option<Option<PeriodDocument>>,
    /// New setting description (`Some(None)` clears it).
    pub setting_description: Option<Option<String>>,
    /// New locations.
    pub locations: Option<Vec<Keyed<LocationDocument>>>,
    /// New directors.
    pub directors: Option<Vec<Reference>>,
    /// New other credits.
    pub credits: Option<Vec<CreditDocument>>,
    /// New companies.
    pub companies: Option<Vec<CompanyCreditDocument>>,
    /// New themes.
    pub themes: Option<Vec<Keyed<ThemeDocument>>>,
    /// New sections.
    pub sections: Option<Vec<Keyed<SectionDocument>>>,
    /// New characters.
    pub characters: Option<Vec<Keyed<CharacterDocument>>>,
}

fn fresh<T>(items: Vec<T>) -> Option<Vec<Keyed<T>>> {
    Some(
        items
            .into_iter()
            .map(|item| Keyed { id: None, item })
            .collect(),
    )
}

impl MoviePatch {
    /// A patch that makes a film exactly `document` (every list replaced by new items).
    pub fn replace_with(document: MovieDocument) -> Self {
        let setting = document.setting.unwrap_or_default();
        Self {
            title: Some(document.title),
            slug: document.slug,
            release_year: Some(document.release_year),
            plot: Some(document.plot),
            period: Some(document.period),
            setting_description: Some(setting.description),
            locations: fresh(setting.locations),
            directors: Some(document.directors),
            credits: Some(document.credits),
            companies: Some(document.companies),
            themes: fresh(document.themes),
            sections: fresh(document.sections),
            characters: fresh(document.characters),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_file_is_a_movie_document() {
        let document: Result<MovieDocument, _> =
            serde_json::from_str(migration::seed::M_BUTTERFLY_JSON);
        let document = document.map_err(|e| e.to_string());
        assert_eq!(
            document.as_ref().map(|d| d.title.as_str()),
            Ok("M. Butterfly")
        );
        assert_eq!(
            document.map(|d| d.companies[0].role),
            Ok(CompanyRole::Production)
        );
    }
}
